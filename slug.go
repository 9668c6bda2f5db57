package talkfeed

import (
	"crypto/sha256"
	"encoding/hex"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// foldSpecial spells the Latin letters that do not decompose into a base
// letter and a mark the way slug libraries of static site generators do.
var foldSpecial = map[rune]string{
	'ß': "ss", 'æ': "ae", 'Æ': "ae", 'œ': "oe", 'Œ': "oe", 'ø': "o", 'Ø': "o",
	'ł': "l", 'Ł': "l", 'đ': "d", 'Đ': "d", 'ð': "d", 'þ': "th", 'ı': "i",
	'&': "and",
}

// Slug makes a URL path segment from text: lower case, Latin letters
// without their accents, every other run of non-alphanumerics a single
// hyphen, as the reference site's generator did ("DC/OS" → "dc-os", "Jörg"
// → "jorg"). Letters of other scripts are kept whole, marks included, so a
// title in Japanese or Hindi still has a readable slug.
//
// A slug is at most MaxSlugBytes: a longer one is cut (see BoundSegment),
// so that a 300-character title still makes a file name the tree can
// hold.
func Slug(text string) string { return BoundSegment(fullSlug(text), MaxSlugBytes) }

// CategorySlug is a category's folder name: its slug, or, for a category
// with none (only emoji, only punctuation), "c-" and 8 hex digits of its
// SHA-256, so that its feeds have a folder of their own (they were
// published at "category//", which no server serves).
func CategorySlug(category string) string {
	if s := Slug(category); s != "" || category == "" {
		return s
	}
	sum := sha256.Sum256([]byte(category))
	return "c-" + hex.EncodeToString(sum[:4])
}

// Bounds of the path segments the tree is made of. File systems refuse
// names over 255 bytes; the tree adds ".gz", ".br" or ".ics" to some.
const (
	// MaxSlugBytes bounds a slug: a URL stays readable, and the
	// reference site's longest (102 bytes) stays as it was.
	MaxSlugBytes = 150
	// MaxSegmentBytes bounds any other segment of a tree path (a
	// permalink's, an ID's).
	MaxSegmentBytes = 200
)

// hashSuffixLen is the "-" and 8 hex digits a cut segment ends in.
const hashSuffixLen = 9

// BoundSegment returns seg if it is at most limit bytes, else a cut of it
// within limit: its start, ended at a hyphen (a word boundary) when one
// is near enough, else at a rune boundary, then "-" and 8 hex digits of
// the whole segment's SHA-256, so that two long segments sharing their
// start stay apart; a short extension (".html") is kept. The same seg
// always gives the same cut, and a cut is its own cut.
func BoundSegment(seg string, limit int) string {
	if len(seg) <= limit {
		return seg
	}
	ext := path.Ext(seg)
	if len(ext) > 10 || len(ext) == len(seg) {
		ext = ""
	}
	sum := sha256.Sum256([]byte(seg))
	suffix := "-" + hex.EncodeToString(sum[:4]) + ext
	stem := seg[:len(seg)-len(ext)]
	n := max(limit-len(suffix), 0)
	for n > 0 && !utf8.RuneStart(stem[n]) {
		n--
	}
	stem = stem[:n]
	if i := strings.LastIndexByte(stem, '-'); i >= n/2 {
		stem = stem[:i]
	}
	return strings.TrimRight(stem, "-") + suffix
}

// BoundPath bounds every segment of a slash-separated path to
// MaxSegmentBytes (BoundSegment).
func BoundPath(p string) string {
	segs := strings.Split(p, "/")
	changed := false
	for i, s := range segs {
		if b := BoundSegment(s, MaxSegmentBytes); b != s {
			segs[i], changed = b, true
		}
	}
	if !changed {
		return p
	}
	return strings.Join(segs, "/")
}

// fullSlug is Slug before its bound.
func fullSlug(text string) string {
	var b strings.Builder
	pendingHyphen := false
	prevLatin := false
	emit := func(piece string) {
		if pendingHyphen {
			b.WriteByte('-')
			pendingHyphen = false
		}
		b.WriteString(piece)
	}
	for _, r := range norm.NFC.String(text) {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			emit(string(unicode.ToLower(r)))
			prevLatin = true
		case foldSpecial[r] != "":
			emit(foldSpecial[r])
			prevLatin = true
		case unicode.Is(unicode.Latin, r):
			// "ö" → "o": decompose and keep the base letter.
			for _, d := range norm.NFKD.String(string(unicode.ToLower(r))) {
				if d < unicode.MaxASCII && (unicode.IsLetter(d) || unicode.IsDigit(d)) {
					emit(string(d))
				}
			}
			prevLatin = true
		case unicode.Is(unicode.M, r):
			// A mark left after NFC: part of a non-Latin letter (keep) or
			// an accent no precomposed Latin letter absorbed (drop).
			if !prevLatin && b.Len() > 0 {
				emit(string(r))
			}
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			emit(string(unicode.ToLower(r)))
			prevLatin = false
		case r == '\'' || r == '’' || r == '®' || r == '™' || r == '©':
			// Apostrophes and marks vanish rather than split a word:
			// "Don't" → "dont".
		default:
			pendingHyphen = b.Len() > 0
		}
	}
	return b.String()
}
