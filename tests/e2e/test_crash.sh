#!/bin/sh
# Crash safety: 200 uploads from 8 parallel clients while upload workers are killed
# with SIGKILL at random, one at a time, through nginx. Afterwards the database passes
# PRAGMA integrity_check and foreign_key_check, every record has all its images (none
# is partial), every upload that was answered 201 is stored whole under its name, every
# other answer is the service's 503, nothing is stored twice, and the supervisor has
# the workers back: /health reports upload ok again (polled) and an upload succeeds.
. tests/lib.sh

CLIENTS=8
EACH=25
# workers: the pids of the live upload workers (not the supervisor), space separated.
workers() {
	for p in $(pgrep -f "$BIN/upload"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = upload ] || continue
		case $(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null) in Z*|X*|"") continue ;; esac
		printf '%s ' "$p"
	done
}

convert -size 240x180 plasma:red-blue -fill white -draw "circle 120 90 120 40" "$T/p.png" 2>/dev/null ||
	convert -size 240x180 xc:gray -fill white -draw "circle 120 90 120 40" "$T/p.png"
server_start BACKDROP_WORKERS=2 USER_LIMIT=1000 || exit 1
# A key with no monthly quota and a high rate, so that only the kills make uploads fail.
KEY=$(bd_in "$DATA" key add crash --quota 0 --rate 100000 2>/dev/null)
ok "a key for the uploads" test -n "$KEY"

# client N: EACH uploads named cN-I, one after another; "NAME STATUS ID" per upload.
client() {
	i=0
	while [ $i -lt $EACH ]; do
		curl -s -o "$T/r.$1.$i" -w '%{http_code}' --max-time 120 -H "X-Api-Key: $KEY" \
			-F "name=c$1-$i" -F image=@"$T/p.png" "$BASE/" > "$T/s.$1.$i"
		printf 'c%s-%s %s %s\n' "$1" "$i" "$(cat "$T/s.$1.$i")" \
			"$(json "$T/r.$1.$i" 'j["id"]' 2>/dev/null || true)" >> "$T/answers.$1"
		i=$((i + 1))
	done
}
c=0; cpids=""
while [ $c -lt $CLIENTS ]; do
	: > "$T/answers.$c"
	client $c &
	cpids="$cpids $!"
	c=$((c + 1))
done
# The killer: while any client runs, SIGKILL one random upload worker that has lived
# at least 2 s (the supervisor gives up on a program whose workers die within a second
# of their start three times running; that is tested in test_workers.sh), each time
# after 3 more uploads have succeeded since the last kill (so kills and successes
# interleave at any speed: the sanitizer builds are slower), after a random pause.
kills=0
running() { for p in $cpids; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }
succeeded() { cat "$T"/answers.* | awk '$2 == 201' | wc -l; }
next=3
while running; do
	sleep "0.$(shuf -i 1-5 -n 1)"
	[ "$(succeeded)" -ge "$next" ] || continue
	victim=""
	for p in $(workers | tr ' ' '\n' | shuf); do
		age=$(ps -o etimes= -p "$p" 2>/dev/null | tr -d ' ')
		if [ "${age:-0}" -ge 2 ]; then victim=$p; break; fi
	done
	if [ -n "$victim" ] && kill -KILL "$victim" 2>/dev/null; then
		kills=$((kills + 1))
		next=$(($(succeeded) + 3))
	fi
done
wait $cpids
cat "$T"/answers.* > "$T/answers"
total=$(wc -l < "$T/answers" | tr -d ' ')
good=$(awk '$2 == 201' "$T/answers" | wc -l | tr -d ' ')
failed=$(awk '$2 != 201' "$T/answers" | wc -l | tr -d ' ')
echo "# $total uploads, $kills workers killed: $good answered 201, $failed failed"
is "$total" $((CLIENTS * EACH)) "every upload was answered"
ok "workers were killed during the uploads ($kills)" test "$kills" -ge 3
ok "uploads succeeded meanwhile ($good)" test "$good" -gt 0
is "$(awk '$2 != 201 && $2 != 503 { print $2 }' "$T/answers" | sort -u | tr '\n' ' ')" "" \
	"every upload is 201 or 503 (the worker serving it died)"

# ---- the store ----
is "$(db_intact "$DATA")" ok "the database passes its integrity check"
if sqlite_only "foreign keys are checked by PostgreSQL at every statement"; then
	is "$(sqlite3 "$DATA/backdrop.db" 'PRAGMA foreign_key_check' | wc -l | tr -d ' ')" 0 "no foreign key is broken"
fi
is "$(db_sql "$DATA" "SELECT count(*) FROM records r WHERE (SELECT count(*) FROM images i WHERE i.record_id = r.id AND i.kind IN ('original', 'processed', 'thumb')) != 3")" 0 \
	"no partial record: every record has its original, processed and thumb"
is "$(db_sql "$DATA" "SELECT count(*) FROM images WHERE record_id NOT IN (SELECT id FROM records)")" 0 \
	"no image without its record"
is "$(db_sql "$DATA" "SELECT count(*) FROM images WHERE length(data) != bytes OR bytes = 0")" 0 \
	"every stored image has all its bytes"
awk '$2 == 201 { print $3, $1 }' "$T/answers" | sort > "$T/want"
db_sql "$DATA" "SELECT id, image_name FROM records" | tr '|' ' ' | sort > "$T/have"
is "$(comm -23 "$T/want" "$T/have" | wc -l | tr -d ' ')" 0 "every upload answered 201 is stored, under its name and id"
is "$(cut -d' ' -f2 "$T/have" | sort | uniq -d | wc -l | tr -d ' ')" 0 "no upload is stored twice"
is "$(cut -d' ' -f2 "$T/have" | grep -cv '^c[0-9]*-[0-9]*$')" 0 "nothing else is stored"
stored=$(wc -l < "$T/have" | tr -d ' ')
echo "# $stored records stored ($((stored - good)) committed whose answer was lost with the worker)"
ok "at least the 201 answers are stored" test "$stored" -ge "$good"

# ---- the workers are back ----
k=0
while [ $k -lt 300 ]; do
	hc=$(curl -s -o "$T/hb" -w '%{http_code}' --max-time 10 "$BASE/health")
	[ "$hc" = 200 ] && [ "$(json "$T/hb" 'j["checks"]["workers"]["upload"]')" = ok ] && break
	sleep 0.1; k=$((k + 1))
done
is "$hc" 200 "/health is 200 after the kills"
is "$(json "$T/hb" 'j["checks"]["workers"]["upload"]')" ok "it reports the upload workers ok"
k=0
while [ "$(echo $(workers) | wc -w)" -lt 2 ] && [ $k -lt 100 ]; do sleep 0.1; k=$((k + 1)); done
is "$(echo $(workers) | wc -w | tr -d ' ')" 2 "two upload workers run (workers = 2)"
is "$(curl -s -o /dev/null -w '%{http_code}' -H "X-Api-Key: $KEY" -F name=after -F image=@"$T/p.png" "$BASE/")" 201 \
	"an upload succeeds after the kills"
server_stop
