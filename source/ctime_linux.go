package source

import (
	"io/fs"
	"syscall"
	"time"
)

// changeTime is the inode's change time (ctime) of a file as stat gave
// it, or zero when the FileInfo does not carry one.
func changeTime(info fs.FileInfo) time.Time {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return time.Unix(st.Ctim.Sec, st.Ctim.Nsec)
	}
	return time.Time{}
}
