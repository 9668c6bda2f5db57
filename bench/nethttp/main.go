// Command nethttp is the benchmark's floor for Go: the least a net/http
// server can do to serve one file from memory with a strong ETag and 304s.
// bench/serve.sh runs it beside nginx and talkfeed so that talkfeed's own
// cost can be told from net/http's.
//
//	go run ./bench/nethttp -addr 127.0.0.1:18183 -file site/feed.rss
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"log"
	"net/http"
	"os"
	"strconv"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18183", "listen address")
	file := flag.String("file", "", "file to serve at every path")
	flag.Parse()
	body, err := os.ReadFile(*file)
	if err != nil {
		log.Fatal(err)
	}
	sum := sha256.Sum256(body)
	etag := []string{`"` + hex.EncodeToString(sum[:16]) + `"`}
	length := []string{strconv.Itoa(len(body))}
	log.Fatal(http.ListenAndServe(*addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["Etag"] = etag
		if r.Header.Get("If-None-Match") == etag[0] {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		h["Content-Length"] = length
		w.Write(body)
	})))
}
