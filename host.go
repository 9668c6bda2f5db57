package talkfeed

import "net/url"

// Host is the base URL's host name, without a port, or "localhost" when
// it has none: what the identifiers that must outlast a talk's content
// are made of (feed item tag URIs, calendar UIDs), so that feeds and
// calendars name a talk at the same host.
func (s Site) Host() string {
	if u, err := url.Parse(s.BaseURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "localhost"
}
