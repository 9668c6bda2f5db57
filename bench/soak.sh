#!/usr/bin/env bash
# The long soak: TestSoak (cmd/talkfeed/soak_test.go) at REQUESTS requests
# (default 400,000, about half an hour), against the real binary on
# loopback, with pages edited, added and removed and reloads from the
# watcher and POST /-/reload all along. It fails on any failed request,
# and when the daemon's goroutines, open files or heap do not come back.
# The suite runs the same test at 3,000 requests.
set -euo pipefail
cd "$(dirname "$0")/.."
REQUESTS=${REQUESTS:-400000}
TALKFEED_SOAK_REQUESTS=$REQUESTS go test ./cmd/talkfeed -run '^TestSoak$' -count=1 -v -timeout 0 | grep -E 'soak:|FAIL|ok|---'
