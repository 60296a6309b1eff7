#!/bin/sh
# The shipped nginx.conf against floods from one client address (the real service, on
# 127.0.0.1): many connections with unfinished headers (Slowloris) leave /health
# answering; requests in progress are capped per address (429 past the cap); anonymous
# image work is rate-limited per address (429 past the burst) while requests with an
# X-Api-Key header are not held to that limit. The floods are bounded in count and
# time, and every socket is closed before the test ends.
. tests/lib.sh
FLOOD="python3 $TOP/tests/e2e/limits/flood.py"

server_start || exit 1
# /health from a fresh connection, bounded by curl's --max-time.
health() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$BASE/health"; }
is "$(health)" 200 "the service answers /health"

# flood MODE N: starts the flood in the background and waits (at most 20 s) for its
# report in "$T/ready"; unflood tells it to close every socket and waits for it.
flood() {
	rm -f "$T/ready" "$T/stop"
	$FLOOD "$PORT" "$1" "$2" "$T/ready" "$T/stop" 2>>"$T/flood.err" &
	fpid=$!
	k=0; while [ ! -f "$T/ready" ] && [ $k -lt 200 ]; do sleep 0.1; k=$((k + 1)); done
}
unflood() { touch "$T/stop"; wait "$fpid"; }

# ---- Slowloris: connections whose headers never end ----
# (nginx closes idle ones itself when it runs out of connections, and drops them after
# client_header_timeout.)
flood hold 300
held=$(cat "$T/ready" 2>/dev/null)
echo "# $held of 300 connections with unfinished headers are open"
ok "the flood opened 300 connections" test "${held:-0}" -ge 300
is "$(health)" 200 "/health answers 200 while they are held"
is "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$BASE/robots.txt")" 200 \
	"a static file is served while they are held"
unflood

# ---- Slowloris: complete headers, a body that never comes ----
# More than the 512 connections per nginx worker the old configuration allowed (these
# nginx cannot reclaim): past 32 requests in progress from one address, 429 and close.
cpus=$(nproc 2>/dev/null || echo 1)
n=$((512 * cpus + 100))
[ "$n" -le 3000 ] || n=3000
flood slowbody "$n"
out=$(cat "$T/ready" 2>/dev/null)
echo "# $n slow bodies from one address: $out (refused, held, other answers)"
set -- $out
ok "past 32 requests in progress from one address the rest are refused (429)" test "${1:-0}" -ge $((n - 32))
ok "at most 32 are held" test "${2:-999}" -le 32
is "${3:-x}" 0 "no other answer"
is "$(health)" 200 "/health answers 200 while they are held"
is "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$BASE/robots.txt")" 200 \
	"a static file is served while they are held"
unflood
is "$(health)" 200 "/health answers 200 after the slow bodies"

# ---- anonymous image work: a burst past the limit ----
$FLOOD "$PORT" burst 160 > "$T/anon" 2>>"$T/flood.err"
n429=$(grep -c '^429 ' "$T/anon")
first=$(head -n 50 "$T/anon" | grep -c '^429 ')
echo "# 160 anonymous POST /api/filter: $n429 answered 429"
is "$(wc -l < "$T/anon" | tr -d ' ')" 160 "every anonymous request was answered"
ok "a burst of anonymous image requests past the limit gets some 429s" test "$n429" -gt 0
is "$first" 0 "the first 50 are let through (the burst allows normal use)"
is "$(grep '^429 ' "$T/anon" | sort -u)" "429 rate_limit_exceeded" "429 keeps the JSON shape"
# Right after, with a (made up) key: nginx passes them on, and the program refuses the key.
$FLOOD "$PORT" burst 40 "X-Api-Key: not-a-real-key" > "$T/keyed" 2>>"$T/flood.err"
is "$(sort -u "$T/keyed")" "403 auth_failed" "40 requests with an X-Api-Key all reach the program (403 auth_failed, no 429)"
is "$(health)" 200 "/health answers 200 after the burst"
is "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H 'Accept: application/json' "$BASE/")" 200 \
	"GET / (no image work) is not limited"
server_stop
