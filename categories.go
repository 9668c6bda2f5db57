package talkfeed

// Categories are what feeds and calendars file the talk under: its
// category, its event name and its tags, in that order, each once (by
// slug, so "Fast Data" and "fast-data" are one).
func (e *Event) Categories() []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range append([]string{e.Category, e.EventName}, e.Tags...) {
		if s := Slug(c); s != "" && !seen[s] {
			seen[s] = true
			out = append(out, c)
		}
	}
	return out
}
