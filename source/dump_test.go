package source

import (
	"context"
	"encoding/json"
	"os"
	"testing"
)

func TestDump(t *testing.T) {
	dir := os.Getenv("DUMP")
	if dir == "" {
		t.Skip()
	}
	root, _ := os.OpenRoot(dir)
	l, _ := NewLoader(Options{})
	res, err := l.Load(context.Background(), root.FS())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range res.Events {
		e.BodyHTML = e.BodyHTML[:min(len(e.BodyHTML), 300)]
		b, _ := json.MarshalIndent(e, "", " ")
		t.Log(string(b))
	}
}
