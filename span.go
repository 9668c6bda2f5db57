package talkfeed

import "time"

// DefaultLength is how long a talk lasts when its page gives no end (the
// config's default_duration and default_days). Every output that states
// an end applies the same one, so a talk's calendar file, its "add to
// calendar" links and its page agree. The zero value is one hour and one
// day.
type DefaultLength struct {
	// Duration is a timed talk's length; 0 means one hour.
	Duration time.Duration
	// Days is an all-day talk's length in days; 0 means one.
	Days int
}

// Span returns when the talk takes place, as calendars want it: the start
// and the exclusive end. An all-day talk ends at midnight after its last
// day; a talk without an end lasts the default length. The end is in the
// start's location, so that both read in the talk's own zone.
func (e *Event) Span(d DefaultLength) (start, end time.Time) {
	if e.AllDay {
		if e.End.IsZero() {
			return e.Start, e.Start.AddDate(0, 0, max(d.Days, 1))
		}
		return e.Start, e.LastDay().AddDate(0, 0, 1)
	}
	end = e.End
	if end.IsZero() {
		length := d.Duration
		if length <= 0 {
			length = time.Hour
		}
		end = e.Start.Add(length)
	}
	return e.Start, end.In(e.Start.Location())
}

// Timestamp writes one of the talk's moments for machines (the feeds'
// event data, schema.org): a date for an all-day talk, "2018-03-28", else
// the local time with its offset (RFC 3339); "" for the zero time.
func (e *Event) Timestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if e.AllDay {
		return t.Format(time.DateOnly)
	}
	return t.Format(time.RFC3339)
}
