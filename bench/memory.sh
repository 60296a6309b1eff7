#!/bin/sh
# The whole service's resident memory with the neural cutout, at the default worker
# counts (make run's): starts the service, sends four cutouts at once (two uploads, two
# remove.bg requests) of a photo made here, and prints each worker's resident memory
# now and at its peak (VmRSS, VmHWM), and their sums. The network runs one at a time
# on the host, so the sum of the peaks overstates the real peak; the real one is at
# most the largest peak plus the others' idle size. Prints figures, never pass or fail.
set -u
TOP=$(pwd)
BUILD=${BUILD:-build/rel}
[ -f "${BACKDROP_MODEL_DIR:-model}/isnet-medium.onnx" ] ||
	{ echo "memory bench: the model is not installed (make deps); skipped"; exit 0; }
. bench/service.inc
B="http://127.0.0.1:$PORT"
KEY=$(BACKDROP_DATA_DIR="$T/data" "$BUILD/backdrop" key add bench)
IM=$(command -v convert-im6.q16 || command -v convert)
"$IM" -size 1200x900 gradient:'#8aa0b8-#d8c8a8' -attenuate 0.3 +noise Gaussian \
	-fill '#7a3b22' -draw 'ellipse 600,330 120,150 0,360' -fill '#2c3e66' \
	-draw 'roundrectangle 430,470 770,900 60,60' -blur 0x1 -quality 92 "$T/photo.jpg"

echo "== service memory with the neural cutout (cutout_model = isnet-medium)"
jobs=""
for n in 1 2; do
	# Each anonymous upload from its own address (nginx admits one at a time per address).
	curl -s -o /dev/null -m 600 --interface "127.0.0.$((n + 1))" -H 'Accept: application/json' \
		-F image=@"$T/photo.jpg" -F name=bench "$B/" &
	jobs="$jobs $!"
	curl -s -o /dev/null -m 600 -H "X-Api-Key: $KEY" -F image_file=@"$T/photo.jpg" "$B/v1.0/removebg" &
	jobs="$jobs $!"
done
wait $jobs
printf '%-10s %8s %12s %12s\n' program pid "RSS MB" "peak MB"
for prog in upload change index update remove health image; do
	for p in $(pgrep -f "^$TOP/$BUILD/$prog\$"); do
		awk -v n="$prog" -v p="$p" '/^VmRSS/ { r = $2 } /^VmHWM/ { h = $2 }
			END { printf "%-10s %8s %12.0f %12.0f\n", n, p, r / 1024, h / 1024 }' "/proc/$p/status"
	done
done > "$T/rows"
cat "$T/rows"
awk '{ r += $3; h += $4; if ($4 > mx) { mx = $4; mr = $3 } }
	END { printf "all %d workers: %.0f MB resident now; peak at most %.0f MB (largest peak + the others now)\n",
	      NR, r, mx + r - mr }' "$T/rows"
