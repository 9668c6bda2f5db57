#!/usr/bin/env bash
# Feed rendering benchmark: 10,000 talks in RSS, Atom and JSON Feed, against
# encoding/json of the same events (the baseline) in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
go test ./feeds -run='^$' -bench=BenchmarkRender -benchtime="${BENCHTIME:-5x}" -count="${COUNT:-3}" "$@"
