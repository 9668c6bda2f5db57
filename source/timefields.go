package source

import (
	"fmt"
	"time"

	"github.com/talkfeed/talkfeed"
)

// whenOf reads a date or time field.
func (m *mapping) whenOf(e *entry, clockOnly bool) (when, error) {
	if e.val.kind != scalarValue {
		return when{}, fmt.Errorf("field %q should be a date, not a list or mapping", e.key)
	}
	if clockOnly && e.val.tag == "int" && !e.val.quoted {
		// YAML typed an unquoted 1900 as a number.
		if w, ok := hhmmFromInt(e.val.text); ok {
			m.r.warnf(e.line, "field %q: %s is a number to YAML; read as %02d:%02d (write \"%02d:%02d\")",
				e.key, e.val.text, w.hour, w.min, w.hour, w.min)
			return w, nil
		}
	}
	return parseWhen(e.val.text, clockOnly)
}

// times sets the start, the zone, the all-day flag, the end, and the
// published and updated times. It returns false when the start cannot be
// read, which makes the page unusable.
func (m *mapping) times(ev *talkfeed.Event, startEntry *entry) bool {
	start, ok := m.start(startEntry)
	if !ok {
		return false
	}
	zone, zoneNamed := m.zone(start)
	if m.allDay(start) {
		ev.AllDay = true
		ev.Start = start.midnight(zone)
		ev.TimeZone = zone.String()
	} else {
		m.timedStart(ev, start, startEntry, zone, zoneNamed)
	}
	m.r.noteDate(roleStart, startEntry, ev.Start)
	m.end(ev, start)
	m.dated(ev, startEntry)
	return true
}

// start reads the start field, with the start time field when the start
// is a date alone.
func (m *mapping) start(startEntry *entry) (when, bool) {
	start, err := m.whenOf(startEntry, false)
	if err != nil {
		m.r.errorf(startEntry.line, "field %q: %v", startEntry.key, err)
		return when{}, false
	}
	st := m.lookup(fieldStartTime)
	if st == nil {
		return start, true
	}
	switch clock, err := m.whenOf(st, true); {
	case start.hasClock:
		m.r.warnf(st.line, "field %q is ignored: %q already has a time", st.key, startEntry.key)
	case err != nil:
		m.r.warnf(st.line, "field %q: %v; the talk is listed as all-day", st.key, err)
	case clock.hasDate:
		m.r.warnf(st.line, "field %q should be a time of day, not a date; the talk is listed as all-day", st.key)
	default:
		start = clock.onDateOf(start)
	}
	return start, true
}

// zone is the zone a floating start is in and the talk is shown in: the
// one named after the start's time, else the time zone field's, else the
// default. named is false for the default.
func (m *mapping) zone(start when) (zone *time.Location, named bool) {
	// The field is read even when the start names its zone, so that a bad
	// one is still reported.
	zone = m.p.zone
	if tz, e := m.text(fieldTimeZone); e != nil && tz != "" {
		if loc, err := talkfeed.LoadZone(tz); err != nil {
			m.r.warnf(e.line, "unknown time zone %q (use an IANA name like Europe/London); using %s", tz, zone)
		} else {
			zone, named = loc, true
		}
	}
	if start.zone != nil {
		return start.zone, true
	}
	return zone, named
}

// allDay reports whether the talk is all-day: its start has no time, or
// the all-day field says so.
func (m *mapping) allDay(start when) bool {
	ad := m.lookup(fieldAllDay)
	forced := ad != nil && m.boolOf(ad)
	return forced || !start.hasClock
}

// timedStart sets a timed talk's start and the zone it is shown in.
func (m *mapping) timedStart(ev *talkfeed.Event, start when, startEntry *entry, zone *time.Location, zoneNamed bool) {
	ev.Start = start.at(zone)
	switch {
	case start.zone != nil || !start.hasOffset:
		ev.TimeZone = zone.String()
	case zoneNamed:
		// An offset plus a named zone: the offset fixes the instant, the
		// zone is how to show it.
		inZone := ev.Start.In(zone)
		if _, off := inZone.Zone(); off != start.offset {
			m.r.warnf(startEntry.line, "the offset in %q does not match %s on that date; the offset wins", startEntry.key, zone)
		}
		ev.Start, ev.TimeZone = inZone, zone.String()
	}
}

// end sets the end, which must come after the start.
func (m *mapping) end(ev *talkfeed.Event, start when) {
	end, line, ok := m.endWhen()
	if !ok {
		return
	}
	timeAlone := !end.hasDate
	if timeAlone {
		if !end.hasClock {
			return
		}
		end = end.onDateOf(start)
	}
	if ev.AllDay {
		m.allDayEnd(ev, end, line, timeAlone)
	} else {
		m.timedEnd(ev, end, line, timeAlone)
	}
	if !ev.End.IsZero() && ev.End.Sub(ev.Start) > longestTalk {
		// Kept (a residency may run for months), but most such ends are
		// a year mistyped, and each year spanned costs the calendars.
		m.r.warnf(line, "the talk lasts %d days, to %s: is the end's year right?", int(ev.End.Sub(ev.Start).Hours()/24), ev.End.Format(time.DateOnly))
	}
	if !timeAlone {
		// An end with a date was read from the end field; an end time
		// alone is on the start's day, which the start's check covers.
		m.r.noteDate(roleEnd, m.lookup(fieldEnd), ev.End)
	}
}

// longestTalk is the length past which an end is reported as likely
// mistyped.
const longestTalk = 366 * 24 * time.Hour

// endWhen reads the end from an end date-time, an end date, an end time
// alone, or an end date plus an end time, and the line that diagnostics
// about the end point at. It returns false when the page gives no end or
// one that cannot be read.
func (m *mapping) endWhen() (end when, line int, ok bool) {
	ee, et := m.lookup(fieldEnd), m.lookup(fieldEndTime)
	if ee == nil && et == nil {
		return when{}, 0, false
	}
	if ee != nil {
		line = ee.line
		w, err := m.whenOf(ee, true)
		if err != nil {
			m.r.warnf(ee.line, "field %q: %v; no end is set", ee.key, err)
			return when{}, 0, false
		}
		end = w
	}
	if et != nil {
		clock, err := m.whenOf(et, true)
		switch {
		case err != nil:
			m.r.warnf(et.line, "field %q: %v; ignored", et.key, err)
		case clock.hasDate:
			m.r.warnf(et.line, "field %q should be a time of day, not a date; ignored", et.key)
		case end.hasClock:
			m.r.warnf(et.line, "field %q is ignored: the end already has a time", et.key)
		default:
			if line == 0 {
				line = et.line
			}
			end = clock.onDateOf(end)
		}
	}
	return end, line, true
}

// allDayEnd sets an all-day talk's end: its last day.
func (m *mapping) allDayEnd(ev *talkfeed.Event, end when, line int, timeAlone bool) {
	if timeAlone {
		m.r.warnf(line, "an end time alone means nothing for an all-day talk; ignored")
		return
	}
	if end.hasClock {
		m.r.warnf(line, "the talk is all-day but its end has a time; only the end's date is used")
	}
	last := end.midnight(ev.Start.Location())
	if last.Before(ev.Start) {
		m.r.warnf(line, "the end %s is before the start %s; the end is dropped", last.Format(time.DateOnly), ev.Start.Format(time.DateOnly))
		return
	}
	ev.End = last
}

// timedEnd sets a timed talk's end.
func (m *mapping) timedEnd(ev *talkfeed.Event, end when, line int, timeAlone bool) {
	if !end.hasClock {
		m.r.warnf(line, "the end is a date without a time but the talk starts at a time; add an end time, the end is dropped")
		return
	}
	// A floating end is in the start's zone; any end is shown in it.
	t := end.at(ev.Start.Location()).In(ev.Start.Location())
	if !t.After(ev.Start) && timeAlone && t.Add(24*time.Hour).After(ev.Start) {
		// "22:00 to 01:00": an end time alone before the start is on the
		// next day.
		t = t.AddDate(0, 0, 1)
		m.r.add(talkfeed.SeverityNotice, line, 0, "the end time is before the start time; read as the next day")
	}
	if !t.After(ev.Start) {
		m.r.warnf(line, "the end %s is not after the start %s; the end is dropped", t.Format("2006-01-02 15:04 -07:00"), ev.Start.Format("2006-01-02 15:04 -07:00"))
		return
	}
	ev.End = t
}

// dated sets when the talk was published and last updated.
func (m *mapping) dated(ev *talkfeed.Event, startEntry *entry) {
	if pe := m.lookup(fieldPublished); pe != nil {
		ev.Published = m.instant(pe)
		m.r.noteDate(rolePublished, pe, ev.Published)
	} else if startEntry.norm != "date" {
		// Hugo and Jekyll pages that name the start elsewhere use `date`
		// for when the post was written.
		if de, ok := m.pg.fields["date"]; ok && !isNull(de.val) {
			ev.Published = m.instant(de)
			m.r.noteDate(rolePublished, de, ev.Published)
		}
	}
	if ue := m.lookup(fieldUpdated); ue != nil {
		ev.Updated = m.instant(ue)
	}
}

// instant reads a published or updated time: a floating value is in the
// default zone, a date alone is its midnight.
func (m *mapping) instant(e *entry) time.Time {
	w, err := m.whenOf(e, false)
	if err != nil {
		m.r.warnf(e.line, "field %q: %v; ignored", e.key, err)
		return time.Time{}
	}
	return w.at(m.p.zone)
}
