package pages

import (
	"bytes"
	"html/template"
	"sync"

	"github.com/talkfeed/talkfeed"
)

// Lines keeps each talk's line of the subscribe page, rendered once: at
// 10,000 talks, rendering them all through html/template was most of a
// one-page reload. Like feeds.Fragments, a generation takes what the one
// before it kept and keeps what it was asked for; it must only follow one
// made with the same Options. Safe for concurrent use; a nil Lines
// renders every line every time.
type Lines struct {
	mu        sync.Mutex
	prev, cur map[string]template.HTML
}

// NewLines starts a generation that takes what prev has (nil for none).
func NewLines(prev *Lines) *Lines {
	l := &Lines{cur: map[string]template.HTML{}}
	if prev != nil {
		prev.mu.Lock()
		l.prev = prev.cur
		prev.mu.Unlock()
	}
	return l
}

// line is the talk's "talkline", escaped as in the page's list (an
// element's content), so the page puts it in as it is.
func (l *Lines) line(e *talkfeed.Event) (template.HTML, error) {
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
	key := talkfeed.OutputKey(e)
	l.mu.Lock()
	h, ok := l.cur[key]
	if !ok {
		h, ok = l.prev[key]
	}
	l.mu.Unlock()
	if !ok {
		var err error
		if h, err = render(); err != nil {
			return "", err
		}
	}
	l.mu.Lock()
	l.cur[key] = h
	l.mu.Unlock()
	return h, nil
}

func (l *Lines) lines(evs []talkfeed.Event) ([]template.HTML, error) {
	out := make([]template.HTML, len(evs))
	for i := range evs {
		h, err := l.line(&evs[i])
		if err != nil {
			return nil, err
		}
		out[i] = h
	}
	return out, nil
}
