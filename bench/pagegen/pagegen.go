// Package pagegen writes synthetic talk pages for benchmarks: the same n
// and seed always give the same files, mixing the dialects the loader
// reads (YAML and TOML, all-day and timed, speaker strings and lists).
package pagegen

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

var (
	cities     = []string{"Manchester, UK", "Berlin, Germany", "San Francisco, CA, USA", "Kolkata, India", "São Paulo, Brazil", "東京, Japan"}
	zones      = []string{"Europe/London", "Europe/Berlin", "America/Los_Angeles", "Asia/Kolkata", "America/Sao_Paulo", "Asia/Tokyo"}
	categories = []string{"Fast Data", "Containers", "Kubernetes", "Community", "CI/CD", "Security"}
	names      = []string{"Jörg Schad", "Matt Jarvis", "Elizabeth K. Joseph", "Ada Lovelace", "Søren Kjær", "Zoë Ngata", "Grace Hopper"}
)

// Write writes n pages below dir, 100 to a folder.
func Write(dir string, n int, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	for i := range n {
		sub := filepath.Join(dir, fmt.Sprintf("%03d", i/100))
		if i%100 == 0 {
			if err := os.MkdirAll(sub, 0o755); err != nil {
				return err
			}
		}
		ext := ".md"
		if i%10 == 9 {
			ext = ".markdown"
		}
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("talk-%05d%s", i, ext)), []byte(Page(i, rng)), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Page returns the text of page i.
func Page(i int, rng *rand.Rand) string {
	c := rng.IntN(len(cities))
	year := 2015 + rng.IntN(12)
	month := 1 + rng.IntN(12)
	day := 1 + rng.IntN(28)
	title := fmt.Sprintf("Talk %d: %s at scale", i, categories[rng.IntN(len(categories))])
	speaker := names[rng.IntN(len(names))] + ", Example Corp"
	if rng.IntN(3) == 0 {
		speaker = names[rng.IntN(len(names))] + " and " + names[rng.IntN(len(names))] + ", Example Corp"
	}
	body := strings.Repeat(fmt.Sprintf("Paragraph about *%s* with a [link](https://example.org/%d) and \"quotes\".\n\n", title, i), 3+rng.IntN(6))
	if i%7 == 0 {
		return fmt.Sprintf("+++\ntitle = %q\ndate = %04d-%02d-%02dT18:30:00\ntimezone = %q\nend_time = \"20:00\"\nspeakers = [%q]\nlocation = %q\ncategory = %q\ntags = [\"a\", \"b\"]\n+++\n\n# Abstract\n\n%s",
			title, year, month, day, zones[c], names[rng.IntN(len(names))], cities[c], categories[rng.IntN(len(categories))], body)
	}
	timing := fmt.Sprintf("date: %04d-%02d-%02d", year, month, day)
	if i%2 == 0 {
		timing += fmt.Sprintf("\ntime: \"%02d:00\"\nend_time: \"%02d:30\"\ntimezone: %s", 17+rng.IntN(3), 20, zones[c])
	}
	return fmt.Sprintf("---\ntitle: %q\n%s\nspeaker: %s\nspeakerurl: https://example.org/s/%d\neventimage: img-%d.jpg\neventlocation: %s\neventname: Meetup %d\ncategory: %s\ndescription: \"A talk about %s.\"\nlayout: event.jade\n---\n\n# Abstract\n\n%s## Speaker bio\n\nSomeone who talks.\n",
		title, timing, speaker, i, i, cities[c], i%50, categories[rng.IntN(len(categories))], title, body)
}
