package source

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// decodePage turns a page's bytes into text with "\n" line endings and no
// byte order mark, repairing double-encoded UTF-8 with a warning per line.
// A binary file or one that is not UTF-8 is an error, and false.
func decodePage(data []byte, r *pageResult) (string, bool) {
	if bytes.IndexByte(data, 0) >= 0 {
		r.errorf(1, "binary file, not a text page; not read")
		return "", false
	}
	if !utf8.Valid(data) {
		r.errorf(invalidUTF8Line(data), "not valid UTF-8; save the page as UTF-8")
		return "", false
	}
	text := string(bytes.TrimPrefix(data, []byte("\uFEFF")))
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	fixed, lines := repairMojibake(text)
	if len(lines) == 0 {
		return text, true
	}
	before := strings.Split(text, "\n")
	after := strings.Split(fixed, "\n")
	for _, n := range lines {
		from, to := changedSpan(before[n-1], after[n-1])
		r.warnf(n, "repaired double-encoded UTF-8: %q read as %q; fix the file's encoding", from, to)
	}
	return fixed, true
}

// invalidUTF8Line is the 1-based line of the first invalid UTF-8 byte.
func invalidUTF8Line(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return bytes.Count(data[:i], []byte("\n")) + 1
		}
		i += size
	}
	return 1
}

// repairMojibake undoes UTF-8 that was decoded a second time as Windows-1252
// or Latin-1 ("KafkaÂ®" for "Kafka®", "donâ€™t" for "don’t"), line by line,
// and returns the numbers (1-based) of the lines it changed.
//
// It works on runs of non-ASCII characters only: each run is turned back
// into the bytes it was decoded from, and the multi-byte UTF-8 sequences
// found there are decoded again. Characters that do not form such a
// sequence stay as they were, so real text ("Jörg", "Grüße") is never
// touched: a lone Latin-1 letter is not valid UTF-8, and a letter followed
// by a symbol in 0x80–0xBF ("Ã©") almost never occurs in real writing.
func repairMojibake(text string) (string, []int) {
	if !hasSuspect(text) {
		return text, nil
	}
	lines := strings.SplitAfter(text, "\n")
	var changed []int
	for i := range lines {
		// Text can be mangled more than once; three rounds undo any
		// realistic depth.
		fixedAny := false
		for round := 0; round < 3; round++ {
			fixed, ok := repairLine(lines[i])
			if !ok {
				break
			}
			lines[i], fixedAny = fixed, true
		}
		if fixedAny {
			changed = append(changed, i+1)
		}
	}
	if len(changed) == 0 {
		return text, nil
	}
	return strings.Join(lines, ""), changed
}

// hasSuspect is a fast pre-check: mojibake of UTF-8 always contains a
// character from U+00C2 to U+00F4 (a decoded lead byte).
func hasSuspect(s string) bool {
	for _, r := range s {
		if r >= 0xC2 && r <= 0xF4 {
			return true
		}
	}
	return false
}

// latinByte returns the byte that r was decoded from under Windows-1252
// (or Latin-1 for the C1 controls Windows-1252 leaves undefined).
//
// It asks the character map itself, a read-only table, and not an
// x/text Encoder: an Encoder is not safe for concurrent use, and the
// loader's workers repair pages at once.
func latinByte(r rune) (byte, bool) {
	if r >= 0x80 && r <= 0xFF {
		return byte(r), true
	}
	if r > 0xFF {
		if b, ok := charmap.Windows1252.EncodeRune(r); ok && b >= 0x80 {
			return b, true
		}
	}
	return 0, false
}

func repairLine(line string) (string, bool) {
	var out strings.Builder
	changed := false
	runes := []rune(line)
	for i := 0; i < len(runes); {
		if runes[i] < 0x80 {
			out.WriteRune(runes[i])
			i++
			continue
		}
		// Collect a run of characters that map back to single bytes.
		j := i
		var raw []byte
		for j < len(runes) {
			b, ok := latinByte(runes[j])
			if !ok {
				break
			}
			raw = append(raw, b)
			j++
		}
		if j == i { // a character outside Windows-1252: real text
			out.WriteRune(runes[i])
			i++
			continue
		}
		// Decode the run: take each valid multi-byte sequence, keep the
		// original character for every other byte.
		for k := 0; k < len(raw); {
			r, size := utf8.DecodeRune(raw[k:])
			if r != utf8.RuneError && size > 1 {
				out.WriteRune(r)
				changed = true
				k += size
				continue
			}
			out.WriteRune(runes[i+k])
			k++
		}
		i = j
	}
	if !changed {
		return line, false
	}
	return out.String(), true
}
