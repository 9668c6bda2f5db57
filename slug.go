package talkfeed

import (
	"strings"
	"unicode"

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
func Slug(text string) string {
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
