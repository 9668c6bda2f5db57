package pages

import (
	"bytes"
	"html/template"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/internal/generation"
)

// Lines keeps each talk's line of the subscribe page, rendered once: at
// 10,000 talks, rendering them all through html/template was most of a
// one-page reload. Like feeds.Fragments, a generation takes what the one
// before it kept and keeps what it was asked for; it must only follow one
// made with the same Options. A nil Lines renders every line every time.
type Lines = generation.Cache[template.HTML]

// NewLines starts a generation that takes what prev has (nil for none).
func NewLines(prev *Lines) *Lines { return generation.Next(prev) }

// line is the talk's "talkline", escaped as in the page's list (an
// element's content), so the page puts it in as it is.
func line(l *Lines, e *talkfeed.Event) (template.HTML, error) {
	render := func() (template.HTML, error) {
		var b bytes.Buffer
		if err := templates.ExecuteTemplate(&b, "talkline", e); err != nil {
			return "", err
		}
		return template.HTML(b.String()), nil
	}
	if l == nil {
		return render()
	}
	return l.Get(talkfeed.OutputKey(e), render)
}

func lines(l *Lines, evs []talkfeed.Event) ([]template.HTML, error) {
	out := make([]template.HTML, len(evs))
	for i := range evs {
		h, err := line(l, &evs[i])
		if err != nil {
			return nil, err
		}
		out[i] = h
	}
	return out, nil
}
