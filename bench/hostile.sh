#!/bin/sh
# bench/hostile.sh: how long a visitor's ordinary upload takes while another client does
# its worst within what nginx admits. The victim, from 127.0.0.2, uploads a 640x480 JPEG
# (POST /, Accept: application/json; a new photo each time, so no cached cutout helps),
# one after another: first on an idle service, then while BENCH_HOSTILE clients at once
# from one other address (127.0.0.3) send the costliest requests still accepted, each
# again as soon as the last is answered: a 7000x7000 (49 MP, just under max_pixels)
# lossless WebP of a few KB with the largest blurs, a drop shadow and 2047 stroke
# segments of width 2000, to POST /api/change and to POST / in turns (four different
# pictures, so the workers' cutout caches do not help either). A hostile client that
# is refused (429) tries again after 0.2 s: it runs on the same cores, and a loop that
# never pauses would only measure the client. The service is started as `make run`
# does (bench/service.inc), with the shipped settings: BACKDROP_CUTOUT_MODEL=none in the
# environment measures the classical engine instead of the network, and
# BACKDROP_LOW_PRIORITY_PIXELS=0 the service without its priority for ordinary photos.
# The hostile clients themselves run at the lowest priority (see attacker.sh below).
# Prints the victim's idle median, its median and worst under attack, the wait (worst
# under attack - idle median) and what the hostile clients were answered; figures,
# never pass or fail.
set -u
TOP=$(pwd)
BUILD=${BUILD:-build/rel}
N=${BENCH_VICTIM_UPLOADS:-5}   # victim uploads, idle and under attack
H=${BENCH_HOSTILE:-16}         # hostile clients at once (up to nginx's 32 connections per address)
MAXT=${BENCH_MAX_SECONDS:-600} # curl's limit for one victim upload
VICTIM=127.0.0.2
HOSTILE=127.0.0.3
[ -x "$BUILD/backdrop" ] || { echo "hostile bench: $BUILD/backdrop is not built"; exit 1; }
. bench/service.inc
B="http://127.0.0.1:$PORT"
IM=$(command -v convert-im6.q16 || command -v convert)
hpids=""
trap 'touch "$T/stop"; kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; wait $hpids 2>/dev/null; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM

# The victim's photos, one per upload: a subject on a graded, noisy background.
i=0
while [ $i -lt $((2 * N + 2)) ]; do
	"$IM" -size 640x480 gradient:'#8aa0b8-#d8c8a8' -attenuate 0.3 +noise Gaussian \
		-fill '#7a3b22' -draw "ellipse $((260 + i * 7)),180 70,90 0,360" -fill '#2c3e66' \
		-draw "roundrectangle $((200 + i * 7)),270 $((420 + i * 7)),480 40,40" -blur 0x1 \
		-quality 90 "$T/v$i.jpg"
	i=$((i + 1))
done
# The hostile pictures and requests: the largest accepted work per byte sent.
python3 - "$T" <<'PY'
import json, sys
t = sys.argv[1]
pts = [[(i * 7) % 7000, (i * 13) % 7000] for i in range(2048)]
open(t + '/strokes.json', 'w').write(json.dumps([{'points': pts, 'width': 2000, 'label': 'fg'}]))
PY
k=0
while [ $k -lt 4 ]; do
	"$IM" -size 7000x7000 xc:"#$((2 + k))0$((4 + k))060" -fill '#c08040' \
		-draw "ellipse $((3000 + k * 100)),3500 1500,2500 0,360" \
		-define webp:lossless=true "$T/h$k.webp"
	python3 - "$T" "$k" <<'PY'
import base64, json, sys
t, k = sys.argv[1], sys.argv[2]
img = base64.b64encode(open('%s/h%s.webp' % (t, k), 'rb').read()).decode()
json.dump({'image_file_b64': img, 'bg_blur': 200, 'add_shadow': True, 'shadow_blur': 200,
           'shadow_x': 400, 'shadow_y': 400, 'hint_strokes': open(t + '/strokes.json').read()},
          open('%s/h%s.json' % (t, k), 'w'))
PY
	k=$((k + 1))
done

# upload PHOTO FROM: one victim upload; prints "STATUS SECONDS".
upload() {
	curl -s -o /dev/null -w '%{http_code} %{time_total}\n' --max-time "$MAXT" --interface "$2" \
		-H 'Accept: application/json' -F image=@"$1" -F name=photo -F mode=change \
		-F bg_color=white "$B/"
}
# The hostile clients: H loops, each until $T/stop appears, one status a line in
# $T/hostile.N. An attacker's clients run on its own machines. Here they share the
# victim's two cores, so they run together as one session of their own at the lowest
# priority (their processes at nice 19 and, where the kernel shares the CPU between
# sessions first, their session's group too): what is measured is the service's answer
# to the hostile requests, not these loops' curl and sh processes competing for the
# cores. nginx and the workers serving the hostile requests run as they always do.
cat > "$T/attacker.sh" <<'SH'
H=$1; T=$2; B=$3; HOSTILE=$4
echo 19 > /proc/self/autogroup 2>/dev/null
renice -n 19 -p $$ > /dev/null 2>&1
hostile() {
	j=$1
	while [ ! -f "$T/stop" ]; do
		f=$((j % 4))
		if [ $((j % 2)) = 0 ]; then
			code=$(curl -s -o /dev/null -w '%{http_code}' --interface $HOSTILE -H 'Accept: application/json' \
				-H 'Content-Type: application/json' --data-binary @"$T/h$f.json" "$B/api/change")
		else
			code=$(curl -s -o /dev/null -w '%{http_code}' --interface $HOSTILE -H 'Accept: application/json' \
				-F image=@"$T/h$f.webp" -F mode=change -F bg_blur=200 -F add_shadow=true \
				-F shadow_blur=200 -F shadow_x=400 -F shadow_y=400 \
				-F hint_strokes="<$T/strokes.json" "$B/")
		fi
		echo "$code" >> "$T/hostile.$1"
		[ "$code" != 429 ] || sleep 0.2
		j=$((j + 1))
	done
}
h=0
while [ $h -lt "$H" ]; do
	: > "$T/hostile.$h"
	hostile $h &
	h=$((h + 1))
done
wait
SH
# stats FILE: "median worst" of the seconds (second column) of FILE.
stats() {
	sort -n -k 2 "$1" | awk '{ v[NR] = $2 } END {
		if (!NR) { print "- -"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.2f %.2f\n", m, v[NR] }'
}

# Warm up: every upload worker loads the model (its first cut), from two addresses at
# once so that both workers take one; the change workers are the hostile clients' own.
for round in 1 2; do
	upload "$T/v$((2 * N)).jpg" 127.0.0.4 > /dev/null &
	w1=$!
	upload "$T/v$((2 * N + 1)).jpg" $VICTIM > /dev/null
	wait $w1
done

: > "$T/idle"
i=0
while [ $i -lt "$N" ]; do upload "$T/v$i.jpg" $VICTIM >> "$T/idle"; i=$((i + 1)); done

rm -f "$T/stop"
setsid sh "$T/attacker.sh" "$H" "$T" "$B" $HOSTILE &
hpids=$!
sleep 5   # the hostile requests are in
: > "$T/attack"
while [ $i -lt $((2 * N)) ]; do upload "$T/v$i.jpg" $VICTIM >> "$T/attack"; i=$((i + 1)); done
touch "$T/stop"
# Counted before the service stops (which ends the hostile requests still running).
answers=$(cat "$T"/hostile.* | sort | uniq -c | awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $2, $1 }')
kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null
wait $hpids 2>/dev/null

engine=$(BACKDROP_DATA_DIR="$T/data" "$BUILD/backdrop" conf 2>/dev/null | sed -n 's/^cutout_model = //p')
w=$(BACKDROP_DATA_DIR="$T/data" "$BUILD/backdrop" conf 2>/dev/null | sed -n 's/^workers = //p')
low=$(BACKDROP_DATA_DIR="$T/data" "$BUILD/backdrop" conf 2>/dev/null | sed -n 's/^low_priority_pixels = //p')
[ "${w:-0}" -gt 0 ] || w=$(nproc)
set -- $(stats "$T/idle"); idle_med=$1
set -- $(stats "$T/attack"); att_med=$1; att_max=$2
echo "== a victim's upload behind a hostile client: $(nproc) cores, $w upload and $w change workers,"
echo "   cutout model ${engine:-?}, low_priority_pixels ${low:-?}; the victim ($VICTIM) uploads a"
echo "   640x480 JPEG $N times in each phase"
echo "   (POST /, mode=change), the hostile client ($HOSTILE) keeps $H costliest requests going"
printf '%-34s %10s %10s   %s\n' phase "median s" "worst s" "victim's answers"
printf '%-34s %10s %10s   %s\n' "idle" "$idle_med" "$(stats "$T/idle" | cut -d' ' -f2)" \
	"$(cut -d' ' -f1 "$T/idle" | sort | uniq -c | awk '{ printf "%s%s x%s", (NR > 1 ? ", " : ""), $2, $1 }')"
printf '%-34s %10s %10s   %s\n' "under attack" "$att_med" "$att_max" \
	"$(cut -d' ' -f1 "$T/attack" | sort | uniq -c | awk '{ printf "%s%s x%s", (NR > 1 ? ", " : ""), $2, $1 }')"
echo "each victim upload under attack (s): $(awk '{ printf "%s%s", (NR > 1 ? " " : ""), $2 }' "$T/attack")"
echo "hostile requests answered while the victim ran (status count): $answers"
echo "victim wait = worst under attack - idle median = $(echo "$att_max $idle_med" | awk '{ printf "%.2f", $1 - $2 }') s"
grep -q '^000 ' "$T/attack" && echo "(000: no answer within $MAXT s, BENCH_MAX_SECONDS; the wait is at least that)"
