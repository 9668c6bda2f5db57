package talkfeed

import (
	"fmt"
	"time"
)

// LoadZone returns the time zone an IANA zone name names, such as
// Europe/London or UTC. Unlike time.LoadLocation it refuses "" and
// "Local", which name no zone but UTC and the machine's own: a talk's time
// must read the same on every machine that loads it.
func LoadZone(name string) (*time.Location, error) {
	if name != "" && name != "Local" {
		if loc, err := time.LoadLocation(name); err == nil {
			return loc, nil
		}
	}
	return nil, fmt.Errorf("time zone %q is not an IANA zone name like Europe/London", name)
}
