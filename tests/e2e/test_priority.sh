#!/bin/sh
# Large requests yield (low_priority_pixels): an image request that decodes more pixels
# than the setting runs at nice 19 (every thread of its worker, and the worker's own
# session group) and takes its network pass under a lock of its own, so that an
# ordinary photo is cut meanwhile; after it, its worker has nice 0 back. Shown with the
# large requests' network lock held by this test: the large upload waits in its worker,
# lowered, while a small upload is cut and answered; released, the large one is
# answered and every worker is back at nice 0. With the setting at 0, or where workers
# may not raise their priority again (neither CAP_SYS_NICE nor RLIMIT_NICE 20), a large
# upload is not lowered and does not take that lock.
. tests/lib.sh
need_model
command -v flock > /dev/null || { echo "ok 1 # skip flock(1) is not installed"; exit 0; }

portrait "$T"                                   # 320x240: 76,800 pixels
convert "$T/photo.png" -resize 800x600 "$T/large.png"   # 480,000 pixels
# nices PID: the distinct nice values of PID's threads, on one line.
nices() { ps -L -o ni= -p "$1" | tr -d ' ' | sort -u | tr '\n' ' ' | sed 's/ $//'; }
# group PID: the nice value of PID's session group ("" without autogroups).
group() { sed -n 's/.* nice \(-*[0-9]*\).*/\1/p' "/proc/$1/autogroup" 2>/dev/null; }
# upload FILE N ARGS...: an upload as JSON from 127.0.1.N (nginx admits one anonymous
# image request at a time per address), status to FILE.s, headers to FILE.h.
upload() {
	f=$1 a=$2; shift 2
	curl -s -D "$f.h" -o "$f.b" -w '%{http_code}' --interface "127.0.1.$a" \
		-H 'Accept: application/json' -F name=p "$@" "$BASE/" > "$f.s"
}
status() { cat "$1.s"; }
# hold: the large requests' network lock held by a child until $T/release exists.
hold() {
	rm -f "$T/held" "$T/release"
	flock "$DATA/net.lock.low" sh -c 'touch "$0/held"; while [ ! -f "$0/release" ]; do sleep 0.05; done' "$T" &
	HOLDER=$!
	i=0
	while [ ! -f "$T/held" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
}
autogroups=$(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null || echo 0)
# settled PID NICE: waits (a bounded while) until PID's threads, and its session group
# where there are autogroups, are all at NICE: a worker sets them one after another.
settled() {
	want=$2
	[ "$autogroups" = 1 ] && want="$2/$2"
	i=0
	while [ $i -lt 600 ]; do
		got=$(nices "$1")
		[ "$autogroups" = 1 ] && got="$got/$(group "$1")"
		[ "$got" = "$want" ] && return 0
		sleep 0.05; i=$((i + 1))
	done
}

# may_raise: whether a worker started here may take nice 0 back after nice 19 (as the
# workers decide): CAP_SYS_NICE in effect, or RLIMIT_NICE of 20 or more.
may_raise() {
	caps=$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status)
	[ -n "$caps" ] && [ $(((0x$caps >> 23) & 1)) = 1 ] && return 0
	lim=$(sed -n 's/^Max nice priority  *\([0-9a-z]*\).*/\1/p' /proc/self/limits)
	[ "$lim" = unlimited ] || [ "${lim:-0}" -ge 20 ]
}
# alike SETTING WHY: with low_priority_pixels = SETTING a large upload is not lowered: it
# is answered while the large requests' lock is held, by a worker at nice 0.
alike() {
	rm -rf "$T/data"
	server_start BACKDROP_CUTOUT_MODEL=isnet-medium BACKDROP_LOW_PRIORITY_PIXELS=$1 BACKDROP_WORKERS=1
	ok "the service starts with low_priority_pixels = $1" test -n "$SERVER_PID"
	hold
	# (A lowered upload would wait for the lock held here: --max-time ends that wait.)
	upload "$T/alike" 5 --max-time 600 -F image=@"$T/large.png"
	is "$(status "$T/alike")" 201 "$2: a large upload is answered while that lock is held"
	W=$(cat "$DATA/run/upload.pid")
	is "$(nices "$W")" 0 "$2: its worker stayed at nice 0"
	touch "$T/release"
	wait $HOLDER
	server_stop
}

# lowering: the large upload lowered and waiting, the small one cut meanwhile.
lowering() {
	server_start BACKDROP_CUTOUT_MODEL=isnet-medium BACKDROP_LOW_PRIORITY_PIXELS=200000 BACKDROP_WORKERS=2
	ok "the service starts with low_priority_pixels = 200000" test -n "$SERVER_PID"
	WORKERS=$(cat "$DATA/run/upload.pid")
	is "$(echo $WORKERS | wc -w)" 2 "two upload workers"
	for w in $WORKERS; do
		is "$(ps -o sid= -p "$w" | tr -d ' ')" "$w" "upload worker $w leads a session of its own"
	done
	# Both workers load the network first (two small uploads at once): the network's
	# threads exist before the large upload, and lowering must reach them too.
	upload "$T/w1" 1 -F image=@"$T/photo.png" & p=$!
	upload "$T/w2" 2 -F image=@"$T/photo.png"
	wait $p
	is "$(status "$T/w1") $(status "$T/w2")" "201 201" "two small uploads at once are 201"

	hold
	ok "the test holds the large requests' network lock" test -f "$T/held"
	upload "$T/big" 3 -F image=@"$T/large.png" &
	BIG=$!
	# The large upload's worker, once it has lowered itself (it then waits for the lock).
	low=""
	i=0
	while [ -z "$low" ] && [ $i -lt 600 ]; do
		for w in $WORKERS; do [ "$(ps -o ni= -p "$w" | tr -d ' ')" = 19 ] && low=$w; done
		[ -n "$low" ] || { sleep 0.05; i=$((i + 1)); }
	done
	ok "the large upload's worker lowers itself" test -n "$low"
	settled "$low" 19
	is "$(nices "$low")" 19 "every thread of that worker runs at nice 19"
	if [ "$autogroups" = 1 ]; then
		is "$(group "$low")" 19 "and its session group at nice 19"
	else
		echo "ok $((_n = _n + 1)) # skip the kernel does not group by session"
	fi
	other=$(echo $WORKERS | tr ' ' '\n' | grep -vx "$low")
	is "$(nices "$other")" 0 "the other upload worker stays at nice 0"

	upload "$T/small" 4 -F image=@"$T/photo.png"
	is "$(status "$T/small")" 201 "a small upload is answered 201 while the large one waits"
	is "$(header X-Cutout-Engine "$T/small.h")" isnet-medium "cut by the network, under the ordinary lock"
	ok "the large upload has not been answered yet" test ! -s "$T/big.s"
	is "$(nices "$other")" 0 "the small upload's worker ran at nice 0"

	touch "$T/release"
	wait $HOLDER
	wait $BIG
	is "$(status "$T/big")" 201 "released, the large upload is answered 201"
	is "$(header X-Cutout-Engine "$T/big.h")" isnet-medium "cut by the network too"
	# The worker takes its priority back once the answer is sent: wait for that moment.
	settled "$low" 0
	for w in $WORKERS; do
		is "$(nices "$w")" 0 "afterwards every thread of upload worker $w is back at nice 0"
		[ "$autogroups" = 1 ] && is "$(group "$w")" 0 "and its session group too"
	done
	is "$(cat "$DATA/run/upload.pid" | tr '\n' ' ' | sed 's/ $//')" "$(echo $WORKERS)" "no upload worker was replaced"
	server_stop
}

if may_raise; then
	lowering
else
	echo "ok $((_n = _n + 1)) # skip lowering: workers here may not raise their priority again"
	alike 200000 "workers that may not raise their priority again"
fi
# low_priority_pixels = 0: every request alike.
alike 0 "low_priority_pixels = 0"
