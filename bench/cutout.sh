#!/bin/sh
# bench/cutout.sh: the automatic cutout's seconds per image at about 0.5, 4 and 12 MP
# and its peak memory, beside OpenCV's grabCut (Debian's python3-opencv, rectangle
# inset 3%, 5 iterations) at the cutout's working resolution (0.1 MP), run here; then
# the two head to head on the very same 0.1 MP pixels (the photo as grabCut's resize
# made it), each timed in-process without decoding.
# Photos are made here (a subject on a gradient with noise). Prints numbers, never
# pass or fail.
set -u
TOP=$(pwd)
BUILD=${BUILD:-build/rel}
N=${BENCH_RUNS:-3}
BD="$TOP/$BUILD/backdrop"
T="$TOP/$BUILD/bench-cutout"
PY=/usr/bin/python3
WORK_PIXELS=100000   # the cutout's segmentation resolution (cutout.c)
rm -rf "$T"; mkdir -p "$T"
[ -x "$BD" ] || { echo "cutout bench: $BD is not built"; exit 1; }
IM=$(command -v convert-im6.q16 || command -v convert)

now() { date +%s%N; }
# med CMD...: median wall seconds of N runs of CMD.
med() {
	i=0; : > "$T/times"
	while [ $i -lt "$N" ]; do
		t0=$(now); "$@" > /dev/null 2>&1 || echo "cutout bench: failed: $*" >&2; t1=$(now)
		echo $(( (t1 - t0) / 1000 )) >> "$T/times"; i=$((i + 1))
	done
	sort -n "$T/times" | awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3f\n", m / 1e6 }'
}
# A photo of W x H: a vase-like subject on a vertical gradient, with noise, as JPEG.
photo() {
	"$IM" -size "$1x$2" gradient:'#e8ecf2'-'#a8b0bc' \
		-fill '#9a4a2a' -draw "ellipse $(($1 / 2)),$(($2 * 11 / 20)) $(($1 / 5)),$(($2 / 3)) 0,360" \
		-fill '#2a5a8a' -draw "rectangle $(($1 * 2 / 5)),$(($2 / 6)) $(($1 * 3 / 5)),$(($2 / 3))" \
		-attenuate 0.3 +noise Gaussian -quality 92 "$3"
}
# grabcut PHOTO SMALL.png: grabCut's median seconds at the working resolution; writes
# the downscaled photo it cut to SMALL.png.
grabcut() {
	"$PY" - "$1" "$WORK_PIXELS" "$N" "$2" <<'PYEOF'
import sys, time, cv2, numpy as np
img = cv2.imread(sys.argv[1]); wp = float(sys.argv[2]); n = int(sys.argv[3])
h, w = img.shape[:2]; s = min(1.0, (wp / (w * h)) ** 0.5)
small = cv2.resize(img, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
cv2.imwrite(sys.argv[4], small)
sh, sw = small.shape[:2]; dx, dy = round(sw * 0.03), round(sh * 0.03)
ts = []
for _ in range(n):
    mask = np.zeros((sh, sw), np.uint8); bgd = np.zeros((1, 65), np.float64); fgd = np.zeros((1, 65), np.float64)
    t0 = time.perf_counter()
    cv2.grabCut(small, mask, (dx, dy, sw - 2 * dx, sh - 2 * dy), bgd, fgd, 5, cv2.GC_INIT_WITH_RECT)
    ts.append(time.perf_counter() - t0)
print("%.3f" % sorted(ts)[len(ts) // 2])
PYEOF
}
"$PY" -c 'import cv2' 2>/dev/null || { echo "cutout bench: python3-opencv is missing (make deps)"; exit 0; }
echo
echo "cutout: median seconds of $N runs (whole 'backdrop cutout': decode, cutout, PNG encode);"
echo "grabCut: OpenCV at the cutout's working resolution ($WORK_PIXELS px), rect inset 3%, 5 iterations"
printf "%-8s %-11s %9s %9s %9s %12s\n" size pixels cutout grabcut "gc/ours" "peak_MB"
for sz in 1000x500 2400x1667 4000x3000; do
	w=${sz%x*}; h=${sz#*x}
	photo "$w" "$h" "$T/p$sz.jpg"
	ours=$(med "$BD" cutout -q "$T/p$sz.jpg" -o "$T/out")
	gc=$(grabcut "$T/p$sz.jpg" "$T/s$sz.png")
	peak=$(/usr/bin/time -f '%M' "$BD" cutout -q "$T/p$sz.jpg" -o "$T/out" 2>&1 >/dev/null | tail -1)
	printf "%-8s %-11s %9s %9s %9s %12s\n" "$(awk -v p=$((w * h)) 'BEGIN { printf "%.1fMP", p / 1e6 }')" \
		"$sz" "$ours" "$gc" "$(awk -v a="$gc" -v b="$ours" 'BEGIN { printf "%.1fx", (b > 0) ? a / b : 0 }')" \
		"$(awk -v k="$peak" 'BEGIN { printf "%.0f", k / 1024 }')"
done
echo
echo "same working resolution, same pixels (grabCut's 0.1 MP copy), median seconds in-process:"
printf "%-8s %9s %9s %9s\n" from cutout grabcut "gc/ours"
for sz in 1000x500 2400x1667 4000x3000; do
	ms=$("$BD" bench --cutout "$T/s$sz.png" "$N" | awk '/^cutout/ { print $2 }')
	gc=$(grabcut "$T/s$sz.png" "$T/again.png")
	printf "%-8s %9s %9s %9s\n" "$sz" "$(awk -v m="$ms" 'BEGIN { printf "%.3f", m / 1000 }')" "$gc" \
		"$(awk -v a="$gc" -v m="$ms" 'BEGIN { printf "%.1fx", (m > 0) ? a * 1000 / m : 0 }')"
done
rm -rf "$T"
