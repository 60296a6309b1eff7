#!/bin/sh
# A full disk under the data folder (a small tmpfs in a private mount namespace): reads
# keep working, also in workers started while the disk is full; /health says Degraded
# with checks.disk "low"; writes fail with 503 and change nothing; log records written
# meanwhile are not lost; once space returns, uploads work again and the database is
# intact. Needs root for the mount; elsewhere it is skipped, saying why.
if [ -z "${FULL_DISK_MOUNT_NS:-}" ] && [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	FULL_DISK_MOUNT_NS=1 exec unshare -m sh "$0" "$@"
fi
. tests/lib.sh
sqlite_only "the database is not in the data folder, so filling that disk does not touch it" || exit 0
if [ -z "${FULL_DISK_MOUNT_NS:-}" ]; then
	echo "ok 1 # skip needs root and unshare -m to mount a small tmpfs"
	exit 0
fi
mkdir -p "$T/data"
if ! mount -t tmpfs -o size=8m,mode=0700 tmpfs "$T/data"; then
	echo "ok 1 # skip cannot mount a tmpfs here"
	exit 0
fi
trap 'server_stop; umount "$T/data"; _cleanup' EXIT

code() { sed -n '1s/^HTTP[^ ]* \([0-9]*\).*/\1/p' "$1"; }
health() { curl -s -o "$T/hb" -w '%{http_code}' "$BASE/health"; }
names() { curl -s -b "$T/jar" -H 'Accept: application/json' "$BASE/" | python3 -c \
	'import json,sys; print(" ".join(sorted(r["image_name"] for r in json.load(sys.stdin)["records"])))'; }
upload() { # NAME: prints the status code
	curl -s -b "$T/jar" -c "$T/jar" -o "$T/ub" -w '%{http_code}' -H 'Accept: application/json' \
		-F name="$1" -F image=@"$T/a.png" "$BASE/"
}
# fill FILE: appends to FILE until the file system has no room left (to a page boundary:
# newlines, so that a log stays readable).
fill() {
	python3 - "$1" <<'PY'
import errno, os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
for size in (1 << 16, 1):
    while True:
        try:
            os.write(fd, b"\n" * size)
        except OSError as e:
            if e.errno != errno.ENOSPC:
                raise
            break
PY
}

convert -size 160x120 xc:white -fill '#c02020' -draw "circle 80 60 80 20" "$T/a.png"
server_start BACKDROP_WORKERS=1 BACKDROP_MIN_FREE_MB=2 USER_LIMIT=50
ok "the service starts on an 8 MB tmpfs" test -n "$SERVER_PID"
is "$(upload one)" 201 "an upload works"
ID=$(json "$T/ub" 'j["id"]')
is "$(upload two)" 201 "a second one too"
is "$(health)" 200 "/health is 200"
is "$(json "$T/hb" 'j["status"]')/$(json "$T/hb" 'j["checks"]["disk"]')" "Healthy/ok" "Healthy, disk ok"

# --- the disk fills up ---
fill "$DATA/filler"
fill "$DATA/backdrop.log"
is "$(df -P "$DATA" | awk 'NR == 2 { print $4 }')" 0 "the disk is full"
# Workers that start now must open the store without writing: replace the page's and
# the image program's (their supervisor forks new ones; requests wait meanwhile).
for p in index image; do kill -9 $(cat "$DATA/run/$p.pid"); done

curl -s -b "$T/jar" -D "$T/h" -o "$T/b" -H 'Accept: application/json' "$BASE/"
is "$(code "$T/h")" 200 "the record list is 200 on a full disk (a new worker)"
is "$(json "$T/b" 'j["count"]')" 2 "with both records"
curl -s -b "$T/jar" -D "$T/h" -o "$T/b" "$BASE/"
is "$(code "$T/h")" 200 "the page is 200"
curl -s -b "$T/jar" -D "$T/h" -o "$T/img" "$BASE/image/$ID/processed"
is "$(code "$T/h")" 200 "an image is served (a new worker)"
ok "and it is the PNG" sh -c "file '$T/img' | grep -q PNG"
BACKDROP_DATA_DIR="$DATA" cgi index GET / -- \
	HTTP_COOKIE="$(awk '$6 == "backdrop_uid" { print $6 "=" $7 }' "$T/jar")" HTTP_ACCEPT=application/json
is "$CGI_STATUS/$(json "$CGI_BODY" 'j["count"]')" 200/2 "as plain CGI too (a new process each time)"

is "$(health)" 200 "/health stays 200"
is "$(json "$T/hb" 'j["status"]')" Degraded "but says Degraded"
is "$(json "$T/hb" 'j["checks"]["disk"]')" low "naming the disk: low"
is "$(json "$T/hb" 'j["storage"]["free_bytes"] < 2 * 1048576')" True "with the free bytes"

is "$(upload three)" 503 "an upload fails with 503"
is "$(json "$T/ub" 'j["code"]')" store_unavailable "store_unavailable"
is "$(names)" "one two" "nothing was stored or lost"

# --- space returns ---
rm -f "$DATA/filler"
# The upload worker logged the failure while the log could not be written; its next
# record (this refused upload's) brings the held ones out first.
curl -s -b "$T/jar" -o /dev/null -H 'Accept: application/json' -F name=x -F image=@tests/lib.sh "$BASE/"
like "$(cat "$DATA/backdrop.log")" 'upload\[[0-9]+\].*disk is full' "the full-disk error reached the log afterwards"
is "$(upload three)" 201 "uploads work again"
is "$(names)" "one three two" "the three records are listed"
is "$(db_intact "$DATA")" ok "the database is intact"
is "$(health)/$(json "$T/hb" 'j["status"]')/$(json "$T/hb" 'j["checks"]["disk"]')" 200/Healthy/ok \
	"/health is Healthy again"

server_stop
echo "1..$_n"
[ "$_failed" -eq 0 ]
