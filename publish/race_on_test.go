//go:build race

package publish

// raceEnabled: the race detector slows every test several times.
const raceEnabled = true
