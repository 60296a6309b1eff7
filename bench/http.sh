#!/bin/sh
# HTTP throughput of the FastCGI path against nginx serving a static file, measured in
# the same run with wrk on loopback: requests per second, latency, and the ratio.
# Also the resident memory of the program workers after the load.
set -u
TOP=$(pwd)
BUILD=${BUILD:-build/rel}
SECS=${BENCH_SECONDS:-5}
command -v wrk >/dev/null 2>&1 || { echo "http bench: wrk is not installed (make deps)"; exit 0; }
. bench/service.inc

# run NAME PATH: prints "requests/s p50 p99" for one wrk run.
run() {
	wrk -t2 -c16 -d"${SECS}s" --latency "http://127.0.0.1:$PORT$2" > "$T/$1.wrk" 2>&1
	rps=$(awk '/^Requests\/sec/ {print $2}' "$T/$1.wrk")
	p50=$(awk '$1 == "50%" {print $2}' "$T/$1.wrk")
	p99=$(awk '$1 == "99%" {print $2}' "$T/$1.wrk")
	echo "$rps $p50 $p99"
}
echo "== HTTP: $SECS s per case, wrk -t2 -c16, loopback"
static=$(run static /robots.txt)
health=$(run health /health)
page=$(run page /)
printf '%-28s %12s %10s %10s %8s\n' case "req/s" p50 p99 "vs nginx"
for c in "nginx static file:$static" "GET /health (FastCGI+SQLite):$health" "GET / (page, new visitor):$page"; do
	name=${c%%:*}; set -- ${c#*:}
	ratio=$(echo "$1 ${static%% *}" | awk '{ if ($2 > 0) printf "%.2f", $1 / $2; else print "-" }')
	printf '%-28s %12s %10s %10s %8s\n' "$name" "$1" "$2" "$3" "${ratio}x"
done
rss=$(ps -o rss= -C health,index 2>/dev/null | awk '{s += $1; n++} END { if (n) printf "%.1f MB over %d workers (%.1f MB each)", s/1024, n, s/1024/n }')
echo "resident memory of the light programs after load: $rss"
