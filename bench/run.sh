#!/bin/sh
# make bench: the image engine against libvips and ImageMagick on the same 12 MP images,
# made here (no downloaded data), each step timed as the median of N runs in the same
# run; prints a table of medians and ratios, and the peak memory of a whole
# `backdrop change`. Then runs every other bench/*.sh (cutout, http, ...).
# Never part of `make test`; prints numbers, never pass or fail.
set -u
TOP=$(pwd)
BUILD=${BUILD:-build/rel}
N=${BENCH_RUNS:-5}
W=${BENCH_W:-4000}
H=${BENCH_H:-3000}
BD="$TOP/$BUILD/backdrop"
T="$TOP/$BUILD/bench"
rm -rf "$T"; mkdir -p "$T"
# Debian's real ImageMagick 6 binary, so that no wrapper's start-up is timed.
IM=$(command -v convert-im6.q16 || command -v convert)
TIMEV=$(command -v time 2>/dev/null | grep / || true)
[ -x "$BD" ] || { echo "bench: $BD is not built"; exit 1; }
command -v vips >/dev/null || { echo "bench: vips (libvips-tools) is not installed (make deps)"; exit 1; }

now() { date +%s%N; }
# med CMD...: runs CMD N times, prints the median wall time in ms.
med() {
	i=0; : > "$T/times"
	while [ $i -lt "$N" ]; do
		t0=$(now); "$@" > /dev/null 2>&1 || echo "bench: failed: $*" >&2; t1=$(now)
		echo $(( (t1 - t0) / 1000 )) >> "$T/times"; i=$((i + 1))
	done
	sort -n "$T/times" | awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f\n", m / 1000 }'
}
# peak CMD...: the peak resident memory of CMD in MB (GNU time), or "-".
peak() {
	if [ -n "$TIMEV" ] && "$TIMEV" -v "$@" > /dev/null 2> "$T/rss"; then
		awk -F: '/Maximum resident/ { printf "%.0f\n", $2 / 1024 }' "$T/rss"
	else
		echo "-"
	fi
}

echo "bench: making ${W}x${H} images in $BUILD/bench ..."
cd "$T" || exit 1
"$IM" -size "${W}x${H}" gradient:'#20406a-#e0b070' -attenuate 0.4 +noise Gaussian -quality 92 photo.jpg
"$IM" -size "${W}x${H}" gradient:'#1a7f3c-#a0d0f0' -attenuate 0.4 +noise Gaussian -quality 92 bg.jpg
"$IM" -size "${W}x${H}" xc:black -fill white \
	-draw "ellipse $((W / 2)),$((H / 2)) $((W / 3)),$((H * 2 / 5)) 0,360" -blur 0x6 -depth 8 matte.png
"$IM" photo.jpg matte.png -alpha off -compose CopyOpacity -composite subject.png
# Peers read their native uncompressed formats for the in-memory steps.
vips copy subject.png subject.v; vips copy bg.jpg bg.v
vips composite2 bg.v subject.v comp4.v over; vips flatten comp4.v comp.v
"$IM" subject.png subject.mpc; "$IM" bg.jpg bg.mpc; "$IM" comp.v comp.png 2>/dev/null || vips copy comp.v comp.png
"$IM" comp.png comp.mpc

echo "bench: timing (median of $N runs) ..."
"$BD" bench photo.jpg subject.png bg.jpg "$N" > bd.txt || { echo "bench: backdrop bench failed"; exit 1; }
bd() { awk -v k="$1" '$1 == k { print $2 }' bd.txt; }

row() { # NAME BACKDROP VIPS MAGICK
	awk -v n="$1" -v b="$2" -v v="$3" -v m="$4" 'BEGIN {
		rv = (v > 0) ? sprintf("%.2f", b / v) : "-"; rm = (m > 0) ? sprintf("%.2f", b / m) : "-"
		printf "%-24s %10s %10s %10s %12s %12s\n", n, b, v, m, rv, rm }'
}
dv=$(med vips avg photo.jpg);                         dm=$(med "$IM" photo.jpg null:)
cv=$(med vips composite2 bg.v subject.v out.v over);  cm=$(med "$IM" bg.mpc subject.mpc -compose over -composite null:)
pv=$(med vips pngsave comp.v out.png --compression 2); pm=$(med "$IM" comp.mpc -quality 21 out.png)
wv=$(med vips webpsave comp.v out.webp --Q 90);       wm=$(med "$IM" comp.mpc -quality 90 out.webp)
jv=$(med vips jpegsave comp.v out.jpg --Q 90);        jm=$(med "$IM" comp.mpc -quality 90 out.jpg)
# The whole job: a photo and its matte onto a background, JPEG to JPEG, one process each.
chb=$(med "$BD" change photo.jpg --matte matte.png --bg_image bg.jpg --quality 90 -o out.jpg)
chv=$(med vips ifthenelse matte.png photo.jpg bg.jpg "out.jpg[Q=90]" --blend)
chm=$(med "$IM" bg.jpg \( photo.jpg matte.png -alpha off -compose CopyOpacity -composite \) \
	-compose over -composite -quality 90 out.jpg)

echo
echo "image engine, ${W}x${H} ($(awk -v w="$W" -v h="$H" 'BEGIN { printf "%.1f", w * h / 1e6 }') MP), median ms of $N runs; ratio = backdrop / peer (< 1 is faster)"
printf "%-24s %10s %10s %10s %12s %12s\n" step backdrop vips magick "bd/vips" "bd/magick"
row decode_jpeg "$(bd decode_jpeg)" "$dv" "$dm"
row composite_over "$(bd composite)" "$cv" "$cm"
row encode_png_level2 "$(bd encode_png)" "$pv" "$pm"
row encode_webp_q90 "$(bd encode_webp)" "$wv" "$wm"
row encode_jpeg_q90 "$(bd encode_jpeg)" "$jv" "$jm"
row change_jpeg_to_jpeg "$chb" "$chv" "$chm"
echo "(backdrop's stage rows are timed in-process; peers' rows are whole processes reading"
echo " their native formats (.v, .mpc), so they include start-up; the change row is process"
echo " against process for all three.)"
echo
printf "%-24s %10s %10s %10s\n" "peak RSS MB" backdrop vips magick
printf "%-24s %10s %10s %10s\n" change_jpeg_to_jpeg \
	"$(peak "$BD" change photo.jpg --matte matte.png --bg_image bg.jpg --quality 90 -o out.jpg)" \
	"$(peak vips ifthenelse matte.png photo.jpg bg.jpg "out.jpg[Q=90]" --blend)" \
	"$(peak "$IM" bg.jpg \( photo.jpg matte.png -alpha off -compose CopyOpacity -composite \) \
		-compose over -composite -quality 90 out.jpg)"
cd "$TOP" || exit 1
rm -rf "$T"

# The other benchmarks (cutout, http, ...), each a script of its own.
for s in bench/*.sh; do
	case "$s" in bench/run.sh|bench/quality.sh) continue;; esac
	[ -f "$s" ] || continue
	echo; echo "== $s"
	BUILD="$BUILD" sh "$s"
done

# The store-bound figures again on PostgreSQL: a server of this run's own (as make test
# STORE=postgres starts one), an empty database for each script.
if command -v pg_config >/dev/null 2>&1 || ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
	TMPROOT="$TOP/$BUILD/bench-pg"
	rm -rf "$TMPROOT"; mkdir -p "$TMPROOT"
	STORE=postgres
	. tests/store_lib.sh
	if store_start; then
		trap 'store_stop' EXIT
		for s in bench/http.sh bench/scale.sh; do
			echo; echo "== $s on PostgreSQL"
			BACKDROP_DATABASE_URL=$(store_url "$TMPROOT/$(basename "$s" .sh)") BUILD="$BUILD" sh "$s"
		done
		store_stop
	else
		echo "bench: PostgreSQL did not start; its figures are left out"
	fi
	rm -rf "$TMPROOT"
fi
