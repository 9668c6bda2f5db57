package talkfeed_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/talkfeed/talkfeed"
)

var (
	importAt = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	laterAt  = importAt.Add(48 * time.Hour)
)

func ledgerTalks() []talkfeed.Event {
	return []talkfeed.Event{
		// Past, with no published time: dated by its own day.
		{ID: "past", Title: "Past", Start: day("2020-01-01"), AllDay: true, Location: "London", PageURL: "https://t.example/past/"},
		// Past, on the same day: never the same second.
		{ID: "past2", Title: "Past 2", Start: day("2020-01-01"), AllDay: true, Location: "Leeds", PageURL: "https://t.example/past2/"},
		// With a published time.
		{ID: "pub", Title: "Pub", Start: day("2027-03-01"), AllDay: true, Published: day("2026-10-01"), Category: "Go", PageURL: "https://t.example/pub/"},
		// Future, with nothing else to go by: the import.
		{ID: "future", Title: "Future", Start: day("2027-05-01"), AllDay: true, Category: "Go", PageURL: "https://t.example/future/"},
		// A placeholder decades ahead, published "in 2100".
		{ID: "placeholder", Title: "TBA", Start: day("2100-01-01"), AllDay: true, Published: day("2100-01-01"), PageURL: "https://t.example/tba/"},
	}
}

func byID(evs []talkfeed.Event, id string) *talkfeed.Event {
	for i := range evs {
		if evs[i].ID == id {
			return &evs[i]
		}
	}
	return nil
}

func TestLedgerImport(t *testing.T) {
	l, news := talkfeed.NewLedger().Observe(ledgerTalks(), importAt)
	if len(news) != 0 || len(l.Changes()) != 0 {
		t.Errorf("an import reports changes: %+v", news)
	}
	want := map[string]time.Time{
		"past":        day("2020-01-01"),
		"past2":       day("2020-01-01").Add(time.Second), // moved as little as it can be
		"pub":         day("2026-10-01"),
		"future":      importAt,
		"placeholder": importAt.Add(-time.Second), // never after the import
	}
	for id, w := range want {
		st := l.Stamp(id)
		if !st.Announced.Equal(w) || st.Version != 0 || st.Changed.Before(st.Announced) {
			t.Errorf("%s: %+v, want announced %v, version 0", id, st, w)
		}
		if st.Announced.After(importAt) || st.Changed.After(importAt) {
			t.Errorf("%s: a time in the future: %+v", id, st)
		}
	}
}

func TestLedgerVersionsAndDates(t *testing.T) {
	base, _ := talkfeed.NewLedger().Observe(ledgerTalks(), importAt)
	before := base.Stamp("pub")

	// The same content later: nothing changes, and base is untouched.
	same, news := base.Observe(ledgerTalks(), laterAt)
	if len(news) != 0 || same.Stamp("pub") != before {
		t.Errorf("unchanged content: %+v, %+v", news, same.Stamp("pub"))
	}

	// A new place: one version more, changed now, announced as before.
	evs := ledgerTalks()
	byID(evs, "pub").Location = "Lisbon"
	next, news := base.Observe(evs, laterAt)
	st := next.Stamp("pub")
	if st.Version != 1 || !st.Changed.Equal(laterAt) || !st.Announced.Equal(before.Announced) {
		t.Errorf("moved: %+v (before %+v)", st, before)
	}
	if len(news) != 1 || news[0].Kind != talkfeed.ChangeMoved || news[0].ID != "pub" || news[0].Before.Place != "" || news[0].Talk.Place != "Lisbon" {
		t.Errorf("moved: changes %+v", news)
	}
	if base.Stamp("pub") != before {
		t.Error("Observe changed the ledger it was given")
	}

	// A title edit raises the version without a change item; a page's
	// updated field alone changes nothing subscribers see.
	byID(evs, "pub").Title = "Pub, renamed"
	byID(evs, "future").Updated = laterAt
	again, news := next.Observe(evs, laterAt.Add(time.Hour))
	if again.Stamp("pub").Version != 2 || len(news) != 0 || again.Stamp("future") != next.Stamp("future") {
		t.Errorf("renamed: %+v, changes %+v", again.Stamp("pub"), news)
	}

	// Cancelled and rescheduled at once: two changes, two seconds.
	byID(evs, "future").Status = talkfeed.StatusCancelled
	byID(evs, "future").Start = day("2027-06-01")
	third, news := again.Observe(evs, laterAt.Add(2*time.Hour))
	if len(news) != 2 || news[0].Kind != talkfeed.ChangeCancelled || news[1].Kind != talkfeed.ChangeRescheduled || news[0].At.Equal(news[1].At) {
		t.Errorf("cancelled and rescheduled: %+v", news)
	}
	if third.Stamp("future").Version != 1 {
		t.Errorf("one edit, one version: %+v", third.Stamp("future"))
	}
	// A published time moved into the future is no announcement: the
	// talk stays dated when it was first seen.
	byID(evs, "future").Published = day("2031-01-01")
	ahead, _ := third.Observe(evs, laterAt.Add(150*time.Minute))
	if got, want := ahead.Stamp("future").Announced, third.Stamp("future").Announced; !got.Equal(want) {
		t.Errorf("a future published time moved the announcement to %v, want %v", got, want)
	}
	byID(evs, "future").Published = time.Time{}
	// Removing the page's published time re-dates the announcement to
	// when the talk was first seen, and the version never goes down.
	byID(evs, "pub").Published = time.Time{}
	fourth, _ := third.Observe(evs, laterAt.Add(3*time.Hour))
	if st := fourth.Stamp("pub"); st.Version != 3 || !st.Announced.Equal(day("2026-10-01")) {
		// first seen is the import's evidence: the published time then
		t.Errorf("published removed: %+v", st)
	}
}

func TestLedgerRemovalAndReturn(t *testing.T) {
	base, _ := talkfeed.NewLedger().Observe(ledgerTalks(), importAt)
	evs := ledgerTalks()
	var kept []talkfeed.Event
	for _, e := range evs {
		if e.ID != "pub" {
			kept = append(kept, e)
		}
	}
	gone, news := base.Observe(kept, laterAt)
	if len(news) != 1 || news[0].Kind != talkfeed.ChangeRemoved || news[0].ID != "pub" || news[0].Talk.Title != "Pub" {
		t.Fatalf("removal: %+v", news)
	}
	ent, _ := gone.Entry("pub")
	if ent.Version != 1 || !ent.Removed.Equal(laterAt) {
		t.Errorf("removed entry %+v", ent)
	}
	// Again without it: no second removal.
	if _, news := gone.Observe(kept, laterAt.Add(time.Hour)); len(news) != 0 {
		t.Errorf("removed twice: %+v", news)
	}
	grace := 30 * 24 * time.Hour
	tombs := gone.Tombstones(talkfeed.UTCDay(laterAt), grace)
	if len(tombs) != 1 || tombs[0].ID != "pub" || tombs[0].Status != talkfeed.StatusCancelled || tombs[0].Stamp.Version != 1 || tombs[0].Category != "Go" || !tombs[0].Start.Equal(day("2027-03-01")) {
		t.Fatalf("tombstones %+v", tombs)
	}
	if n := len(gone.Tombstones(talkfeed.UTCDay(laterAt).Add(29*24*time.Hour), grace)); n != 1 {
		t.Errorf("on day 29: %d tombstones", n)
	}
	if n := len(gone.Tombstones(talkfeed.UTCDay(laterAt).Add(30*24*time.Hour), grace)); n != 0 {
		t.Errorf("after the grace: %d tombstones", n)
	}
	// Back again: a version more, told as new.
	back, news := gone.Observe(evs, laterAt.Add(2*time.Hour))
	if st := back.Stamp("pub"); st.Version != 2 || len(news) != 1 || news[0].Kind != talkfeed.ChangeNew {
		t.Errorf("back: %+v, %+v", st, news)
	}
	if len(back.Tombstones(talkfeed.UTCDay(laterAt), grace)) != 0 {
		t.Error("a talk that is back keeps its tombstone")
	}
}

// A page that is there but cannot be read (and has no last good version,
// as after a restart) is no removal.
func TestLedgerKeepsUnreadablePages(t *testing.T) {
	evs := ledgerTalks()
	for i := range evs {
		evs[i].Source.Path = evs[i].ID + ".md"
	}
	base, _ := talkfeed.NewLedger().Observe(evs, importAt)
	without := slices.DeleteFunc(slices.Clone(evs), func(e talkfeed.Event) bool { return e.ID == "pub" })
	kept, news := base.ObserveKeeping(without, laterAt, []string{"pub.md"})
	if e, _ := kept.Entry("pub"); len(news) != 0 || !e.Removed.IsZero() || kept.Stamp("pub") != base.Stamp("pub") {
		t.Errorf("an unreadable page was removed: %+v, %+v", e, news)
	}
	// Once the page is gone for good, it is removed.
	if _, news := kept.ObserveKeeping(without, laterAt.Add(time.Hour), nil); len(news) != 1 || news[0].Kind != talkfeed.ChangeRemoved {
		t.Errorf("gone: %+v", news)
	}
}

func TestLedgerRedirects(t *testing.T) {
	base, _ := talkfeed.NewLedger().Observe(ledgerTalks(), importAt)
	evs := ledgerTalks()
	byID(evs, "pub").PageURL = "https://t.example/2027/pub/"
	moved, _ := base.Observe(evs, laterAt)
	if got := moved.Redirects(); !reflect.DeepEqual(got, map[string]string{"https://t.example/pub/": "https://t.example/2027/pub/"}) {
		t.Errorf("redirects %v", got)
	}
	if st := moved.Stamp("pub"); st.Version != 1 {
		t.Errorf("a move is a change subscribers see: %+v", st)
	}
	// Moved again: both old URLs lead to the new one.
	byID(evs, "pub").PageURL = "https://t.example/2027/pub-2/"
	twice, _ := moved.Observe(evs, laterAt.Add(time.Hour))
	if got := twice.Redirects(); len(got) != 2 || got["https://t.example/pub/"] != "https://t.example/2027/pub-2/" || got["https://t.example/2027/pub/"] != "https://t.example/2027/pub-2/" {
		t.Errorf("redirects %v", got)
	}
	// Back to the first: it never redirects to itself, and a URL another
	// talk has now is never redirected.
	byID(evs, "pub").PageURL = "https://t.example/pub/"
	byID(evs, "future").PageURL = "https://t.example/2027/pub/"
	back, _ := twice.Observe(evs, laterAt.Add(2*time.Hour))
	if got := back.Redirects(); len(got) != 2 || got["https://t.example/2027/pub-2/"] != "https://t.example/pub/" || got["https://t.example/future/"] != "https://t.example/2027/pub/" {
		t.Errorf("redirects %v", got)
	}
	// A removed talk's URLs do not redirect.
	gone, _ := back.Observe(evs[:1], laterAt.Add(3*time.Hour))
	if got := gone.Redirects(); len(got) != 0 {
		t.Errorf("redirects of removed talks %v", got)
	}
}

func TestLedgerStoresEqualBytes(t *testing.T) {
	evs := ledgerTalks()
	l, _ := talkfeed.NewLedger().Observe(evs, importAt)
	byID(evs, "pub").Location = "Porto"
	l, _ = l.Observe(evs[1:], laterAt)
	a, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	var back talkfeed.Ledger
	if err := json.Unmarshal(a, &back); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(&back)
	if !bytes.Equal(a, b) {
		t.Errorf("stored twice, different bytes:\n%s\n%s", a, b)
	}
	// The ledger read back goes on as the one kept in memory would.
	evs[0].Location = "Paris"
	x, xn := l.Observe(evs, laterAt.Add(time.Hour))
	y, yn := back.Observe(evs, laterAt.Add(time.Hour))
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	if !bytes.Equal(xb, yb) || !reflect.DeepEqual(xn, yn) {
		t.Errorf("a stored ledger goes on differently:\n%s\n%s", xb, yb)
	}
}

// Many talks at one moment still get distinct times, none in the
// future, and fast: claiming is not quadratic.
func TestLedgerDistinctTimes(t *testing.T) {
	var evs []talkfeed.Event
	for i := range 20000 {
		evs = append(evs, talkfeed.Event{ID: fmt.Sprintf("t%05d", i), Title: "T", Start: day("2030-01-01"), AllDay: true})
	}
	for i := range 500 {
		evs = append(evs, talkfeed.Event{ID: fmt.Sprintf("p%03d", i), Title: "P", Start: day("2019-05-01"), AllDay: true})
	}
	l, _ := talkfeed.NewLedger().Observe(evs, importAt)
	announced, changed := map[time.Time]string{}, map[time.Time]string{}
	for _, e := range evs {
		st := l.Stamp(e.ID)
		if other, dup := announced[st.Announced]; dup {
			t.Fatalf("%s and %s both announced at %v", e.ID, other, st.Announced)
		}
		if other, dup := changed[st.Changed]; dup {
			t.Fatalf("%s and %s both changed at %v", e.ID, other, st.Changed)
		}
		announced[st.Announced], changed[st.Changed] = e.ID, e.ID
		if st.Announced.After(importAt) {
			t.Fatalf("%s announced in the future", e.ID)
		}
	}
	// Past talks of one day stay on their day.
	if st := l.Stamp("p499"); !talkfeed.UTCDay(st.Announced).Equal(day("2019-05-01")) {
		t.Errorf("p499 announced %v", st.Announced)
	}
	// Every talk edited at once: distinct change times, at most now.
	for i := range evs {
		evs[i].Location = "Elsewhere"
	}
	next, news := l.Observe(evs, laterAt)
	if len(next.Changes()) != talkfeed.MaxChanges || len(news) != len(evs) {
		t.Errorf("%d changes kept, %d news", len(next.Changes()), len(news))
	}
	at := map[time.Time]bool{}
	for _, c := range next.Changes() {
		if at[c.At] || c.At.After(laterAt) {
			t.Fatalf("change time %v repeated or in the future", c.At)
		}
		at[c.At] = true
	}
}

// The output key Stamped keeps on an event is the one of its content as
// stamped: an edited copy stamped again gets a new one, not the memo.
func TestStampedOutputKeyFollowsContent(t *testing.T) {
	l, _ := talkfeed.NewLedger().Observe(ledgerTalks(), importAt)
	stamped := l.Stamped(ledgerTalks())
	fresh := ledgerTalks()[0]
	fresh.Stamp = stamped[0].Stamp
	if got, want := talkfeed.OutputKey(&stamped[0]), talkfeed.OutputKey(&fresh); got != want {
		t.Fatalf("stamped key %q, computed %q", got, want)
	}
	edited := stamped[0]
	edited.Title += " (edited)"
	again := l.Stamped([]talkfeed.Event{edited})
	if talkfeed.OutputKey(&again[0]) == talkfeed.OutputKey(&stamped[0]) {
		t.Fatal("an edited talk stamped again kept its old output key")
	}
}

// Every field of Event reaches some output, so each changes the digest,
// but the few that do not: set in turn by reflection, so a field added
// to Event and forgotten in ContentDigest fails here.
func TestContentDigest(t *testing.T) {
	base := ledgerTalks()[2]
	d := talkfeed.ContentDigest(&base)
	ignored := map[string]bool{"ID": true, "Source": true, "Stamp": true, "Updated": true}
	// One leaf field of a copy at a time (a struct's fields each).
	typ := reflect.TypeOf(base)
	for i := range typ.NumField() {
		f := typ.Field(i)
		if !f.IsExported() {
			continue // a memo of the digest, not content
		}
		leaves := []int{-1}
		if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeOf(time.Time{}) {
			leaves = nil
			for j := range f.Type.NumField() {
				leaves = append(leaves, j)
			}
		}
		for _, j := range leaves {
			c := base
			c.Tags = slices.Clone(base.Tags)
			fv := reflect.ValueOf(&c).Elem().Field(i)
			label := f.Name
			if j >= 0 {
				fv = fv.Field(j)
				label += "." + f.Type.Field(j).Name
			}
			set(t, fv, label)
			changed := talkfeed.ContentDigest(&c) != d
			// The digest memo compares the values digested: a field the
			// digest covers and the comparison misses would hand out a
			// stale digest.
			if talkfeed.SameContent(&base, &c) == changed {
				t.Errorf("%s: the digest moved %v, yet the values compare the same %v", label, changed, !changed)
			}
			if ignored[f.Name] && changed {
				t.Errorf("%s changed the digest", label)
			}
			if !ignored[f.Name] && !changed {
				t.Errorf("a change of %s kept the digest", label)
			}
		}
	}
	// Speakers' own fields, one by one.
	for _, edit := range []func(*talkfeed.Speaker){
		func(s *talkfeed.Speaker) { s.Name = "A" }, func(s *talkfeed.Speaker) { s.Affiliation = "B" }, func(s *talkfeed.Speaker) { s.URL = "https://c" },
	} {
		c := base
		c.Speakers = []talkfeed.Speaker{{}}
		x := talkfeed.ContentDigest(&c)
		edit(&c.Speakers[0])
		if talkfeed.ContentDigest(&c) == x {
			t.Error("a speaker's field kept the digest")
		}
	}
	// Fields end where they end: "ab"+"c" is not "a"+"bc".
	x, y := base, base
	x.Title, x.Summary = "ab", "c"
	y.Title, y.Summary = "a", "bc"
	if talkfeed.ContentDigest(&x) == talkfeed.ContentDigest(&y) {
		t.Error("two fields run into each other")
	}
}

// set gives a field a value it does not have.
func set(t *testing.T, v reflect.Value, name string) {
	t.Helper()
	switch v.Kind() {
	case reflect.String:
		v.SetString(v.String() + "x")
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.Int:
		v.SetInt(v.Int() + 1)
	case reflect.Slice:
		v.Set(reflect.Append(v, reflect.New(v.Type().Elem()).Elem()))
		if v.Type().Elem().Kind() == reflect.String {
			v.Index(v.Len() - 1).SetString("x")
		}
	case reflect.Struct:
		if tm, ok := v.Interface().(time.Time); ok {
			v.Set(reflect.ValueOf(tm.Add(time.Hour)))
			return
		}
		t.Fatalf("%s: a struct field to set by hand", name)
	default:
		t.Fatalf("%s: cannot set a %s", name, v.Kind())
	}
}

// A talk's last change only moves on, even when the seconds up to now
// are taken: LAST-MODIFIED never goes back, nor before CREATED.
func TestLedgerChangesNeverGoBack(t *testing.T) {
	evs := ledgerTalks()
	l, _ := talkfeed.NewLedger().Observe(evs, importAt) // "future" announced and changed at importAt
	before := l.Stamp("future")
	for i := range 3 { // edited again and again within the same second
		byID(evs, "future").Location = fmt.Sprint("Room ", i)
		byID(evs, "past").Location = fmt.Sprint("Hall ", i)
		l, _ = l.Observe(evs, importAt)
		st := l.Stamp("future")
		if !st.Changed.After(before.Changed) || st.Changed.Before(st.Announced) || st.Version != i+1 {
			t.Fatalf("edit %d: %+v after %+v", i, st, before)
		}
		before = st
	}
}

// When other talks took the seconds just before now, a talk's change is
// dated a second ahead rather than before its last change.
func TestLedgerChangeAfterTakenSeconds(t *testing.T) {
	talk := func(id string) talkfeed.Event {
		return talkfeed.Event{ID: id, Title: id, Start: day("2030-01-01"), AllDay: true, Published: day("2026-01-01")}
	}
	evs := []talkfeed.Event{talk("a1"), talk("a2"), talk("z")}
	l, _ := talkfeed.NewLedger().Observe(evs, importAt)
	evs[2].Location = "one"
	l, _ = l.Observe(evs, laterAt.Add(-2*time.Second))
	last := l.Stamp("z").Changed
	for i := range evs {
		evs[i].Location = "two"
	}
	l, _ = l.Observe(evs, laterAt) // a1 and a2 take laterAt and the second before
	if got := l.Stamp("z").Changed; !got.After(last) {
		t.Errorf("z changed at %v, before its last change %v", got, last)
	}
	if a1, a2 := l.Stamp("a1").Changed, l.Stamp("a2").Changed; a1.Equal(a2) || a1.After(laterAt) || a2.After(laterAt) {
		t.Errorf("a1 %v, a2 %v", a1, a2)
	}
}

// An observation's delta, applied to the ledger it was observed from,
// gives the ledger it made: what a store's journal relies on.
func TestLedgerDelta(t *testing.T) {
	evs := ledgerTalks()
	base, _ := talkfeed.NewLedger().Observe(evs, importAt)
	if d := base.Delta(); d.Since.IsZero() || len(d.Talks) != len(evs) {
		t.Errorf("the import's delta: %+v", d)
	}
	byID(evs, "pub").Location = "Lisbon"
	next, _ := base.Observe(evs[1:], laterAt) // "past" removed, "pub" moved
	d := next.Delta()
	if len(d.Talks) != 2 || len(d.Changes) != 2 || !d.Since.IsZero() {
		t.Errorf("delta %+v", d)
	}
	var replay talkfeed.Ledger
	b, _ := json.Marshal(base)
	if err := json.Unmarshal(b, &replay); err != nil {
		t.Fatal(err)
	}
	replay.ApplyDelta(d)
	x, _ := json.Marshal(next)
	y, _ := json.Marshal(&replay)
	if !bytes.Equal(x, y) {
		t.Errorf("base + delta:\n%s\nwant\n%s", y, x)
	}
	if same, _ := next.Observe(evs[1:], laterAt.Add(time.Hour)); !same.Delta().Empty() {
		t.Errorf("an unchanged observation's delta: %+v", same.Delta())
	}
}

// ObserveStamped is ObserveKeeping then Stamped, digesting each talk once:
// the same ledger, changes, stamps and output keys.
func TestObserveStampedIsObserveThenStamped(t *testing.T) {
	base, _ := talkfeed.NewLedger().Observe(ledgerTalks(), importAt)
	evs := ledgerTalks()
	evs[0].Start = evs[0].Start.Add(time.Hour) // rescheduled
	a, newsA := base.ObserveKeeping(evs, laterAt, nil)
	b, newsB, stamped := base.ObserveStamped(evs, laterAt, nil)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) || len(newsA) != len(newsB) || len(newsA) == 0 {
		t.Fatalf("ledgers or changes differ: %d and %d changes", len(newsA), len(newsB))
	}
	want := a.Stamped(evs)
	for i := range want {
		if stamped[i].Stamp != want[i].Stamp || talkfeed.OutputKey(&stamped[i]) != talkfeed.OutputKey(&want[i]) {
			t.Errorf("%s: stamped %+v, want %+v", want[i].ID, stamped[i].Stamp, want[i].Stamp)
		}
	}
}
