// Command genpages writes synthetic talk pages for benchmarks and manual
// load tests: go run ./bench/genpages -n 10000 -out /tmp/pages
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/talkfeed/talkfeed/bench/pagegen"
)

func main() {
	n := flag.Int("n", 10000, "number of pages")
	out := flag.String("out", "", "output folder (required)")
	seed := flag.Uint64("seed", 1, "random seed; the same seed gives the same pages")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "genpages: -out is required")
		os.Exit(2)
	}
	if err := pagegen.Write(*out, *n, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "genpages:", err)
		os.Exit(1)
	}
}
