package talkfeed

// Site is the publication's identity, shared by every output.
type Site struct {
	Title       string
	Description string
	// BaseURL is absolute and ends in a slash.
	BaseURL  string
	Language string
	// Icon is an absolute URL of a square image for feed readers.
	Icon string
}
