package source

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/talkfeed/talkfeed"
)

// when is a date, time or date-time as written, before a zone is applied.
type when struct {
	hasDate bool
	year    int
	month   time.Month
	day     int

	hasClock          bool
	hour, min, sec, n int

	// offset is set when the text carried a UTC offset ("Z", "+01:00").
	hasOffset bool
	offset    int // seconds east of UTC
	// zone is set when the text named an IANA zone after the time.
	zone *time.Location
}

var (
	dateRE  = regexp.MustCompile(`^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[Tt ]\s*(.+))?$`)
	clockRE = regexp.MustCompile(`^(\d{1,2})(?:[:.h](\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(?:([aApP])\.?[mM]\.?)?\s*(Z|z|UTC|GMT|[+-]\d{1,2}(?::?\d{2})?)?(?:\s+([A-Za-z]+(?:/[A-Za-z0-9_+-]+)+))?$`)
)

// maxYear is the last year a date may be in: every time a talk's outputs
// derive from it stays within the year 9999.
const maxYear = 9998

const dateHelp = "write a date as YYYY-MM-DD, optionally followed by a time (YYYY-MM-DD HH:MM) and a UTC offset (+01:00) or a zone name (Europe/London)"

// parseWhen reads a date, a date-time or (when clockOnly is allowed) a time
// of day alone.
func parseWhen(s string, clockOnly bool) (when, error) {
	s = strings.TrimSpace(s)
	var w when
	if m := dateRE.FindStringSubmatch(s); m != nil {
		w.hasDate = true
		w.year, _ = strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		w.month = time.Month(mo)
		w.day, _ = strconv.Atoi(m[3])
		// Below 1000 is a typo or a placeholder; 9999 is a placeholder
		// whose end, the day after an all-day talk's last day, or its
		// instant in UTC can fall in the year 10000, which no calendar
		// date (four digits) can hold.
		if w.year < 1000 || w.year > maxYear {
			return w, fmt.Errorf("%q: the year %d is not a talk's year", s, w.year)
		}
		if t := time.Date(w.year, w.month, w.day, 0, 0, 0, 0, time.UTC); mo < 1 || mo > 12 || t.Day() != w.day {
			return w, fmt.Errorf("%q is not a date in the calendar", s)
		}
		if m[4] == "" {
			return w, nil
		}
		c, err := parseClock(m[4])
		if err != nil {
			return w, fmt.Errorf("cannot read the time in %q: %v", s, err)
		}
		return c.onDateOf(w), nil
	}
	if clockOnly {
		if c, err := parseClock(s); err == nil {
			return c, nil
		}
		return w, fmt.Errorf("cannot read %q as a date or a time: %s, or a time alone as HH:MM", s, dateHelp)
	}
	return w, fmt.Errorf("cannot read %q as a date: %s", s, dateHelp)
}

// parseClock reads a time of day: 19:00, 19:00:30, 7pm, 7:30 p.m., 19h00,
// 19.00, optionally with an offset or a zone name.
func parseClock(s string) (when, error) {
	var w when
	m := clockRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return w, fmt.Errorf("%q is not a time of day (HH:MM)", s)
	}
	if m[2] == "" && m[5] == "" {
		// A bare number is not a time: "19" could be anything.
		return w, fmt.Errorf("%q is not a time of day (HH:MM)", s)
	}
	w.hasClock = true
	w.hour, _ = strconv.Atoi(m[1])
	w.min, _ = strconv.Atoi(m[2])
	w.sec, _ = strconv.Atoi(m[3])
	if m[4] != "" {
		frac := m[4] + strings.Repeat("0", 9-len(m[4]))
		w.n, _ = strconv.Atoi(frac)
	}
	if ampm := strings.ToLower(m[5]); ampm != "" {
		if w.hour < 1 || w.hour > 12 {
			return w, fmt.Errorf("%q: an hour with am or pm runs from 1 to 12", s)
		}
		w.hour %= 12
		if ampm == "p" {
			w.hour += 12
		}
	}
	if w.hour > 23 || w.min > 59 || w.sec > 60 {
		return w, fmt.Errorf("%q is not a time of day", s)
	}
	switch off := m[6]; {
	case off == "":
	case off == "Z" || off == "z" || off == "UTC" || off == "GMT":
		w.hasOffset = true
	default:
		sign := 1
		if off[0] == '-' {
			sign = -1
		}
		digits := strings.ReplaceAll(off[1:], ":", "")
		var h, mm int
		switch len(digits) {
		case 1, 2:
			h, _ = strconv.Atoi(digits)
		case 3, 4:
			h, _ = strconv.Atoi(digits[:len(digits)-2])
			mm, _ = strconv.Atoi(digits[len(digits)-2:])
		}
		if h > 14 || mm > 59 {
			return w, fmt.Errorf("%q has an impossible UTC offset", s)
		}
		w.hasOffset = true
		w.offset = sign * (h*3600 + mm*60)
	}
	if name := m[7]; name != "" {
		loc, err := talkfeed.LoadZone(name)
		if err != nil {
			return w, fmt.Errorf("unknown time zone %q", name)
		}
		w.zone = loc
	}
	return w, nil
}

// hhmmFromInt reads a time that a YAML parser typed as an integer: `1900`
// (unquoted HHMM). The caller warns, since the author likely meant a string.
func hhmmFromInt(s string) (when, bool) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 2359 || n%100 > 59 || len(s) < 3 {
		return when{}, false
	}
	return when{hasClock: true, hour: n / 100, min: n % 100}, true
}

// onDateOf returns the time of day w on the date of d, or with no date
// when d has none.
func (w when) onDateOf(d when) when {
	w.hasDate, w.year, w.month, w.day = d.hasDate, d.year, d.month, d.day
	return w
}

// midnight is the start of w's day in loc, whatever time, offset or zone
// w carries.
func (w when) midnight(loc *time.Location) time.Time {
	return time.Date(w.year, w.month, w.day, 0, 0, 0, 0, loc)
}

// at places w in a location: its own offset or zone when it has one,
// else loc.
func (w when) at(loc *time.Location) time.Time {
	switch {
	case w.zone != nil:
		loc = w.zone
	case w.hasOffset:
		loc = fixedZone(w.offset)
	}
	return time.Date(w.year, w.month, w.day, w.hour, w.min, w.sec, w.n, loc)
}

// fixedZone names an offset-only zone the way Go prints offsets, so that
// equal offsets give equal locations and equal output.
func fixedZone(offset int) *time.Location {
	if offset == 0 {
		return time.UTC
	}
	return time.FixedZone(time.Unix(0, 0).In(time.FixedZone("", offset)).Format("-07:00"), offset)
}
