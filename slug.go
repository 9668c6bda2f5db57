package talkfeed

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// foldSpecial spells the letters that do not decompose into a base letter
// and a mark the way slug libraries of static site generators do.
var foldSpecial = map[rune]string{
	'ß': "ss", 'æ': "ae", 'Æ': "ae", 'œ': "oe", 'Œ': "oe", 'ø': "o", 'Ø': "o",
	'ł': "l", 'Ł': "l", 'đ': "d", 'Đ': "d", 'ð': "d", 'þ': "th", 'ı': "i",
	'&': "and",
}

// Slug makes a URL path segment from text: lower case, accents removed,
// every other run of non-alphanumerics a single hyphen, as the reference
// site's generator did ("DC/OS" → "dc-os", "Jörg" → "jorg"). Letters of
// scripts without a Latin form are kept, so a title in Japanese still has a
// slug.
func Slug(text string) string {
	var b strings.Builder
	pendingHyphen := false
	for _, r := range norm.NFKD.String(text) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		var piece string
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			piece = string(unicode.ToLower(r))
		case foldSpecial[r] != "":
			piece = foldSpecial[r]
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			piece = string(unicode.ToLower(r))
		case r == '\'' || r == '’' || r == '®' || r == '™' || r == '©':
			// Apostrophes and marks vanish rather than split a word:
			// "Don't" → "dont".
			continue
		default:
			pendingHyphen = b.Len() > 0
			continue
		}
		if pendingHyphen {
			b.WriteByte('-')
			pendingHyphen = false
		}
		b.WriteString(piece)
	}
	return b.String()
}
