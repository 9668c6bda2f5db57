package main

import (
	"fmt"
	"strings"
	"time"
)

// clockVar pins the clock: tests, previews of another day and
// reproducible builds set it; nothing else in talkfeed reads the time.
const clockVar = "TALKFEED_NOW"

// newClock returns the clock every command runs on: the system clock, or,
// when TALKFEED_NOW is set (RFC 3339, or a date for its midnight UTC), a
// clock that starts at that time and runs on from it, so that the day is
// fixed while timeouts and durations still pass.
func newClock(getenv func(string) string) (func() time.Time, error) {
	v := strings.TrimSpace(getenv(clockVar))
	if v == "" {
		return time.Now, nil
	}
	pinned, err := time.Parse(time.RFC3339, v)
	if err != nil {
		if pinned, err = time.Parse(time.DateOnly, v); err != nil {
			return nil, fmt.Errorf("%s=%q is not an RFC 3339 time (2026-11-24T12:00:00Z) or a date (2026-11-24)", clockVar, v)
		}
	}
	started := time.Now()
	return func() time.Time { return pinned.Add(time.Since(started)) }, nil
}
