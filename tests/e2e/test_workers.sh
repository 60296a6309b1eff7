#!/bin/sh
# Supervised workers: a worker killed by any signal is replaced within about a second,
# and /health answers 503 naming a program that has no live worker, until it has one.
. tests/lib.sh

# workers NAME: the pids of the live workers of program NAME (not its supervisor,
# whose command line names the program too), space separated.
workers() {
	for p in $(pgrep -f "$BIN/$1"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$1" ] || continue
		case $(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null) in Z*|X*|"") continue ;; esac
		printf '%s ' "$p"
	done
}
# health: GET /health into $T/hb; prints the status code.
health() { curl -s -o "$T/hb" -w '%{http_code}' --max-time 5 "$BASE/health"; }
# upload: POST / with a small photo; prints the status code.
upload() {
	curl -s -o "$T/ub" -w '%{http_code}' --max-time 5 -H 'Accept: application/json' \
		-F image=@"$T/p.png" -F name=again "$BASE/"
}
# sorted: the pids on stdin (spaces or lines) in ascending order, space separated.
sorted() { tr ' ' '\n' | grep . | sort -n | tr '\n' ' '; }
# ms: milliseconds since the epoch.
ms() { echo $(($(date +%s%N) / 1000000)); }
# down: the programs /health does not report "ok", as a JSON list.
down() { json "$T/hb" '[k for k, v in j["checks"]["workers"].items() if v != "ok"]'; }
# gone PID: passes when process PID has ended (exited, or a zombie nobody reaped yet).
gone() { case $(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) in Z*|X*|"") return 0 ;; esac; return 1; }

convert -size 64x48 xc:white -fill red -draw "circle 32,24 32,10" "$T/p.png"
server_start BACKDROP_WORKERS=2
ok "the service starts" test -n "$SERVER_PID"
is "$(health)" 200 "/health is 200 with every worker up"
is "$(json "$T/hb" 'j["checks"]["workers"]["upload"]')" ok "the workers check reports upload ok"
is "$(json "$T/hb" 'sorted(j["checks"]["workers"])')" \
	'["change", "health", "image", "index", "remove", "update", "upload"]' "it reports every program"
is "$(upload)" 201 "an upload works"

# kill -9 every upload worker: the supervisor forks new ones at once, and nginx's
# requests wait in the socket's queue meanwhile.
old=$(workers upload)
is "$(echo $old | wc -w | tr -d ' ')" 2 "upload runs two workers (workers = 2)"
t0=$(ms)
kill -KILL $old
c=""
while [ "$c" != 201 ] && [ $(($(ms) - t0)) -lt 10000 ]; do
	c=$(upload)
	[ "$c" = 201 ] || sleep 0.05
done
took=$(($(ms) - t0))
is "$c" 201 "after kill -9 of every upload worker an upload succeeds again"
echo "# from kill -9 of every upload worker to the first successful upload: $took ms"
ok "within 10 s (it is well under a second)" test "$took" -lt 10000
new=$(workers upload)
is "$(echo $new | wc -w | tr -d ' ')" 2 "two upload workers run again"
same=0
for p in $new; do case " $old " in *" $p "*) same=1 ;; esac; done
is "$same" 0 "they are new processes"
k=0
while [ "$(sorted < "$DATA/run/upload.pid")" != "$(echo $new | sorted)" ] && [ $k -lt 40 ]; do
	sleep 0.1; k=$((k + 1))
done
is "$(sorted < "$DATA/run/upload.pid")" "$(echo $new | sorted)" "run/upload.pid lists the new workers"
is "$(health)" 200 "/health is 200"

# Any signal: a worker that crashes (SIGSEGV) or is stopped with SIGTERM is replaced.
for sig in SEGV TERM; do
	victim=${new%% *}
	kill -$sig "$victim"
	k=0
	while { [ "$(echo $(workers upload) | wc -w)" -lt 2 ] || ! gone "$victim"; } && [ $k -lt 100 ]; do
		sleep 0.05; k=$((k + 1))
	done
	new=$(workers upload)
	ok "a worker killed by SIG$sig is replaced" test "$(echo $new | wc -w)" -eq 2 -a -n "${new##*$victim*}"
done
is "$(upload)" 201 "uploads work"

# No live worker: the supervisor cannot fork (stopped) while every worker is killed.
sleep 1.1   # a death more than a second after its start resets multiwatch's retry count
sup=$(awk '$1 == "upload" { print $2 }' "$DATA/run/programs" 2>/dev/null)
ok "run/programs names upload's supervisor" test -n "$sup"
kill -STOP "$sup"
kill -KILL $(workers upload)
k=0
while [ "$(health)" != 503 ] && [ $k -lt 50 ]; do sleep 0.1; k=$((k + 1)); done
is "$(health)" 503 "with no live upload worker /health is 503"
is "$(json "$T/hb" 'j["status"]')" Unhealthy "status is Unhealthy"
is "$(json "$T/hb" 'j["checks"]["workers"]["upload"]')" no_worker "the workers check names upload: no_worker"
is "$(down)" '["upload"]' "and no other program"
is "$(json "$T/hb" 'j["checks"]["database"]')" ok "the other checks are unaffected"
like "$(cat "$DATA/backdrop.log")" "health: upload has no live worker" "the log says which program"
kill -CONT "$sup"
k=0
while [ "$(health)" != 200 ] && [ $k -lt 100 ]; do sleep 0.1; k=$((k + 1)); done
is "$(health)" 200 "when the supervisor forks again /health is 200"
is "$(json "$T/hb" 'j["checks"]["workers"]["upload"]')" ok "upload is ok again"
is "$(upload)" 201 "and uploads work"

# Plain CGI has no workers: the check is left out there, whatever the data folder.
BACKDROP_DATA_DIR="$DATA" cgi health GET /health
is "$CGI_STATUS:$(json "$CGI_BODY" '"workers" in j["checks"]')" 200:False "plain CGI omits the workers check"

# A program whose workers die as soon as they start: after a few tries multiwatch
# stops forking it (rather than spin) and exits; /health names it, uploads are 503.
sleep 1.1
t0=$(ms)
while ! gone "$sup" && [ $(($(ms) - t0)) -lt 10000 ]; do
	w=$(workers upload)
	[ -n "$w" ] && kill -KILL $w
	sleep 0.02
done
ok "multiwatch gives up on workers that keep dying at once" gone "$sup"
is "$(health)" 503 "then /health is 503"
is "$(json "$T/hb" 'j["checks"]["workers"]["upload"]')" no_supervisor "naming upload: no_supervisor"
is "$(down)" '["upload"]' "and no other program"
is "$(upload)" 503 "an upload is 503 at once (nothing listens)"
is "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/")" 200 "the other programs still serve"

server_stop
is "$(pgrep -f "multiwatch.*$BIN/" | wc -l | tr -d ' ')" 0 "after stop no supervisor is left"
is "$(pgrep -f "$BIN/" | wc -l | tr -d ' ')" 0 "nor any worker"
