package source

import (
	"slices"
	"testing"

	"github.com/talkfeed/talkfeed"
)

// Each shape of the reference corpus, plus the forms the rule documents.
func TestParseSpeakerText(t *testing.T) {
	type sp = talkfeed.Speaker
	tests := []struct {
		in   string
		want []sp
	}{
		{"Matt Jarvis", []sp{{Name: "Matt Jarvis"}}},
		{"Matt Jarvis, Mesosphere", []sp{{Name: "Matt Jarvis", Affiliation: "Mesosphere"}}},
		{"Till Rohrmann, data Artisans", []sp{{Name: "Till Rohrmann", Affiliation: "data Artisans"}}},
		{"Jörg Schad, Johannes Unterstein, Tim Nolet, Matt Jarvis", []sp{{Name: "Jörg Schad"}, {Name: "Johannes Unterstein"}, {Name: "Tim Nolet"}, {Name: "Matt Jarvis"}}},
		{"Adit Madan, Jörg Schad, Omar Sobh", []sp{{Name: "Adit Madan"}, {Name: "Jörg Schad"}, {Name: "Omar Sobh"}}},
		{"Johannes Unterstein and Jörg Schad, Mesosphere", []sp{{Name: "Johannes Unterstein", Affiliation: "Mesosphere"}, {Name: "Jörg Schad", Affiliation: "Mesosphere"}}},
		{"Cooper Marcus, Shashi Ranjan and Philip Norman", []sp{{Name: "Cooper Marcus"}, {Name: "Shashi Ranjan"}, {Name: "Philip Norman"}}},
		{"Elizabeth K. Joseph, Kevin Klues, Till Rohrmann, and Tim Nolet", []sp{{Name: "Elizabeth K. Joseph"}, {Name: "Kevin Klues"}, {Name: "Till Rohrmann"}, {Name: "Tim Nolet"}}},
		{"Sunil Shah, Kyle Kelly and Timmy Zhu, Yelp", []sp{{Name: "Sunil Shah", Affiliation: "Yelp"}, {Name: "Kyle Kelly", Affiliation: "Yelp"}, {Name: "Timmy Zhu", Affiliation: "Yelp"}}},
		{"Jörg Schad, Mesosphere & Biswajit Das, Branch", []sp{{Name: "Jörg Schad", Affiliation: "Mesosphere"}, {Name: "Biswajit Das", Affiliation: "Branch"}}},
		{"Daniel Mennell & Greg Erb, Mesosphere", []sp{{Name: "Daniel Mennell", Affiliation: "Mesosphere"}, {Name: "Greg Erb", Affiliation: "Mesosphere"}}},
		{"Elizabeth K Joseph, Mesosphere & Judith Malnick, Mesosphere", []sp{{Name: "Elizabeth K Joseph", Affiliation: "Mesosphere"}, {Name: "Judith Malnick", Affiliation: "Mesosphere"}}},
		{"Ada Lovelace (Analytical Engines)", []sp{{Name: "Ada Lovelace", Affiliation: "Analytical Engines"}}},
		{"Ada; Grace", []sp{{Name: "Ada"}, {Name: "Grace"}}},
		{"  ", nil},
	}
	for _, tc := range tests {
		if got := parseSpeakerText(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("parseSpeakerText(%q)\n got %+v\nwant %+v", tc.in, got, tc.want)
		}
	}
}

func TestAssignSpeakerURLs(t *testing.T) {
	speakers := func(names ...string) []talkfeed.Speaker {
		out := make([]talkfeed.Speaker, len(names))
		for i, n := range names {
			out[i].Name = n
		}
		return out
	}
	tests := []struct {
		names []string
		urls  []string
		want  []string
	}{
		{[]string{"Daniel Mennell", "Greg Erb"}, []string{"https://twitter.com/gregerb"}, []string{"", "https://twitter.com/gregerb"}},
		{[]string{"Biswajit Das", "Jörg Schad"}, []string{"https://twitter.com/joerg_schad"}, []string{"", "https://twitter.com/joerg_schad"}},
		{[]string{"Elizabeth K. Joseph", "Kevin Klues"}, []string{"https://twitter.com/pleia2"}, []string{"https://twitter.com/pleia2", ""}},
		{[]string{"A", "B"}, []string{"https://a.example/", "https://b.example/"}, []string{"https://a.example/", "https://b.example/"}},
	}
	for _, tc := range tests {
		ss := speakers(tc.names...)
		assignSpeakerURLs(ss, tc.urls)
		for i := range ss {
			if ss[i].URL != tc.want[i] {
				t.Errorf("%v %v: speaker %d URL %q, want %q", tc.names, tc.urls, i, ss[i].URL, tc.want[i])
			}
		}
	}
}
