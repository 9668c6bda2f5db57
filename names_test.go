package talkfeed_test

import (
	"testing"

	"github.com/talkfeed/talkfeed"
)

func TestJoinNames(t *testing.T) {
	for _, tc := range []struct {
		names []string
		want  string
	}{
		{nil, ""},
		{[]string{""}, ""},
		{[]string{"Jane Doe"}, "Jane Doe"},
		{[]string{"Jane Doe", "John Roe"}, "Jane Doe and John Roe"},
		{[]string{"Jane Doe", "John Roe", "Ann Poe"}, "Jane Doe, John Roe and Ann Poe"},
		{[]string{"Jane Doe (Acme)", "", "John Roe", "Ann Poe (Beta, Inc)"}, "Jane Doe (Acme), John Roe and Ann Poe (Beta, Inc)"},
		{[]string{"A", "B", "C", "D"}, "A, B, C and D"},
	} {
		if got := talkfeed.JoinNames(tc.names); got != tc.want {
			t.Errorf("JoinNames(%q) = %q, want %q", tc.names, got, tc.want)
		}
	}
}
