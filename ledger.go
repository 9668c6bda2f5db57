package talkfeed

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Stamp is what the ledger says about a talk, copied onto its event for
// the renderers, so that every output tells subscribers the same story.
type Stamp struct {
	// Version is the talk's revision: SEQUENCE in calendars. It rises by
	// one on every change subscribers can see and never falls.
	Version int
	// Announced is when the talk was announced: pubDate, Atom published,
	// JSON date_published, CREATED.
	Announced time.Time
	// Changed is its last change: LAST-MODIFIED, DTSTAMP, Atom updated,
	// JSON date_modified.
	Changed time.Time
}

// MaxChanges bounds the change history a ledger keeps (the change feed).
const MaxChanges = 100

// LedgerEntry is what was published about one talk identity.
type LedgerEntry struct {
	// Digest is of everything about the talk that reaches an output
	// (ContentDigest).
	Digest  string `json:"digest"`
	Version int    `json:"version"`
	// FirstSeen is when the ledger first saw the talk (on the first
	// import of a site: the best evidence of when it appeared).
	FirstSeen time.Time `json:"first_seen"`
	Announced time.Time `json:"announced"`
	Changed   time.Time `json:"changed"`
	// Published is the page's own published time as last seen, so that
	// editing it re-dates the announcement and nothing else does.
	Published time.Time `json:"published,omitzero"`
	PageURL   string    `json:"page_url"`
	// Path is the page's file, so that a page there but unreadable for a
	// while is not taken for a removal.
	Path string `json:"path,omitempty"`
	// PastURLs are page URLs the talk had before, oldest first: they
	// redirect to PageURL.
	PastURLs []string `json:"past_urls,omitempty"`
	// Removed is when the talk's page went away; zero while it is there.
	Removed time.Time `json:"removed,omitzero"`
	// Talk is the talk as last published: what a change is compared
	// with, and what a removal's tombstone shows.
	Talk Fingerprint `json:"talk"`
}

// Ledger remembers what subscribers were told about every talk: its
// version, when it was announced and last changed, its past URLs and its
// removal, and the history of changes. A reload observes the content
// into a new ledger (Observe) and publishes it only with the snapshot, so
// a failed reload leaves the ledger as it was.
type Ledger struct {
	// since is when the ledger began; zero until its first observation,
	// which is an import of an existing site.
	since   time.Time
	entries map[string]LedgerEntry
	changes []Change // newest last

	// Seconds already used as announce and change times by talks that
	// are there, and by changes, so that no two items of a feed share a
	// date (Slack's RSS app and feed validators treat them as one). They
	// are indexed afresh from the entries at the start of every
	// observation, so a second a talk no longer uses is free from the
	// next one on: a ledger read back from its store, or a history read
	// in one go or commit by commit, hands out the same seconds.
	announced, changed, changeAt *instants

	// delta is what changed since the ledger was cloned or read: what a
	// store appends instead of writing the whole ledger again.
	delta LedgerDelta

	// memo is shared with the ledgers observed from this one.
	memo *digestMemo
}

// LedgerDelta is what one observation changed in a ledger: the entries
// it wrote, the changes it added, and the ledger's start when it began.
// A store appends deltas; reading them back onto the ledger they followed
// gives the ledger they came from.
type LedgerDelta struct {
	Since   time.Time              `json:"since,omitzero"`
	Talks   map[string]LedgerEntry `json:"talks,omitempty"`
	Changes []Change               `json:"changes,omitempty"`
}

// Empty reports whether the delta changes nothing.
func (d LedgerDelta) Empty() bool {
	return d.Since.IsZero() && len(d.Talks) == 0 && len(d.Changes) == 0
}

// Delta is what changed since the ledger was cloned or read. Callers
// must not modify it.
func (l *Ledger) Delta() LedgerDelta { return l.delta }

// ApplyDelta applies a delta in place: what a store does, reading back
// its appended deltas in order.
func (l *Ledger) ApplyDelta(d LedgerDelta) {
	if !d.Since.IsZero() {
		l.since = d.Since
	}
	for id, e := range d.Talks {
		l.entries[id] = e
	}
	l.changes = appendChanges(l.changes, d.Changes...)
	l.index()
	l.delta = LedgerDelta{}
}

// put writes an entry, noting it in the delta.
func (l *Ledger) put(id string, e LedgerEntry) {
	l.entries[id] = e
	if l.delta.Talks == nil {
		l.delta.Talks = map[string]LedgerEntry{}
	}
	l.delta.Talks[id] = e
}

// NewLedger returns an empty ledger.
func NewLedger() *Ledger {
	l := &Ledger{entries: map[string]LedgerEntry{}}
	l.index()
	return l
}

func (l *Ledger) index() {
	l.announced, l.changed, l.changeAt = newInstants(), newInstants(), newInstants()
	for _, e := range l.entries {
		if e.Removed.IsZero() {
			l.announced.take(e.Announced.Unix())
			l.changed.take(e.Changed.Unix())
		}
	}
	for _, c := range l.changes {
		l.changeAt.take(c.At.Unix())
	}
}

// Len is the number of talks the ledger knows, removed ones included.
func (l *Ledger) Len() int { return len(l.entries) }

// Entry returns what the ledger knows of a talk.
func (l *Ledger) Entry(id string) (LedgerEntry, bool) {
	e, ok := l.entries[id]
	return e, ok
}

// Changes are the changes the ledger remembers, newest last. Callers must
// not modify them.
func (l *Ledger) Changes() []Change { return l.changes }

// Clone returns a copy that can change without changing l.
func (l *Ledger) Clone() *Ledger {
	c := &Ledger{since: l.since, entries: maps.Clone(l.entries), changes: slices.Clone(l.changes), memo: l.memo}
	c.index()
	return c
}

// Observe returns the ledger after seeing events as the whole content at
// at, and the changes that brings; l stays as it was. A talk absent from
// events is removed. The first observation of a new ledger is an import:
// it dates each talk by its evidence (ImportTime) and reports no
// changes, since subscribers were told nothing before.
func (l *Ledger) Observe(events []Event, at time.Time) (*Ledger, []Change) {
	return l.ObserveKeeping(events, at, nil)
}

// ObserveKeeping is Observe for a load whose pages at the paths unloaded
// are there but could not be read (an error, and no last good version):
// their talks are kept as they were, neither changed nor removed, so a
// page that breaks before a restart is no removal to tell subscribers.
func (l *Ledger) ObserveKeeping(events []Event, at time.Time, unloaded []string) (*Ledger, []Change) {
	memo := l.memoOrNew()
	next, news := l.observe(events, memo.digests(events), at, unloaded)
	next.memo = memo
	return next, news
}

// ObserveStamped is ObserveKeeping, and the events stamped by the new
// ledger (Stamped), each digested once for both: at 10,000 talks the
// digests were a quarter of a one-page reload.
func (l *Ledger) ObserveStamped(events []Event, at time.Time, unloaded []string) (*Ledger, []Change, []Event) {
	memo := l.memoOrNew()
	ds := memo.digests(events)
	next, news := l.observe(events, ds, at, unloaded)
	next.memo = memo
	return next, news, next.stamped(events, ds)
}

// digests are the events' content digests, on every core: from the
// memo where a talk is as it was, else digested.
func (m *digestMemo) digests(events []Event) []string {
	out := make([]string, len(events))
	var last map[string]memoDigest
	if p := m.byID.Load(); p != nil {
		last = *p
	}
	kept := make([]memoDigest, len(events))
	workers := min(runtime.GOMAXPROCS(0), max(1, len(events)/256))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			var va, vb digestValues
			for i := w; i < len(events); i += workers {
				if was, ok := last[events[i].ID]; ok && sameContent(&was.talk, &events[i], &va, &vb) {
					out[i], kept[i] = was.digest, was
					continue
				}
				out[i] = ContentDigest(&events[i])
				// Its own slices: a caller may change a tag in place.
				talk := events[i]
				talk.Tags, talk.Speakers = slices.Clone(talk.Tags), slices.Clone(talk.Speakers)
				kept[i] = memoDigest{talk: talk, digest: out[i]}
			}
		})
	}
	wg.Wait()
	next := make(map[string]memoDigest, len(events))
	for i := range events {
		next[events[i].ID] = kept[i]
	}
	m.byID.Store(&next)
	return out
}

// memoOrNew is the ledger's digest memo, or a new one for a ledger that
// has none (read from a store).
func (l *Ledger) memoOrNew() *digestMemo {
	if l.memo != nil {
		return l.memo
	}
	return &digestMemo{}
}

func (l *Ledger) observe(events []Event, digests []string, at time.Time, unloaded []string) (*Ledger, []Change) {
	next := l.Clone() // indexed afresh
	at = at.UTC().Truncate(time.Second)
	importing := next.since.IsZero()
	if importing {
		next.since, next.delta.Since = at, at
	}
	// The talks to record: all on an import, else the new, returning
	// and changed ones (record leaves a talk as it was alone).
	var todo []int
	present := make(map[string]bool, len(events))
	for i := range events {
		present[events[i].ID] = true
		if old, ok := next.entries[events[i].ID]; !importing && ok && old.Removed.IsZero() && old.Digest == digests[i] {
			continue
		}
		todo = append(todo, i)
	}
	// In ID order, so that the times taken are the same on every run.
	slices.SortStableFunc(todo, func(a, b int) int { return cmp.Compare(events[a].ID, events[b].ID) })
	var news []Change
	for _, i := range todo {
		if importing {
			next.importTalk(&events[i], digests[i], at)
		} else {
			news = append(news, next.record(&events[i], digests[i], at)...)
		}
	}
	kept := make(map[string]bool, len(unloaded))
	for _, p := range unloaded {
		kept[p] = true
	}
	var gone []string
	for id, ent := range next.entries {
		if !present[id] && ent.Removed.IsZero() && !(kept[ent.Path] && ent.Path != "") {
			gone = append(gone, id)
		}
	}
	slices.Sort(gone)
	for _, id := range gone {
		news = append(news, next.remove(id, at)...)
	}
	return next, news
}

// ImportTime is the best evidence of when a talk already on a site at its
// first import was announced: its page's published time, else its start
// for a talk already begun, else the import itself. Never a time after
// the import.
func ImportTime(e *Event, at time.Time) time.Time {
	if p := e.Published; !p.IsZero() && !p.After(at) {
		return p
	}
	if !e.Start.IsZero() && !e.Start.After(at) {
		return e.Start
	}
	return at
}

// importTalk records a talk found on the first import.
func (l *Ledger) importTalk(e *Event, digest string, at time.Time) {
	first := ImportTime(e, at).UTC().Truncate(time.Second)
	ent := LedgerEntry{Digest: digest, FirstSeen: first, Published: e.Published, PageURL: e.PageURL, Path: e.Source.Path, Talk: FingerprintOf(e)}
	ent.Announced = l.announced.claim(announceTime(e, first, at), at)
	changed := ent.Announced
	// A page's own updated time is evidence of its last change too.
	if u := e.Updated.UTC().Truncate(time.Second); u.After(changed) && !u.After(at) {
		changed = u
	}
	ent.Changed = l.changed.claimFrom(changed, ent.Announced, at)
	l.put(e.ID, ent)
}

// announceTime is a talk's announcement: its page's published time when
// it has one that is not after at, else when it was first seen.
func announceTime(e *Event, firstSeen, at time.Time) time.Time {
	if p := e.Published; !p.IsZero() && !p.After(at) {
		return p.UTC().Truncate(time.Second)
	}
	return firstSeen
}

// Apply records one observation of part of the content at at, in
// place: the talks of changed as they are now, and the removal of the
// talks of removed. A source with a history (git) applies each commit's
// pages at the commit's time. It returns the changes, as Observe does.
func (l *Ledger) Apply(at time.Time, changed []*Event, removed []string) []Change {
	at = at.UTC().Truncate(time.Second)
	if l.since.IsZero() {
		l.since, l.delta.Since = at, at
	}
	l.index()
	var out []Change
	for _, e := range changed {
		out = append(out, l.record(e, ContentDigest(e), at)...)
	}
	for _, id := range removed {
		out = append(out, l.remove(id, at)...)
	}
	return out
}

// record notes a talk as it is at at, and returns what changed for
// subscribers: a new talk (or one back after a removal), a cancellation,
// a new time or a new place. A change of any other published field
// raises the version without a change of its own.
func (l *Ledger) record(e *Event, digest string, at time.Time) []Change {
	old, known := l.entries[e.ID]
	if known && old.Removed.IsZero() && old.Digest == digest {
		return nil // most talks of most reloads
	}
	fp := FingerprintOf(e)
	ent := old
	ent.Digest, ent.Talk, ent.Removed = digest, fp, time.Time{}
	var kinds []ChangeKind
	switch {
	case !known:
		ent.FirstSeen = at
		ent.Announced = l.announced.claim(announceTime(e, at, at), at)
		ent.Published = e.Published
		kinds = []ChangeKind{ChangeNew}
	case !old.Removed.IsZero():
		ent.Version++
		// A removed talk's second is free to others (index skips removed
		// talks), so a talk announced at it while this one was away may
		// hold it now: then this one, coming back, moves to the nearest
		// free second, so that no two talks there share an announce time.
		// Else it keeps its own.
		if l.announced.used[ent.Announced.Unix()] {
			ent.Announced = l.announced.claim(ent.Announced, at)
		} else {
			l.announced.take(ent.Announced.Unix())
		}
		kinds = []ChangeKind{ChangeNew}
	default:
		ent.Version++
		kinds = changeKinds(old.Talk, fp)
	}
	if known && !e.Published.Equal(old.Published) {
		ent.Published = e.Published
		// A talk's own second is its own: taking it back moves nothing.
		if want := announceTime(e, ent.FirstSeen, at); !want.Equal(ent.Announced) {
			ent.Announced = l.announced.claim(want, at)
		}
	}
	if known && e.PageURL != old.PageURL {
		ent.PastURLs = slices.DeleteFunc(slices.Clone(old.PastURLs), func(u string) bool { return u == e.PageURL || u == old.PageURL })
		if old.PageURL != "" {
			ent.PastURLs = append(ent.PastURLs, old.PageURL)
		}
	}
	ent.PageURL, ent.Path = e.PageURL, e.Source.Path
	// A last change only moves on: LAST-MODIFIED never goes back, and
	// is never before CREATED.
	floor := ent.Announced
	if known {
		floor = later(floor, old.Changed.Add(time.Second))
	}
	ent.Changed = l.changed.claimFrom(at, floor, at)
	l.put(e.ID, ent)
	out := make([]Change, 0, len(kinds))
	for _, k := range kinds {
		c := Change{Kind: k, ID: e.ID, Talk: fp, PageURL: e.PageURL}
		if known {
			c.Before = old.Talk
		}
		out = append(out, l.addChange(c, at))
	}
	return out
}

// changeKinds are the changes subscribers are told about between two
// states of a talk.
func changeKinds(old, now Fingerprint) []ChangeKind {
	var out []ChangeKind
	if now.Status == StatusCancelled && old.Status != StatusCancelled {
		out = append(out, ChangeCancelled)
	}
	if !now.Start.Equal(old.Start) || !now.End.Equal(old.End) || now.AllDay != old.AllDay {
		out = append(out, ChangeRescheduled)
	}
	if now.Place != old.Place || now.OnlineURL != old.OnlineURL {
		out = append(out, ChangeMoved)
	}
	return out
}

// remove notes that a talk's page went away at at: its version rises
// (its tombstone cancels it in calendars) and it yields one Removed
// change. Removing a removed or unknown talk does nothing.
func (l *Ledger) remove(id string, at time.Time) []Change {
	ent, ok := l.entries[id]
	if !ok || !ent.Removed.IsZero() {
		return nil
	}
	ent.Version++
	ent.Removed = at
	ent.Changed = l.changed.claimFrom(at, ent.Changed.Add(time.Second), at)
	l.put(id, ent)
	return []Change{l.addChange(Change{Kind: ChangeRemoved, ID: id, Talk: ent.Talk, Before: ent.Talk, PageURL: ent.PageURL}, at)}
}

// addChange dates a change at a second no other change has, never after
// at, and keeps the newest MaxChanges.
func (l *Ledger) addChange(c Change, at time.Time) Change {
	c.At = l.changeAt.claim(at, at)
	l.changes = appendChanges(l.changes, c)
	l.delta.Changes = append(l.delta.Changes, c)
	return c
}

// appendChanges adds changes to a history in time order, keeping the
// newest MaxChanges.
func appendChanges(history []Change, cs ...Change) []Change {
	if len(cs) == 0 {
		return history
	}
	history = append(history, cs...)
	slices.SortStableFunc(history, func(a, b Change) int { return a.At.Compare(b.At) })
	if len(history) > MaxChanges {
		history = slices.Clone(history[len(history)-MaxChanges:])
	}
	return history
}

// Stamp returns what the ledger says about a talk (zero when it does not
// know it).
func (l *Ledger) Stamp(id string) Stamp {
	e, ok := l.entries[id]
	if !ok {
		return Stamp{}
	}
	return Stamp{Version: e.Version, Announced: e.Announced, Changed: e.Changed}
}

// Stamped returns copies of the events, each with its stamp.
func (l *Ledger) Stamped(events []Event) []Event {
	return l.stamped(events, l.memoOrNew().digests(events))
}

// stamped stamps events whose content digests are digests.
func (l *Ledger) stamped(events []Event, digests []string) []Event {
	out := slices.Clone(events)
	for i := range out {
		out[i].Stamp = l.Stamp(out[i].ID)
		out[i].outputKey = outputKey(&out[i], digests[i])
	}
	return out
}

// Tombstones are the talks removed less than grace before day, as
// cancelled events with their raised version: calendars that held them
// cancel them instead of keeping a ghost or dropping them unannounced.
// Removed before that, a talk drops out. In ID order.
func (l *Ledger) Tombstones(day time.Time, grace time.Duration) []Event {
	var ids []string
	for id, ent := range l.entries {
		if !ent.Removed.IsZero() && UTCDay(ent.Removed).Add(grace).After(day) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	var out []Event
	for _, id := range ids {
		ent := l.entries[id]
		e := ent.Talk.AsEvent(id)
		e.Status = StatusCancelled
		e.PageURL = ent.PageURL
		e.Summary = "This talk was removed."
		e.Stamp = Stamp{Version: ent.Version, Announced: ent.Announced, Changed: ent.Changed}
		out = append(out, e)
	}
	return out
}

// Redirects maps the past page URLs of the talks still there to their
// page URLs now. A URL that is some talk's page now never redirects;
// when two talks had one URL, the one that changed last has it.
func (l *Ledger) Redirects() map[string]string {
	// The live talks that moved, and their past URLs: few, so the rest
	// of the ledger is only looked at once, not sorted or indexed.
	var moved []string
	past := map[string]bool{}
	for id, e := range l.entries {
		if e.Removed.IsZero() && len(e.PastURLs) > 0 {
			moved = append(moved, id)
			for _, u := range e.PastURLs {
				past[u] = true
			}
		}
	}
	out := map[string]string{}
	if len(moved) == 0 {
		return out
	}
	current := map[string]bool{}
	for _, e := range l.entries {
		if e.Removed.IsZero() && past[e.PageURL] {
			current[e.PageURL] = true
		}
	}
	slices.SortFunc(moved, func(a, b string) int {
		return cmp.Or(l.entries[a].Changed.Compare(l.entries[b].Changed), cmp.Compare(a, b))
	})
	for _, id := range moved {
		e := l.entries[id]
		for _, u := range e.PastURLs {
			if !current[u] && u != "" && e.PageURL != "" {
				out[u] = e.PageURL
			}
		}
	}
	return out
}

// ContentDigest is the hex SHA-256 of everything about a talk that
// reaches an output: every field but its ID (the ledger's key), where it
// was read from, the ledger's stamp, and the page's updated time (the
// ledger dates changes itself). Written field by field, not through
// reflection, since a reload digests every talk; a test sets each field
// of Event in turn, so a field added later cannot be forgotten.
func ContentDigest(e *Event) string {
	b := make([]byte, 0, 256+len(e.BodyHTML)+len(e.Summary))
	str := func(s string) { b = append(strconv.AppendInt(b, int64(len(s)), 10), ':'); b = append(b, s...) }
	digested(e, str, func(t time.Time) {
		if t.IsZero() {
			str("")
			return
		}
		str(t.UTC().Format(time.RFC3339Nano))
	})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// digested visits, in a fixed order, every value of a talk that its
// content digest is made of: one list for ContentDigest and
// sameContent, so that the two cannot disagree.
func digested(e *Event, str func(string), tm func(time.Time)) {
	for _, s := range [...]string{e.Title, e.Summary, e.BodyHTML, e.TimeZone, e.Location, e.Venue, e.Address, e.OnlineURL,
		e.EventName, e.Category, e.SpeakerText, e.ImageURL, e.PageURL, e.Links.Slides, e.Links.Video, e.Links.Registration, string(e.Status)} {
		str(s)
	}
	tm(e.Start)
	tm(e.End)
	tm(e.Published)
	str(strconv.FormatBool(e.AllDay))
	str(strconv.Itoa(len(e.Tags)))
	for _, t := range e.Tags {
		str(t)
	}
	str(strconv.Itoa(len(e.Speakers)))
	for _, sp := range e.Speakers {
		str(sp.Name)
		str(sp.Affiliation)
		str(sp.URL)
	}
}

// digestValues are the values digested visits, gathered for a comparison.
type digestValues struct {
	strs  []string
	times []time.Time
}

func (v *digestValues) of(e *Event) {
	v.strs, v.times = v.strs[:0], v.times[:0]
	digested(e, func(s string) { v.strs = append(v.strs, s) }, func(t time.Time) { v.times = append(v.times, t) })
}

// sameContent reports whether a and b have the same content digest,
// without digesting them: the values digested are compared, and the
// strings of a page unchanged since its last load are the same strings,
// which compare at once. Equal instants digest alike in any zone.
func sameContent(a, b *Event, va, vb *digestValues) bool {
	va.of(a)
	vb.of(b)
	return slices.Equal(va.strs, vb.strs) && slices.EqualFunc(va.times, vb.times, time.Time.Equal)
}

// digestMemo keeps each talk's content digest with the talk it was made
// from, across observations: digesting every talk (its body and all)
// was most of a one-page reload's ledger work at 10,000 talks, and a
// talk whose page did not change has the same strings as last time.
// Ledgers observed from one another share it; it is replaced whole,
// never changed, so concurrent observations read it safely.
type digestMemo struct {
	byID atomic.Pointer[map[string]memoDigest]
}

type memoDigest struct {
	talk   Event
	digest string
}

// OutputKey names everything about a talk that its outputs are made of:
// its ID, its content (ContentDigest), its version and its dates as the
// outputs give them. Renderers key the parts they keep by it.
func OutputKey(e *Event) string {
	if e.outputKey != "" {
		return e.outputKey
	}
	return outputKey(e, ContentDigest(e))
}

func outputKey(e *Event, digest string) string {
	return e.ID + "\x00" + digest + "\x00" + strconv.Itoa(e.Stamp.Version) + "\x00" +
		e.Announced().UTC().Format(time.RFC3339Nano) + "\x00" + e.LastChanged().UTC().Format(time.RFC3339Nano)
}

// ledgerJSON is a ledger's stored form: maps encode in key order, so
// equal ledgers store equal bytes.
type ledgerJSON struct {
	Since   time.Time              `json:"since,omitzero"`
	Talks   map[string]LedgerEntry `json:"talks"`
	Changes []Change               `json:"changes"`
}

// MarshalJSON encodes the ledger for a store.
func (l *Ledger) MarshalJSON() ([]byte, error) {
	changes := l.changes
	if changes == nil {
		changes = []Change{}
	}
	return json.Marshal(ledgerJSON{Since: l.since, Talks: l.entries, Changes: changes})
}

// UnmarshalJSON decodes a stored ledger.
func (l *Ledger) UnmarshalJSON(data []byte) error {
	var v ledgerJSON
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	if v.Talks == nil {
		v.Talks = map[string]LedgerEntry{}
	}
	l.since, l.entries, l.changes = v.Since, v.Talks, v.Changes
	l.index()
	return nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// instants is a set of whole seconds, handing out free ones near a wish.
type instants struct {
	used     map[int64]bool
	fwd, bwd map[int64]int64 // skip pointers over runs of used seconds
}

func newInstants() *instants {
	return &instants{used: map[int64]bool{}, fwd: map[int64]int64{}, bwd: map[int64]int64{}}
}

func (s *instants) take(sec int64) { s.used[sec] = true }

// claim takes the first free second at or after t that is not after
// bound, else the last free one before t: a time is moved as little as
// it can be, and never past bound (never into the future).
func (s *instants) claim(t, bound time.Time) time.Time {
	want, limit := t.Unix(), bound.Unix()
	want = min(want, limit)
	sec := s.walk(want, 1, s.fwd)
	if sec > limit {
		sec = s.walk(want, -1, s.bwd)
	}
	s.used[sec] = true
	return time.Unix(sec, 0).UTC()
}

// claimFrom takes a change time as claim does, but never before floor:
// when every second from floor to bound is taken, it takes the first
// free one after bound, a few seconds ahead rather than a change that
// goes back in time.
func (s *instants) claimFrom(t, floor, bound time.Time) time.Time {
	want, limit, low := t.Unix(), bound.Unix(), floor.Unix()
	want = max(min(want, limit), low)
	sec := s.walk(want, 1, s.fwd)
	if sec > limit && want > low {
		if back := s.walk(want, -1, s.bwd); back >= low {
			sec = back
		}
	}
	s.used[sec] = true
	return time.Unix(sec, 0).UTC()
}

func (s *instants) walk(sec, step int64, skip map[int64]int64) int64 {
	var path []int64
	for s.used[sec] {
		path = append(path, sec)
		if n, ok := skip[sec]; ok {
			sec = n
		} else {
			sec += step
		}
	}
	for _, p := range path {
		skip[p] = sec
	}
	return sec
}
