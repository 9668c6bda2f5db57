package talkfeed_test

import (
	"strings"
	"testing"

	"github.com/talkfeed/talkfeed"
)

func TestLoadZone(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"Europe/London", true},
		{"America/Argentina/Buenos_Aires", true},
		{"Asia/Kolkata", true},
		{"UTC", true},
		{"", false},      // time.LoadLocation reads it as UTC
		{"Local", false}, // the machine's own zone, which differs between machines
		{"Nowhere/City", false},
		{"Europe/London ", false},
		{"../etc/passwd", false},
		{"/usr/share/zoneinfo/Europe/London", false},
	}
	for _, tc := range tests {
		loc, err := talkfeed.LoadZone(tc.name)
		if tc.ok {
			if err != nil || loc == nil || loc.String() != tc.name {
				t.Errorf("LoadZone(%q) = %v, %v; want the zone", tc.name, loc, err)
			}
			continue
		}
		if err == nil || loc != nil {
			t.Errorf("LoadZone(%q) = %v, %v; want an error", tc.name, loc, err)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, `"`+tc.name+`"`) || !strings.Contains(msg, "IANA zone name like Europe/London") {
			t.Errorf("LoadZone(%q) error %q does not name the value and an example", tc.name, msg)
		}
	}
}
