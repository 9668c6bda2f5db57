#!/usr/bin/env bash
# Rendering benchmarks: 10,000 talks as RSS, Atom, JSON Feed and iCalendar,
# each against encoding/json of the same events (the baseline) in the same
# run. Compare ratios, not times: these machines are shared and noisy.
set -euo pipefail
cd "$(dirname "$0")/.."
go test ./feeds ./ical -run='^$' -bench='BenchmarkRender|BenchmarkCalendar' -benchtime="${BENCHTIME:-5x}" -count="${COUNT:-3}" "$@"
