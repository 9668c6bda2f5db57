package source

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// A body of repeated "[a](" was quadratic in goldmark (169 s at 400 KB,
// every reload blocked); bounded, it renders as text at once. Links of
// every ordinary shape around it still render.
func TestLinkFloodIsLinear(t *testing.T) {
	base, _ := url.Parse("https://talks.example/")
	r := newBodyRenderer()
	r.maxMarkdown = 1 << 20 // the floods as Markdown, past the body bound
	cases := map[string]string{
		"bare":  strings.Repeat("[a](", 100_000),
		"angle": strings.Repeat("[a](<", 80_000),
		"image": strings.Repeat("![a](", 80_000),
	}
	for name, flood := range cases {
		t.Run(name, func(t *testing.T) {
			body := "See [the slides](https://slides.example/x \"Slides\") and [home](/).\n\n" + flood + "\n\nAnd [after](<https://after.example/a b>)."
			done := make(chan renderedBody, 1)
			go func() {
				out, err := r.render([]byte(body), base)
				if err != nil {
					t.Error(err)
				}
				done <- out
			}()
			var out renderedBody
			select {
			case out = <-done:
			case <-time.After(20 * time.Second):
				t.Fatalf("a %d KB flood of %q did not render in 20 s", len(flood)>>10, flood[:5])
			}
			for _, want := range []string{`<a href="https://slides.example/x" title="Slides">the slides</a>`, `<a href="https://talks.example/">home</a>`, `<a href="https://after.example/a%20b">after</a>`} {
				if !strings.Contains(out.html, want) {
					t.Errorf("no %s in the body around the flood", want)
				}
			}
			if strings.Count(out.html, "[a](") < 1000 {
				t.Errorf("the flood is not kept as text")
			}
		})
	}
}

// A destination up to the bound is still a link.
func TestLongLinkDestinationKept(t *testing.T) {
	base, _ := url.Parse("https://talks.example/")
	dest := "https://long.example/" + strings.Repeat("x", maxLinkDestination-100)
	out, err := newBodyRenderer().render([]byte("[long]("+dest+")"), base)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.html, `href="`+dest+`"`) {
		t.Fatalf("a %d-byte destination is no longer a link: %.200s", len(dest), out.html)
	}
}

// Quotes and lists nested past any real page's depth cost goldmark time
// in the square of the depth (4 s for a line of 80,000 ">"); bounded,
// they render at once, and ordinary nesting is untouched.
func TestDeepNestingIsBounded(t *testing.T) {
	base, _ := url.Parse("https://talks.example/")
	r := newBodyRenderer()
	r.maxMarkdown = 1 << 20
	var lists strings.Builder
	for i := range 2000 {
		lists.WriteString(strings.Repeat("  ", i) + "- item\n")
	}
	for name, body := range map[string]string{
		"quotes":        strings.Repeat(">", 200_000) + " deep",
		"spaced quotes": strings.Repeat("> ", 100_000) + "deep",
		"lists":         lists.String(),
	} {
		t.Run(name, func(t *testing.T) {
			done := make(chan renderedBody, 1)
			go func() {
				out, _ := r.render([]byte(body), base)
				done <- out
			}()
			select {
			case out := <-done:
				if n := strings.Count(out.html, "<blockquote>") + strings.Count(out.html, "<ul>"); n > maxNesting+maxListIndent/2+1 {
					t.Errorf("%d levels rendered", n)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("did not render in 20 s")
			}
		})
	}
	src := "> a\n> > b\n> > > c\n\n- x\n  - y\n    - z\n"
	if got := string(boundNesting([]byte(src))); got != src {
		t.Errorf("ordinary nesting changed:\n%s", got)
	}
	out, _ := r.render([]byte(src), base)
	if strings.Count(out.html, "<blockquote>") != 3 || strings.Count(out.html, "<ul>") != 3 {
		t.Errorf("ordinary nesting renders as %s", out.html)
	}
}

// A body past maxMarkdownBody is shown as text, escaped, in paragraphs,
// with a warning; one within it is Markdown.
func TestLargeBodyIsText(t *testing.T) {
	base, _ := url.Parse("https://talks.example/")
	big := "# Title\n\n" + strings.Repeat("*a_ **b__ <b>x</b> ", maxMarkdownBody/18) + "\n\nlast"
	out, err := newBodyRenderer().render([]byte(big), base)
	if err != nil || !out.plain {
		t.Fatalf("a %d KB body: plain %v, %v", len(big)>>10, out.plain, err)
	}
	if strings.Contains(out.html, "<b>") || strings.Contains(out.html, "<em>") || !strings.HasPrefix(out.html, "<p># Title</p>") || !strings.HasSuffix(out.html, "<p>last</p>") {
		t.Errorf("the large body as text: %.120s … %s", out.html, out.html[len(out.html)-40:])
	}
	small, err := newBodyRenderer().render([]byte("# Title\n\n*a*"), base)
	if err != nil || small.plain || !strings.Contains(small.html, "<em>a</em>") {
		t.Errorf("a small body: %+v %v", small, err)
	}
}

// A GFM table wider than maxTableColumns is text, not a table padded
// cell by cell; a table within it is a table.
func TestWideTableIsText(t *testing.T) {
	base, _ := url.Parse("https://talks.example/")
	wide := strings.Repeat("|a", 5000) + "|\n" + strings.Repeat("|-", 5000) + "|\n" + strings.Repeat("|b|\n", 2000)
	out, err := newBodyRenderer().render([]byte(wide), base)
	if err != nil || strings.Contains(out.html, "<table>") || strings.Contains(out.html, "<td") {
		t.Errorf("a 5,000-column table rendered as a table (%v)", err)
	}
	narrow, _ := newBodyRenderer().render([]byte("|a|b|\n|-|-|\n|1|2|\n"), base)
	if !strings.Contains(narrow.html, "<table>") {
		t.Errorf("a two-column table: %s", narrow.html)
	}
}
