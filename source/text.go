package source

import (
	"fmt"
	"html"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"

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

// plainPolicy removes every element: a front matter text field is plain
// text, and markup in it would run in any reader that shows it as HTML.
// The spaces keep "<p>a</p><p>b</p>" two words. A bluemonday Policy is
// safe for concurrent use.
var plainPolicy = bluemonday.StrictPolicy().AddSpaceWhenStrippingTag(true)

// maxUnescapeRounds bounds the strip-and-unescape rounds: each round
// undoes one level of entity encoding ("&amp;lt;b&amp;gt;").
const maxUnescapeRounds = 8

// textCleaning says what cleaning a plain-text value removed.
type textCleaning struct {
	markup    bool
	invisible []rune // the distinct invisible characters, in order met
}

// plainText makes a front matter value plain text: markup removed, also
// entity-encoded markup (decoded "&lt;script&gt;" would be markup again),
// entities decoded so that text stays text ("AT&amp;T" is "AT&T"),
// invisible and bidi control characters removed, white space folded.
func plainText(s string) (string, textCleaning) {
	var c textCleaning
	if strings.ContainsAny(s, "<&") {
		decoded := html.UnescapeString(s)
		settled := false
		for range maxUnescapeRounds {
			next := html.UnescapeString(plainPolicy.Sanitize(s))
			if settled = next == s; settled {
				break
			}
			s = next
		}
		if !settled {
			// Encoded deeper than the rounds undo: no bracket may stay.
			s = strings.NewReplacer("<", " ", ">", " ").Replace(s)
		}
		c.markup = collapseSpace(s) != collapseSpace(decoded)
	}
	s = dropInvisible(s, &c)
	return collapseSpace(s), c
}

// dropInvisible removes the characters that change how text reads without
// being seen: C0 and C1 controls other than white space, the bidi
// embeddings, overrides, isolates and marks ("gnp.exe" shown for
// "exe.png"), and the other format characters (zero-width space, soft
// hyphen, word joiner, BOM). It keeps the zero-width joiner and
// non-joiner, which emoji and several scripts need, the visible number
// signs of Arabic and other scripts, and tag characters that spell a flag
// after U+1F3F4.
func dropInvisible(s string, c *textCleaning) string {
	clean := true
	for _, r := range s {
		if r >= 0x80 || (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	var prev rune
	for _, r := range s {
		if invisible(r, prev) {
			if !slices.Contains(c.invisible, r) {
				c.invisible = append(c.invisible, r)
			}
			continue
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

func invisible(r, prev rune) bool {
	switch {
	case unicode.IsControl(r):
		return !unicode.IsSpace(r)
	case unicode.Is(unicode.Join_Control, r), unicode.Is(unicode.Prepended_Concatenation_Mark, r):
		return false
	case r >= 0xE0020 && r <= 0xE007F: // tags: only within a flag
		return prev != 0x1F3F4 && !(prev >= 0xE0020 && prev <= 0xE007F)
	}
	return unicode.Is(unicode.Bidi_Control, r) || unicode.Is(unicode.Cf, r)
}

// codePoints names characters as "U+202E, U+2066".
func codePoints(rs []rune) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmt.Sprintf("U+%04X", r)
	}
	return strings.Join(parts, ", ")
}

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
