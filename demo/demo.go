// Package demo holds the demo content embedded in the binary: talk pages
// written for talkfeed that exercise every shape a page can take, served
// when no source is given.
package demo

import (
	"embed"
	"io/fs"
)

//go:embed talks site
var files embed.FS

// Talks returns the demo talk pages.
func Talks() fs.FS {
	sub, err := fs.Sub(files, "talks")
	if err != nil {
		panic(err) // unreachable: the folder is embedded above
	}
	return sub
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
