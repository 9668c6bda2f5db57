package source

import (
	"bytes"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// maxLinkDestination bounds a Markdown link's destination. goldmark
// scans a destination to its end at every "](", so a body of repeated
// "[a](" (no space, no ")") cost it time quadratic in the paragraph:
// 1 s at 40 KB, 169 s at 400 KB, blocking every reload. A destination
// this long is no URL a talk page links to (the body's sanitizer keeps
// only http, https and mailto, and drops data: URIs), so "](" before
// one is left as text.
const maxLinkDestination = 8 << 10

// boundedLinkParser is goldmark's link parser (a small layer over it,
// goldmark has no bound of its own) that declines a link whose
// destination would run past maxLinkDestination. Runs are measured once
// each: the end of the run a "](" falls in is kept in the parse context,
// so a flood of them costs linear time.
type boundedLinkParser struct {
	parser.InlineParser
}

var runEndKey = parser.NewContextKey()

// run is the extent of the source the last measurement covered: from
// start, no byte up to end ends a destination of the given form.
type run struct {
	start, end int
	angle      bool
}

func (p boundedLinkParser) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, seg := block.PeekLine()
	if len(line) >= 2 && line[0] == ']' && line[1] == '(' {
		src := block.Source()
		from := seg.Start + 2
		angle := from < len(src) && src[from] == '<'
		if runEnd(src, from, angle, pc)-from > maxLinkDestination {
			return nil
		}
	}
	return p.InlineParser.Parse(parent, block, pc)
}

// CloseBlock forwards to goldmark's parser, which turns unclosed
// brackets back into text.
func (p boundedLinkParser) CloseBlock(parent ast.Node, block text.Reader, pc parser.Context) {
	if c, ok := p.InlineParser.(parser.CloseBlocker); ok {
		c.CloseBlock(parent, block, pc)
	}
}

// runEnd is where a destination starting at from can end at the latest:
// the first space or line end for a plain one, the first ">" or line end
// for an <angle> one.
func runEnd(src []byte, from int, angle bool, pc parser.Context) int {
	if r, ok := pc.Get(runEndKey).(run); ok && r.angle == angle && from >= r.start && from <= r.end {
		return r.end
	}
	end := from
	for end < len(src) && !endsDestination(src[end], angle) {
		end++
	}
	pc.Set(runEndKey, run{start: from, end: end, angle: angle})
	return end
}

func endsDestination(c byte, angle bool) bool {
	if angle {
		return c == '>' || c == '\n' || c == '\r'
	}
	return util.IsSpace(c)
}

// inlineParsers are goldmark's defaults with the link parser bounded.
func inlineParsers() []util.PrioritizedValue {
	out := parser.DefaultInlineParsers()
	for i, v := range out {
		if v.Value == parser.NewLinkParser() {
			out[i].Value = boundedLinkParser{parser.NewLinkParser()}
		}
	}
	return out
}

// maxNesting bounds how deep a line nests block quotes, and maxListIndent
// how far a list item is indented (two columns a level). goldmark's cost
// grows with the square of the depth: a line of 80,000 ">" took 4 s,
// lists 800 deep 1.7 s. Past the bound a ">" is escaped and a list item's
// indentation cut, so the rest stays text at the deepest level.
const (
	maxNesting    = 32
	maxListIndent = 128
)

// boundNesting returns src with every line's quote depth and list
// indentation within bounds; src itself when all lines are (most pages).
func boundNesting(src []byte) []byte {
	var out []byte
	start := 0
	for start < len(src) {
		end := start
		for end < len(src) && src[end] != '\n' {
			end++
		}
		if end < len(src) {
			end++ // the line feed stays with its line
		}
		line := src[start:end]
		if fixed, ok := boundLine(line); ok {
			if out == nil {
				out = append(make([]byte, 0, len(src)+64), src[:start]...)
			}
			out = append(out, fixed...)
		} else if out != nil {
			out = append(out, line...)
		}
		start = end
	}
	if out == nil {
		return src
	}
	return out
}

// boundLine is line with the quote markers past maxNesting escaped and a
// list item's indentation past maxListIndent cut, and whether it changed.
func boundLine(line []byte) ([]byte, bool) {
	depth, i := 0, 0
	for i < len(line) && (line[i] == '>' || line[i] == ' ' || line[i] == '\t') {
		if line[i] == '>' {
			depth++
			if depth > maxNesting {
				return append(append(append([]byte(nil), line[:i]...), '\\'), line[i:]...), true
			}
		}
		i++
	}
	// The indentation of a list item after any quote markers.
	indent := 0
	j := i
	for j > 0 && (line[j-1] == ' ' || line[j-1] == '\t') {
		j--
	}
	for k := j; k < i; k++ {
		if line[k] == '\t' {
			indent += 4
		} else {
			indent++
		}
	}
	if isWideTableDelimiter(line[i:]) {
		// Escaping its first pipe makes it no delimiter row: the table
		// is text, its cells not padded out row by row.
		k := i + bytes.IndexByte(line[i:], '|')
		return append(append(append([]byte(nil), line[:k]...), '\\'), line[k:]...), true
	}
	if indent <= maxListIndent || !listMarker(line[i:]) {
		return line, false
	}
	return append(append(append([]byte(nil), line[:j]...), bytes.Repeat([]byte{' '}, maxListIndent)...), line[i:]...), true
}

// maxTableColumns bounds a GFM table's columns: goldmark pads every row
// to the header's cells, so a wide header over many short rows asked for
// far more cells than the page holds (a hang), and a 100,000-column one
// for 700 MB.
const maxTableColumns = 128

// isWideTableDelimiter reports whether s is a table's delimiter row
// ("|---|:-:|") of more than maxTableColumns columns.
func isWideTableDelimiter(s []byte) bool {
	pipes := 0
	for _, c := range s {
		switch c {
		case '|':
			pipes++
		case '-', ':', ' ', '\t', '\r', '\n':
		default:
			return false
		}
	}
	return pipes > maxTableColumns
}

// listMarker reports whether s starts with a list item's marker: "-",
// "+" or "*", or digits and "." or ")", then a space or the line's end.
func listMarker(s []byte) bool {
	n := 0
	for n < len(s) && n < 9 && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	switch {
	case n > 0 && n < len(s) && (s[n] == '.' || s[n] == ')'):
		n++
	case n == 0 && len(s) > 0 && (s[0] == '-' || s[0] == '+' || s[0] == '*'):
		n = 1
	default:
		return false
	}
	return n == len(s) || s[n] == ' ' || s[n] == '\t' || s[n] == '\n' || s[n] == '\r'
}
