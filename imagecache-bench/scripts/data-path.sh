#!/usr/bin/env bash
# Measures the data path on this machine, loopback only:
#  1. 50 concurrent cold requests of one 1 GiB image behind nginx as the HTTP origin (rate-limited
#     to 400 MB/s): how many requests reached the origin, and each client's time to first byte;
#  2. 1 GiB hit throughput (curl) of imagecache next to nginx (sendfile on) serving the same file,
#     alternating A B A B for ROUNDS rounds.
# Usage: imagecache-bench/scripts/data-path.sh [ROUNDS]   (needs nginx, curl, the built jar)
set -euo pipefail
ROUNDS=${1:-5}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
JAR=$ROOT/imagecache-server/target/imagecache.jar
[ -f "$JAR" ] || (cd "$ROOT" && mvn -B -q -DskipTests -pl imagecache-server -am package)
WORK=$(mktemp -d /tmp/imagecache-datapath.XXXXXX)
NGINX_PORT=18481
CACHE_PORT=18482
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/origin" "$WORK/logs" "$WORK/cache"
head -c $((1 << 30)) /dev/urandom > "$WORK/origin/big"
cp "$WORK/origin/big" "$WORK/origin/herd"
cat > "$WORK/nginx.conf" <<NGINX
daemon off;
master_process off;
worker_processes 1;
error_log $WORK/logs/error.log;
pid $WORK/nginx.pid;
events { worker_connections 1024; }
http {
  access_log $WORK/logs/access.log;
  client_body_temp_path $WORK/logs;
  proxy_temp_path $WORK/logs;
  fastcgi_temp_path $WORK/logs;
  uwsgi_temp_path $WORK/logs;
  scgi_temp_path $WORK/logs;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $WORK/origin;
    location /limited/ { alias $WORK/origin/; limit_rate 400m; }
  }
}
NGINX
nginx -c "$WORK/nginx.conf" & pids+=($!)
java -Djdk.httpclient.bufsize=262144 -jar "$JAR" serve --cache-dir "$WORK/cache" \
  --origin "http://127.0.0.1:$NGINX_PORT/limited/{id}" --listen "127.0.0.1:$CACHE_PORT" \
  --max-size 20GiB > "$WORK/logs/imagecache.log" 2>&1 & pids+=($!)
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$CACHE_PORT/healthz" >/dev/null && curl -sf -o /dev/null "http://127.0.0.1:$NGINX_PORT/big" -r 0-0 && break
  sleep 0.2
done

echo "== 50 concurrent cold requests of one 1 GiB image (origin: nginx, limit_rate 400m)"
start=$(date +%s.%N)
herd=()
for i in $(seq 50); do
  curl -s --max-time 300 -o /dev/null -w '%{time_starttransfer} %{time_total} %{size_download}\n' \
    "http://127.0.0.1:$CACHE_PORT/v2/images/herd/file" > "$WORK/logs/herd.$i" &
  herd+=($!)
done
wait "${herd[@]}"
end=$(date +%s.%N)
origin_requests=$(grep -c 'GET /limited/herd ' "$WORK/logs/access.log" || true)
wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
echo "origin GET requests: $origin_requests"
echo "clients: $(cat "$WORK"/logs/herd.* | wc -l), wrong sizes: $(cat "$WORK"/logs/herd.* | awk '$3 != 1073741824' | wc -l)"
cat "$WORK"/logs/herd.* | awk '{ print $1 }' | sort -n | awk '{ t[NR] = $1 }
  END { printf "time to first byte: min %.3f s, median %.3f s, max %.3f s\n", t[1], t[int((NR + 1) / 2)], t[NR] }'
echo "wall time: $wall s"

echo "== 1 GiB hit throughput, curl, MB/s (10^6 B/s); imagecache then nginx (sendfile on), $ROUNDS rounds"
curl -s -o /dev/null "http://127.0.0.1:$CACHE_PORT/v2/images/big/file"   # fill (miss)
curl -s -o /dev/null "http://127.0.0.1:$CACHE_PORT/v2/images/big/file"   # warm
curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/big"                  # warm
for r in $(seq "$ROUNDS"); do
  a=$(curl -s -o /dev/null -w '%{speed_download}' "http://127.0.0.1:$CACHE_PORT/v2/images/big/file")
  b=$(curl -s -o /dev/null -w '%{speed_download}' "http://127.0.0.1:$NGINX_PORT/big")
  awk -v r="$r" -v a="$a" -v b="$b" 'BEGIN { printf "round %d: imagecache %.0f, nginx %.0f, ratio %.2f\n", r, a/1e6, b/1e6, a/b }'
done
