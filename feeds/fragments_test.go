package feeds

import (
	"bytes"
	"compress/gzip"
	"io"
	"testing"
)

// A feed put together from kept items is the feed rendered whole, in
// every generation; an item kept is rendered once, and an edited talk's
// item again.
func TestFragmentsKeepTheBytes(t *testing.T) {
	for _, r := range renderers {
		t.Run(r.name, func(t *testing.T) {
			v := demoView(t)
			whole := render(t, r, v, testOptions())
			o := testOptions()
			o.Fragments = NewFragments(nil)
			if got := render(t, r, v, o); !bytes.Equal(got, whole) {
				t.Fatalf("put together:\n%s\nwant\n%s", got, whole)
			}
			kept := o.Fragments.Len()
			if kept != len(v.Events) {
				t.Errorf("%d items kept of %d", kept, len(v.Events))
			}
			// The next generation, one talk edited.
			v.Events[0].Title += ", edited"
			o.Fragments = NewFragments(o.Fragments)
			if got, want := render(t, r, v, o), render(t, r, v, testOptions()); !bytes.Equal(got, want) {
				t.Fatalf("after an edit:\n%s\nwant\n%s", got, want)
			}
			if o.Fragments.Len() != len(v.Events) {
				t.Errorf("the next generation keeps %d items", o.Fragments.Len())
			}
		})
	}
}

// A feed's gzip form, put together from its items' compressed pieces,
// decodes to the feed, with no items, with kept items and after an edit;
// it is the quick form served until the whole is compressed: under half
// the feed, and under twice the whole compressed.
func TestGzipFromPieces(t *testing.T) {
	gzipped := map[string]func(View, Options) ([]byte, []byte, error){"rss": RSSGzip, "atom": AtomGzip, "json": JSONGzip}
	for _, r := range renderers {
		t.Run(r.name, func(t *testing.T) {
			check := func(what string, v View, o Options) {
				t.Helper()
				v.SelfURL += "." + r.name
				body, gz, err := gzipped[r.name](v, o)
				if err != nil {
					t.Fatal(err)
				}
				if want, _ := r.render(v, testOptions()); !bytes.Equal(body, want) {
					t.Fatalf("%s: the body differs from the feed", what)
				}
				zr, err := gzip.NewReader(bytes.NewReader(gz))
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				got, err := io.ReadAll(zr)
				if err != nil || !bytes.Equal(got, body) {
					t.Fatalf("%s: the gzip form decodes to %d bytes (%v), not the %d of the feed", what, len(got), err, len(body))
				}
				var whole bytes.Buffer
				zw := gzip.NewWriter(&whole)
				zw.Write(body)
				zw.Close()
				if len(v.Events) > 2 && (len(gz) > 2*whole.Len() || 2*len(gz) > len(body)) {
					t.Errorf("%s: %d bytes from pieces, %d compressed whole, %d plain", what, len(gz), whole.Len(), len(body))
				}
			}
			v := demoView(t)
			empty := v
			empty.Events = nil
			check("no items", empty, testOptions())
			one := v
			one.Events = v.Events[:1]
			check("one item", one, testOptions())
			o := testOptions()
			o.Fragments = NewFragments(nil)
			check("first", v, o)
			o.Fragments = NewFragments(o.Fragments)
			check("kept", v, o)
			v.Events[1].Title += ", edited"
			o.Fragments = NewFragments(o.Fragments)
			check("edited", v, o)
		})
	}
}
