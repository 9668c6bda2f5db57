package source

import (
	"regexp"
	"strings"

	"github.com/talkfeed/talkfeed"
)

// parseSpeakerText splits a free-form speaker string into people. The rule,
// documented in the README:
//
//  1. "&" and ";" separate groups: "Jörg Schad, Mesosphere & Biswajit Das,
//     Branch" is two groups.
//  2. Within a group, commas separate parts. The last part is an
//     affiliation when the group has exactly two parts and the last names no
//     one with "and" ("Matt Jarvis, Mesosphere"; "Johannes Unterstein and
//     Jörg Schad, Mesosphere"), or when the group has three or more parts
//     and an earlier part already closed the list of names with "and"
//     ("Sunil Shah, Kyle Kelly and Timmy Zhu, Yelp"). Otherwise every part
//     is a name ("Adit Madan, Jörg Schad, Omar Sobh").
//  3. Parts are split on " and " into names; a leading "and " (the Oxford
//     comma) is dropped.
//  4. The affiliation belongs to every name of its group, and a group
//     without one takes the next group's: "Daniel Mennell & Greg Erb,
//     Mesosphere" are both of Mesosphere.
//  5. "Name (Affiliation)" is also understood.
//
// Two names and nothing else, "Alice Smith, Bob Jones", read as a person
// and an affiliation; write "Alice Smith and Bob Jones" or a list.
func parseSpeakerText(s string) []talkfeed.Speaker {
	var groups [][]talkfeed.Speaker
	var affs []string
	for _, g := range splitAny(s, "&", ";") {
		names, aff := parseSpeakerGroup(g)
		if len(names) == 0 {
			continue
		}
		ss := make([]talkfeed.Speaker, len(names))
		for i, n := range names {
			ss[i] = talkfeed.Speaker{Name: n, Affiliation: aff}
		}
		groups = append(groups, ss)
		affs = append(affs, aff)
	}
	// Rule 4: carry an affiliation back to the groups before it that lack one.
	next := ""
	for i := len(groups) - 1; i >= 0; i-- {
		if affs[i] != "" {
			next = affs[i]
			continue
		}
		for j := range groups[i] {
			groups[i][j].Affiliation = next
		}
	}
	var out []talkfeed.Speaker
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

var parenAffRE = regexp.MustCompile(`^(.+?)\s*\(([^()]+)\)$`)

func parseSpeakerGroup(g string) (names []string, affiliation string) {
	g = strings.TrimSpace(g)
	if m := parenAffRE.FindStringSubmatch(g); m != nil && !strings.Contains(m[1], ",") {
		return splitNames(m[1]), strings.TrimSpace(m[2])
	}
	var parts []string
	for _, p := range strings.Split(g, ",") {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return nil, ""
	}
	last := parts[len(parts)-1]
	lastIsAffiliation := false
	if len(parts) >= 2 && !hasAnd(last) && !strings.HasPrefix(strings.ToLower(last), "and ") {
		if len(parts) == 2 {
			lastIsAffiliation = true
		} else {
			for _, p := range parts[:len(parts)-1] {
				if hasAnd(p) {
					lastIsAffiliation = true
					break
				}
			}
		}
	}
	if lastIsAffiliation {
		affiliation = last
		parts = parts[:len(parts)-1]
	}
	for _, p := range parts {
		names = append(names, splitNames(p)...)
	}
	return names, affiliation
}

var andRE = regexp.MustCompile(`(?i)\s+and\s+`)

func hasAnd(s string) bool { return andRE.MatchString(s) }

func splitNames(p string) []string {
	p = strings.TrimSpace(p)
	if len(p) > 4 && strings.EqualFold(p[:4], "and ") {
		p = p[4:]
	}
	var out []string
	for _, n := range andRE.Split(p, -1) {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}

func splitAny(s string, seps ...string) []string {
	parts := []string{s}
	for _, sep := range seps {
		var next []string
		for _, p := range parts {
			next = append(next, strings.Split(p, sep)...)
		}
		parts = next
	}
	return parts
}

// speakerFromItem reads one entry of a speaker list: a string is one
// person ("Name", "Name, Affiliation" or "Name (Affiliation)"), a mapping
// names its fields. plain cleans the names and affiliations.
func speakerFromItem(v *value, plain func(*value) string) (talkfeed.Speaker, bool) {
	switch v.kind {
	case scalarValue:
		t := plain(v)
		if t == "" {
			return talkfeed.Speaker{}, false
		}
		if m := parenAffRE.FindStringSubmatch(t); m != nil {
			return talkfeed.Speaker{Name: m[1], Affiliation: strings.TrimSpace(m[2])}, true
		}
		name, aff, _ := strings.Cut(t, ",")
		return talkfeed.Speaker{Name: strings.TrimSpace(name), Affiliation: strings.TrimSpace(aff)}, true
	case mapValue:
		var s talkfeed.Speaker
		for _, f := range v.fields {
			if f.val.kind != scalarValue {
				continue
			}
			switch f.norm {
			case "name", "fullname":
				s.Name = plain(f.val)
			case "affiliation", "company", "organization", "organisation", "org", "employer":
				s.Affiliation = plain(f.val)
			case "url", "link", "website", "homepage", "twitter", "profile":
				if s.URL == "" {
					s.URL = cleanText(f.val.text)
				}
			}
		}
		return s, s.Name != ""
	}
	return talkfeed.Speaker{}, false
}

// germanFold spells umlauts the way their owners do in handles
// ("joerg_schad").
var germanFold = strings.NewReplacer("ö", "oe", "ä", "ae", "ü", "ue", "Ö", "oe", "Ä", "ae", "Ü", "ue", "ß", "ss")

// assignSpeakerURLs gives each URL to a speaker: in order when there are as
// many URLs as speakers; else each to the speaker whose name its handle
// spells ("twitter.com/gregerb" is Greg Erb's), falling back to the first
// speaker still without one.
func assignSpeakerURLs(speakers []talkfeed.Speaker, urls []string) {
	if len(speakers) == 0 {
		return
	}
	if len(urls) == len(speakers) {
		for i, u := range urls {
			if speakers[i].URL == "" {
				speakers[i].URL = u
			}
		}
		return
	}
	for _, u := range urls {
		best, bestScore := -1, 0
		handle := urlHandle(u)
		for i, s := range speakers {
			if s.URL != "" {
				continue
			}
			if score := nameScore(s.Name, handle); score > bestScore {
				best, bestScore = i, score
			}
		}
		if best < 0 {
			for i, s := range speakers {
				if s.URL == "" {
					best = i
					break
				}
			}
		}
		if best >= 0 {
			speakers[best].URL = u
		}
	}
}

// nameScore counts the parts of a name (of three letters or more) that a
// handle contains, with umlauts spelled either way.
func nameScore(name, handle string) int {
	if handle == "" {
		return 0
	}
	score := 0
	seen := map[string]bool{}
	for _, spelling := range []string{talkfeed.Slug(name), talkfeed.Slug(germanFold.Replace(name))} {
		for _, part := range strings.Split(spelling, "-") {
			if len(part) >= 3 && !seen[part] && strings.Contains(handle, part) {
				seen[part] = true
				score++
			}
		}
	}
	return score
}
