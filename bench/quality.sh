#!/bin/sh
# quality.sh: `make quality DATA=folder`: runs `backdrop cutout` over a data set folder
# (images/, masks/, optional ignore/) or over each such folder inside DATA, and scores
# the mattes with `backdrop score`: IoU, MAE and edge MAE means per folder. PER_IMAGE=1
# adds the per-image lines; MODEL=isnet-medium|isnet-small|none picks the cutout model
# (default: the cutout_model setting).
set -u
BUILD=${BUILD:-build/rel}
DATA=${1:-}
if [ -z "$DATA" ] || [ ! -d "$DATA" ]; then
	echo "usage: make quality DATA=folder   (a folder with images/ and masks/, or a folder of them)" >&2
	exit 2
fi
BIN="$BUILD/backdrop"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT INT TERM
PER=
[ -n "${PER_IMAGE:-}" ] && PER=--per-image
rc=0; n=0
for d in "$DATA" "$DATA"/*; do
	[ -d "$d/images" ] && [ -d "$d/masks" ] || continue
	name=$(basename "$d"); n=$((n + 1))
	out="$TMP/$name"
	start=$(date +%s.%N)
	"$BIN" cutout -q --channels alpha ${MODEL:+--model "$MODEL"} "$d/images" -o "$out" || rc=1
	end=$(date +%s.%N)
	printf '== %s (%s images, %.1f s, model %s)\n' "$name" "$(ls "$d/images" | wc -l)" \
		"$(echo "$end - $start" | bc)" "${MODEL:-$("$BIN" conf | sed -n 's/^cutout_model = //p')}"
	"$BIN" score $PER "$d" "$out" || rc=1
done
if [ "$n" -eq 0 ]; then echo "quality: no images/ and masks/ folders in $DATA" >&2; exit 2; fi
exit $rc
