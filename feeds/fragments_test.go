package feeds

import (
	"bytes"
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
			kept := len(o.Fragments.cur)
			if kept != len(v.Events) {
				t.Errorf("%d items kept of %d", kept, len(v.Events))
			}
			// The next generation, one talk edited.
			v.Events[0].Title += ", edited"
			o.Fragments = NewFragments(o.Fragments)
			if got, want := render(t, r, v, o), render(t, r, v, testOptions()); !bytes.Equal(got, want) {
				t.Fatalf("after an edit:\n%s\nwant\n%s", got, want)
			}
			if len(o.Fragments.cur) != len(v.Events) {
				t.Errorf("the next generation keeps %d items", len(o.Fragments.cur))
			}
		})
	}
}
