package talkfeed_test

import (
	"testing"

	"github.com/talkfeed/talkfeed"
)

func TestSiteHost(t *testing.T) {
	for base, want := range map[string]string{
		"https://talks.example/":           "talks.example",
		"https://talks.example:8443/sub/":  "talks.example", // a port is no part of a tag URI's authority
		"http://localhost:8080/":           "localhost",
		"":                                 "localhost",
		"not a URL":                        "localhost",
		"https://TALKS.example/events/x/y": "TALKS.example",
	} {
		if got := (talkfeed.Site{BaseURL: base}).Host(); got != want {
			t.Errorf("Host of %q = %q, want %q", base, got, want)
		}
	}
}
