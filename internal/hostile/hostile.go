// Package hostile holds the hostile-page corpus: talk pages written to
// break the loader and the renderers (invalid syntax, wrong types,
// impossible dates, active HTML in every field, pathological Markdown),
// for the table test in publish/ and as seeds of the fuzz targets.
//
// The small pages are files under testdata/, one per case, named for
// what they are. The large ones (megabyte lines, ten thousand tags,
// Markdown nested ten thousand deep) are generated from a size by
// Generators, so that the repository holds specs, not megabytes.
package hostile

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

//go:embed testdata
var files embed.FS

// Pages returns the stored pages, by file name.
func Pages() fs.FS {
	sub, err := fs.Sub(files, "testdata")
	if err != nil {
		panic(err) // unreachable: the folder is embedded above
	}
	return sub
}

// Names returns the stored pages' file names, sorted.
func Names() []string {
	entries, err := fs.ReadDir(Pages(), ".")
	if err != nil {
		panic(err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() {
			out = append(out, e.Name())
		}
	}
	slices.Sort(out)
	return out
}

// Page returns a stored page's bytes.
func Page(name string) []byte {
	b, err := fs.ReadFile(Pages(), name)
	if err != nil {
		panic(err)
	}
	return b
}

// A Generator makes one large hostile page from a size: Make(Size) is the
// page the table test loads, Make of a small size a fuzz seed of the same
// shape.
type Generator struct {
	// Name is the file name the page is loaded as.
	Name string
	// Size is the hostile size: a count of repetitions, not always bytes.
	Size int
	Make func(n int) []byte
}

// SeedSize is the size fuzz seeds are generated at: the shape, small.
const SeedSize = 40

// head is the front matter of a generated page whose body is hostile.
func head(title string) string {
	return "---\ntitle: " + title + "\ndate: 2026-12-01 18:30\ntimezone: Europe/Berlin\n---\n"
}

func body(title string, f func(n int) string) func(int) []byte {
	return func(n int) []byte { return []byte(head(title) + f(n) + "\n") }
}

// Generators are the large pages, by name.
var Generators = []Generator{
	// Sizes: the page limit is 1 MiB; these stay just under it.
	{"long-line-1mib-body.md", 1<<20 - 100, body("A megabyte line", func(n int) string { return strings.Repeat("x", n) })},
	{"long-line-1mib-title.md", 1<<20 - 100, func(n int) []byte {
		return []byte("---\ntitle: " + strings.Repeat("Long ", n/5) + "\ndate: 2026-12-01\n---\nBody.\n")
	}},
	{"long-line-1mib-words.md", 1<<20 - 100, body("A megabyte paragraph", func(n int) string { return strings.Repeat("word ", n/5) })},
	{"over-size-limit.md", 1<<20 + 1, func(n int) []byte {
		h := head("Over the limit")
		return []byte(h + strings.Repeat("x", max(0, n-len(h))))
	}},
	{"many-lines.md", 500000, body("Many empty lines", func(n int) string { return strings.Repeat("\n", n) + "end" })},
	{"many-paragraphs.md", 200000, body("Many paragraphs", func(n int) string { return strings.Repeat("p\n\n", n) })},

	// Counts of front matter values.
	// A front matter holds at most 10,000 values: a list of 10,000 tags
	// is over, one of 9,000 is not.
	{"tags-10000.md", 10000, tagList("Ten thousand tags")},
	{"tags-9000.md", 9000, tagList("Nine thousand tags")},
	{"tags-10000-comma-text.md", 10000, func(n int) []byte {
		tags := make([]string, n)
		for i := range tags {
			tags[i] = fmt.Sprintf("t%d", i)
		}
		return []byte("---\ntitle: Ten thousand tags in one line\ndate: 2026-12-01\ntags: " + strings.Join(tags, ", ") + "\n---\nBody.\n")
	}},
	{"tags-9000-same-slug.md", 9000, func(n int) []byte {
		var b strings.Builder
		b.WriteString("---\ntitle: Tags with one slug\ndate: 2026-12-01\ntags:\n")
		for i := range n {
			// "Fast Data", "fast-data", "FAST_DATA", … all slug alike.
			fmt.Fprintf(&b, "  - \"Fast%sData\"\n", strings.Repeat(" ", 1+i%7))
		}
		b.WriteString("---\n")
		return []byte(b.String())
	}},
	{"speakers-2400-list.md", 2400, func(n int) []byte {
		var b strings.Builder
		b.WriteString("---\ntitle: Speakers up to the value limit\ndate: 2026-12-01\nspeakers:\n")
		for i := range n {
			fmt.Fprintf(&b, "  - name: Speaker %d\n    url: https://example.org/s/%d\n    affiliation: Org %d\n", i, i, i%10)
		}
		b.WriteString("---\nBody.\n")
		return []byte(b.String())
	}},
	{"speakers-10000-text.md", 10000, func(n int) []byte {
		names := make([]string, n)
		for i := range names {
			names[i] = fmt.Sprintf("Person %d and Other %d, Org %d", i, i, i)
		}
		return []byte("---\ntitle: Ten thousand speaker groups\ndate: 2026-12-01\nspeaker: " + strings.Join(names, " & ") + "\n---\n")
	}},
	{"categories-9000.md", 9000, func(n int) []byte {
		var b strings.Builder
		b.WriteString("---\ntitle: Nine thousand categories\ndate: 2026-12-01\ncategories:\n")
		for i := range n {
			fmt.Fprintf(&b, "  - Category %d\n", i)
		}
		b.WriteString("---\n")
		return []byte(b.String())
	}},
	{"yaml-50000-keys.md", 50000, func(n int) []byte {
		var b strings.Builder
		b.WriteString("---\ntitle: Fifty thousand keys\ndate: 2026-12-01\n")
		for i := range n {
			fmt.Fprintf(&b, "k%d: v\n", i)
		}
		b.WriteString("---\n")
		return []byte(b.String())
	}},
	{"yaml-9000-duplicate-keys.md", 9000, func(n int) []byte {
		var b strings.Builder
		b.WriteString("---\ntitle: Duplicate keys by spelling\ndate: 2026-12-01\n")
		for i := range n {
			// end_date, end-date, "end date", … are one field to the
			// loader; YAML sees distinct keys.
			sep := ""
			for d, k := 0, i; d < 9; d, k = d+1, k/3 {
				sep += []string{"_", "-", " "}[k%3]
			}
			fmt.Fprintf(&b, "end%sdate: 2026-12-02\n", sep)
		}
		b.WriteString("---\n")
		return []byte(b.String())
	}},
	// Front matter nesting and expansion.
	{"yaml-deep-flow-nesting.md", 100000, func(n int) []byte {
		return []byte("---\ntitle: Deep flow nesting\ndate: 2026-12-01\nx: " + strings.Repeat("[", n) + strings.Repeat("]", n) + "\n---\n")
	}},
	{"yaml-deep-flow-mapping.md", 100000, func(n int) []byte {
		return []byte("---\ntitle: Deep flow mapping\ndate: 2026-12-01\nx: " + strings.Repeat("{a: ", n) + "b" + strings.Repeat("}", n) + "\n---\n")
	}},
	{"yaml-deep-block-nesting.md", 1000, func(n int) []byte {
		var b strings.Builder
		b.WriteString("---\ntitle: Deep block nesting\ndate: 2026-12-01\nx:\n")
		for i := range n {
			fmt.Fprintf(&b, "%sa:\n", strings.Repeat(" ", i+1))
		}
		b.WriteString("---\n")
		return []byte(b.String())
	}},
	{"yaml-deep-nesting-in-title.md", 100000, func(n int) []byte {
		return []byte("---\ntitle: " + strings.Repeat("[", n) + strings.Repeat("]", n) + "\ndate: 2026-12-01\n---\n")
	}},
	{"yaml-alias-bomb-wide.md", 30, func(n int) []byte {
		// Each level refers to the one before it n times: n^levels values.
		var b strings.Builder
		b.WriteString("---\ntitle: Wide alias bomb\ndate: 2026-12-01\na0: &a0 [lol]\n")
		for lvl := 1; lvl <= 8; lvl++ {
			fmt.Fprintf(&b, "a%d: &a%d [", lvl, lvl)
			for i := range n {
				if i > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "*a%d", lvl-1)
			}
			b.WriteString("]\n")
		}
		b.WriteString("tags: *a8\n---\n")
		return []byte(b.String())
	}},
	{"yaml-alias-flood.md", 100000, func(n int) []byte {
		return []byte("---\ntitle: Alias flood\ndate: 2026-12-01\nx: &x y\ntags: [" + strings.Repeat("*x, ", n) + "*x]\n---\n")
	}},
	{"toml-deep-array-nesting.md", 100000, func(n int) []byte {
		return []byte("+++\ntitle = \"Deep TOML arrays\"\ndate = 2026-12-01\nx = " + strings.Repeat("[", n) + strings.Repeat("]", n) + "\n+++\n")
	}},
	{"toml-deep-inline-tables.md", 100000, func(n int) []byte {
		return []byte("+++\ntitle = \"Deep TOML tables\"\ndate = 2026-12-01\nx = " + strings.Repeat("{a = ", n) + "1" + strings.Repeat("}", n) + "\n+++\n")
	}},
	{"toml-deep-dotted-table.md", 50000, func(n int) []byte {
		return []byte("+++\ntitle = \"Deep dotted table\"\ndate = 2026-12-01\n[" + strings.TrimSuffix(strings.Repeat("a.", n), ".") + "]\nb = 1\n+++\n")
	}},

	// Pathological Markdown.
	{"markdown-nested-emphasis-10k.md", 10000, body("Nested emphasis", func(n int) string {
		return strings.Repeat("*_", n) + "x" + strings.Repeat("_*", n)
	})},
	{"markdown-nested-strong-10k.md", 10000, body("Nested strong", func(n int) string {
		return strings.Repeat("**", n) + "x" + strings.Repeat("**", n)
	})},
	{"markdown-emphasis-openers.md", 100000, body("Unmatched emphasis openers", func(n int) string { return strings.Repeat("*a ", n) })},
	{"markdown-emphasis-mixed.md", 100000, body("Mixed delimiter runs", func(n int) string { return strings.Repeat("*a_ **b__ ", n) })},
	{"markdown-strikethrough-flood.md", 100000, body("Strikethrough flood", func(n int) string { return strings.Repeat("~~a ", n) })},
	{"markdown-link-flood-40kb.md", 40 << 10, body("Link flood, 40 KB", func(n int) string { return strings.Repeat("[a](", n/4) })},
	{"markdown-link-flood-400kb.md", 400 << 10, body("Link flood, 400 KB", func(n int) string { return strings.Repeat("[a](", n/4) })},
	{"markdown-link-flood-unclosed-title.md", 100000, body("Link destinations with open titles", func(n int) string { return strings.Repeat("[a](b \"", n) })},
	{"markdown-bracket-flood.md", 500000, body("Bracket flood", func(n int) string { return strings.Repeat("[", n) })},
	{"markdown-closing-bracket-flood.md", 500000, body("Closing bracket flood", func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) })},
	{"markdown-image-flood.md", 200000, body("Image opener flood", func(n int) string { return strings.Repeat("![", n) })},
	{"markdown-bracket-pairs.md", 200000, body("Bracket pairs", func(n int) string { return strings.Repeat("[a]", n) })},
	{"markdown-reference-flood.md", 20000, body("Reference definitions and uses", func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "[r%d]: https://example.org/%d\n", i, i)
		}
		b.WriteString("\n")
		for i := range n {
			fmt.Fprintf(&b, "[x][r%d] ", i)
		}
		return b.String()
	})},
	{"markdown-deep-list.md", 10000, body("Deep list", func(n int) string { return strings.Repeat("- ", n) + "x" })},
	{"markdown-deep-ordered-list.md", 10000, body("Deep ordered list", func(n int) string { return strings.Repeat("1. ", n) + "x" })},
	{"markdown-deep-indented-list.md", 700, body("Deep indented list", func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "%s- item\n", strings.Repeat("  ", i))
		}
		return b.String()
	})},
	{"markdown-deep-quote.md", 10000, body("Deep block quote", func(n int) string { return strings.Repeat("> ", n) + "x" })},
	{"markdown-deep-quote-list.md", 10000, body("Quotes and lists", func(n int) string { return strings.Repeat("> - ", n) + "x" })},
	{"markdown-huge-table.md", 1000, body("Huge table", func(n int) string {
		cols := 100
		var b strings.Builder
		b.WriteString(strings.Repeat("| h ", cols) + "|\n" + strings.Repeat("|---", cols) + "|\n")
		for i := range n {
			fmt.Fprintf(&b, "%s|\n", strings.Repeat(fmt.Sprintf("| %d ", i), cols))
		}
		return b.String()
	})},
	{"markdown-table-amplification.md", 100000, body("Short rows under a wide header", func(n int) string {
		// GFM pads every row to the header's cells: a wide header and many
		// short rows ask for far more cells than the page holds.
		cols := 5000
		return strings.Repeat("|a", cols) + "|\n" + strings.Repeat("|-", cols) + "|\n" + strings.Repeat("x\n", n)
	})},
	{"markdown-table-wide.md", 200000, body("A table as wide as a page", func(n int) string {
		return strings.Repeat("|a", n) + "|\n" + strings.Repeat("|-", n) + "|\n"
	})},
	{"markdown-backtick-runs.md", 1400, body("Backtick runs of every length", func(n int) string {
		var b strings.Builder
		for i := 1; i <= n; i++ {
			b.WriteString(strings.Repeat("`", i))
			b.WriteString(" a ")
		}
		return b.String()
	})},
	{"markdown-backtick-flood.md", 500000, body("Backtick flood", func(n int) string { return strings.Repeat("`a", n) })},
	{"markdown-html-comment-flood.md", 200000, body("HTML comment openers", func(n int) string { return strings.Repeat("<!--", n) })},
	{"markdown-html-open-tag-flood.md", 200000, body("Unclosed tags", func(n int) string { return strings.Repeat("<a ", n) })},
	{"markdown-html-deep-nesting.md", 100000, body("Deep HTML nesting", func(n int) string { return strings.Repeat("<div>", n) })},
	{"markdown-html-deep-inline.md", 100000, body("Deep inline HTML", func(n int) string { return "x " + strings.Repeat("<b>", n) })},
	{"markdown-autolink-flood.md", 100000, body("Autolink flood", func(n int) string { return strings.Repeat("www.a", n) })},
	{"markdown-url-flood.md", 50000, body("URL flood", func(n int) string { return strings.Repeat("http://a.example/ ", n) })},
	{"markdown-entity-flood.md", 50000, body("Entity flood", func(n int) string { return strings.Repeat("&amp;&#x1F389;&#0;", n) })},
	{"markdown-escape-flood.md", 300000, body("Backslash flood", func(n int) string { return strings.Repeat("\\", n) })},
	{"markdown-heading-flood.md", 100000, body("Heading flood", func(n int) string { return strings.Repeat("# h\n", n) })},
	{"markdown-setext-flood.md", 100000, body("Setext flood", func(n int) string { return strings.Repeat("a\n=\n", n) })},
	{"markdown-fence-flood.md", 100000, body("Fence flood", func(n int) string { return strings.Repeat("```\n", n) })},
	{"markdown-script-flood.md", 12000, body("Script flood", func(n int) string {
		return strings.Repeat("<script>alert(1)</script><img src=x onerror=alert(1)>[x](javascript:alert(1))\n", n)
	})},
}

func tagList(title string) func(int) []byte {
	return func(n int) []byte {
		var b strings.Builder
		b.WriteString("---\ntitle: " + title + "\ndate: 2026-12-01\ntags:\n")
		for i := range n {
			fmt.Fprintf(&b, "  - tag-%d\n", i)
		}
		b.WriteString("---\nBody.\n")
		return []byte(b.String())
	}
}

// GeneratorNamed returns the generator of a name.
func GeneratorNamed(name string) (Generator, bool) {
	for _, g := range Generators {
		if g.Name == name {
			return g, true
		}
	}
	return Generator{}, false
}

// Seeds returns every stored page and every generated one at SeedSize:
// fuzz seeds of every shape the corpus has.
func Seeds() [][]byte {
	var out [][]byte
	for _, n := range Names() {
		out = append(out, Page(n))
	}
	for _, g := range Generators {
		out = append(out, g.Make(SeedSize))
	}
	return out
}
