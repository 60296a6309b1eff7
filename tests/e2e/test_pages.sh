#!/bin/sh
# What the pages build on, through nginx: nginx's own 413 and 502/503/504 on the page
# routes are a page in plain words for a browser and stay JSON for scripts and the API;
# a record re-rendered in place and as a new one; the delete confirmation without
# JavaScript.
. tests/lib.sh
. tests/records_lib.sh

server_start BACKDROP_MAX_UPLOAD_BYTES=1048576 || exit 1
J='Accept: application/json'
H='Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'
code() { sed -n '1s/.* \([0-9][0-9][0-9]\).*/\1/p' "$1"; }
convert -size 480x360 xc:white -fill '#d02020' -draw "circle 240 180 240 70" "$T/photo.png"
head -c 2000000 /dev/urandom > "$T/big.bin"

# --- nginx's 413: a page for a browser, JSON for a script ---
curl -s -D "$T/h" -o "$T/b" -H "$H" -F image=@"$T/big.bin" "$BASE/"
is "$(code "$T/h")" 413 "a browser's upload over the cap is 413"
like "$(header Content-Type "$T/h")" '^text/html' "as an HTML page"
like "$(cat "$T/b")" 'That file is too large' "saying so in plain words"
like "$(cat "$T/b")" 'up to <strong>1 MB</strong>' "with the limit"
unlike "$(cat "$T/b")" '<!--#' "the limit is filled in"
curl -s -D "$T/h" -o "$T/b" -F image=@"$T/big.bin" "$BASE/"
is "$(code "$T/h"):$(header Content-Type "$T/h" | cut -d';' -f1)" 413:text/html "a form without an Accept gets the page too"
curl -s -D "$T/h" -o "$T/b" -H "$J" -F image=@"$T/big.bin" "$BASE/"
is "$(code "$T/h")/$(json "$T/b" 'j["code"]')" 413/too_large "a script asking for JSON gets JSON"
curl -s -D "$T/h" -o "$T/b" -H 'X-Api-Key: abc' -H "$H" -F image=@"$T/big.bin" "$BASE/"
is "$(code "$T/h")/$(json "$T/b" 'j["code"]')" 413/too_large "so does a key"
curl -s -D "$T/h" -o "$T/b" -H "$H" -H "Origin: $BASE" -F bg_image_file=@"$T/big.bin" "$BASE/update/0123456789abcdef0123456789abcdef"
is "$(code "$T/h"):$(header Content-Type "$T/h" | cut -d';' -f1)" 413:text/html "/update/ gets the page"
curl -s -D "$T/h" -o "$T/b" -H "$H" -H 'Content-Type: application/json' --data-binary @"$T/big.bin" "$BASE/api/change"
is "$(code "$T/h")/$(json "$T/b" 'j["code"]')" 413/too_large "the API keeps JSON"
curl -s -D "$T/h" -o "$T/b" "$BASE/error/413.html"
is "$(code "$T/h")" 404 "the error pages are not served on their own"

# --- a record re-rendered through nginx ---
curl -s -c "$T/jar" -b "$T/jar" -o "$T/b" -H "$J" -F image=@"$T/photo.png" "$BASE/"
ID=$(json "$T/b" 'j["id"]')
like "$ID" '^[0-9a-f]{32}$' "an upload"
curl -s -b "$T/jar" -o "$T/b" -H "$J" -H "Origin: $BASE" -F mode=change -F bg_color='#0000ff' -F format=png "$BASE/update/$ID"
is "$(json "$T/b" 'j["id"]')" "$ID" "a re-render answers the same record"
curl -s -b "$T/jar" -o "$T/p.png" "$BASE$(json "$T/b" 'j["urls"]["processed"]')"
is "$(convert "$T/p.png" -format '%[pixel:p{1,1}]' info:)" "srgb(0,0,255)" "its result has the new background"
curl -s -b "$T/jar" -o "$T/b" -H "$J" "$BASE/"
is "$(json "$T/b" '[j["count"], j["records"][0]["options"]["bg_color"]]')" '[1, "#0000ff"]' "still one record, with the new options"
curl -s -b "$T/jar" -D "$T/h" -o /dev/null -H "Origin: $BASE" -F bg_color=white -F save_as_new=1 "$BASE/update/$ID"
like "$(code "$T/h"):$(header Location "$T/h")" '^303:/\?flash=saved#rec-[0-9a-f]{32}$' "save as new from a form is 303 to the new card"
unlike "$(header Location "$T/h")" "$ID" "which is another record"
curl -s -b "$T/jar" -o "$T/b" -H "$J" "$BASE/"
is "$(json "$T/b" 'j["count"]')" 2 "two records now"

# --- delete asks first ---
curl -s -b "$T/jar" -D "$T/h" -o "$T/b" -H "$H" "$BASE/remove/$ID"
is "$(code "$T/h")" 200 "GET /remove/ID is the confirmation page"
like "$(cat "$T/b")" "<form method=\"post\" action=\"/remove/$ID\">" "posting to /remove/ID"
curl -s -b "$T/jar" -D "$T/h" -o /dev/null -H "Referer: $BASE/remove/$ID" -X POST "$BASE/remove/$ID"
is "$(code "$T/h"):$(header Location "$T/h")" "303:/?flash=removed" "its form deletes and goes back"

# --- a program that is down: the page for a browser, JSON for a script ---
mv "$DATA/run/remove.sock" "$DATA/run/remove.sock.away"
curl -s -b "$T/jar" -D "$T/h" -o "$T/b" -H "$H" "$BASE/remove/$ID"
is "$(code "$T/h"):$(header Content-Type "$T/h" | cut -d';' -f1)" 503:text/html "nginx's 502 on a page route is a 503 page"
like "$(cat "$T/b")" 'busy for a moment' "saying to try again"
curl -s -b "$T/jar" -D "$T/h" -o "$T/b" -H "$J" -X DELETE -H "Origin: $BASE" "$BASE/remove/$ID"
is "$(code "$T/h")/$(json "$T/b" 'j["code"]')" 503/unavailable "a script gets 503 JSON"
mv "$DATA/run/remove.sock.away" "$DATA/run/remove.sock"
curl -s -b "$T/jar" -D "$T/h" -o /dev/null -H "$H" "$BASE/"
is "$(code "$T/h")" 200 "the rest served throughout"
