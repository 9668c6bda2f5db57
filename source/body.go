package source

import (
	"bytes"
	"net/url"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// bodyRenderer turns a page's Markdown into safe HTML. It is built once per
// loader and is safe for concurrent use.
type bodyRenderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
	// maxMarkdown is the largest body rendered as Markdown
	// (maxMarkdownBody; tests lift it).
	maxMarkdown int
}

func newBodyRenderer() *bodyRenderer {
	md := goldmark.New(
		goldmark.WithParser(parser.NewParser(
			parser.WithBlockParsers(parser.DefaultBlockParsers()...),
			parser.WithInlineParsers(inlineParsers()...),
			parser.WithParagraphTransformers(parser.DefaultParagraphTransformers()...),
		)),
		// Typographer gives the curly quotes and dashes that the reference
		// site's generator (Metalsmith with smartypants) produced.
		goldmark.WithExtensions(extension.GFM, extension.Typographer),
		// Raw HTML passes through here because talk pages embed slides and
		// photos; bluemonday below is what makes it safe.
		goldmark.WithRendererOptions(gmhtml.WithUnsafe()),
	)
	p := bluemonday.UGCPolicy()
	// The pages are the team's own, not user comments: no nofollow.
	p.RequireNoFollowOnLinks(false)
	p.RequireParseableURLs(true)
	p.AllowURLSchemes("http", "https", "mailto")
	return &bodyRenderer{md: md, policy: p, maxMarkdown: maxMarkdownBody}
}

// renderedBody is the result of rendering one page body.
type renderedBody struct {
	html           string
	firstParagraph string
	slides, video  string // embeds found in the body
	// plain says the body was too large to render as Markdown and is
	// shown as text.
	plain bool
}

// maxMarkdownBody bounds the body rendered as Markdown. goldmark's cost
// is not linear in every input (a megabyte of mixed emphasis runs took
// over 10 s, of backticks 740 MB); a talk's abstract is a few KB, so a
// body past this is shown as plain text, with a warning.
const maxMarkdownBody = 128 << 10

// render converts Markdown to sanitized HTML whose links and images are
// absolute against base. Embedded frames (slides, videos), which feed
// readers and calendars do not show, become plain links.
func (r *bodyRenderer) render(src []byte, base *url.URL) (renderedBody, error) {
	var out renderedBody
	var buf bytes.Buffer
	if len(src) > r.maxMarkdown {
		out.plain = true
		plainParagraphs(&buf, src)
	} else if err := r.md.Convert(boundNesting(src), &buf); err != nil {
		return out, err
	}
	ctx := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(&buf, ctx)
	if err != nil {
		return out, err
	}
	var w bytes.Buffer
	for _, n := range nodes {
		rewriteNode(n, base, &out)
		if err := html.Render(&w, n); err != nil {
			return out, err
		}
	}
	out.html = strings.TrimSpace(r.policy.Sanitize(w.String()))
	out.firstParagraph = firstParagraph(out.html)
	return out, nil
}

func rewriteNode(n *html.Node, base *url.URL, out *renderedBody) {
	if n.Type == html.ElementNode {
		for i, a := range n.Attr {
			switch a.Key {
			case "href", "src", "poster", "cite":
				n.Attr[i].Val = absoluteURL(a.Val, base)
			}
		}
		if n.DataAtom == atom.Iframe || n.DataAtom == atom.Embed || n.DataAtom == atom.Object {
			replaceEmbed(n, out)
			return
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		rewriteNode(c, base, out)
	}
}

// replaceEmbed turns <iframe src=…> into <a href=…>, named after what it
// embeds, and remembers slides and videos for the event's links.
func replaceEmbed(n *html.Node, out *renderedBody) {
	src := ""
	for _, a := range n.Attr {
		if a.Key == "src" || (a.Key == "data" && src == "") {
			src = a.Val
		}
	}
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		n.RemoveChild(c)
		c = next
	}
	n.Type, n.Data, n.DataAtom, n.Attr = html.ElementNode, "a", atom.A, nil
	u, err := url.Parse(src)
	if src == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		n.Type, n.Data = html.TextNode, ""
		return
	}
	kind := embedKind(u)
	label := map[string]string{"slides": "Slides", "video": "Video"}[kind]
	if label == "" {
		label = "Embedded content"
	}
	switch kind {
	case "slides":
		if out.slides == "" {
			out.slides = src
		}
	case "video":
		if out.video == "" {
			out.video = src
		}
	}
	n.Attr = []html.Attribute{{Key: "href", Val: src}}
	n.AppendChild(&html.Node{Type: html.TextNode, Data: label + " (" + u.Host + ")"})
}

func embedKind(u *url.URL) string {
	host := strings.TrimPrefix(strings.ToLower(u.Host), "www.")
	switch {
	case host == "docs.google.com" && strings.HasPrefix(u.Path, "/presentation"),
		host == "slideshare.net", strings.HasSuffix(host, ".slideshare.net"),
		host == "speakerdeck.com", strings.HasSuffix(host, "slides.com"):
		return "slides"
	case host == "youtube.com", host == "youtube-nocookie.com", host == "youtu.be",
		host == "player.vimeo.com", host == "vimeo.com":
		return "video"
	}
	return ""
}

// absoluteURL resolves ref against base; protocol-relative references
// ("//host/x") become https. Anything unparseable is returned as is for the
// sanitizer to drop.
func absoluteURL(ref string, base *url.URL) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ref
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ref
	}
	if u.Scheme == "" && u.Host != "" {
		u.Scheme = "https"
		return u.String()
	}
	if base == nil || u.IsAbs() {
		return ref
	}
	return base.ResolveReference(u).String()
}

// firstParagraph returns the text of the first non-empty paragraph of
// sanitized HTML, shortened to a summary's length.
func firstParagraph(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	depth := 0
	var text strings.Builder
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken:
			if name, _ := z.TagName(); string(name) == "p" {
				depth++
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); string(name) == "p" && depth > 0 {
				depth--
				// The body's text, entity-decoded, may spell markup
				// ("&lt;script&gt;"); the summary is plain text like the
				// front matter's.
				if t, _ := plainText(text.String()); t != "" {
					return truncateText(t, summaryMaxRunes)
				}
				text.Reset()
			}
		case html.TextToken:
			if depth > 0 {
				text.Write(z.Text())
			}
		}
	}
}

const summaryMaxRunes = 300

// plainParagraphs writes src as text: its paragraphs (between blank
// lines), escaped, each in a <p>.
func plainParagraphs(w *bytes.Buffer, src []byte) {
	for para := range strings.SplitSeq(strings.ReplaceAll(string(src), "\r\n", "\n"), "\n\n") {
		if para = strings.TrimSpace(para); para != "" {
			w.WriteString("<p>")
			w.WriteString(html.EscapeString(para))
			w.WriteString("</p>\n")
		}
	}
}
