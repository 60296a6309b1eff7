#!/bin/sh
# A form posted from a page on another site carries no SameSite=Lax cookie. It must not
# replace the visitor's identity: the upload waits under a single-use claim and the
# redirect's GET, which does carry the cookie, attaches it to the visitor's own records.
# curl plays the browser: the cross-site POST without the cookie, then the GET with it.
. tests/lib.sh

server_start USER_LIMIT=3
ok "the service starts" test -n "$SERVER_PID"
code() { sed -n '1s/^HTTP[^ ]* \([0-9]*\).*/\1/p' "$1"; }
uid() { awk '$6 == "backdrop_uid" { print $7 }' "$1"; }
names() { curl -s -b "$1" -H 'Accept: application/json' "$BASE/" | python3 -c \
	'import json,sys; print(" ".join(sorted(r["image_name"] for r in json.load(sys.stdin)["records"])))'; }
claims() { db_sql "$DATA" "SELECT count(*) FROM records WHERE user_id LIKE 'claim:%'"; }
# cross NAME: a form posted from another site, without any cookie; headers in $T/h.
cross() {
	curl -s -D "$T/h" -o /dev/null -H 'Origin: https://elsewhere.example' \
		-H 'Sec-Fetch-Site: cross-site' -F name="$1" -F image=@"$T/a.png" "$BASE/"
}

convert -size 160x120 xc:white -fill '#2050c0' -draw "circle 80 60 80 20" "$T/a.png"

# --- the victim has an identity and a record ---
curl -s -c "$T/jar" -b "$T/jar" -o /dev/null "$BASE/"
curl -s -c "$T/jar" -b "$T/jar" -o /dev/null -H "Origin: $BASE" -F name=old -F image=@"$T/a.png" "$BASE/"
VICTIM=$(uid "$T/jar")
like "$VICTIM" '^[0-9a-f]{32}\.[0-9a-f]{64}$' "the victim holds a signed id"
is "$(names "$T/jar")" "old" "and one record"

# --- a page elsewhere posts a form to us ---
cross new
is "$(code "$T/h")" 303 "the cross-site form upload is 303"
unlike "$(tr -d '\r' < "$T/h" | grep -i '^set-cookie')" 'backdrop_uid' "in particular no new backdrop_uid"
LOC=$(header Location "$T/h")
like "$LOC" '^/\?claim=[0-9a-f]{32}$' "the redirect carries a claim token"
is "$(claims)" 1 "the record waits under the claim"

# --- the redirect's GET carries the victim's cookie ---
cp "$T/jar" "$T/jar.before"
curl -s -c "$T/jar" -b "$T/jar" -D "$T/h" -o /dev/null "$BASE$LOC"
is "$(code "$T/h")" 303 "the claim GET is 303"
is "$(header Location "$T/h")" "/?flash=ok" "to / with the success flash"
unlike "$(tr -d '\r' < "$T/h" | grep -i '^set-cookie')" 'backdrop_uid' "it sets no new id for the victim"
is "$(uid "$T/jar")" "$VICTIM" "the victim's cookie is unchanged"
is "$(names "$T/jar")" "new old" "the victim's old record and the new one are listed"
is "$(claims)" 0 "nothing waits any more"
curl -s -b "$T/jar" "$BASE/?flash=ok" > "$T/b"
like "$(cat "$T/b")" 'Image generated successfully' "the page shows the flash"

# --- a claim is single-use and unguessable ---
curl -s -c "$T/jar" -b "$T/jar" -D "$T/h" -o /dev/null "$BASE$LOC"
is "$(header Location "$T/h")" "/?flash=error" "a used claim is refused"
is "$(names "$T/jar")" "new old" "and changes nothing"
curl -s -b "$T/jar" -D "$T/h" -o /dev/null "$BASE/?claim=0123456789abcdef0123456789abcdef"
is "$(header Location "$T/h")" "/?flash=error" "an unknown claim is refused"
curl -s -b "$T/jar" -D "$T/h" -o /dev/null "$BASE/?claim=%3Cscript%3E"
is "$(header Location "$T/h")" "/?flash=error" "a malformed claim is refused"
is "$(names "$T/jar")" "new old" "neither changes anything"

# --- another visitor's claim cannot be taken by a second GET ---
cross other
LOC=$(header Location "$T/h")
curl -s -c "$T/jar2" -b "$T/jar2" -D "$T/h" -o /dev/null "$BASE$LOC"
is "$(header Location "$T/h")" "/?flash=ok" "a first-time visitor's claim GET succeeds"
like "$(uid "$T/jar2")" '^[0-9a-f]{32}\.' "and issues its identity there, on the GET"
is "$(names "$T/jar2")" "other" "which lists the new record"
curl -s -b "$T/jar" -D "$T/h" -o /dev/null "$BASE$LOC"
is "$(header Location "$T/h")" "/?flash=error" "the victim cannot take it again"
is "$(names "$T/jar")" "new old" "the victim's records are unchanged"

# --- USER_LIMIT is checked when the record is attached ---
cross third
LOC=$(header Location "$T/h")
curl -s -b "$T/jar" -o /dev/null "$BASE$LOC"
is "$(names "$T/jar")" "new old third" "the victim's third record"
cross fourth
LOC=$(header Location "$T/h")
curl -s -b "$T/jar" -D "$T/h" -o /dev/null "$BASE$LOC"
is "$(header Location "$T/h")" "/?flash=limit" "a claim over USER_LIMIT answers the limit flash"
is "$(names "$T/jar")" "new old third" "and stores nothing for the victim"
is "$(claims)" 0 "the refused record is gone"
is "$(db_sql "$DATA" "SELECT count(*) FROM images WHERE record_id NOT IN (SELECT id FROM records)")" 0 \
	"with its images"

# --- an unclaimed record expires ---
cross stale
STALE=$(header Location "$T/h")
db_sql "$DATA" "UPDATE records SET created_on = '2000-01-01 00:00:00' WHERE user_id LIKE 'claim:%'"
curl -s -b "$T/jar2" -D "$T/h" -o /dev/null "$BASE$STALE"
is "$(header Location "$T/h")" "/?flash=error" "an expired claim is refused"
is "$(names "$T/jar2")" "other" "and attaches nothing"
cross stale2
db_sql "$DATA" "UPDATE records SET created_on = '2000-01-01 00:00:00' WHERE user_id LIKE 'claim:%'"
cross fresh
is "$(claims)" 1 "an upload purges expired claims (only the fresh one waits)"
is "$(db_sql "$DATA" "SELECT count(*) FROM images WHERE record_id NOT IN (SELECT id FROM records)")" 0 \
	"with their images"

# --- a cookie-less API client still gets its own identity ---
curl -s -c "$T/jar3" -D "$T/h" -o /dev/null -H 'Accept: application/json' -F name=api -F image=@"$T/a.png" "$BASE/"
is "$(code "$T/h")" 201 "a JSON upload without a cookie is 201"
like "$(uid "$T/jar3")" '^[0-9a-f]{32}\.' "with a new id"
is "$(names "$T/jar3")" "api" "which owns the record"

server_stop
echo "1..$_n"
[ "$_failed" -eq 0 ]
