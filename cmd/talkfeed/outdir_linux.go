package main

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// exchange swaps the folders at a and b in one rename, where the file
// system can (ext4, xfs, btrfs, tmpfs), else by two.
func exchange(a, b string) error {
	err := unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EOPNOTSUPP) {
		return swapByRenames(a, b)
	}
	if err != nil {
		return &os.LinkError{Op: "exchange", Old: a, New: b, Err: err}
	}
	return nil
}

// lockFolder takes an exclusive lock on the folder dir, so that two builds
// beside the same --out take turns; it is released when the process
// ends, however it ends.
func lockFolder(dir string) (func(), error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, fmt.Errorf("another build is writing beside it (the lock on %s is held)", dir)
		}
		return nil, err
	}
	return func() { f.Close() }, nil
}

// syncTree makes the new tree at dir durable before it is swapped in: one
// syncfs(2) of its file system, where an fsync of each of 60,000 files
// and their folders cost a disk round trip each.
func syncTree(dir string, files, folders []string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := unix.Syncfs(int(d.Fd())); err != nil {
		return syncEach(files, folders)
	}
	return nil
}
