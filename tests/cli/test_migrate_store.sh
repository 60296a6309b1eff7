#!/bin/sh
# backdrop migrate-store --to URL: an SQLite installation with records, images, a key
# with usage, a queued job and a seen identity moves to PostgreSQL whole: every row and
# every image byte, the list order, the identity cookie and the key still work against
# the new store, and a second move into the now non-empty store is refused. Under
# STORE=postgres the target is a database of the suite's server; otherwise the test
# starts a PostgreSQL server of its own (Debian's, in its temporary folder).
. tests/lib.sh
. tests/records_lib.sh

J="HTTP_ACCEPT=application/json"
SRC="$T/src"
# The source is SQLite whatever STORE says: the programs get its file explicitly.
S="BACKDROP_DATA_DIR=$SRC BACKDROP_DATABASE_URL=sqlite:$SRC/backdrop.db"
own_pg=0
if [ "$STORE" != postgres ]; then
	STORE=postgres
	TMPROOT=$T
	chmod 755 "$T"   # the server's unprivileged owner reaches its folder inside
	store_start || { echo "not ok 1 - a PostgreSQL server for the test starts"; exit 1; }
	own_pg=1
fi
# The test's own server stops before lib.sh's cleanup removes its folder.
trap '[ "$own_pg" = 1 ] && store_stop; _cleanup' EXIT
TO=$(store_url "$T/dst")

convert -size 64x48 xc:'#3366cc' -fill yellow -draw "rectangle 20 10 44 38" "$T/a.png"
mpform "$T/up" name=first image=@"$T/a.png"
cgi upload POST / "$T/up" "$MPCT" -- $J $S
is "$CGI_STATUS" 201 "an upload into the SQLite store"
C1=$(cookie_of "$CGI_HEADERS")
for n in second third; do
	mpform "$T/up" name=$n image=@"$T/a.png"
	cgi upload POST / "$T/up" "$MPCT" -- $J $S HTTP_COOKIE="$C1"
done
is "$CGI_STATUS" 201 "two more for the same identity"
cgi index GET / -- $J $S HTTP_COOKIE="$C1"
before=$(json "$CGI_BODY" '" ".join(r["id"] + ":" + r["image_name"] for r in j["records"])')
ids=$(json "$CGI_BODY" '" ".join(r["id"] for r in j["records"])')
KEY=$(env $S "$BIN/backdrop" key add mover 2>/dev/null)
like "$KEY" '^bdk_' "a key"
mpform "$T/rb" image_file=@"$T/a.png" size=preview
cgi change POST /v1.0/removebg "$T/rb" "$MPCT" -- $S HTTP_X_API_KEY="$KEY"
is "$CGI_STATUS" 200 "the key makes a cutout (usage is counted)"
printf '{"origin_img": "data:image/png;base64,AAAA", "callback_url": "http://127.0.0.1:9/hook"}' > "$T/job.json"
cgi change POST /api/change "$T/job.json" application/json -- $J $S
is "$CGI_STATUS" 202 "a queued job"
sq() { sqlite3 "$SRC/backdrop.db" "$1"; }
counts="SELECT (SELECT count(*) FROM records) || ' ' || (SELECT count(*) FROM images) || ' ' || \
(SELECT count(*) FROM api_keys) || ' ' || (SELECT count(*) FROM jobs) || ' ' || \
(SELECT count(*) FROM key_usage) || ' ' || (SELECT count(*) FROM key_rate) || ' ' || (SELECT count(*) FROM users)"
src_counts=$(sq "$counts")
like "$src_counts" '^3 1[0-9] 1 1 1 1 1$' "the source holds records, images, a key, usage, a job, an identity: $src_counts"

# --- the move ---
env $S "$BIN/backdrop" migrate-store --to "$TO" > "$T/move.out" 2> "$T/move.err"
is "$?" 0 "migrate-store succeeds"
like "$(cat "$T/move.out")" '^records +3$' "it reports the rows copied"
DST="BACKDROP_DATA_DIR=$SRC BACKDROP_DATABASE_URL=$TO"
is "$(db_sql "$T/dst" "$counts")" "$src_counts" "PostgreSQL holds as many rows of every table"
img_sum="SELECT record_id || kind || ':' || length(data) || ':' || etag FROM images ORDER BY record_id, kind"
is "$(db_sql "$T/dst" "$img_sum" | md5sum)" "$(sq "$img_sum" | md5sum)" "every image, its length and its etag"
for id in $ids; do
	for kind in original processed; do
		cgi image GET "/image/$id/$kind" -- $S HTTP_COOKIE="$C1"
		cp "$CGI_BODY" "$T/from-sqlite"
		cgi image GET "/image/$id/$kind" -- $DST HTTP_COOKIE="$C1"
		ok "the $kind of $id is served byte for byte from PostgreSQL" cmp "$CGI_BODY" "$T/from-sqlite"
	done
done
cgi index GET / -- $J $DST HTTP_COOKIE="$C1"
is "$(json "$CGI_BODY" '" ".join(r["id"] + ":" + r["image_name"] for r in j["records"])')" "$before" \
	"the identity cookie lists the same records in the same order"
job_row="SELECT id || status || request || callback_url FROM jobs"
is "$(db_sql "$T/dst" "$job_row")" "$(sq "$job_row")" "the job, queued, with its request and callback"
cgi change GET /v1.0/account -- $DST HTTP_X_API_KEY="$KEY"
is "$CGI_STATUS" 200 "the key is known to the new store"
like "$(cat "$CGI_BODY")" '"total"' "and its account answers"
mpform "$T/up" name=fourth image=@"$T/a.png"
cgi upload POST / "$T/up" "$MPCT" -- $J $DST HTTP_COOKIE="$C1"
is "$CGI_STATUS" 201 "a new upload goes into PostgreSQL"
cgi index GET / -- $J $DST HTTP_COOKIE="$C1"
is "$(json "$CGI_BODY" 'j["records"][0]["image_name"]')" fourth "and lists first (the insertion order goes on)"

# --- refusals ---
env $S "$BIN/backdrop" migrate-store --to "$TO" > /dev/null 2> "$T/again.err"
is "$?" 1 "a second move into the non-empty store fails"
like "$(cat "$T/again.err")" 'not empty' "saying the target is not empty"
is "$(db_sql "$T/dst" "SELECT count(*) FROM records")" 4 "and changes nothing there"
env $S "$BIN/backdrop" migrate-store > /dev/null 2>&1
is "$?" 2 "without --to it is a usage error"
env $S "$BIN/backdrop" migrate-store --to "postgresql:///nosuchdb?host=$STORE_PGHOST&user=$STORE_PGUSER" \
	> /dev/null 2> "$T/nodb.err"
is "$?" 1 "a database that does not exist is refused"
like "$(cat "$T/nodb.err")" 'cannot open the target store' "with a clear message"
