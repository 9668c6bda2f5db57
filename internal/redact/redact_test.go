package redact

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func TestURL(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"https://hooks.slack.com/services/T0/B0/secret", "https://hooks.slack.com/…"},
		{"https://ada:pw@hub.example:8443/?token=x", "https://hub.example:8443/…"},
		{"https://hub.example", "https://hub.example"},
		{"https://hub.example/", "https://hub.example"},
		{"/services/T0/B0/secret", "…"},
		{"::not a url", "…"},
	} {
		if got := URL(c.in); got != c.want {
			t.Errorf("URL(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestError(t *testing.T) {
	const hook = "https://hooks.slack.com/services/T0/B0/s3cret?x=q5"
	wrapped := &url.Error{Op: "Post", URL: hook, Err: fmt.Errorf("echo %s: %w", "/services/T0/B0/s3cret", context.DeadlineExceeded)}
	err := Error(fmt.Errorf("slack: %w", wrapped), hook)
	if msg := err.Error(); strings.Contains(msg, "s3cret") || strings.Contains(msg, "q5") || !strings.Contains(msg, `Post "https://hooks.slack.com/…"`) {
		t.Errorf("error %q", msg)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("%v no longer is a deadline", err)
	}
	if got := Text("no route for /services/T0/B0/s3cret?x=q5 at "+hook, hook); strings.Contains(got, "s3cret") || strings.Contains(got, "q5") {
		t.Errorf("Text: %q", got)
	}
}
