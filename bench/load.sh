#!/usr/bin/env bash
# Loader benchmarks: 10,000 generated pages (cold, warm, and from a git
# repository after one new commit), against reading the same files
# without parsing (the floor) in the same run. Compare ratios, not times:
# these machines are shared and noisy.
set -euo pipefail
cd "$(dirname "$0")/.."
go test ./source -run='^$' -bench='BenchmarkLoad|BenchmarkGitReload' -benchtime="${BENCHTIME:-5x}" -count="${COUNT:-3}" "$@"
