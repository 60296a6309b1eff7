#!/bin/sh
# The shipped nginx.conf against floods from one client address (the real service, on
# 127.0.0.1): many connections with unfinished headers (Slowloris) leave /health
# answering; requests in progress are capped per address (429 past the cap); anonymous
# image work runs one request at a time per address (429 for the others, while another
# address is served) and is rate-limited per address (429 past the burst), while
# requests with an X-Api-Key header are held to neither. The floods are bounded in count
# and time, and every socket is closed before the test ends.
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

# ---- anonymous image work: one request at a time per address ----
# An upload whose body comes a byte a second holds the one place of its address
# (127.0.0.1) for as long as it goes on: nginx's "100 Continue" says it is in
# progress, and it is never answered before it is closed. Meanwhile every further
# image request from that address is refused at once (429), on every image route and
# however many come together, while at the same moment a visitor from another address
# uploads, and a request with an API key and a page from the held address are served.
convert -size 64x48 gradient:'#20406a-#e0b070' "$T/p.png"
rm -f "$T/ready" "$T/ready.end" "$T/stop"
$FLOOD "$PORT" trickle "$T/ready" "$T/stop" "POST /" 2>>"$T/flood.err" &
fpid=$!
k=0; while [ ! -f "$T/ready" ] && [ $k -lt 300 ]; do sleep 0.1; k=$((k + 1)); done
is "$(cat "$T/ready" 2>/dev/null)" "HTTP/1.1 100 Continue" "an anonymous POST / whose body trickles in is in progress (100 Continue)"
i=0; jobs_=""
while [ $i -lt 8 ]; do
	if [ $((i % 2)) = 0 ]; then
		curl -s -o "$T/busy.$i" -w '%{http_code}\n' -H 'Accept: application/json' \
			-F image=@"$T/p.png" "$BASE/" > "$T/busy.$i.st" &
	else
		curl -s -o "$T/busy.$i" -w '%{http_code}\n' -H 'Content-Type: application/json' \
			--data '{"image": "", "filter": "red"}' "$BASE/api/filter" > "$T/busy.$i.st" &
	fi
	jobs_="$jobs_ $!"; i=$((i + 1))
done
curl -s -o "$T/victim" -w '%{http_code}' --interface 127.0.0.2 -H 'Accept: application/json' \
	-F image=@"$T/p.png" "$BASE/" > "$T/victim.st" &
jobs_="$jobs_ $!"
wait $jobs_
is "$(cat "$T"/busy.*.st | sort | uniq -c | tr -s ' ')" " 8 429" \
	"8 image requests at once from the held address (POST /, POST /api/filter) are all 429"
is "$(for f in "$T"/busy.[0-7]; do json "$f" 'j["code"]'; done | sort -u)" \
	rate_limit_exceeded "each in the JSON shape (rate_limit_exceeded)"
is "$(cat "$T/victim.st"):$(json "$T/victim" 'j["width"]')" 201:64 \
	"meanwhile a visitor from another address (127.0.0.2) uploads (201)"
is "$(curl -s -o /dev/null -w '%{http_code}' -H 'X-Api-Key: not-a-real-key' -H 'Content-Type: application/json' \
	--data '{"image": "", "filter": "red"}' "$BASE/api/filter")" 403 \
	"a request with an API key from the held address reaches the program (403, not 429)"
is "$(curl -s -o /dev/null -w '%{http_code}' -H 'Accept: application/json' "$BASE/")" 200 \
	"GET / (no image work) from the held address is served"
# The held upload is still in progress: nginx logs a request when it ends, and its line
# is not in the access log yet, while the visitor's and the refused ones are.
is "$(grep -c '^127\.0\.0\.1 .*"POST / HTTP/1\.1" [0-9]' "$T/data/run/access.log"):$(grep -c \
	'^127\.0\.0\.2 .*"POST / HTTP/1\.1" 201' "$T/data/run/access.log")" 4:1 \
	"the log holds the 4 refused uploads and the visitor's, not the held one"
unflood
is "$(cat "$T/ready.end" 2>/dev/null)" "no answer" "the held upload was in progress all along (not answered before it was closed)"
is "$(curl -s -o "$T/after" -w '%{http_code}' -H 'Accept: application/json' -F image=@"$T/p.png" "$BASE/")" 201 \
	"once it ends, the address uploads again (201)"

# ---- anonymous image work: a burst past the limit ----
# One after the other on one kept-alive connection, as a browser sends them: each ends
# before the next begins, so only the rate limit can refuse them.
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
