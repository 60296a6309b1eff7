#!/bin/sh
# bench/scale.sh: uploads per second through one nginx with one worker set and with two
# (each `LISTEN=ADDR:PORT launch.sh --workers-only`, on 127.0.0.2 and 127.0.0.3; nginx by
# `UPSTREAMS=... launch.sh --nginx-only`), the same photo at the same concurrency, on the
# store BACKDROP_DATABASE_URL names (one SQLite file made here when it is empty), so it
# runs for either backend. The classical engine (BACKDROP_CUTOUT_MODEL=none): the figure
# is the service's (request, decode, cutout, encode, store), not the network's. Each
# client is a curl from its own loopback address (127.0.2.N), as many visitors are, so
# nginx's per-address limits stay out of it. Prints figures, never pass or fail.
set -u
TOP=$(pwd)
BUILD=${BUILD:-build/rel}
C=${BENCH_CONCURRENCY:-8}          # clients at once
PER=${BENCH_UPLOADS_PER_CLIENT:-10} # uploads each (nginx's anonymous burst is 100)
T="$TOP/$BUILD/bench-scale"
BACKDROP_CUTOUT_MODEL=none
export BACKDROP_CUTOUT_MODEL
[ -x "$BUILD/backdrop" ] || { echo "scale bench: $BUILD/backdrop is not built"; exit 1; }
rm -rf "$T"; mkdir -p "$T"
IM=$(command -v convert-im6.q16 || command -v convert)
# The shared store and secret, as every host of a real layout reads them.
BACKDROP_DATABASE_URL=${BACKDROP_DATABASE_URL:-sqlite:$T/shared.db}
BACKDROP_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export BACKDROP_DATABASE_URL BACKDROP_SECRET

pids=""
trap 'kill -TERM $pids 2>/dev/null; wait $pids 2>/dev/null; rm -rf "$T"' EXIT
# launch NAME OPTION VAR=VALUE...: launch.sh OPTION with data in $T/NAME; waits until up.
launch() {
	n=$1; opt=$2; shift 2
	env BUILD="$BUILD" BACKDROP_DATA_DIR="$T/$n" "$@" sh cgi-bin/launch.sh "$opt" > "$T/$n.out" 2>&1 &
	pids="$pids $!"
	i=0
	until grep -q " up at " "$T/$n.out" 2>/dev/null; do
		i=$((i + 1)); [ $i -gt 600 ] && { echo "scale bench: $n did not start"; cat "$T/$n.out"; exit 1; }
		sleep 0.1
	done
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# A 1 MP photo: a subject on a graded, noisy background.
"$IM" -size 1200x900 gradient:'#8aa0b8-#d8c8a8' -attenuate 0.3 +noise Gaussian \
	-fill '#7a3b22' -draw 'ellipse 600,330 120,150 0,360' -fill '#2c3e66' \
	-draw 'roundrectangle 430,470 770,900 60,60' -blur 0x1 -quality 90 "$T/photo.jpg"

P=$(free_port)
launch a --workers-only LISTEN="127.0.0.2:$P"
launch b --workers-only LISTEN="127.0.0.3:$P"
P1=$(free_port); launch one --nginx-only PORT="$P1" UPSTREAMS="127.0.0.2:$P"
P2=$(free_port); launch two --nginx-only PORT="$P2" UPSTREAMS="127.0.0.2:$P 127.0.0.3:$P"

# run PORT TAG: C clients, PER uploads each, all at once; prints "uploads/s ok refused".
run() {
	k=1; jobs_=""
	t0=$(date +%s%N)
	while [ $k -le "$C" ]; do
		curl -s -w '%{stderr}%{http_code}\n' --interface "127.0.2.$k" -H 'Accept: application/json' \
			-F image=@"$T/photo.jpg" -F name=bench "http://127.0.0.1:$1/?n=[1-$PER]" \
			> /dev/null 2> "$T/$2.$k" &
		jobs_="$jobs_ $!"; k=$((k + 1))
	done
	wait $jobs_
	t1=$(date +%s%N)
	okn=$(cat "$T/$2".* | grep -c '^201$')
	all=$(cat "$T/$2".* | grep -c '^[0-9][0-9][0-9]$')
	echo "$okn $all $t0 $t1" | awk '{ printf "%.1f %d %d\n", $1 / (($4 - $3) / 1e9), $1, $2 - $1 }'
}
C0=$C; PER0=$PER; C=2; PER=2
run "$P2" warm > /dev/null          # every upload worker of both sets has served once
C=$C0; PER=$PER0
one=$(run "$P1" one)
two=$(run "$P2" two)

store=${BACKDROP_DATABASE_URL%%:*}
echo "== uploads per second, one nginx in front: $C clients at once, $PER uploads each, one"
echo "   1200x900 JPEG, classical engine (BACKDROP_CUTOUT_MODEL=none), store: $store"
printf '%-34s %10s %8s %8s %10s\n' case "uploads/s" ok refused "vs 1 set"
for c in "1 worker set (127.0.0.2):$one" "2 worker sets (127.0.0.2 and .3):$two"; do
	name=${c%%:*}; set -- ${c#*:}
	ratio=$(echo "$1 ${one%% *}" | awk '{ if ($2 > 0) printf "%.2f", $1 / $2; else print "-" }')
	printf '%-34s %10s %8s %8s %10s\n' "$name" "$1" "$2" "$3" "${ratio}x"
done
w=$("$BUILD/backdrop" conf 2>/dev/null | sed -n 's/^workers = //p')
[ "${w:-0}" -gt 0 ] || w=$(nproc)
echo "(each set runs $w upload workers; both sets share this machine's $(nproc) cores here, so"
echo " the 2-set line shows what the layout costs or gains on one host; on two hosts each set"
echo " brings its own cores.)"
