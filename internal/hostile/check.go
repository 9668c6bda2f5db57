package hostile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// DangerousURL reports whether a URL, as a browser would read it, runs
// script or carries a document of its own: a javascript:, vbscript: or
// data: URL. Browsers drop ASCII white space and control characters in
// a scheme ("java\tscript:") and ignore its case, so this does too.
func DangerousURL(u string) bool {
	var b strings.Builder
	for _, r := range u {
		if r <= ' ' || r == 0x7f {
			continue
		}
		b.WriteRune(r)
	}
	s := strings.ToLower(b.String())
	for _, scheme := range []string{"javascript:", "vbscript:", "data:", "livescript:"} {
		if strings.HasPrefix(s, scheme) {
			return true
		}
	}
	return false
}

// activeElements run script, load other documents or restyle the page:
// none may come from a talk's content.
var activeElements = map[atom.Atom]bool{
	atom.Script: true, atom.Iframe: true, atom.Frame: true, atom.Frameset: true,
	atom.Object: true, atom.Embed: true, atom.Applet: true, atom.Style: true,
	atom.Base: true, atom.Link: true, atom.Meta: true, atom.Form: true,
	atom.Noscript: true, atom.Template: true,
}

// urlAttributes hold URLs a browser follows or loads.
var urlAttributes = map[string]bool{
	"href": true, "src": true, "action": true, "formaction": true, "poster": true,
	"cite": true, "data": true, "background": true, "longdesc": true, "usemap": true,
	"xlink:href": true, "ping": true, "manifest": true, "icon": true, "dynsrc": true, "lowsrc": true,
}

// CheckFragment parses s as HTML in a body, as a feed reader shows an
// item's title, summary or content, and returns what in it is active:
// script, frames, objects, styles, event-handler attributes and
// dangerous URLs. None is nil.
func CheckFragment(s string) error {
	ctx := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(s), ctx)
	if err != nil {
		return fmt.Errorf("does not parse as HTML: %v", err)
	}
	var problems []string
	for _, n := range nodes {
		problems = append(problems, activeIn(n, nil)...)
	}
	return problemsErr(problems)
}

// PageAllowance is what a whole page of the site may hold that no
// content may: its own script, stylesheet, JSON-LD and head.
type PageAllowance struct {
	// BaseURL is the site's: its assets/talkfeed.js and
	// assets/talkfeed.css are its own.
	BaseURL string
}

// CheckPage parses a whole HTML page and returns what in it is active
// beyond the site's own: the script and stylesheet under the base URL,
// JSON-LD that parses as JSON and names no dangerous URL, the head's
// meta and link elements (and their URLs), the empty data: icon.
func CheckPage(b []byte, a PageAllowance) error {
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("does not parse as HTML: %v", err)
	}
	return problemsErr(activeIn(doc, &a))
}

func problemsErr(problems []string) error {
	if len(problems) == 0 {
		return nil
	}
	if len(problems) > 10 {
		problems = append(problems[:10], fmt.Sprintf("and %d more", len(problems)-10))
	}
	return fmt.Errorf("active content: %s", strings.Join(problems, "; "))
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return a.Val, true
		}
	}
	return "", false
}

// activeIn walks n. With a page allowance it lets the site's own head
// through.
func activeIn(n *html.Node, page *PageAllowance) []string {
	var out []string
	var walk func(n *html.Node, inHead bool)
	walk = func(n *html.Node, inHead bool) {
		if n.Type == html.ElementNode {
			if n.DataAtom == atom.Head {
				inHead = true
			}
			out = append(out, activeElement(n, page, inHead)...)
			if n.DataAtom == atom.Script && page != nil {
				return // its text was checked as JSON-LD
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inHead)
		}
	}
	walk(n, false)
	return out
}

func activeElement(n *html.Node, page *PageAllowance, inHead bool) []string {
	var out []string
	name := n.Data
	if n.Namespace != "" {
		name = n.Namespace + ":" + n.Data
	}
	ownHead := page != nil && inHead
	switch {
	case n.Namespace == "" && activeElements[n.DataAtom]:
		if !ownHead || !ownHeadElement(n, page) {
			out = append(out, fmt.Sprintf("<%s> element", name))
		}
	case n.Namespace == "svg" && (n.Data == "script" || n.Data == "foreignObject" || n.Data == "animate" || n.Data == "set"):
		out = append(out, fmt.Sprintf("<%s> element", name))
	}
	for _, a := range n.Attr {
		key := strings.ToLower(a.Key)
		if a.Namespace != "" {
			key = a.Namespace + ":" + key
		}
		switch {
		case strings.HasPrefix(key, "on"):
			out = append(out, fmt.Sprintf("<%s %s=%q>", name, key, a.Val))
		case key == "srcdoc":
			out = append(out, fmt.Sprintf("<%s srcdoc>", name))
		case key == "style" && (strings.Contains(strings.ToLower(a.Val), "javascript") || strings.Contains(strings.ToLower(a.Val), "expression")):
			out = append(out, fmt.Sprintf("<%s style=%q>", name, a.Val))
		case key == "srcset" || key == "imagesrcset":
			for _, cand := range strings.Split(a.Val, ",") {
				if f := strings.Fields(cand); len(f) > 0 && DangerousURL(f[0]) {
					out = append(out, fmt.Sprintf("<%s %s=%q>", name, key, a.Val))
				}
			}
		case urlAttributes[key] || key == "xlink:href" || (a.Namespace == "xlink" && a.Key == "href"):
			if DangerousURL(a.Val) && !(ownHead && n.DataAtom == atom.Link && a.Val == "data:,") {
				out = append(out, fmt.Sprintf("<%s %s=%q>", name, key, a.Val))
			}
		}
	}
	if n.DataAtom == atom.Meta {
		if content, ok := attr(n, "content"); ok {
			equiv, _ := attr(n, "http-equiv")
			prop, _ := attr(n, "property")
			if prop == "" {
				prop, _ = attr(n, "name")
			}
			prop = strings.ToLower(prop)
			if strings.EqualFold(equiv, "refresh") {
				out = append(out, fmt.Sprintf("<meta http-equiv=refresh content=%q>", content))
			} else if (strings.HasSuffix(prop, "image") || strings.HasSuffix(prop, "url")) && DangerousURL(content) {
				out = append(out, fmt.Sprintf("<meta content=%q>", content))
			}
		}
	}
	return out
}

// ownHeadElement reports whether an element of a page's head is the
// site's own: its script, stylesheet and icon links, its meta elements
// and its JSON-LD (which must parse and name no dangerous URL).
func ownHeadElement(n *html.Node, page *PageAllowance) bool {
	switch n.DataAtom {
	case atom.Meta, atom.Link:
		return true // their attributes are checked like any other
	case atom.Script:
		typ, _ := attr(n, "type")
		if src, ok := attr(n, "src"); ok {
			return src == page.BaseURL+"assets/talkfeed.js" && n.FirstChild == nil
		}
		if typ != "application/ld+json" {
			return false
		}
		var text strings.Builder
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.TextNode {
				return false
			}
			text.WriteString(c.Data)
		}
		var v any
		if json.Unmarshal([]byte(text.String()), &v) != nil {
			return false
		}
		return !jsonHasDangerousURL(v, false)
	}
	return false
}

// jsonURLKeys are the JSON-LD keys whose values are URLs.
var jsonURLKeys = map[string]bool{"@id": true, "url": true, "image": true, "logo": true, "sameAs": true, "contentUrl": true, "embedUrl": true, "thumbnailUrl": true}

func jsonHasDangerousURL(v any, isURL bool) bool {
	switch t := v.(type) {
	case string:
		return isURL && DangerousURL(t)
	case []any:
		for _, x := range t {
			if jsonHasDangerousURL(x, isURL) {
				return true
			}
		}
	case map[string]any:
		for k, x := range t {
			if jsonHasDangerousURL(x, jsonURLKeys[k]) {
				return true
			}
		}
	}
	return false
}
