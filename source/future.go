package source

import (
	"fmt"
	"strings"
	"time"

	"github.com/talkfeed/talkfeed"
)

// farFutureYears is how far after the load's day a page's date may be
// before it is reported as a likely placeholder (2100-01-01, 3018).
const farFutureYears = 10

// dateRole is what a page's date is to the talk, which says what a
// placeholder there does.
type dateRole int

const (
	roleStart dateRole = iota
	roleEnd
	rolePublished
)

// pageDate is a date a page gives, kept with its parse so that every load
// checks it against its own day: the parse is cached by the page's bytes,
// and a page a load passed is far-future to a later one.
type pageDate struct {
	role dateRole
	key  string // the field as written
	text string // the value as written
	line int
	at   time.Time
}

// noteDate keeps a date the page gives for the far-future check.
func (r *pageResult) noteDate(role dateRole, e *entry, at time.Time) {
	if e == nil || at.IsZero() {
		return
	}
	r.dates = append(r.dates, pageDate{role: role, key: e.key, text: strings.TrimSpace(e.val.text), line: e.line, at: at})
}

// farFutureLimit is the first instant a load on today's (UTC) day
// reports: the day after the one farFutureYears later.
func farFutureLimit(today time.Time) time.Time {
	return talkfeed.UTCDay(today).AddDate(farFutureYears, 0, 1)
}

// farFuture returns a warning for each of the page's dates on or after
// limit. An end is reported only when the start is not, since an end
// after a far start is far too.
func (r *pageResult) farFuture(limit time.Time) []talkfeed.Diagnostic {
	far := func(d pageDate) bool { return !d.at.Before(limit) }
	startFar := false
	for _, d := range r.dates {
		if d.role == roleStart && far(d) {
			startFar = true
		}
	}
	var diags []talkfeed.Diagnostic
	for _, d := range r.dates {
		if !far(d) || (d.role == roleEnd && startFar) {
			continue
		}
		effect := map[dateRole]string{
			roleStart:     "The talk is listed as upcoming until then",
			roleEnd:       "The talk is listed as running until then",
			rolePublished: "It is not used as the announcement: feeds date the talk by when it was first seen",
		}[d.role]
		diags = append(diags, talkfeed.Diagnostic{
			File: r.path, Line: d.line, Severity: talkfeed.SeverityWarning,
			Message: fmt.Sprintf("%s %s is more than %d years after today; a placeholder? %s", d.key, d.text, farFutureYears, effect),
		})
	}
	return diags
}
