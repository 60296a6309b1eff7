#!/bin/sh
# HTTP throughput of the FastCGI path against nginx serving a static file, measured in
# the same run with wrk on loopback (the same wrk settings for every case): requests per
# second, latency, the ratio to nginx's static rate, and where the time goes: the CPU
# time per request of nginx's workers and of the program's workers, with the database
# server's on PostgreSQL (from /proc, so it holds whatever else the machine runs). The light path is /health and
# GET / for a returning visitor (a valid identity cookie) with 10 records. The cases
# run in turn for BENCH_ROUNDS rounds, so that each round compares them under the same
# load of the machine; the summary is the median of the rounds' ratios. Also the
# resident memory of the light programs after the load. Prints figures, never pass or
# fail.
set -u
TOP=$(pwd)
BUILD=${BUILD:-build/rel}
SECS=${BENCH_SECONDS:-5}
ROUNDS=${BENCH_ROUNDS:-3}
RECORDS=10
command -v wrk >/dev/null 2>&1 || { echo "http bench: wrk is not installed (make deps)"; exit 0; }
. bench/service.inc
B="http://127.0.0.1:$PORT"

# The returning visitor: RECORDS small uploads under one cookie jar.
IM=$(command -v convert-im6.q16 || command -v convert)
"$IM" -size 64x48 gradient:'#20406a-#e0b070' "$T/small.png"
i=0
while [ $i -lt $RECORDS ]; do
	i=$((i + 1))
	curl -s -o /dev/null -b "$T/jar" -c "$T/jar" -H 'Accept: application/json' \
		-F image=@"$T/small.png" -F name="photo $i" -F mode=change -F bg_color=white "$B/"
done
# The jar's last line: ... NAME VALUE (tab separated).
COOKIE=$(awk -F '\t' 'NF >= 7 { c = $6 "=" $7 } END { print c }' "$T/jar")
have=$(curl -s -H "Cookie: $COOKIE" -H 'Accept: application/json' "$B/" |
	python3 -c 'import json, sys; print(len(json.load(sys.stdin)["records"]))' 2>/dev/null)
[ "$have" = "$RECORDS" ] || echo "http bench: the returning visitor has ${have:-no} records, not $RECORDS"

# ticks PID...: the CPU time (user + system, in clock ticks) the processes used so far.
ticks() {
	for p in "$@"; do cat "/proc/$p/stat" 2>/dev/null; done |
		awk '{ sub(/.*\) /, ""); s += $12 + $13 } END { print s + 0 }'
}
HZ=$(getconf CLK_TCK)
NGINX_WORKERS=$(pgrep -P "$(cat "$T/data/run/nginx.pid")" | tr '\n' ' ')
# On PostgreSQL the server's processes for this database (one per worker's connection)
# work for each request too: every light worker connects first, then their CPU time
# counts with the program's.
STORE_PIDS=""
case ${BACKDROP_DATABASE_URL:-} in
postgres*)
	dbname=${BACKDROP_DATABASE_URL#*:///}; dbname=${dbname%%\?*}
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
		curl -s -o /dev/null "$B/health"; curl -s -o /dev/null -H "Cookie: $COOKIE" "$B/"
	done
	STORE_PIDS=$(pgrep -f "^postgres: [^ ]+ $dbname " | tr '\n' ' ')
	;;
esac
# run NAME PATH PROGRAM [HEADER]: one wrk run into $T/NAME.wrk; prints "requests/s p50
# p99 nginx-us/request program-us/request" (PROGRAM "-": nginx alone; the program's
# time includes the PostgreSQL server's for it).
run() {
	prog=$(cat "$T/data/run/$3.pid" 2>/dev/null | tr '\n' ' ')
	[ "$3" = - ] || prog="$prog $STORE_PIDS"
	n0=$(ticks $NGINX_WORKERS); w0=$(ticks $prog)
	if [ $# -gt 3 ]; then
		wrk -t2 -c16 -d"${SECS}s" --latency -H "$4" "$B$2" > "$T/$1.wrk" 2>&1
	else
		wrk -t2 -c16 -d"${SECS}s" --latency "$B$2" > "$T/$1.wrk" 2>&1
	fi
	n1=$(ticks $NGINX_WORKERS); w1=$(ticks $prog)
	rps=$(awk '/^Requests\/sec/ {print $2}' "$T/$1.wrk")
	reqs=$(awk '/requests in/ {print $1}' "$T/$1.wrk")
	p50=$(awk '$1 == "50%" {print $2}' "$T/$1.wrk")
	p99=$(awk '$1 == "99%" {print $2}' "$T/$1.wrk")
	bad=$(awk '/Non-2xx/ {print $NF}' "$T/$1.wrk")
	[ -z "$bad" ] || echo "http bench: $1: $bad answers were not 2xx" >&2
	cpu=$(echo "${reqs:-0} $((n1 - n0)) $((w1 - w0)) $HZ $3" | awk '{
		if ($1 == 0) { print "- -"; exit }
		printf "%.0f %s", $2 * 1e6 / $4 / $1, ($5 == "-" ? "-" : sprintf("%.0f", $3 * 1e6 / $4 / $1)) }')
	echo "${rps:-0} ${p50:--} ${p99:--} $cpu"
}
ratio() { echo "$1 $2" | awk '{ if ($2 > 0) printf "%.2f", $1 / $2; else print "-" }'; }

echo "== HTTP: $SECS s per case, wrk -t2 -c16, loopback, $ROUNDS rounds"
: > "$T/ratios"
r=0
while [ $r -lt "$ROUNDS" ]; do
	r=$((r + 1))
	static=$(run static /robots.txt -)
	health=$(run health /health health)
	page=$(run page / index)
	back=$(run back / index "Cookie: $COOKIE")
	echo
	echo "round $r (CPU time per request in microseconds: nginx's workers, the program's)"
	printf '%-36s %10s %9s %9s %8s %6s %8s\n' case "req/s" p50 p99 "vs nginx" nginx program
	for c in "nginx static file:$static" "GET /health (FastCGI):$health" \
	         "GET / (page, new visitor):$page" "GET / (returning, $RECORDS records):$back"; do
		name=${c%%:*}; set -- ${c#*:}
		printf '%-36s %10s %9s %9s %8s %6s %8s\n' "$name" "$1" "$2" "$3" "$(ratio "$1" "${static%% *}")x" "$4" "$5"
	done
	echo "$(ratio "${health%% *}" "${static%% *}") $(ratio "${back%% *}" "${static%% *}")" >> "$T/ratios"
done
# med COLUMN: the median of that column of $T/ratios.
med() { sort -n -k "$1" "$T/ratios" | awk -v k="$1" '{ v[NR] = $k } END { print v[int((NR + 1) / 2)] }'; }
echo
echo "light path, median of $ROUNDS rounds: health/static $(med 1), returning-with-$RECORDS-records/static $(med 2)"
echo "(each round: $(awk '{ printf "%s%s/%s", (NR > 1 ? ", " : ""), $1, $2 }' "$T/ratios"))"
pids=$(cat "$T/data/run/health.pid" "$T/data/run/index.pid" 2>/dev/null | tr '\n' ' ' | sed 's/ *$//')
rss=$(ps -o rss= -p "${pids:-0}" 2>/dev/null | awk '{s += $1; n++} END { if (n) printf "%.1f MB over %d workers (%.1f MB each)", s/1024, n, s/1024/n }')
echo "resident memory of the light programs after load: $rss"
