package ical

import (
	"fmt"
	"time"

	ics "github.com/arran4/golang-ical"
)

// vtimezone builds the VTIMEZONE of loc from Go's time zone database, with
// one STANDARD or DAYLIGHT observance for the offset in force at from and
// one for every transition up to to. golang-ical's own AddTimezone writes
// an empty VTIMEZONE, which RFC 5545 forbids.
//
// Explicit onsets (no RRULE) are longer than a rule but exact for every
// year covered, including years whose rules changed.
func vtimezone(loc *time.Location, from, to time.Time) *ics.VTimezone {
	tz := ics.NewTimezone(loc.String())
	t := from.In(loc)
	name, offset := t.Zone()
	addObservance(tz, t.IsDST(), t, offset, offset, name)
	for range maxTransitions {
		_, end := t.ZoneBounds()
		if end.IsZero() || end.After(to) {
			break
		}
		if !end.After(t) {
			// Past the zone's table, Go 1.26's ZoneBounds gives t itself as
			// the end on 31 December of a leap year (Europe/London, 2040):
			// the loop span forever there. Look again a day on, where no
			// zone has ever changed its offset twice.
			end = t.Add(24 * time.Hour)
			if end.After(to) {
				break
			}
		}
		next := end.In(loc)
		nextName, nextOffset := next.Zone()
		if nextOffset != offset || nextName != name {
			// The onset is the local time just before the change, in the
			// old offset, as RFC 5545 defines DTSTART of an observance.
			addObservance(tz, next.IsDST(), end, offset, nextOffset, nextName)
		}
		t, name, offset = next, nextName, nextOffset
	}
	return tz
}

// maxTransitions bounds the observances of one VTIMEZONE: two a year
// for a century and a half, far past any calendar's span.
const maxTransitions = 300

func addObservance(tz *ics.VTimezone, dst bool, onset time.Time, fromOffset, toOffset int, name string) {
	c := &ics.ComponentBase{}
	c.SetProperty(ics.ComponentPropertyDtStart, onset.In(time.FixedZone("", fromOffset)).Format("20060102T150405"))
	c.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), utcOffset(fromOffset))
	c.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), utcOffset(toOffset))
	if name != "" {
		c.SetProperty(ics.ComponentProperty(ics.PropertyTzname), name)
	}
	if dst {
		tz.Components = append(tz.Components, &ics.Daylight{ComponentBase: *c})
	} else {
		tz.Components = append(tz.Components, &ics.Standard{ComponentBase: *c})
	}
}

// utcOffset formats seconds east of UTC as RFC 5545's UTC-OFFSET: +HHMM,
// or +HHMMSS for the odd historical offset with seconds.
func utcOffset(seconds int) string {
	sign := "+"
	if seconds < 0 {
		sign, seconds = "-", -seconds
	}
	h, m, s := seconds/3600, seconds/60%60, seconds%60
	if s != 0 {
		return fmt.Sprintf("%s%02d%02d%02d", sign, h, m, s)
	}
	return fmt.Sprintf("%s%02d%02d", sign, h, m)
}
