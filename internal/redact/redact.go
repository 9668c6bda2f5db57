// Package redact keeps secret URLs out of logs and errors. A Slack
// webhook's path is its credential; any URL may carry a password or a
// token in its user info or query.
package redact

import (
	"errors"
	"net/url"
	"strings"
)

// URL is a URL as a log line may show it: its scheme and host, and "…"
// for whatever follows ("https://hooks.slack.com/…"); never a user, path
// or query.
func URL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return "…"
	}
	s := u.Scheme + "://" + u.Host
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.Fragment != "" {
		s += "/…"
	}
	return s
}

// Error returns err with every trace of the secret URL raw replaced by
// URL(raw): net/http's errors name the URL they were asked for
// (`Post "https://hooks.slack.com/services/…": dial tcp …`), and a
// redirect's error the URL it was sent to. The result still unwraps to
// err's cause, so errors.Is(err, context.DeadlineExceeded) holds.
func Error(err error, raw string) error {
	if err == nil {
		return nil
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		shown := URL(ue.URL)
		if shown == "…" { // a relative redirect: still the same host
			shown = URL(raw)
		}
		return &url.Error{Op: ue.Op, URL: shown, Err: scrubbed(ue.Err, raw)}
	}
	return scrubbed(err, raw)
}

// scrubbed is err with the secret's parts cut out of its message.
func scrubbed(err error, raw string) error {
	if err == nil {
		return nil
	}
	msg := Text(err.Error(), raw)
	if msg == err.Error() {
		return err
	}
	return &scrubbedError{msg: msg, err: err}
}

// Text is s with the URL raw, its path, query and user info (as written
// and escaped) replaced, for text a remote or a library wrote, such as a
// response body that echoes the request.
func Text(s, raw string) string {
	if raw == "" {
		return s
	}
	s = strings.ReplaceAll(s, raw, URL(raw))
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return s
	}
	var secrets []string
	for _, p := range []string{u.EscapedPath(), u.Path, u.RawQuery, u.User.String()} {
		if len(p) > 1 {
			secrets = append(secrets, p)
		}
	}
	for _, p := range secrets {
		s = strings.ReplaceAll(s, p, "…")
	}
	return s
}

type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }

// Unwrap gives the cause's kind, for errors.Is, behind its own message.
func (e *scrubbedError) Unwrap() error { return errors.Unwrap(e.err) }
