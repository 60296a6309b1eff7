#!/bin/sh
# backdrop backup while the service serves: four clients upload through nginx while
# backups are taken; every copy passes PRAGMA integrity_check, holds only whole records,
# and restores into a new data folder that serves them.
. tests/lib.sh
sqlite_only "backdrop backup and restore copy the SQLite file (pg_dump and pg_restore do it for PostgreSQL)" || exit 0

convert -size 160x120 xc:white -fill '#c03020' -draw "circle 80,60 80,20" "$T/p.png"
server_start BACKDROP_USER_LIMIT=100
ok "the service starts" test -n "$SERVER_PID"
bd() { bd_in "$DATA" "$@"; }
q() { sqlite3 "$1" "$2"; }

# client N: 12 uploads with its own cookie jar from its own address (127.0.1.N: nginx
# admits one anonymous image request at a time per address); one status code a line
# into $T/codes.N.
client() {
	i=0
	while [ $i -lt 12 ]; do
		curl -s -o /dev/null -w '%{http_code}\n' -c "$T/jar.$1" -b "$T/jar.$1" --interface "127.0.1.$1" \
			-H 'Accept: application/json' -F image=@"$T/p.png" -F name="c$1 n$i" "$BASE/" >> "$T/codes.$1"
		i=$((i + 1))
	done
}
for c in 1 2 3 4; do client $c & eval "pid$c=\$!"; done
# Backups while they upload (as many as fit, at least two), and one after they end.
n=0
while kill -0 $pid1 2>/dev/null || kill -0 $pid2 2>/dev/null || kill -0 $pid3 2>/dev/null ||
      kill -0 $pid4 2>/dev/null; do
	n=$((n + 1))
	bd backup "$T/b$n.db" --with-secret 2>> "$T/backup.err" || echo "fail $n" >> "$T/backup.fail"
done
wait $pid1 $pid2 $pid3 $pid4
during=$n
n=$((n + 1)); bd backup "$T/b$n.db" --with-secret 2>> "$T/backup.err" || echo "fail $n" >> "$T/backup.fail"
echo "# $during backups taken while the clients uploaded, one after"
ok "at least two backups were taken during the uploads" test "$during" -ge 2
ok "no backup failed" test ! -e "$T/backup.fail"
is "$(cat "$T"/codes.* | sort | uniq -c | sed 's/^ *//')" "48 201" "all 48 uploads succeeded"

live=$(q "$DATA/backdrop.db" "SELECT count(*) FROM records")
is "$live" 48 "the service holds 48 records"
bad=0; partial=0; counts=""
for i in $(seq 1 $n); do
	[ "$(q "$T/b$i.db" "PRAGMA integrity_check")" = ok ] || bad=$((bad + 1))
	p=$(q "$T/b$i.db" "ATTACH '$DATA/backdrop.db' AS live; SELECT count(*) FROM records r WHERE
		(SELECT group_concat(kind) FROM (SELECT kind FROM images WHERE record_id = r.id ORDER BY kind)) IS NOT
		(SELECT group_concat(kind) FROM (SELECT kind FROM live.images WHERE record_id = r.id ORDER BY kind))")
	partial=$((partial + p))
	counts="$counts $(q "$T/b$i.db" "SELECT count(*) FROM records")"
done
echo "# records in each backup:$counts"
is "$bad" 0 "every backup passes PRAGMA integrity_check"
is "$partial" 0 "every record in every backup has every image it has in the service"
last=$(q "$T/b$n.db" "SELECT count(*) FROM records")
is "$last" 48 "the backup after the uploads holds all 48"
# One taken midway: the records stored by then, fewer than all.
m=1
while [ $m -lt $during ] && [ "$(q "$T/b$m.db" "SELECT count(*) FROM records")" -lt 1 ]; do m=$((m + 1)); done
mid=$(q "$T/b$m.db" "SELECT count(*) FROM records")
ok "a backup taken during the uploads holds some of them ($mid)" test "$mid" -gt 0 -a "$mid" -lt 48

# Restore it into a new data folder and serve from it.
bd_in "$T/restored" restore "$T/b$m.db" > /dev/null 2>&1
is "$?" 0 "it restores into a new data folder"
is "$(q "$T/restored/backdrop.db" "SELECT count(*) FROM records")" "$mid" "with the records it held"
is "$(q "$T/restored/backdrop.db" "PRAGMA integrity_check")" ok "and passes PRAGMA integrity_check"
ok "the secret came along" cmp "$T/restored/secret" "$DATA/secret"
server_stop
# The service on the restored folder: a client's cookie lists its records there.
q "$T/restored/backdrop.db" "SELECT count(*) FROM records WHERE image_name LIKE 'c1 %'" > "$T/want"
rm -rf "$T/data" && mv "$T/restored" "$T/data"
rm -f "$T/server.out"   # server_start waits for its line in a fresh one
server_start
ok "the service starts on the restored data folder" test -n "$SERVER_PID"
is "$(curl -s "$BASE/health" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')" \
	Healthy "and is healthy"
is "$(curl -s -b "$T/jar.1" -H 'Accept: application/json' "$BASE/?limit=50" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])')" "$(cat "$T/want")" \
	"a client's cookie lists its restored records"
