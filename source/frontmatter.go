package source

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	toml "github.com/pelletier/go-toml/v2"
	"gopkg.in/yaml.v3"

	"github.com/talkfeed/talkfeed"
)

// value is one front matter value with the position it was written at,
// whichever syntax it came from, so that every diagnostic can name the
// offending field's line.
type value struct {
	kind   valueKind
	text   string // scalar text as written, unquoted
	tag    string // "str", "int", "float", "bool", "null", "timestamp" or a TOML date type
	quoted bool   // a quoted YAML scalar: the author meant a string
	items  []*value
	fields []*entry
	line   int
	col    int
}

type valueKind int

const (
	scalarValue valueKind = iota
	listValue
	mapValue
)

// entry is one key of a mapping.
type entry struct {
	key  string // as written
	norm string // normalized for alias lookup
	line int
	col  int
	val  *value
}

// normKey folds a key so that `endDate`, `end_date` and `end-date` are one.
func normKey(k string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(k) {
		if r == '_' || r == '-' || r == ' ' {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// frontMatter is a page split into its front matter and body.
type frontMatter struct {
	syntax    string // "yaml" or "toml"
	text      []byte
	firstLine int // file line of the front matter's first line
	body      []byte
	bodyLine  int // file line of the body's first line
}

var errNoFrontMatter = errors.New("no front matter")

// readFrontMatter splits a page's text into its front matter's fields and
// its body, warning about repeated keys. It returns false for a page
// without usable front matter, which it reports as skipped or an error.
func readFrontMatter(text string, r *pageResult) (*page, []byte, bool) {
	fm, err := splitFrontMatter([]byte(text))
	if errors.Is(err, errNoFrontMatter) {
		r.skip(1, "no front matter (--- or +++ on the first line): not a talk page, skipped")
		start := strings.TrimSpace(text)
		r.blank = strings.HasPrefix("---", start) || strings.HasPrefix("+++", start)
		return nil, nil, false
	}
	if err != nil {
		r.errorf(1, "%v", err)
		return nil, nil, false
	}
	var root *value
	if fm.syntax == "toml" {
		root, err = parseTOML(fm.text, fm.firstLine)
	} else {
		root, err = parseYAML(fm.text, fm.firstLine)
	}
	if err != nil {
		var se *syntaxError
		if errors.As(err, &se) {
			r.add(talkfeed.SeverityError, se.line, se.col, "%s", se.msg)
		} else {
			r.errorf(fm.firstLine, "%v", err)
		}
		return nil, nil, false
	}
	pg, dups := newPage(root)
	for _, d := range dups {
		first := pg.fields[d.norm]
		r.warnf(d.line, "field %q repeats %q from line %d; the first is used", d.key, first.key, first.line)
	}
	return pg, fm.body, true
}

// splitFrontMatter finds a `---` (YAML) or `+++` (TOML) block at the top of
// the page. An unterminated block is an error at its opening line.
func splitFrontMatter(data []byte) (frontMatter, error) {
	var fm frontMatter
	first, rest, _ := bytes.Cut(data, []byte("\n"))
	delim := string(bytes.TrimRight(first, " \t"))
	switch delim {
	case "---":
		fm.syntax = "yaml"
	case "+++":
		fm.syntax = "toml"
	default:
		return fm, errNoFrontMatter
	}
	fm.firstLine = 2
	line := 2
	off := 0
	for off <= len(rest) {
		end := bytes.IndexByte(rest[off:], '\n')
		var l []byte
		if end < 0 {
			l = rest[off:]
		} else {
			l = rest[off : off+end]
		}
		t := string(bytes.TrimRight(l, " \t"))
		if t == delim || (fm.syntax == "yaml" && t == "...") {
			fm.text = rest[:off]
			if end < 0 {
				fm.body = nil
			} else {
				fm.body = rest[off+end+1:]
			}
			fm.bodyLine = line + 1
			return fm, nil
		}
		if end < 0 {
			break
		}
		off += end + 1
		line++
	}
	return fm, fmt.Errorf("front matter opened with %q on line 1 is never closed", delim)
}

// syntaxError is a front matter syntax error at a file line.
type syntaxError struct {
	line, col int
	msg       string
}

func (e *syntaxError) Error() string { return e.msg }

var yamlLineRE = regexp.MustCompile(`^yaml: (?:line (\d+): )?`)

// parseYAML reads YAML front matter into a value tree. Scalars keep their
// text as written, which is what lets the mapper read `19:00` as a time
// and `NO` as Norway whatever YAML version a tool would apply.
func parseYAML(text []byte, firstLine int) (*value, error) {
	// yaml.v3 leaves out the line of an error on the first line (its
	// line 0); a leading blank line makes every line reportable.
	firstLine--
	var doc yaml.Node
	if err := yaml.Unmarshal(append([]byte("\n"), text...), &doc); err != nil {
		msg := err.Error()
		line := firstLine
		if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
			msg = msg[len(m[0]):]
			if m[1] != "" {
				n, _ := strconv.Atoi(m[1])
				if yamlParserProblem(msg) {
					// yaml.v3 reports its parser's (not its scanner's)
					// lines 0-based.
					n++
				}
				line = firstLine + n - 1
			}
		}
		if strings.HasPrefix(msg, "mapping values are not allowed") {
			msg += ` (a value containing ": " needs quotes: title: "Kafka: the talk")`
		}
		var te *yaml.TypeError
		if errors.As(err, &te) && len(te.Errors) > 0 {
			msg = te.Errors[0]
		}
		return nil, &syntaxError{line: line, msg: "YAML: " + msg}
	}
	if doc.Kind == 0 { // empty front matter
		return &value{kind: mapValue, line: firstLine + 1}, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, &syntaxError{line: firstLine + root.Line - 1, msg: "front matter is not a mapping of fields"}
	}
	// Two bounds, two messages: the values written, and what aliases add
	// to them when expanded.
	n, line := countWritten(root, maxFrontMatterValues)
	if n > maxFrontMatterValues {
		return nil, &syntaxError{line: firstLine + line - 1, msg: fmt.Sprintf("front matter has over %d values; not read", maxFrontMatterValues)}
	}
	c := yamlConverter{lineOffset: firstLine - 1, budget: n + maxAliasExpansion}
	v := c.convert(root, 0)
	if c.budget < 0 {
		return nil, &syntaxError{line: firstLine + 1, msg: fmt.Sprintf("front matter's aliases expand to over %d more values (an alias bomb?); not read", maxAliasExpansion)}
	}
	return v, nil
}

// maxFrontMatterValues bounds the values a front matter may hold as
// written: ten thousand tags pass, a page that is little but values
// (the page size allows some 260,000) does not.
const maxFrontMatterValues = 50000

// maxAliasExpansion bounds the values that aliases may add when expanded,
// so that nested aliases (the "billion laughs") cannot exhaust memory.
const maxAliasExpansion = 10000

// countWritten counts a YAML tree's nodes as written, an alias one node,
// stopping past max; line is the (YAML) line of the top-level key whose
// value crossed max.
func countWritten(root *yaml.Node, max int) (n, line int) {
	var walk func(*yaml.Node)
	walk = func(x *yaml.Node) {
		n++
		for _, c := range x.Content {
			if n > max {
				return
			}
			walk(c)
		}
	}
	n = 1
	for i := 0; i+1 < len(root.Content) && n <= max; i += 2 {
		line = root.Content[i].Line
		n++ // the key
		walk(root.Content[i+1])
	}
	return n, line
}

type yamlConverter struct {
	lineOffset int
	budget     int
}

// yamlParserProblem tells the problems raised by yaml.v3's parser, as
// opposed to its scanner, by their wording.
func yamlParserProblem(msg string) bool {
	for _, p := range []string{"did not find expected", "found undefined tag handle", "found duplicate", "found incompatible"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

func (c *yamlConverter) convert(n *yaml.Node, depth int) *value {
	c.budget--
	for n.Kind == yaml.AliasNode && n.Alias != nil && depth < 32 {
		n = n.Alias
		depth++
	}
	v := &value{line: n.Line + c.lineOffset, col: n.Column}
	if depth > 32 || c.budget < 0 { // alias cycles, absurd nesting and expansion end here
		return v
	}
	switch n.Kind {
	case yaml.SequenceNode:
		v.kind = listValue
		for _, e := range n.Content {
			v.items = append(v.items, c.convert(e, depth+1))
		}
	case yaml.MappingNode:
		v.kind = mapValue
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			v.fields = append(v.fields, &entry{
				key: k.Value, norm: normKey(k.Value),
				line: k.Line + c.lineOffset, col: k.Column,
				val: c.convert(val, depth+1),
			})
		}
	default:
		v.kind = scalarValue
		v.text = n.Value
		v.tag = strings.TrimPrefix(n.ShortTag(), "!!")
		v.quoted = n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0
	}
	return v
}

// parseTOML reads TOML front matter into a value tree. The TOML decoder
// does not report where each key is, so top-level keys are found in the
// text; nested values carry their key's line.
func parseTOML(text []byte, firstLine int) (*value, error) {
	var m map[string]any
	if err := toml.Unmarshal(text, &m); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, col := de.Position()
			return nil, &syntaxError{line: firstLine + row - 1, col: col, msg: "TOML: " + de.Error()}
		}
		return nil, &syntaxError{line: firstLine, msg: "TOML: " + err.Error()}
	}
	lines := tomlKeyLines(text, firstLine)
	root := &value{kind: mapValue, line: firstLine}
	for k, v := range m {
		line := lines[k]
		if line == 0 {
			line = firstLine
		}
		root.fields = append(root.fields, &entry{key: k, norm: normKey(k), line: line, val: fromTOML(v, line)})
	}
	slices.SortFunc(root.fields, func(a, b *entry) int {
		if a.line != b.line {
			return a.line - b.line
		}
		return strings.Compare(a.key, b.key)
	})
	n := 0
	for _, e := range root.fields {
		if n += 1 + countValues(e.val); n > maxFrontMatterValues {
			return nil, &syntaxError{line: e.line, msg: fmt.Sprintf("front matter has over %d values; not read", maxFrontMatterValues)}
		}
	}
	return root, nil
}

var tomlKeyRE = regexp.MustCompile(`^\s*(?:\[\[?\s*)?("([^"]+)"|'([^']+)'|[A-Za-z0-9_-]+)`)

// tomlKeyLines maps each top-level key (or table name) to its first line.
func tomlKeyLines(text []byte, firstLine int) map[string]int {
	lines := map[string]int{}
	inTable := false
	for i, l := range strings.Split(string(text), "\n") {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		isTable := strings.HasPrefix(t, "[")
		if inTable && !isTable {
			continue // a key inside a table
		}
		m := tomlKeyRE.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		key := m[1]
		if m[2] != "" {
			key = m[2]
		} else if m[3] != "" {
			key = m[3]
		}
		if isTable {
			inTable = true
		}
		if _, ok := lines[key]; !ok {
			lines[key] = firstLine + i
		}
	}
	return lines
}

// countValues counts the values below v, v included.
func countValues(v *value) int {
	n := 1
	for _, it := range v.items {
		n += countValues(it)
	}
	for _, f := range v.fields {
		n += 1 + countValues(f.val)
	}
	return n
}

func fromTOML(x any, line int) *value {
	v := &value{line: line}
	switch t := x.(type) {
	case []any:
		v.kind = listValue
		for _, it := range t {
			v.items = append(v.items, fromTOML(it, line))
		}
	case []map[string]any:
		v.kind = listValue
		for _, it := range t {
			v.items = append(v.items, fromTOML(it, line))
		}
	case map[string]any:
		v.kind = mapValue
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			v.fields = append(v.fields, &entry{key: k, norm: normKey(k), line: line, val: fromTOML(t[k], line)})
		}
	case string:
		v.text, v.tag, v.quoted = t, "str", true
	case bool:
		v.text, v.tag = strconv.FormatBool(t), "bool"
	case int64:
		v.text, v.tag = strconv.FormatInt(t, 10), "int"
	case float64:
		v.text, v.tag = strconv.FormatFloat(t, 'f', -1, 64), "float"
		if math.IsInf(t, 0) || math.IsNaN(t) {
			v.text = fmt.Sprint(t)
		}
	case time.Time:
		v.text, v.tag = t.Format(time.RFC3339Nano), "timestamp"
	case toml.LocalDate:
		v.text, v.tag = t.String(), "timestamp"
	case toml.LocalDateTime:
		v.text, v.tag = t.String(), "timestamp"
	case toml.LocalTime:
		v.text, v.tag = t.String(), "str"
	default:
		v.text, v.tag = fmt.Sprint(t), "str"
	}
	return v
}
