#!/usr/bin/env bash
# talkfeed beside its baselines, each measured in the same run on the
# same generated pages: Hugo building RSS only and the library floor
# (reading, YAML/TOML-decoding and goldmark-rendering the pages, on every
# core) for `talkfeed build`; Hugo's whole rebuild for a one-page edit;
# nginx serving the bytes `talkfeed build` wrote for `talkfeed serve`.
# Prints one Markdown table per size, each figure beside its baseline and
# as a ratio (medians of RUNS runs). Loopback only; it stops by itself
# and removes what it made.
#
#   bench/compare.sh                        SIZES="1000 10000 100000" RUNS=3
#   SIZES="1000 10000" RUNS=5 bench/compare.sh
#
# Needs go, hugo, nginx, wrk, hyperfine, curl and python3; as root it
# installs the missing ones from Debian's packages (hugo, nginx-light,
# wrk, hyperfine). Tunables: SIZES, RUNS (3), DURATION of each wrk run
# (10s), CONNS (32).
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"1000 10000 100000"}
RUNS=${RUNS:-3}
DURATION=${DURATION:-10s}
CONNS=${CONNS:-32}
TF_PORT=18281
NGX_PORT=18282
TOKEN=compare-token

missing=()
for tool in hugo wrk hyperfine curl python3; do command -v "$tool" >/dev/null || missing+=("$tool"); done
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "compare.sh: install ${missing[*]} (Debian packages), or run as root" >&2
    exit 1
  fi
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

work=$(mktemp -d)
cleanup() {
  [ -n "${tf_pid:-}" ] && kill "$tf_pid" 2>/dev/null && wait "$tf_pid" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
chmod 755 "$work" # nginx workers run as another user

go build -o "$work/talkfeed" ./cmd/talkfeed
go build -o "$work/floor" ./bench/floor
base="http://127.0.0.1:$TF_PORT/"

# median FILE: the median of the numbers in FILE, one per line.
median() { python3 -c 'import sys,statistics; print(statistics.median(float(l) for l in open(sys.argv[1]) if l.strip()))' "$1"; }
ratio() { python3 -c 'import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f"{a/b:.2f}" if b else "-")' "$1" "$2"; }
ms() { echo $(($(date +%s%N) / 1000000)); }
# peak KB: the peak resident memory of one run of a command.
peak() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
rps() { # url [header] -> requests per second
  local h=()
  [ -n "${2:-}" ] && h=(-H "$2")
  $WRK -t1 -c"$CONNS" -d"$DURATION" "${h[@]}" "$1" | awk '/Requests\/sec/ {print $2}'
}
# Serving: each server on one core, wrk on the other (on 2 cores or more),
# as nginx runs one worker.
WRK=wrk
SERVER_CPU=()
if [ "$(nproc)" -ge 2 ]; then
  WRK="taskset -c 1 wrk"
  SERVER_CPU=(taskset -c 0)
fi
# edit_and_reload PAGE PID: edits PAGE's title and signals PID every
# 200 ms, until PID is gone or this is killed.
edit_and_reload() {
  local i=0
  while :; do
    i=$((i + 1))
    sed -i "0,/^title/s/^title\(\s*[:=]\s*\).*/title\1\"Reloading $i\"/" "$1"
    kill -HUP "$2" 2>/dev/null || return 0
    sleep 0.2
  done
}
# wait_compressed: until the daemon logs a compression with nothing left
# that it had not logged before (at most 5 minutes).
compressed_seen=0
wait_compressed() {
  local n
  for _ in $(seq 3000); do
    n=$(grep -c 'msg=compressed .* left=0 ' "$work/talkfeed.log" || true)
    if [ "$n" -gt "$compressed_seen" ]; then
      compressed_seen=$n
      return 0
    fi
    sleep 0.1
  done
}
etag() { curl -fsI -H "Accept-Encoding: $2" "$1" | awk 'tolower($1)=="etag:" {print $2}' | tr -d '\r'; }

echo "# talkfeed beside its baselines"
echo
echo "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); $(go version | cut -d' ' -f3), $(hugo version | cut -d' ' -f1-2), nginx $("$NGINX" -v 2>&1 | cut -d/ -f2), medians of $RUNS runs, $(date -u +%Y-%m-%d)"

for n in $SIZES; do
  pages="$work/pages-$n"
  go run ./bench/genpages -n "$n" -out "$pages" >/dev/null
  site="$work/hugo-$n"
  mkdir -p "$site"
  cat >"$site/hugo.toml" <<CONF
baseURL = "$base"
title = "Bench"
buildFuture = true
buildExpired = true
disableKinds = ["taxonomy", "term", "sitemap", "robotsTXT", "404"]
[outputs]
home = ["RSS"]
section = ["RSS"]
page = []
[services.rss]
limit = -1
[[module.mounts]]
source = "$pages"
target = "content/talks"
CONF

  # Cold builds: every run from nothing (no ledger, no output).
  hyperfine -N --runs "$RUNS" --export-json "$work/build.json" \
    --prepare "rm -rf $work/out $work/state $work/hugo-out" \
    -n hugo "hugo --quiet -s $site -d $work/hugo-out" \
    -n floor "$work/floor $pages" \
    -n talkfeed "$work/talkfeed build --out $work/out --state $work/state --base-url $base $pages" >/dev/null
  read -r hugo_s floor_s tf_s < <(python3 -c 'import json,sys; r={x["command"]:x["median"] for x in json.load(open(sys.argv[1]))["results"]}; print(r["hugo"], r["floor"], r["talkfeed"])' "$work/build.json")
  rm -rf "$work/out" "$work/state" "$work/hugo-out"
  hugo_kb=$(peak hugo --quiet -s "$site" -d "$work/hugo-out")
  tf_kb=$(peak "$work/talkfeed" build --out "$work/out" --state "$work/state" --base-url "$base" "$pages")

  # The daemon: ready after start, one-page edits until the new title is
  # served, reloads with nothing changed.
  served="$work/served-$n"
  cp -r "$pages" "$served"
  rm -rf "$work/serve-state"
  t0=$(ms)
  TALKFEED_RELOAD_TOKEN=$TOKEN "$work/talkfeed" serve --addr "127.0.0.1:$TF_PORT" --base-url "$base" --state "$work/serve-state" \
    --schedule "@every 1h" --watch=false "$served" >/dev/null 2>"$work/talkfeed.log" &
  tf_pid=$!
  compressed_seen=0
  until curl -fs "http://127.0.0.1:$TF_PORT/readyz" >/dev/null; do sleep 0.05; done
  ready_s=$(python3 -c "print(($(ms)-$t0)/1000)")
  page=$(find "$served" -name '*.md' | sort | sed -n 1p)
  id=$(python3 -c 'import os,sys; print(os.path.splitext(os.path.relpath(sys.argv[1], sys.argv[2]))[0])' "$page" "$served")
  wait_compressed # the first load's renders and compression behind its publish
  : >"$work/edit.txt"
  : >"$work/reload.txt"
  for i in $(seq "$RUNS"); do
    # One process edits the title, sends SIGHUP and polls the talk's
    # calendar on one connection until the new title is served (a new
    # curl every few milliseconds took a core from the daemon).
    python3 - "$page" "Edited title $i $RANDOM" "$tf_pid" "127.0.0.1:$TF_PORT" "/events/$id.ics" >>"$work/edit.txt" <<'PY'
import http.client, os, re, signal, sys, time
p, title, pid, addr, path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
s = open(p).read()
s = re.sub(r'(?m)^title(\s*[:=]\s*).*$', lambda m: 'title' + m.group(1) + '"' + title + '"', s, count=1)
open(p + ".tmp", "w").write(s)
c = http.client.HTTPConnection(addr)
t0 = time.monotonic()
os.rename(p + ".tmp", p)
os.kill(pid, signal.SIGHUP)
while True:
    c.request("GET", path)
    if title.encode() in c.getresponse().read():
        break
print(round((time.monotonic() - t0) * 1000))
PY
    # Until the renders and compression that follow are done, so that
    # each edit is measured on a daemon that is otherwise idle (edits
    # that come faster are the "reloaded every 200 ms" figure below).
    wait_compressed
    # The reload's own time, from its log line: what the 30 ms is of.
    grep 'msg=reloaded trigger=sighup' "$work/talkfeed.log" | tail -1 | sed 's/.* duration=\([^ ]*\).*/\1/' |
      python3 -c 'import re,sys; v=sys.stdin.read().strip(); n,u=re.match(r"([0-9.]+)(ms|s|µs)",v).groups(); print(float(n)*{"s":1000,"ms":1,"µs":0.001}[u])' >>"$work/reload.txt"
  done
  edit_ms=$(median "$work/edit.txt")
  reload_ms=$(median "$work/reload.txt")
  ready_mib=$(($(awk '/VmRSS/ {print $2}' /proc/$tf_pid/status) / 1024))
  : >"$work/noop.txt"
  for _ in $(seq "$RUNS"); do
    curl -fs -o /dev/null -w '%{time_total}\n' -X POST -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$TF_PORT/-/reload" >>"$work/noop.txt"
  done
  noop_s=$(median "$work/noop.txt")
  # Wait until the whole compressed forms are served (not the quick gzip
  # put together from pieces, "-gzj"), so that no compression runs
  # beside the serving figures.
  until [ -n "$(curl -fsI -H 'Accept-Encoding: br' "http://127.0.0.1:$TF_PORT/feed.rss" | grep -i '^content-encoding: br')" ] &&
    grep 'msg=compressed' "$work/talkfeed.log" | tail -1 | grep -q ' left=0 '; do sleep 0.2; done
  sleep 1

  # Serving: the same bytes from nginx (build, same base URL), each
  # figure beside nginx's in the same run.
  rm -rf "$work/site"
  "$work/talkfeed" build --out "$work/site" --base-url "$base" --state "$work/serve-state" "$served" >/dev/null 2>&1
  cat >"$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work; proxy_temp_path $work; fastcgi_temp_path $work; uwsgi_temp_path $work; scgi_temp_path $work;
  sendfile on; tcp_nopush on; keepalive_requests 1000000;
  server { listen 127.0.0.1:$NGX_PORT; root $work/site; include $work/site/talkfeed.nginx.conf; }
}
CONF
  "${SERVER_CPU[@]}" "$NGINX" -c "$work/nginx.conf"
  # talkfeed moves to the same one core (Go follows its CPU affinity).
  [ ${#SERVER_CPU[@]} -gt 0 ] && taskset -a -p -c 0 "$tf_pid" >/dev/null
  until curl -fs "http://127.0.0.1:$NGX_PORT/feed.rss" >/dev/null; do sleep 0.05; done
  category=$(ls "$work/site/category" | sed -n 1p)
  tf="http://127.0.0.1:$TF_PORT"
  ngx="http://127.0.0.1:$NGX_PORT"
  size_mb=$(python3 -c "import os; print(f'{os.path.getsize(\"$work/site/feed.rss\")/1e6:.1f}')")
  rows=()
  for spec in "feed.rss gzip|/feed.rss|/feed.rss|Accept-Encoding: gzip" \
    "calendar.ics gzip|/calendar.ics|/calendar.ics|Accept-Encoding: gzip" \
    "?category= gzip|/feed.rss?category=$category|/category/$category/feed.rss|Accept-Encoding: gzip" \
    "feed.rss plain|/feed.rss|/feed.rss|" \
    "304|/feed.rss|/feed.rss|304"; do
    IFS='|' read -r name tfp ngp hdr <<<"$spec"
    if [ "$hdr" = 304 ]; then
      tfh="If-None-Match: $(etag "$tf$tfp" identity)"
      ngh="If-None-Match: $(etag "$ngx$ngp" identity)"
    else
      tfh=$hdr
      ngh=$hdr
    fi
    curl -fs -o /dev/null -H "${tfh:-X-Warm: 1}" "$tf$tfp" # the first filtered request renders it
    t=$(rps "$tf$tfp" "$tfh")
    g=$(rps "$ngx$ngp" "$ngh")
    rows+=("| \`$name\` | nginx: $g req/s | $t req/s | $(ratio "$t" "$g")× nginx |")
  done
  kill "$(cat "$work/nginx.pid")"
  rm -f "$work/nginx.pid"

  # The first request of a filter no one asked for yet renders it.
  : >"$work/first.txt"
  for i in $(seq "$RUNS"); do
    curl -fs -o /dev/null -w '%{time_total}\n' -H 'Accept-Encoding: gzip' "$tf/feed.rss?from=2001-01-$(printf %02d "$i")&limit=$((9000 + i))" >>"$work/first.txt"
  done
  first_ms=$(python3 -c "print(f'{$(median "$work/first.txt")*1000:.1f}')")

  # Requests while the page is edited and reloaded every 200 ms, beside
  # the same requests with no reload (the row above, this run).
  quiet=$(rps "$tf/feed.rss" "Accept-Encoding: gzip")
  edit_and_reload "$page" "$tf_pid" &
  editor=$!
  $WRK -t1 -c"$CONNS" -d"$DURATION" -H "Accept-Encoding: gzip" "$tf/feed.rss" >"$work/reloading.txt"
  kill "$editor" 2>/dev/null
  wait "$editor" 2>/dev/null || true
  busy=$(awk '/Requests\/sec/ {print $2}' "$work/reloading.txt")
  failed=$(awk '/Non-2xx/ {n+=$NF} /Socket errors/ {gsub(/[^0-9 ]/," "); for (i=1;i<=NF;i++) n+=$i} END {print n+0}' "$work/reloading.txt")
  reloads=$(curl -fs "$tf/metrics" | awk '/^talkfeed_reloads_total/ {n+=$2} END {print n+0}')
  kill "$tf_pid"
  wait "$tf_pid" 2>/dev/null || true
  tf_pid=

  echo
  echo "## $n pages (feed.rss: $size_mb MB)"
  echo
  echo "| figure | baseline, same run | talkfeed | ratio |"
  echo "| --- | --- | --- | --- |"
  echo "| cold \`build\` (all views, all formats, precompressed) | Hugo, RSS only: $(printf %.2f "$hugo_s") s | $(printf %.2f "$tf_s") s | $(ratio "$tf_s" "$hugo_s")× Hugo |"
  echo "| the same | library floor: $(printf %.2f "$floor_s") s | | $(ratio "$tf_s" "$floor_s")× the floor |"
  echo "| peak memory of that build | Hugo: $((hugo_kb / 1024)) MiB | $((tf_kb / 1024)) MiB | $(ratio "$tf_kb" "$hugo_kb")× Hugo |"
  echo "| \`serve\` ready after start | | $(printf %.2f "$ready_s") s | |"
  echo "| \`serve\`'s resident memory, the first load and the edits above rendered and compressed | | $ready_mib MiB | |"
  echo "| one page edited, until its new title is served (SIGHUP) | Hugo's whole rebuild: $(printf %.2f "$hugo_s") s | $edit_ms ms | $(ratio "$hugo_s" "$(python3 -c "print($edit_ms/1000)")")× faster |"
  echo "| the same, the reload alone (its log's duration) | | $(printf %.0f "$reload_ms") ms | |"
  echo "| a reload with nothing changed (\`POST /-/reload\`) | | $(python3 -c "print(f'{$noop_s*1000:.0f}')") ms | |"
  for r in "${rows[@]}"; do echo "| serving ${r#| }"; done
  echo "| the first request of a new filter (\`?from=…&limit=…\`, most talks) | | $first_ms ms | |"
  echo "| \`feed.rss gzip\` while a page is edited and reloaded every 200 ms | no reloads: $quiet req/s | $busy req/s, $failed failed ($reloads reloads in all) | $(ratio "$busy" "$quiet")× |"
done

# The reference site's 74 pages (../shared/corpus/dcos-events), as the
# issue measured: the rate while a page is edited and reloaded every
# 200 ms, beside the rate with no reloads, in the same run.
corpus=../shared/corpus/dcos-events
if [ -d "$corpus" ]; then
  served="$work/served-dcos"
  cp -r "$corpus" "$served"
  "${SERVER_CPU[@]}" "$work/talkfeed" serve --addr "127.0.0.1:$TF_PORT" --base-url "$base" --state "$work/dcos-state" \
    --schedule "@every 1h" --watch=false "$served" >/dev/null 2>"$work/talkfeed.log" &
  tf_pid=$!
  until curl -fs "http://127.0.0.1:$TF_PORT/readyz" >/dev/null; do sleep 0.05; done
  page=$(find "$served" -name '*.md' | sort | sed -n 3p)
  : >"$work/quiet.txt" && : >"$work/busy.txt"
  for _ in $(seq "$RUNS"); do
    rps "http://127.0.0.1:$TF_PORT/feed.rss" "Accept-Encoding: gzip" >>"$work/quiet.txt"
    edit_and_reload "$page" "$tf_pid" &
    editor=$!
    rps "http://127.0.0.1:$TF_PORT/feed.rss" "Accept-Encoding: gzip" >>"$work/busy.txt"
    kill "$editor" 2>/dev/null
    wait "$editor" 2>/dev/null || true
    sleep 1
  done
  quiet=$(median "$work/quiet.txt")
  busy=$(median "$work/busy.txt")
  kill "$tf_pid"
  wait "$tf_pid" 2>/dev/null || true
  tf_pid=
  echo
  echo "## 74 pages (the reference site)"
  echo
  echo "| figure | baseline, same run | talkfeed | ratio |"
  echo "| --- | --- | --- | --- |"
  echo "| \`feed.rss gzip\` while a page is edited and reloaded every 200 ms | no reloads: $quiet req/s | $busy req/s | $(ratio "$busy" "$quiet")× |"
fi
