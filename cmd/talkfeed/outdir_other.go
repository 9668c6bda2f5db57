//go:build !linux

package main

// exchange swaps the folders at a and b by two renames: systems other
// than Linux have no exchanging rename that Go reaches.
func exchange(a, b string) error { return swapByRenames(a, b) }

// lockFolder takes no lock here: builds beside the same --out must not
// run at once.
func lockFolder(string) (func(), error) { return func() {}, nil }

// syncTree makes the new tree durable: each file, then each folder.
func syncTree(dir string, files, folders []string) error { return syncEach(files, folders) }
