package talkfeed_test

import (
	"testing"
	"time"

	"github.com/talkfeed/talkfeed"
)

func TestStatusWording(t *testing.T) {
	for _, tc := range []struct {
		status      talkfeed.Status
		cancelled   bool
		label, note string
	}{
		{talkfeed.StatusConfirmed, false, "", ""},
		{"", false, "", ""}, // a talk made by hand, not by the loader
		{talkfeed.StatusTentative, false, "To be confirmed", "The date is to be confirmed."},
		{talkfeed.StatusCancelled, true, "Cancelled", "This talk is cancelled."},
	} {
		if got := tc.status.Cancelled(); got != tc.cancelled {
			t.Errorf("%q.Cancelled() = %v", tc.status, got)
		}
		if got := tc.status.Label(); got != tc.label {
			t.Errorf("%q.Label() = %q, want %q", tc.status, got, tc.label)
		}
		if got := tc.status.Note(); got != tc.note {
			t.Errorf("%q.Note() = %q, want %q", tc.status, got, tc.note)
		}
	}
}

func TestDisplayTitle(t *testing.T) {
	start := time.Date(2027, 1, 21, 19, 0, 0, 0, time.UTC)
	for status, want := range map[talkfeed.Status]string{
		talkfeed.StatusConfirmed: "Kubernetes Security",
		talkfeed.StatusTentative: "Kubernetes Security",
		talkfeed.StatusCancelled: "Cancelled: Kubernetes Security",
	} {
		e := talkfeed.Event{Title: "Kubernetes Security", Start: start, Status: status}
		if got := e.DisplayTitle(); got != want {
			t.Errorf("%s: event %q, want %q", status, got, want)
		}
		// A change's fingerprint, which Slack words, says the same.
		fp := talkfeed.FingerprintOf(&e)
		if got := fp.DisplayTitle(); got != want {
			t.Errorf("%s: fingerprint %q, want %q", status, got, want)
		}
	}
}

func TestSynopsis(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	base := talkfeed.Event{
		Title: "Kubernetes Security", Summary: "Admission control, shown live.",
		Start: time.Date(2027, 1, 21, 19, 0, 0, 0, cet), End: time.Date(2027, 1, 21, 21, 0, 0, 0, cet),
		Location: "Madrid, Spain", EventName: "Madrid Kubernetes Meetup",
	}
	const when = "21 January 2027, 19:00–21:00 CET · Madrid, Spain · Madrid Kubernetes Meetup"
	tests := []struct {
		name string
		edit func(*talkfeed.Event)
		want string
	}{
		{"confirmed", func(e *talkfeed.Event) { e.Status = talkfeed.StatusConfirmed }, when + " — Admission control, shown live."},
		{"cancelled", func(e *talkfeed.Event) { e.Status = talkfeed.StatusCancelled }, "Cancelled. " + when + " — Admission control, shown live."},
		{"tentative", func(e *talkfeed.Event) { e.Status = talkfeed.StatusTentative }, when + " (to be confirmed) — Admission control, shown live."},
		{"tentative, no summary, nowhere", func(e *talkfeed.Event) {
			e.Status, e.Summary, e.Location, e.EventName = talkfeed.StatusTentative, "", "", ""
		}, "21 January 2027, 19:00–21:00 CET (to be confirmed)"},
	}
	for _, tc := range tests {
		e := base
		tc.edit(&e)
		if got := e.Synopsis(); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
}
