//go:build race

package source

// raceEnabled: the race detector slows every test several times; the
// fuzz targets then run a sample of their seeds.
const raceEnabled = true
