package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"
	"github.com/mmcdole/gofeed"
)

// The ledger end to end: what subscribers were told about each talk
// (its SEQUENCE, when it was announced and last changed, its old URLs,
// its removal) survives edits, restarts and a crash, on the real binary.

// ledgerBase is the base URL of the ledger tests' daemons: fixed, so
// that a restart on another port keeps every page URL (by default the
// base URL is the listen address).
const ledgerBase = "http://talks.test/"

// ledgerPage is a talk page of the category Testing in Berlin's zone.
func ledgerPage(title, date, place, extra string) string {
	return page(title, date, "timezone: Europe/Berlin\nlocation: "+place+"\n"+extra)
}

// Every output that holds a talk, and the talks' own calendars.
var (
	ledgerCalendars = []string{"/calendar.ics", "/category/testing/calendar.ics"}
	ledgerFeeds     = []string{"/feed.rss", "/feed.atom", "/feed.json", "/category/testing/feed.rss", "/category/testing/feed.atom", "/category/testing/feed.json"}
	changeFeeds     = []string{"/changes.rss", "/changes.atom", "/changes.json"}
)

// talkCalendars are the calendars that hold a talk: the site's, its
// category's and its own.
func talkCalendars(id string) []string {
	return append(slices.Clone(ledgerCalendars), "/events/"+id+".ics")
}

// vevent is what a calendar says of one talk.
type vevent struct {
	seq                                    int
	status, created, lastModified, dtstamp string
	location                               string
}

// calendar fetches and parses a calendar: its events by UID.
func calendar(t *testing.T, d *daemonProc, path string) map[string]vevent {
	t.Helper()
	res, b := d.get(path)
	if res.StatusCode != 200 {
		t.Fatalf("%s: %d %s", path, res.StatusCode, b)
	}
	cal, err := goical.NewDecoder(bytes.NewReader(b)).Decode()
	if err != nil {
		t.Fatalf("%s: %v\n%s", path, err, b)
	}
	value := func(ev goical.Event, name string) string {
		if p := ev.Props.Get(name); p != nil {
			return p.Value
		}
		return ""
	}
	out := map[string]vevent{}
	for _, ev := range cal.Events() {
		uid := value(ev, goical.PropUID)
		if _, dup := out[uid]; dup {
			t.Errorf("%s: two events with UID %s", path, uid)
		}
		seq, err := strconv.Atoi(value(ev, goical.PropSequence))
		if err != nil {
			t.Errorf("%s: %s: SEQUENCE: %v", path, uid, err)
		}
		out[uid] = vevent{
			seq: seq, status: value(ev, goical.PropStatus), location: value(ev, goical.PropLocation),
			created: value(ev, goical.PropCreated), lastModified: value(ev, goical.PropLastModified), dtstamp: value(ev, goical.PropDateTimeStamp),
		}
	}
	return out
}

// talkEvent is a talk's event in a calendar; it fails when the calendar
// has none.
func talkEvent(t *testing.T, d *daemonProc, path, uid string) vevent {
	t.Helper()
	ev, ok := calendar(t, d, path)[uid]
	if !ok {
		t.Fatalf("%s has no event %s", path, uid)
	}
	return ev
}

// feed fetches and parses a feed.
func feed(t *testing.T, d *daemonProc, path string) *gofeed.Feed {
	t.Helper()
	res, b := d.get(path)
	if res.StatusCode != 200 {
		t.Fatalf("%s: %d %s", path, res.StatusCode, b)
	}
	f, err := gofeed.NewParser().Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v\n%s", path, err, b)
	}
	return f
}

// feedItem is a feed's item of guid (nil when there is none).
func feedItem(t *testing.T, d *daemonProc, path, guid string) *gofeed.Item {
	t.Helper()
	for _, it := range feed(t, d, path).Items {
		if it.GUID == guid {
			return it
		}
	}
	return nil
}

// icalTime reads a calendar's UTC time (20261124T120000Z).
func icalTime(t *testing.T, v string) time.Time {
	t.Helper()
	at, err := time.Parse("20060102T150405Z", v)
	if err != nil {
		t.Fatalf("calendar time %q: %v", v, err)
	}
	return at
}

// talkDates are a talk's dates in every feed: when it was announced
// (RSS pubDate, Atom published, JSON date_published) and last changed
// (Atom updated, JSON date_modified), by feed path, each checked to be
// there.
func talkDates(t *testing.T, d *daemonProc, guid string) (published, updated map[string]time.Time) {
	t.Helper()
	published, updated = map[string]time.Time{}, map[string]time.Time{}
	for _, p := range ledgerFeeds {
		it := feedItem(t, d, p, guid)
		if it == nil {
			t.Fatalf("%s has no item %s", p, guid)
		}
		if it.PublishedParsed == nil {
			t.Fatalf("%s: %s has no publication date", p, guid)
		}
		published[p] = it.PublishedParsed.UTC()
		if !strings.HasSuffix(p, ".rss") { // RSS has no updated date
			if it.UpdatedParsed == nil {
				t.Fatalf("%s: %s has no updated date", p, guid)
			}
			updated[p] = it.UpdatedParsed.UTC()
		}
	}
	return published, updated
}

// servedValues are the values the ledger gives, in every output: per
// calendar and UID, SEQUENCE, STATUS, CREATED, LAST-MODIFIED, DTSTAMP;
// per feed and guid, the item's dates. Two runs that keep the ledger
// serve equal values.
func servedValues(t *testing.T, d *daemonProc, ids ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	cals := slices.Clone(ledgerCalendars)
	for _, id := range ids {
		cals = append(cals, "/events/"+id+".ics")
	}
	for _, p := range cals {
		for uid, ev := range calendar(t, d, p) {
			out[p+" "+uid] = fmt.Sprintf("SEQUENCE:%d STATUS:%s CREATED:%s LAST-MODIFIED:%s DTSTAMP:%s", ev.seq, ev.status, ev.created, ev.lastModified, ev.dtstamp)
		}
	}
	for _, p := range append(slices.Clone(ledgerFeeds), changeFeeds...) {
		for _, it := range feed(t, d, p).Items {
			out[p+" "+it.GUID] = "published:" + it.Published + " updated:" + it.Updated + " link:" + it.Link
		}
	}
	return out
}

// servedBytes are the bytes of the change feeds, which nothing but the
// ledger dates.
func servedBytes(t *testing.T, d *daemonProc) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, p := range changeFeeds {
		res, b := d.get(p)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", p, res.StatusCode)
		}
		out[p] = string(b)
	}
	return out
}

// sameValues reports every difference between two servings.
func sameValues(t *testing.T, what string, want, got map[string]string) {
	t.Helper()
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if got[k] != want[k] {
			t.Errorf("%s: %s: %q, was %q", what, k, got[k], want[k])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: %s: new %q", what, k, got[k])
		}
	}
}

// distinctDates checks that no two items of a served feed share a
// publication or an updated date: Slack's RSS app and feed validators
// take them for one.
func distinctDates(t *testing.T, d *daemonProc) {
	t.Helper()
	for _, p := range append(slices.Clone(ledgerFeeds), changeFeeds...) {
		pub, upd := map[int64]string{}, map[int64]string{}
		for _, it := range feed(t, d, p).Items {
			if it.PublishedParsed != nil {
				if other, dup := pub[it.PublishedParsed.Unix()]; dup {
					t.Errorf("%s: %q and %q share the publication date %s", p, other, it.Title, it.Published)
				}
				pub[it.PublishedParsed.Unix()] = it.Title
			}
			if it.UpdatedParsed != nil {
				if other, dup := upd[it.UpdatedParsed.Unix()]; dup {
					t.Errorf("%s: %q and %q share the updated date %s", p, other, it.Title, it.Updated)
				}
				upd[it.UpdatedParsed.Unix()] = it.Title
			}
		}
	}
}

// icsLinksResolve checks that every `_event.ics_url` of a served JSON
// feed is a calendar the daemon serves.
func icsLinksResolve(t *testing.T, d *daemonProc) {
	t.Helper()
	for _, p := range []string{"/feed.json", "/category/testing/feed.json", "/changes.json"} {
		_, b := d.get(p)
		var f struct {
			Items []struct {
				ID    string
				Event struct {
					ICSURL string `json:"ics_url"`
				} `json:"_event"`
			}
		}
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for _, it := range f.Items {
			if it.Event.ICSURL == "" {
				continue
			}
			rest, ok := strings.CutPrefix(it.Event.ICSURL, ledgerBase)
			if !ok {
				t.Errorf("%s: %s: ics_url %s is not under %s", p, it.ID, it.Event.ICSURL, ledgerBase)
				continue
			}
			if res, _ := d.get("/" + rest); res.StatusCode != 200 {
				t.Errorf("%s: %s: ics_url %s: %d", p, it.ID, it.Event.ICSURL, res.StatusCode)
			}
		}
	}
}

// titled counts a feed's items of a title.
func titled(t *testing.T, d *daemonProc, path, title string) int {
	t.Helper()
	n := 0
	for _, it := range feed(t, d, path).Items {
		if it.Title == title {
			n++
		}
	}
	return n
}

// mustReload asks for a reload and fails unless it succeeded.
func mustReload(t *testing.T, d *daemonProc) {
	t.Helper()
	if code, out := d.reload("e2e-token"); code != 200 || out["ok"] != true {
		t.Fatalf("reload: %d %v", code, out)
	}
}

// noRedirects is a client that shows a redirect instead of following it
// (to talks.test, which does not resolve).
var noRedirects = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// TestEndToEndLedger follows three talks through an edit of a place, a
// graceful restart, a new permalink with a kill -9 right after it, and a
// removal, with restarts in between: each output tells subscribers one
// consistent story, the same after every restart, and the webhook hears
// each change once.
func TestEndToEndLedger(t *testing.T) {
	r := newReceiver(t)
	dir, stateDir := t.TempDir(), t.TempDir()
	// beta has no published time: the first import dates it, and only
	// the ledger remembers that date. alpha and gamma were published
	// before the daemon first saw them, so their first LAST-MODIFIED is
	// that time: a change in the import's own second still dates them
	// later (the ledger never dates into the future, and no two talks
	// share a second, so a talk imported and changed within one second
	// would have to step back).
	writePage(t, dir, "alpha.md", ledgerPage("Alpha Talk", "2027-03-10 18:00", "Berlin", "published: 2026-11-01T09:00:00Z\n"))
	writePage(t, dir, "beta.md", ledgerPage("Beta Talk", "2027-04-10 18:00", "Paris", ""))
	writePage(t, dir, "gamma.md", ledgerPage("Gamma Talk", "2027-05-10 18:00", "Vienna", "published: 2026-11-02T09:00:00Z\n"))
	args := []string{"--watch=false", "--announce", "--state", stateDir}
	// Each start's clock stands an hour after the last's, as a real
	// clock does across a restart: were the ledger lost, a restart would
	// date the talks afresh, at another time.
	start := func(hours int) *daemonProc {
		now, err := time.Parse(time.RFC3339, testNow)
		if err != nil {
			t.Fatal(err)
		}
		return startDaemon(t, dir, []string{
			"TALKFEED_BASE_URL=" + ledgerBase, "TALKFEED_SLACK_WEBHOOK=" + r.URL,
			clockVar + "=" + now.Add(time.Duration(hours)*time.Hour).Format(time.RFC3339),
		}, args...)
	}
	const (
		alphaUID, betaUID, gammaUID    = "alpha@talks.test", "beta@talks.test", "gamma@talks.test"
		alphaGUID, betaGUID, gammaGUID = "tag:talks.test,2000:alpha", "tag:talks.test,2000:beta", "tag:talks.test,2000:gamma"
	)
	ids := []string{"alpha", "beta", "gamma"}

	d := start(0)
	distinctDates(t, d)
	before := map[string]vevent{}
	for _, p := range talkCalendars("alpha") {
		ev := talkEvent(t, d, p, alphaUID)
		if ev.seq != 0 || ev.location != "Berlin" || ev.dtstamp != ev.lastModified {
			t.Errorf("%s: alpha before the edit: %+v", p, ev)
		}
		before[p] = ev
	}
	betaBefore := talkEvent(t, d, "/calendar.ics", betaUID)
	pubBefore, _ := talkDates(t, d, alphaGUID)

	// 1. A new place: SEQUENCE one more in each of alpha's calendars,
	// LAST-MODIFIED and DTSTAMP later, the announcement where it was.
	writePage(t, dir, "alpha.md", ledgerPage("Alpha Talk", "2027-03-10 18:00", "Hamburg", "published: 2026-11-01T09:00:00Z\n"))
	mustReload(t, d)
	var lastMod time.Time
	for _, p := range talkCalendars("alpha") {
		was, ev := before[p], talkEvent(t, d, p, alphaUID)
		if ev.location != "Hamburg" {
			t.Errorf("%s: alpha is at %q", p, ev.location)
		}
		if ev.seq != was.seq+1 {
			t.Errorf("%s: SEQUENCE %d after the edit, was %d", p, ev.seq, was.seq)
		}
		if !icalTime(t, ev.lastModified).After(icalTime(t, was.lastModified)) || ev.dtstamp != ev.lastModified {
			t.Errorf("%s: LAST-MODIFIED %s DTSTAMP %s after the edit, was %s", p, ev.lastModified, ev.dtstamp, was.lastModified)
		}
		if ev.created != was.created {
			t.Errorf("%s: CREATED %s after the edit, was %s", p, ev.created, was.created)
		}
		lastMod = icalTime(t, ev.lastModified)
	}
	if b := talkEvent(t, d, "/calendar.ics", betaUID); b != betaBefore {
		t.Errorf("beta changed with alpha: %+v, was %+v", b, betaBefore)
	}
	pub, upd := talkDates(t, d, alphaGUID)
	created := icalTime(t, before["/calendar.ics"].created)
	for p, at := range pub {
		if !at.Equal(pubBefore[p]) || !at.Equal(created) {
			t.Errorf("%s: alpha's publication date %s after the edit, was %s (CREATED %s)", p, at, pubBefore[p], created)
		}
	}
	for p, at := range upd {
		if !at.Equal(lastMod) {
			t.Errorf("%s: alpha's updated date %s, LAST-MODIFIED %s", p, at, lastMod)
		}
	}
	for _, p := range changeFeeds {
		if n := titled(t, d, p, "Moved: Alpha Talk"); n != 1 {
			t.Errorf("%s: %d items for alpha's move", p, n)
		}
	}
	if _, b := d.get("/events/alpha.ics"); !bytes.Contains(b, []byte("\r\nSEQUENCE:1\r\n")) || !bytes.Contains(b, []byte("\r\nLOCATION:Hamburg\r\n")) {
		t.Errorf("alpha.ics after the edit:\n%s", b)
	}
	d.eventually("the move's post", func() bool { return len(r.got()) == 1 })
	distinctDates(t, d)
	icsLinksResolve(t, d)

	// 2a. A graceful restart keeps every value.
	values, changes := servedValues(t, d, ids...), servedBytes(t, d)
	if err := d.stop(syscall.SIGTERM); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
	d = start(1)
	sameValues(t, "after a restart", values, servedValues(t, d, ids...))
	sameValues(t, "the change feeds after a restart", changes, servedBytes(t, d))

	// 4. A new slug moves beta's page: its old URL redirects, and its UID
	// and guid stay. 2b. Killed right after that reload, the daemon
	// forgets none of it.
	oldURL, newURL := ledgerBase+"events/2027/beta-talk/", ledgerBase+"events/2027/beta-renamed/"
	writePage(t, dir, "beta.md", ledgerPage("Beta Talk", "2027-04-10 18:00", "Paris", "slug: beta-renamed\n"))
	mustReload(t, d)
	values, changes = servedValues(t, d, ids...), servedBytes(t, d)
	if err := d.stop(syscall.SIGKILL); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("exit after SIGKILL: %v", err)
	}
	d = start(2)
	sameValues(t, "after a kill", values, servedValues(t, d, ids...))
	sameValues(t, "the change feeds after a kill", changes, servedBytes(t, d))
	res, err := noRedirects.Get(d.base + "/events/2027/beta-talk/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != newURL {
		t.Errorf("GET %s: %d to %q, want 301 to %s", oldURL, res.StatusCode, res.Header.Get("Location"), newURL)
	}
	if res, _ := d.get("/events/2027/beta-renamed/"); res.StatusCode != 200 {
		t.Errorf("beta's new page: %d", res.StatusCode)
	}
	for _, p := range talkCalendars("beta") {
		if ev := talkEvent(t, d, p, betaUID); ev.seq != betaBefore.seq+1 || ev.created != betaBefore.created {
			t.Errorf("%s: beta after its new slug: %+v, was %+v", p, ev, betaBefore)
		}
	}
	for _, p := range ledgerFeeds {
		if it := feedItem(t, d, p, betaGUID); it == nil || it.Link != newURL {
			t.Errorf("%s: beta's item after its new slug: %+v", p, it)
		}
	}
	// Announced by the first run's import, during its first hour: no
	// later start dated it afresh.
	if first, _ := time.Parse(time.RFC3339, testNow); icalTime(t, betaBefore.created).Before(first) || !icalTime(t, betaBefore.created).Before(first.Add(time.Hour)) {
		t.Errorf("beta was announced at %s, not at the first import", betaBefore.created)
	}
	distinctDates(t, d)

	// 3. A removed page: cancelled in every calendar that held it, one
	// version more; one change item; one post; and no more of either.
	gammaBefore := map[string]vevent{}
	for _, p := range talkCalendars("gamma") {
		gammaBefore[p] = talkEvent(t, d, p, gammaUID)
	}
	if err := os.Remove(filepath.Join(dir, "gamma.md")); err != nil {
		t.Fatal(err)
	}
	mustReload(t, d)
	removed := func(d *daemonProc, when string) {
		t.Helper()
		for _, p := range talkCalendars("gamma") {
			was, ev := gammaBefore[p], talkEvent(t, d, p, gammaUID)
			if ev.status != "CANCELLED" || ev.seq != was.seq+1 || ev.created != was.created ||
				!icalTime(t, ev.lastModified).After(icalTime(t, was.lastModified)) || ev.dtstamp != ev.lastModified {
				t.Errorf("%s %s: gamma %+v, was %+v", p, when, ev, was)
			}
		}
		for _, p := range changeFeeds {
			if n := titled(t, d, p, "Removed: Gamma Talk"); n != 1 {
				t.Errorf("%s %s: %d items for gamma's removal", p, when, n)
			}
		}
		for _, p := range ledgerFeeds {
			if feedItem(t, d, p, gammaGUID) != nil {
				t.Errorf("%s %s: gamma is still an item", p, when)
			}
		}
		distinctDates(t, d)
		icsLinksResolve(t, d)
	}
	removed(d, "after the removal")
	d.eventually("the removal's post", func() bool { return len(r.got()) == 2 })
	values, changes = servedValues(t, d, ids...), servedBytes(t, d)
	mustReload(t, d)
	removed(d, "after another reload")
	sameValues(t, "after another reload", values, servedValues(t, d, ids...))
	if err := d.stop(syscall.SIGTERM); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
	d = start(3)
	removed(d, "after a restart")
	sameValues(t, "after the last restart", values, servedValues(t, d, ids...))
	sameValues(t, "the change feeds after the last restart", changes, servedBytes(t, d))
	// Once it has stopped, the daemon can post nothing more: anything
	// still to go would wait in the outbox.
	if err := d.stop(syscall.SIGTERM); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
	if got := r.got(); !slices.Equal(got, []string{"Moved: Alpha Talk", "Removed: Gamma Talk"}) {
		t.Errorf("posts %q", got)
	}
	var st state
	if data, err := os.ReadFile(filepath.Join(stateDir, announceFile)); err != nil || json.Unmarshal(data, &st) != nil || len(st.Outbox) != 0 {
		t.Errorf("the outbox is not empty: %v %+v", err, st.Outbox)
	}
	if _, err := os.Stat(filepath.Join(stateDir, ledgerFile)); err != nil {
		t.Errorf("no ledger in the state folder: %v", err)
	}
}
