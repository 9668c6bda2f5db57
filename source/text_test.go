package source

import "testing"

func TestPlainText(t *testing.T) {
	for _, c := range []struct {
		in, want          string
		markup, invisible bool
	}{
		{"Kafka® Meetup", "Kafka® Meetup", false, false},
		{"AT&amp;T &amp; Q&A", "AT&T & Q&A", false, false},
		{"I <3 Go, 1 < 2 > 0", "I <3 Go, 1 < 2 > 0", false, false},
		{"<p>one</p><p>two</p>", "one two", true, false},
		{"a <b>bold</b> talk", "a bold talk", true, false},
		{"&lt;script&gt;alert(1)&lt;/script&gt;x", "x", true, false},
		{"&amp;lt;img src=x onerror=alert(1)&amp;gt;y", "y", true, false},
		{"<scr<script>ipt>alert(1)</script>", "ipt>alert(1)", true, false},
		{"تحدث\u200Cعن", "تحدث\u200Cعن", false, false}, // ZWNJ: Persian needs it
		{"👩\u200D💻 dev", "👩\u200D💻 dev", false, false}, // ZWJ: one emoji
		{"\U0001F3F4\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F Scotland", "\U0001F3F4\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F Scotland", false, false},
		{"hi\U000E0068\U000E0069", "hi", false, true}, // tag characters smuggling text
		{"\u0600\u0661\u0662", "\u0600\u0661\u0662", false, false},
		{"a\u202Eb\uFEFFc\u0085d", "abc d", false, true},
	} {
		got, cl := plainText(c.in)
		if got != c.want || cl.markup != c.markup || (len(cl.invisible) > 0) != c.invisible {
			t.Errorf("plainText(%q) = %q %+v, want %q markup %v invisible %v", c.in, got, cl, c.want, c.markup, c.invisible)
		}
	}
}
