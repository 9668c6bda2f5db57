package source

import (
	"html"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/talkfeed/talkfeed"
)

// cleanText trims a scalar, folds runs of white space (newlines included)
// into one space and drops control characters.
func cleanText(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && !unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	return collapseSpace(s)
}

func collapseSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

// plainText strips any HTML from a field meant as plain text.
func plainText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return s
	}
	return collapseSpace(html.UnescapeString(stripTags(s)))
}

var tagRE = regexp.MustCompile(`<[^>]*>`)

func stripTags(s string) string { return tagRE.ReplaceAllString(s, " ") }

// truncateText cuts s to at most max runes at a word boundary, marking the
// cut with an ellipsis.
func truncateText(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	cut := 0
	n := 0
	lastSpace := -1
	for i, r := range s {
		if n == max-1 {
			cut = i
			break
		}
		if unicode.IsSpace(r) {
			lastSpace = i
		}
		n++
	}
	if lastSpace > cut/2 {
		cut = lastSpace
	}
	return strings.TrimRightFunc(s[:cut], func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) }) + "…"
}

// dedupeBySlug keeps the first of the texts that share a slug ("Fast
// Data", "fast-data") and drops those without one.
func dedupeBySlug(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		s := talkfeed.Slug(x)
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, x)
	}
	return out
}

// changedSpan returns the differing middle of two versions of a line,
// widened to whole words so that a warning shows "KafkaÂ®" and "Kafka®".
func changedSpan(before, after string) (string, string) {
	p := 0
	for p < len(before) && p < len(after) && before[p] == after[p] {
		p++
	}
	s := 0
	for s < len(before)-p && s < len(after)-p && before[len(before)-1-s] == after[len(after)-1-s] {
		s++
	}
	isSpace := func(b byte) bool { return b == ' ' || b == '\t' }
	for p > 0 && !isSpace(before[p-1]) {
		p--
	}
	for s > 0 && !isSpace(before[len(before)-s]) {
		s--
	}
	return before[p : len(before)-s], after[p : len(after)-s]
}
