#!/usr/bin/env bash
# HTTP benchmark: talkfeed serve against nginx serving the same bytes from
# `talkfeed build`, on loopback, in the same run. Quotes requests per
# second for a full feed and for a 304, and their ratios to nginx.
#
#   bench/serve.sh [SOURCE]        (default: the dcos corpus, else the demo)
#
# Needs wrk and nginx (Debian packages; installed when missing and root).
# Only 127.0.0.1 is ever a target. Tunables: DURATION (10s), CONNS (64),
# THREADS (1).
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in wrk nginx; do
  if ! command -v "$tool" >/dev/null && [ ! -x /usr/sbin/nginx ]; then
    if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq wrk nginx; else echo "install $tool" >&2; exit 1; fi
  fi
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

SOURCE=${1:-}
if [ -z "$SOURCE" ] && [ -d ../shared/corpus/dcos-events ]; then SOURCE=../shared/corpus/dcos-events; fi
DURATION=${DURATION:-10s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-1}
TF_PORT=18181
NGX_PORT=18182
GO_PORT=18183

work=$(mktemp -d)
cleanup() {
  [ -n "${tf_pid:-}" ] && kill "$tf_pid" 2>/dev/null || true
  [ -n "${go_pid:-}" ] && kill "$go_pid" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
chmod 755 "$work" # nginx workers run as another user

go build -o "$work/talkfeed" ./cmd/talkfeed
go build -o "$work/nethttp" ./bench/nethttp
"$work/talkfeed" build --out "$work/site" --base-url "http://127.0.0.1:$TF_PORT/" --schedule "@every 1h" $SOURCE >/dev/null 2>&1
mkdir -p "$work/nginx"
cat >"$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
  sendfile on; tcp_nopush on; keepalive_requests 1000000;
  # The snippet talkfeed build writes: the daemon's types and headers.
  server { listen 127.0.0.1:$NGX_PORT; root $work/site; include $work/site/talkfeed.nginx.conf; }
}
CONF
"$NGINX" -c "$work/nginx.conf"
GOMAXPROCS=${GOMAXPROCS:-1} "$work/talkfeed" serve --addr "127.0.0.1:$TF_PORT" --base-url "http://127.0.0.1:$TF_PORT/" \
  --schedule "@every 1h" --watch=false $SOURCE >/dev/null 2>"$work/talkfeed.log" &
tf_pid=$!
GOMAXPROCS=${GOMAXPROCS:-1} "$work/nethttp" -addr "127.0.0.1:$GO_PORT" -file "$work/site/feed.rss" 2>/dev/null &
go_pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$TF_PORT/readyz" >/dev/null && curl -fs "http://127.0.0.1:$GO_PORT/" >/dev/null && break; sleep 0.1; done

rps() { # url [header] -> requests per second
  local out
  if [ -n "${2:-}" ]; then out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" -H "$2" "$1"); else out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" "$1"); fi
  echo "$out" | awk '/Requests\/sec/ {print $2}'
}
etag() { curl -fsI "$1" | awk 'tolower($1)=="etag:" {print $2}' | tr -d '\r'; }

tf_url="http://127.0.0.1:$TF_PORT/feed.rss"
ngx_url="http://127.0.0.1:$NGX_PORT/feed.rss"
go_url="http://127.0.0.1:$GO_PORT/feed.rss"
# Both must serve the same bytes, or the comparison means nothing.
curl -fs "$tf_url" >"$work/tf.rss"
curl -fs "$ngx_url" >"$work/ngx.rss"
cmp -s "$work/tf.rss" "$work/ngx.rss" || { echo "talkfeed and nginx serve different bytes" >&2; exit 1; }
size=$(wc -c <"$work/tf.rss")
echo "feed.rss: $size bytes, $DURATION per run, $CONNS connections; each server on one core (GOMAXPROCS=${GOMAXPROCS:-1}, nginx 1 worker), wrk on the other"

ngx_full=$(rps "$ngx_url"); go_full=$(rps "$go_url"); tf_full=$(rps "$tf_url")
ngx_304=$(rps "$ngx_url" "If-None-Match: $(etag "$ngx_url")")
go_304=$(rps "$go_url" "If-None-Match: $(etag "$go_url")")
tf_304=$(rps "$tf_url" "If-None-Match: $(etag "$tf_url")")

ratio() { echo "$1 / $2" | bc -l; }
printf '%-6s %10s %14s %10s %16s %18s\n' "" "nginx" "bare net/http" "talkfeed" "talkfeed/nginx" "talkfeed/net/http"
printf '%-6s %10.0f %14.0f %10.0f %16.2f %18.2f\n' "full" "$ngx_full" "$go_full" "$tf_full" "$(ratio "$tf_full" "$ngx_full")" "$(ratio "$tf_full" "$go_full")"
printf '%-6s %10.0f %14.0f %10.0f %16.2f %18.2f\n' "304" "$ngx_304" "$go_304" "$tf_304" "$(ratio "$tf_304" "$ngx_304")" "$(ratio "$tf_304" "$go_304")"
