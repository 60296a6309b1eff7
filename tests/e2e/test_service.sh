#!/bin/sh
# The whole service through the launcher: nginx, spawn-fcgi, unix sockets, health,
# static pages, errors nginx answers, a second launch, and a clean stop.
. tests/lib.sh

server_start BACKDROP_MAX_UPLOAD_BYTES=4096
ok "the service starts" test -n "$SERVER_PID"
body=$(curl -s "$BASE/health")
is "$(json "$body" 'j["status"]')" Healthy "GET /health through nginx is Healthy"
is "$(curl -s -o /dev/null -w '%{http_code}' -I "$BASE/health")" 200 "HEAD /health through nginx is 200"
curl -s -D "$T/h" -o "$T/b" -X POST "$BASE/health"
is "$(sed -n '1s/.* \([0-9][0-9][0-9]\).*/\1/p' "$T/h")" 405 "POST /health is 405"
is "$(header Allow "$T/h")" "GET, HEAD" "405 through nginx keeps Allow"
curl -s -D "$T/h" -o "$T/b" "$BASE/no-such-page"
is "$(sed -n '1s/.* \([0-9][0-9][0-9]\).*/\1/p' "$T/h")" 404 "unknown static path is 404"
is "$(json "$T/b" 'j["code"]')" not_found "404 from nginx is JSON in the same shape"
like "$(curl -s -D - -o /dev/null "$BASE/health" | tr -d '\r' | grep -i '^X-Request-Id:')" '[0-9a-f]{32}' "nginx's request id reaches the program"

head -c 20000 /dev/zero > "$T/big"
curl -s -D "$T/h" -o "$T/b" -X POST --data-binary @"$T/big" -H 'Content-Type: application/octet-stream' -H 'Accept: application/json' "$BASE/"
is "$(sed -n '1s/.* \([0-9][0-9][0-9]\).*/\1/p' "$T/h")" 413 "a body over the cap is 413"
is "$(json "$T/b" 'j["code"]')" too_large "413 is JSON"

if [ -f www/index.html ] || ls www/*.css >/dev/null 2>&1; then
	f=$(cd www && ls *.css *.html 2>/dev/null | head -n 1)
	curl -s -D "$T/h" -o /dev/null "$BASE/$f"
	is "$(header X-Content-Type-Options "$T/h")" nosniff "static files carry nosniff"
	like "$(header Content-Security-Policy "$T/h")" "default-src 'self'" "static files carry a CSP"
fi

# A second launch on the same data folder is refused plainly.
out=$(cd "$TOP" && BUILD="$BUILD" PORT="$PORT" with_data "$DATA" sh cgi-bin/launch.sh 2>&1)
like "$out" "already running" "a second launch says Backdrop is already running"
is "$(curl -s "$BASE/health" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')" Healthy "the first instance still serves"

ok "sockets are in the run folder" test -S "$DATA/run/health.sock"
server_stop
nok "after stop nothing listens" curl -s --max-time 2 "$BASE/health"
nok "after stop the run folder (sockets, pid files) is gone" test -e "$DATA/run"
is "$(pgrep -f "$BIN/health" | wc -l | tr -d ' ')" 0 "after stop no program is left running"
ok "the database is left in place" store_made "$DATA"

# An unusable data folder: the launcher says which path and why.
touch "$T/file"
out=$(cd "$TOP" && BUILD="$BUILD" PORT="$(free_port)" with_data "$T/file" sh cgi-bin/launch.sh 2>&1)
like "$out" "$T/file.*not a directory" "an unusable data folder is named with the reason"
