package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"
	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"

	"github.com/talkfeed/talkfeed/internal/htmltest"
)

// The demo as a subscriber sees it, built and served on three pinned
// days: a year before its talks as written, among them, and five years
// after. Every day it has the same upcoming and past talks, `build` and
// `serve` agree byte for byte, and `?upcoming=1` selects the upcoming
// talks in every format.
func TestDemoIsAliveOnAnyDay(t *testing.T) {
	upcoming := []string{
		"Platform Engineering: A Hands-on Workshop",
		"Streaming Data on a Shoestring",
		"Kubernetes Security in Practice",
		"Zero-Downtime Database Migrations",
		"Rust Systems Summit 2027",
		"Edge Computing in Tokyo: 東京のエッジ",
		"Serving Models Without Burning Money",
	}
	past := []string{ // latest first
		"Cloud Native Day Lisbon",
		"Observability Without Tears",
		"Getting Started with GitOps",
	}
	zones := []string{"America/Los_Angeles", "America/New_York", "Asia/Kolkata", "Asia/Tokyo", "Europe/Berlin"}
	for _, day := range []string{"2025-06-01", "2026-11-24", "2032-06-01"} {
		t.Run(day, func(t *testing.T) {
			now := day + "T12:00:00Z"
			clock, _ := time.Parse(time.RFC3339, now)
			base := []string{"--base-url", "http://localhost:8080/"}
			out := t.TempDir()
			if code, stdout, stderr := runArgs(t, map[string]string{clockVar: now}, append([]string{"build", "--out", out}, base...)...); code != exitOK {
				t.Fatalf("build: exit %d: %s%s", code, stdout, stderr)
			}
			built := func(p string) []byte {
				b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(p)))
				if err != nil {
					t.Fatal(err)
				}
				return b
			}

			// The subscribe page: what is upcoming and what is past.
			index := built("index.html")
			gotUp, gotPast, dates := talkLists(t, index)
			if !slices.Equal(gotUp, upcoming) || !slices.Equal(gotPast, past) {
				t.Errorf("upcoming %q\npast %q", gotUp, gotPast)
			}
			if first := dates[0]; first.Before(clock.AddDate(0, 0, -1)) || first.After(clock.AddDate(0, 0, 7)) {
				t.Errorf("the first upcoming talk starts %v, not within the week of %s", first, day)
			}
			if !bytes.Contains(index, []byte(`class="badge">Cancelled<`)) || !bytes.Contains(index, []byte(`class="badge">To be confirmed<`)) {
				t.Error("the page shows no cancelled or tentative talk")
			}

			// The feeds: every talk, none announced after the day.
			rss := parseFeedBytes(t, built("feed.rss"))
			if len(rss.Items) != 10 {
				t.Errorf("feed.rss: %d items", len(rss.Items))
			}
			for _, it := range rss.Items {
				if it.PublishedParsed == nil || it.PublishedParsed.After(clock) {
					t.Errorf("%q announced %v, after %s", it.Title, it.PublishedParsed, now)
				}
			}
			cal := decodeCalendar(t, built("calendar.ics"))
			var tzids []string
			for _, c := range cal.Children {
				if c.Name == goical.CompTimezone {
					tzids = append(tzids, c.Props.Get(goical.PropTimezoneID).Value)
				}
			}
			if !slices.Equal(tzids, zones) {
				t.Errorf("calendar zones %v, want %v", tzids, zones)
			}

			// The daemon on the same day serves what build wrote, and
			// its upcoming views hold the upcoming talks.
			d := startDaemon(t, "", []string{clockVar + "=" + now}, append(base, "--schedule", "@every 5m")...)
			for _, p := range []string{"feed.rss", "feed.atom", "feed.json", "calendar.ics", "category/languages/calendar.ics", "changes.rss", "changes.json"} {
				if _, b := d.get("/" + p); !bytes.Equal(b, built(p)) {
					t.Errorf("/%s served differs from the build's", p)
				}
			}
			// The subscribe page too: build writes the change feed it
			// links, from the same ledger.
			if _, b := d.get("/"); !bytes.Equal(b, index) {
				t.Errorf("/ served differs from the build's index.html")
			}
			for _, p := range []string{"/feed.rss", "/feed.atom", "/feed.json"} {
				_, b := d.get(p + "?upcoming=1")
				var titles []string
				for _, it := range parseFeedBytes(t, b).Items {
					titles = append(titles, strings.TrimPrefix(it.Title, "Cancelled: "))
				}
				slices.Sort(titles)
				if want := sorted(upcoming); !slices.Equal(titles, want) {
					t.Errorf("%s?upcoming=1: %q, want %q", p, titles, want)
				}
			}
			_, b := d.get("/calendar.ics?upcoming=1")
			var summaries []string
			for _, ev := range decodeCalendar(t, b).Events() {
				summaries = append(summaries, strings.TrimPrefix(ev.Props.Get(goical.PropSummary).Value, "Cancelled: "))
			}
			slices.Sort(summaries)
			if want := sorted(upcoming); !slices.Equal(summaries, want) {
				t.Errorf("calendar.ics?upcoming=1: %q, want %q", summaries, want)
			}
		})
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func parseFeedBytes(t *testing.T, b []byte) *gofeed.Feed {
	t.Helper()
	f, err := gofeed.NewParser().Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func decodeCalendar(t *testing.T, b []byte) *goical.Calendar {
	t.Helper()
	cal, err := goical.NewDecoder(bytes.NewReader(b)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

// talkLists reads the subscribe page's upcoming and past talks: their
// titles in page order, and the upcoming ones' start times.
func talkLists(t *testing.T, page []byte) (upcoming, past []string, starts []time.Time) {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var walk func(n *html.Node, section string)
	walk = func(n *html.Node, section string) {
		if n.Type == html.ElementNode {
			switch {
			case n.Data == "section":
				section = htmltest.Attr(n, "aria-labelledby")
			case n.Data == "a" && htmltest.Attr(n, "class") == "title" && section == "upcoming":
				upcoming = append(upcoming, htmltest.Text(n))
			case n.Data == "a" && htmltest.Attr(n, "class") == "title" && section == "past":
				past = append(past, htmltest.Text(n))
			case n.Data == "time" && section == "upcoming":
				s, err := time.Parse(time.RFC3339, htmltest.Attr(n, "datetime"))
				if err != nil {
					t.Errorf("time %q: %v", htmltest.Attr(n, "datetime"), err)
				}
				starts = append(starts, s)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, section)
		}
	}
	walk(doc, "")
	if len(starts) == 0 {
		t.Fatal("no upcoming talk has a time")
	}
	return upcoming, past, starts
}
