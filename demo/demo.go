// Package demo holds the demo content embedded in the binary: talk pages
// written for talkfeed that exercise every shape a page can take, served
// when no source is given.
//
// The pages are written as of Anchor. So that the demo never looks dead,
// TalksOn moves every date in them by the whole weeks from Anchor to the
// day it is asked for: on any day the demo has past and upcoming talks in
// the same proportions, on the same weekdays and at the same local times,
// and the same day always gives the same bytes.
package demo

import (
	"bytes"
	"embed"
	"io"
	"io/fs"
	"regexp"
	"strings"
	"time"

	"github.com/talkfeed/talkfeed"
)

//go:embed talks site
var files embed.FS

// Anchor is the day the demo pages are written for: from it to the six
// days after, TalksOn gives the pages exactly as written. On it, three
// demo talks are past and seven upcoming; the earliest upcoming one is a
// workshop six days later, so the week always keeps that mix.
var Anchor = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

// Talks returns the demo talk pages as written (as of Anchor).
func Talks() fs.FS {
	sub, err := fs.Sub(files, "talks")
	if err != nil {
		panic(err) // unreachable: the folder is embedded above
	}
	return sub
}

// TalksOn returns the demo talk pages as of day: every date in them
// (start, end, published, updated) moved by ShiftDays(day).
func TalksOn(day time.Time) fs.FS {
	days := ShiftDays(day)
	if days == 0 {
		return Talks()
	}
	return shiftedFS{fsys: Talks(), days: days}
}

// ShiftDays is how many days TalksOn moves the pages for day: the whole
// weeks from Anchor to day's date (UTC), in days, negative before Anchor.
func ShiftDays(day time.Time) int {
	since := int(talkfeed.UTCDay(day).Sub(Anchor) / (24 * time.Hour))
	weeks := since / 7
	if since < 0 && since%7 != 0 {
		weeks-- // floor, not truncation: the week before Anchor is -1
	}
	return weeks * 7
}

// Assets returns the files the demo pages refer to (images), at the site
// paths they are published at (assets/images/events/…).
func Assets() fs.FS {
	sub, err := fs.Sub(files, "site")
	if err != nil {
		panic(err) // unreachable: the folder is embedded above
	}
	return sub
}

// isoDate is a calendar date as the demo pages write them, alone or as
// the date of a date-time (2026-09-17, 2027-01-21T19:00:00+01:00).
var isoDate = regexp.MustCompile(`\d{4}-\d{2}-\d{2}`)

// Shift moves every ISO date in page by days. A date's text keeps its
// length (years stay four digits), so a page keeps its size.
func Shift(page []byte, days int) []byte {
	return isoDate.ReplaceAllFunc(page, func(b []byte) []byte {
		t, err := time.Parse(time.DateOnly, string(b))
		if err != nil {
			return b
		}
		return []byte(t.AddDate(0, 0, days).Format(time.DateOnly))
	})
}

// shiftedFS serves the pages of fsys with their dates moved.
type shiftedFS struct {
	fsys fs.FS
	days int
}

func (s shiftedFS) Open(name string) (fs.File, error) {
	f, err := s.fsys.Open(name)
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err != nil || info.IsDir() || !strings.HasSuffix(name, ".md") {
		return f, err
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	return &shiftedFile{info: info, Reader: bytes.NewReader(Shift(data, s.days))}, nil
}

func (s shiftedFS) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(s.fsys, name) }

// shiftedFile is a page with its dates moved; its size is the original's,
// as moving a date keeps its length.
type shiftedFile struct {
	info fs.FileInfo
	*bytes.Reader
}

func (f *shiftedFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *shiftedFile) Close() error               { return nil }
