package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReloadTokenFromEnvOrFile(t *testing.T) {
	dir := t.TempDir()
	file := func(name, content string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	echoed := file("token", "tok\n") // as `echo tok > token` writes it
	for _, c := range []struct {
		name    string
		env     map[string]string
		want    string
		wantErr string
	}{
		{"none: the endpoint is off", nil, "", ""},
		{"file", map[string]string{"TALKFEED_RELOAD_TOKEN_FILE": echoed}, "tok", ""},
		{"env wins", map[string]string{"TALKFEED_RELOAD_TOKEN": " env-tok\n", "TALKFEED_RELOAD_TOKEN_FILE": echoed}, "env-tok", ""},
		{"empty file", map[string]string{"TALKFEED_RELOAD_TOKEN_FILE": file("empty", "")}, "", "empty"},
		{"blank file", map[string]string{"TALKFEED_RELOAD_TOKEN_FILE": file("blank", " \n\t\n")}, "", "empty"},
		{"missing file", map[string]string{"TALKFEED_RELOAD_TOKEN_FILE": filepath.Join(dir, "nope")}, "", "reload token file"},
		{"a 4 KiB token", map[string]string{"TALKFEED_RELOAD_TOKEN_FILE": file("long", strings.Repeat("t", 4096))}, strings.Repeat("t", 4096), ""},
		{"not a token file", map[string]string{"TALKFEED_RELOAD_TOKEN_FILE": file("huge", strings.Repeat("t", 4097))}, "", "over 4096 bytes"},
	} {
		got, err := reloadToken(func(k string) string { return c.env[k] })
		switch {
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%s: %q %v, want an error with %q", c.name, got, err, c.wantErr)
		case c.wantErr == "" && (err != nil || got != c.want):
			t.Errorf("%s: %q %v, want %q", c.name, got, err, c.want)
		}
	}
}
