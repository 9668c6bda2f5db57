package publish

import (
	"strings"
	"testing"
	"time"

	"github.com/talkfeed/talkfeed/demo"
)

// A static host sends the daemon's security headers: every output's
// block in _headers has them, pages with the pages' policy; and in the
// nginx snippet the pages' block, which inherits none of the server's
// add_header lines, repeats them.
func TestStaticSecurityHeaders(t *testing.T) {
	tree := buildTree(t, demo.Talks(), demoSite, demo.Assets())
	blocks := strings.Split(string(tree.HeadersFile(5*time.Minute)), "\n/")
	if len(blocks) < 10 {
		t.Fatalf("%d blocks in _headers", len(blocks))
	}
	for _, b := range blocks[1:] {
		b += "\n" // the split took it
		csp := NoneCSP
		if strings.Contains(b, "Content-Type: "+TypeHTML) {
			csp = PageCSP
		}
		for _, want := range []string{"X-Content-Type-Options: nosniff\n", "Referrer-Policy: strict-origin-when-cross-origin\n", "Content-Security-Policy: " + csp + "\n"} {
			if !strings.Contains(b, want) {
				t.Errorf("_headers block /%s lacks %q", b, want)
			}
		}
	}
	nginx := string(tree.NginxConf(5 * time.Minute))
	_, pages, ok := strings.Cut(nginx, `location ~ \.html$|/$ {`)
	pages, _, _ = strings.Cut(pages, "}")
	if !ok {
		t.Fatalf("no pages' block:\n%s", nginx)
	}
	for _, want := range []string{`X-Content-Type-Options "nosniff"`, `Access-Control-Allow-Origin "*"`, `Content-Security-Policy "` + PageCSP + `"`, `Vary "Accept-Encoding"`} {
		if !strings.Contains(pages, want) {
			t.Errorf("the pages' block lacks %s:\n%s", want, pages)
		}
	}
	if !strings.Contains(nginx, "\nadd_header Content-Security-Policy \""+NoneCSP+"\" always;") {
		t.Errorf("the server's headers lack the policy for outputs:\n%s", nginx)
	}
}
