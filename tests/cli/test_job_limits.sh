#!/bin/sh
# The job worker under the image workers' limits: a job that costs more CPU than
# worker_cpu_seconds ends the `backdrop worker` rendering it (as it would an image
# worker), the job is begun again after its lease, and after three renders that never
# finished it is answered as failed (a signed webhook saying why) rather than rendered
# forever. A small job before it renders and is delivered under the same limits.
. tests/lib.sh

remote_start
# The render that never fits: a 2 KB lossless WebP of 7000x7000 (under the pixel cap)
# on its own blurred copy with the largest shadow: about 5 s of CPU on a 2-core test
# host, well past the 1-2 s a worker is given below even on a host twice as fast (the
# plain 7000x7000 change, about 3 s, once fitted on a faster one).
convert -size 7000x7000 xc:white -define webp:lossless=true "$T/bomb.webp"
convert -size 60x40 xc:white -fill '#c02020' -draw "circle 30 20 30 5" "$T/small.png"
queue() { # queue IMAGE HOOK OPTIONS: queues a Background Change job; prints its id
	printf '{"origin_img": "data:image/%s;base64,%s", "mode": "change", %s, "callback_url": "%s"}' \
		"${1##*.}" "$(base64 -w0 "$1")" "$3" "$HB/hook/$2" > "$T/job.json"
	cgi change POST /api/change "$T/job.json" application/json -- HTTP_ACCEPT=application/json
	[ "$CGI_STATUS" = 202 ] && json "$CGI_BODY" 'j["job_id"]'
}
small=$(queue "$T/small.png" small '"bg_color": "#00ff00"')
ok "a small job is queued" test -n "$small"
bomb=$(queue "$T/bomb.webp" bomb '"bg_blur": 200, "add_shadow": true, "shadow_blur": 200')
ok "a costly job is queued" test -n "$bomb"
state() { db_sql "$T/data" "SELECT status || ' ' || renders FROM jobs WHERE id = '$1'"; }
# worker: one `backdrop worker --once` with a CPU limit of 1 s per job and a lease of
# 1 s; its exit status in $rc, its log in $T/worker.err.
worker() {
	(cd "$TOP" && with_data "$T/data" env BACKDROP_WORKER_CPU_SECONDS=1 BACKDROP_JOB_LEASE=1 \
		BACKDROP_FETCH_ALLOW=127.0.0.1/32 "$BIN/backdrop" worker --once) > "$T/worker.out" 2> "$T/worker.err"
	rc=$?
}

# `worker --once` handles every ready job: the small one, then the costly one.
worker
is "$(state "$small")" "delivered 1" "the first worker renders and delivers the small job"
like "$(json "$H/hooks/small.0" 'j["body"]')" '"status":"succeeded"' "its webhook says it succeeded"
try=1
while :; do
	nok "try $try: the costly job's worker is ended by its CPU limit" test "$rc" = 0
	like "$(cat "$T/worker.err")" 'used up worker_cpu_seconds' "try $try: and says why"
	is "$(state "$bomb")" "running $try" "try $try: the job is left running, its render begun $try times"
	[ $try = 3 ] && break
	try=$((try + 1))
	sleep 1.2   # the lease of the worker that died ends
	worker
done
ok "no webhook was sent for it meanwhile" test ! -e "$H/hooks/bomb.0"
sleep 1.2
worker
is "$rc" 0 "the next worker does not render it again"
like "$(cat "$T/worker.out")" '^1 job handled' "it handles the job"
is "$(state "$bomb")" "delivered 4" "the job is answered (delivered) without a fourth render"
body=$(json "$H/hooks/bomb.0" 'j["body"]')
like "$body" '"status":"failed"' "its webhook says it failed"
like "$body" 'never finished' "and why: the render never finished"
like "$body" 'worker_cpu_seconds' "naming the limits"
like "$(json "$H/hooks/bomb.0" 'j["headers"]["x-backdrop-signature"]')" '^sha256=[0-9a-f]{64}$' "signed like every webhook"
