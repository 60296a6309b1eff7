#!/bin/sh
# Operating a store with the backdrop command: migrate (and --dry-run, and refusing a
# database newer than the programs), stats, last seen per identity, purge and the
# retention settings, the storage figure of /health, backup and restore.
. tests/lib.sh
. tests/records_lib.sh

BACKDROP_DATA_DIR="$T/data"
export BACKDROP_DATA_DIR
DB="$T/data/backdrop.db"
# q SQL: rows of the store of $T/data.
q() { db_sql "$T/data" "$1"; }
# The newest migration's number for this store: the schema version these programs
# bring a database to.
LATEST=$(ls sql/$STORE/[0-9]*.sql | tail -n 1 | sed 's#.*/0*\([0-9]*\)_.*#\1#')
bd() { bd_in "$BACKDROP_DATA_DIR" "$@"; }
J="HTTP_ACCEPT=application/json"
convert -size 120x80 xc:white -fill red -draw "circle 60 40 60 15" "$T/a.png"
mpform "$T/up" name=photo image=@"$T/a.png"
# upload [COOKIE]: one record as plain CGI; sets COOKIE to the identity used.
upload() {
	cgi upload POST / "$T/up" "$MPCT" -- $J ${1:+HTTP_COOKIE=$1}
	[ -n "${1:-}" ] && COOKIE=$1 || COOKIE=$(cookie_of "$CGI_HEADERS")
}

# --- migrate: an older database (the first three migrations) is brought forward ---
if sqlite_only "migrate from an older SQLite schema (the PostgreSQL schema starts at its own first migration)"; then
mkdir -p "$T/data"
for f in sql/sqlite/001_*.sql sql/sqlite/002_*.sql sql/sqlite/003_*.sql; do cat "$f"; done > "$T/v3.sql"
{
	echo "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
	echo " applied_at TEXT NOT NULL DEFAULT (datetime('now')));"
	echo "INSERT INTO schema_migrations (version, name) VALUES (1, '001_init'), (2, '002_keys'), (3, '003_jobs');"
	echo "INSERT INTO records VALUES ('$(printf '%032d' 1)', '$(printf 'a%031d' 0)', 'old one', '2020-01-01 10:00:00', 1, 1, '{}');"
} >> "$T/v3.sql"
sqlite3 "$DB" ".read $T/v3.sql"
out=$(bd migrate --dry-run)
is "$?" 0 "migrate --dry-run succeeds"
like "$out" "pending 004_retention" "it lists the pending migration"
like "$out" "schema version 3, would be $LATEST" "and the version it would reach"
is "$(q "SELECT MAX(version) FROM schema_migrations")" 3 "--dry-run changes nothing"
is "$(q "SELECT count(*) FROM sqlite_schema WHERE name = 'users'")" 0 "no table was made"
out=$(bd migrate)
is "$?" 0 "migrate succeeds"
like "$out" "applying 004_retention" "it names what it applies"
is "$(q "SELECT MAX(version) FROM schema_migrations")" "$LATEST" "the schema is at the newest version"
is "$(q "SELECT image_name FROM records")" "old one" "the records are kept"
out=$(bd migrate)
like "$out" "schema version $LATEST, current $LATEST" "a second migrate has nothing to do"
unlike "$out" "applying" "and applies nothing"
q "DELETE FROM records"
fi

# --- uploads by two cookie identities and a key ---
KEY=$(bd key add ops 2>/dev/null)
upload; A=$COOKIE; upload "$A"; upload "$A"
upload; B=$COOKIE; upload "$B"
cgi upload POST / "$T/up" "$MPCT" -- $J HTTP_X_API_KEY="$KEY"
is "$CGI_STATUS" 201 "a key uploads too"
AID=$(echo "$A" | sed 's/.*=\([0-9a-f]*\)\..*/\1/'); BID=$(echo "$B" | sed 's/.*=\([0-9a-f]*\)\..*/\1/')

# --- stats ---
bd stats > "$T/stats"
is "$?" 0 "stats succeeds"
st() { awk -v k="$1" '$1 == k { print $2 }' "$T/stats"; }
is "$(st records)" 6 "stats: records"
is "$(st users)" 2 "stats: users (cookie identities with records)"
is "$(st keys)" 1 "stats: keys"
is "$(st bytes_original)" "$(q "SELECT SUM(bytes) FROM images WHERE kind = 'original'")" "stats: bytes of originals"
is "$(st bytes_processed)" "$(q "SELECT SUM(bytes) FROM images WHERE kind = 'processed'")" "stats: bytes of processed images"
is "$(st bytes_thumb)" "$(q "SELECT SUM(bytes) FROM images WHERE kind = 'thumb'")" "stats: bytes of thumbnails"
is "$(st jobs_queued) $(st jobs_delivered) $(st jobs_failed)" "0 0 0" "stats: jobs by state"
is "$(st schema_version)" "$LATEST" "stats: the schema version"
ok "stats: the database's bytes" test "$(st bytes_database)" -gt 0

# --- last seen: a returning identity's first request of a day writes it ---
is "$(q "SELECT last_seen FROM users WHERE id = '$AID'")" "$(date -u +%F)" "a returning identity is seen today"
q "UPDATE users SET last_seen = '2001-01-01' WHERE id = '$AID'"
cgi index GET / -- $J HTTP_COOKIE="$A"
is "$(q "SELECT last_seen FROM users WHERE id = '$AID'")" "$(date -u +%F)" "listing the records notes it again"
is "$(json "$CGI_BODY" 'j["count"]')" 3 "and lists them"
is "$(q "SELECT count(*) FROM users WHERE id LIKE 'key:%'")" 0 "a key has no last-seen row"

# --- /health reports the storage ---
cgi health GET /health
is "$CGI_STATUS" 200 "/health is 200"
if [ "$STORE" = postgres ]; then
	ok "/health reports the database's bytes" test "$(json "$CGI_BODY" 'j["storage"]["database_bytes"]')" -gt 0
else
	sz=$(( $(stat -c %s "$DB") + $(stat -c %s "$DB-wal" 2>/dev/null || echo 0) ))
	is "$(json "$CGI_BODY" 'j["storage"]["database_bytes"]')" "$sz" "/health reports the database's bytes on disk"
fi

# --- backup and restore (of the SQLite file) ---
if sqlite_only "backup and restore copy the SQLite file (pg_dump and pg_restore do it for PostgreSQL)"; then
out=$(bd backup "$T/b1.db" --with-secret 2>&1)
is "$?" 0 "backup succeeds"
is "$(sqlite3 "$T/b1.db" "PRAGMA integrity_check")" ok "the backup passes integrity_check"
is "$(sqlite3 "$T/b1.db" "SELECT count(*) FROM records")" 6 "it holds every record"
is "$(sqlite3 "$T/b1.db" "SELECT count(*) FROM images")" "$(q "SELECT count(*) FROM images")" "and every image"
is "$(sqlite3 "$T/b1.db" "PRAGMA journal_mode")" delete "it is one file (no WAL)"
is "$(stat -c %a "$T/b1.db")" 600 "that only its owner reads"
ok "no WAL beside it" test ! -e "$T/b1.db-wal"
is "$(stat -c %a "$T/b1.db.secret")" 600 "--with-secret writes the secret, mode 0600"
ok "the same secret" cmp "$T/b1.db.secret" "$T/data/secret"
bd backup "$T/b2.db" >/dev/null 2>&1
ok "without --with-secret there is no secret file" test ! -e "$T/b2.db.secret"
nok "backup without a file is a usage error" bd backup

# Into a new data folder: the records, and the cookies that own them, work there.
BACKDROP_DATA_DIR="$T/new" bd restore "$T/b1.db" > /dev/null 2> "$T/restore.err"
is "$?" 0 "restore into a new data folder succeeds"
like "$(cat "$T/restore.err")" "with its secret" "it says the secret came along"
is "$(sqlite3 "$T/new/backdrop.db" "SELECT count(*) FROM records")" 6 "the restored database holds every record"
BACKDROP_DATA_DIR="$T/new" cgi index GET / -- $J HTTP_COOKIE="$A"
is "$(json "$CGI_BODY" 'j["count"]')" 3 "the old cookie lists its records from the restored copy"
# A restore over the live database replaces what is there.
upload "$B"
is "$(q "SELECT count(*) FROM records")" 7 "one more record after the backup"
bd restore "$T/b2.db" >/dev/null 2>&1
is "$(q "SELECT count(*) FROM records")" 6 "restoring puts the database back as it was"
is "$(db_intact "$T/data")" ok "and it checks out"
# What restore refuses, leaving the live database alone.
before=$(db_dump "$T/data" | md5sum)
head -c 8192 "$T/b2.db" > "$T/cut.db"
nok "a truncated backup is refused" bd restore "$T/cut.db"
echo "not a database" > "$T/junk.db"
nok "a file that is not a database is refused" bd restore "$T/junk.db"
sqlite3 "$T/other.db" "CREATE TABLE t (x); INSERT INTO t VALUES (1);"
nok "a database that is not Backdrop's is refused" bd restore "$T/other.db"
cp "$T/b2.db" "$T/newer.db"
sqlite3 "$T/newer.db" "INSERT INTO schema_migrations (version, name) VALUES (999, '999_future')"
out=$(bd restore "$T/newer.db" 2>&1)
is "$?" 1 "a backup newer than the programs is refused"
like "$out" "newer than this version" "saying why"
nok "restore of a missing file fails" bd restore "$T/missing.db"
is "$(db_dump "$T/data" | md5sum)" "$before" "the refused restores changed nothing"
fi

# --- purge: identities unseen for retention_days, finished jobs after job_retention_days ---
upload; C=$COOKIE; CID=$(echo "$C" | sed 's/.*=\([0-9a-f]*\)\..*/\1/')
q "UPDATE users SET last_seen = '$(ago '100 days' | cut -c 1-10)' WHERE id = '$AID'"
q "UPDATE records SET created_on = '$(ago '100 days')' WHERE user_id = '$AID'"
# C made its record long ago but came back today: its row keeps it.
q "UPDATE records SET created_on = '$(ago '300 days')' WHERE user_id = '$CID'"
cgi index GET / -- $J HTTP_COOKIE="$C"
# B never came back: no row, its newest record is its last sighting.
q "DELETE FROM users WHERE id = '$BID'; UPDATE records SET created_on = '$(ago '100 days')' WHERE user_id = '$BID'"
q "UPDATE records SET created_on = '$(ago '400 days')' WHERE user_id LIKE 'key:%'"
q "INSERT INTO users VALUES ('$(printf 'f%031d' 0)', '$(ago '100 days' | cut -c 1-10)')"
q "INSERT INTO jobs (id, status, request, callback_url, next_at, created_on, updated_on) VALUES
 ('j1', 'delivered', '{\"big\": 1}', 'http://x/', 0, '$(ago '10 days')', '$(ago '10 days')'),
 ('j2', 'failed', '{}', 'http://x/', 0, '$(ago '10 days')', '$(ago '10 days')'),
 ('j3', 'failed', '{}', 'http://x/', 0, '$(ago '25 hours')', '$(ago '25 hours')'),
 ('j4', 'queued', '{}', 'http://x/', 0, '$(ago '30 days')', '$(ago '30 days')')"
a_recs=$(q "SELECT count(*) FROM records WHERE user_id = '$AID'")
b_recs=$(q "SELECT count(*) FROM records WHERE user_id = '$BID'")
out=$(bd purge)
is "$?" 0 "purge succeeds"
like "$out" "purged $((a_recs + b_recs)) records of 2 identities unseen for 90 days, 2 jobs finished 7 days ago" \
	"it reports what it deleted"
is "$(q "SELECT count(*) FROM records WHERE user_id IN ('$AID', '$BID')")" 0 "records of identities unseen for 90 days are gone"
is "$(q "SELECT count(*) FROM users WHERE id IN ('$AID', '$BID', '$(printf 'f%031d' 0)')")" 0 "and their last-seen rows"
is "$(q "SELECT count(*) FROM records WHERE user_id = '$CID'")" 1 "an identity seen today keeps its old record"
is "$(q "SELECT count(*) FROM records WHERE user_id LIKE 'key:%'")" 1 "a key's records are kept"
is "$(q "SELECT count(*) FROM images WHERE record_id NOT IN (SELECT id FROM records)")" 0 "no image is left without its record"
is "$(q "SELECT id FROM jobs ORDER BY id" | paste -sd ,)" "j3,j4" \
	"finished jobs older than 7 days are gone, recent and queued ones stay"
out=$(bd purge --older-than 1)
like "$out" "1 jobs finished 1 days ago" "--older-than DAYS applies to jobs"
is "$(q "SELECT id FROM jobs")" "j4" "the failed job of yesterday is gone"
is "$(q "SELECT count(*) FROM records WHERE user_id = '$CID'")" 1 "an identity seen today is kept"
out=$(BACKDROP_RETENTION_DAYS=0 BACKDROP_JOB_RETENTION_DAYS=0 bd purge)
like "$out" "purged 0 records of 0 identities" "retention_days = 0 keeps everything"
nok "--older-than 0 is a usage error" bd purge --older-than 0
nok "--older-than abc is a usage error" bd purge --older-than abc
is "$(db_intact "$T/data")" ok "the database checks out after the purges"

# --- a database newer than the programs is refused, by every path, untouched ---
q "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '999_future', '$(date -u '+%F %T')')"
before=$(db_dump "$T/data" | md5sum)
out=$(bd migrate 2>&1)
is "$?" 1 "migrate refuses a newer database"
like "$out" "version 999, newer than this version's $LATEST" "naming both versions"
nok "migrate --dry-run refuses it too" bd migrate --dry-run
cgi health GET /health
is "$CGI_STATUS" 503 "/health is 503 on a newer database"
is "$(json "$CGI_BODY" 'j["checks"]["database"]')" store_unavailable "naming the database"
like "$(cat "$T/cgi.err")" "newer than these programs" "the log says why"
upload "$C"
is "$CGI_STATUS" 503 "an upload is refused with 503"
is "$(db_dump "$T/data" | md5sum)" "$before" "nothing was changed"
