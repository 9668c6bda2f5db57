package feeds

import (
	"bytes"
	"regexp"
	"testing"

	"github.com/mmcdole/gofeed"
)

// tagURI is RFC 4151's grammar (section 2.1): the authority is a DNS name
// or an e-mail address, never host:port; specific and fragment are
// RFC 3986 pchars, "/" and "?".
var tagURI = func() *regexp.Regexp {
	const (
		dnsComp = `[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?`
		dnsName = dnsComp + `(?:\.` + dnsComp + `)*`
		email   = `[A-Za-z0-9._-]+@` + dnsName
		date    = `[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?`
		chars   = `(?:[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2})*`
	)
	return regexp.MustCompile(`^tag:(` + dnsName + `|` + email + `),` + date + `:` + chars + `(?:#` + chars + `)?$`)
}()

// The default base URL has a port (http://localhost:8080/): the port is
// not part of the tagging entity, so every item id, in every format, is
// still a valid tag URI with the bare host.
func TestItemIDsAreTagURIsWithAPort(t *testing.T) {
	for base, host := range map[string]string{"http://localhost:8080/": "localhost", "https://talks.example:8443/sub/": "talks.example"} {
		o := testOptions()
		o.Site.BaseURL = base
		v := demoView(t)
		for _, r := range renderers {
			feed, err := gofeed.NewParser().Parse(bytes.NewReader(render(t, r, v, o)))
			if err != nil {
				t.Fatal(err)
			}
			if len(feed.Items) != len(v.Events) {
				t.Fatalf("%s: %d items, want %d", r.name, len(feed.Items), len(v.Events))
			}
			for _, it := range feed.Items {
				m := tagURI.FindStringSubmatch(it.GUID)
				if m == nil || m[1] != host {
					t.Errorf("%s, base %s: id %q is not an RFC 4151 tag URI with the bare host %q", r.name, base, it.GUID, host)
					break // one per format is enough
				}
			}
		}
	}
}

// The grammar itself: what it must accept and refuse, so that a pattern
// that accepts anything cannot pass the test above.
func TestTagURIGrammar(t *testing.T) {
	for s, want := range map[string]bool{
		"tag:talks.example,2000:2027/rust-summit":     true,
		"tag:localhost,2000:a-b_c.d~e":                true,
		"tag:me@talks.example,2024-01-02:x#frag":      true,
		"tag:localhost:8080,2000:2027/rust-summit":    false,
		"tag:talks.example:8443,2000:x":               false,
		"tag:talks.example,00:x":                      false,
		"tag:-bad.example,2000:x":                     false,
		"tag:talks.example,2000:space here":           false,
		"tag:talks.example,2000:%zz":                  false,
		"https://talks.example/events/2027/x/":        false,
		"tag:talks.example,2000-13-01:x%20y/z?q=1&r@": true, // the grammar does not check the calendar
	} {
		if got := tagURI.MatchString(s); got != want {
			t.Errorf("tagURI.MatchString(%q) = %v, want %v", s, got, want)
		}
	}
}
