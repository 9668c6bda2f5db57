package talkfeed

// The status wording every output shares: the title, the one-line
// synopsis, a badge and a sentence, so that a feed reader, a calendar, a
// talk page and a Slack channel never say a talk's status differently.

// Cancelled reports whether the status is cancelled.
func (s Status) Cancelled() bool { return s == StatusCancelled }

// Label names a status that is not plainly confirmed, for a badge:
// "Cancelled", "To be confirmed"; "" otherwise.
func (s Status) Label() string {
	switch s {
	case StatusCancelled:
		return "Cancelled"
	case StatusTentative:
		return "To be confirmed"
	}
	return ""
}

// Note says the same in a sentence, for the page and the calendar entry:
// "This talk is cancelled.", "The date is to be confirmed."; "" otherwise.
func (s Status) Note() string {
	switch s {
	case StatusCancelled:
		return "This talk is cancelled."
	case StatusTentative:
		return "The date is to be confirmed."
	}
	return ""
}

// displayTitle marks a cancelled talk's title, "Cancelled: Kafka Meetup":
// a cancelled talk stays listed, and a reader who sees only titles (a
// feed reader's list, a calendar's grid) must still see that it is off.
func displayTitle(title string, s Status) string {
	if s.Cancelled() {
		return "Cancelled: " + title
	}
	return title
}

// DisplayTitle is the title the outputs show for the talk: its title,
// marked when it is cancelled.
func (e *Event) DisplayTitle() string { return displayTitle(e.Title, e.Status) }

// DisplayTitle is the title the outputs show for the talk as it was
// fingerprinted, the same as its event's.
func (f *Fingerprint) DisplayTitle() string { return displayTitle(f.Title, f.Status) }

// Synopsis is the talk in one line, for a feed item's summary and a link
// unfurl: its when and where, marked with its status, then its summary.
// "Cancelled. 21 January 2027, 19:00–21:00 CET · Madrid, Spain — …",
// "22 April 2027, 19:00 JST · 東京, Japan (to be confirmed) — …".
func (e *Event) Synopsis() string {
	s := e.When()
	if w := e.Where(); w != "" {
		s += " · " + w
	}
	switch e.Status {
	case StatusCancelled:
		s = "Cancelled. " + s
	case StatusTentative:
		s += " (to be confirmed)"
	}
	if e.Summary != "" {
		s += " — " + e.Summary
	}
	return s
}
