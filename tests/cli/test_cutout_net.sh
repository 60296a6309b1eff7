#!/bin/sh
# test_cutout_net.sh: `backdrop cutout --model isnet-medium` on a portrait made here:
# the segmentation network cuts the figure out (where the classical engine cannot), and
# the per-file lines name the engine. One network run (plus the model's loading).
. tests/lib.sh
need_model
B="$BIN/backdrop"

mkdir -p "$T/in"
portrait "$T"
cp "$T/photo.png" "$T/in/photo.png"
# A second file, so that per-file lines are printed: its own transparency is kept, so
# it costs no network run.
convert -size 16x16 xc:none -fill red -draw "rectangle 4,4 11,11" "$T/in/tiny.png"

"$B" cutout --model isnet-medium "$T/in" -o "$T/out" 2> "$T/err"
is $? 0 "the neural cutout exits 0"
like "$(cat "$T/err")" '\[1/2\] .*photo\.png: 320x240 isnet-medium ' \
	"the line names the model: $(sed -n 's/.*photo\.png: //p' "$T/err")"
unlike "$(cat "$T/err")" "unavailable" "nothing says the network is unavailable"
# Measured 0.998 on this picture and on five other draws of its scene (plasma seeds
# 1 to 6); the classical engine scores 0.0003 to 0.92 on them (0.43 on this one), so a
# cut without the network's opinion fails here.
q=$(iou "$T/truth.png" "$T/out/photo.png")
ok "the figure is cut out (IoU $q > 0.95)" above "$q" 0.95

# The same picture with --model none: the classical engine, and the line says so.
"$B" cutout --model none "$T/in" -o "$T/out2" 2> "$T/err"
is $? 0 "the classical cutout exits 0"
like "$(cat "$T/err")" '\[1/2\] .*photo\.png: 320x240 classical ' "the line says classical"
unlike "$(cat "$T/err")" "unavailable" "model none is not reported as a failure"
echo "# classical IoU on the same picture: $(iou "$T/truth.png" "$T/out2/photo.png")"

# A folder without the model: the classical engine, and one line saying why.
mkdir -p "$T/empty"
BACKDROP_MODEL_DIR="$T/empty" "$B" cutout --model isnet-medium "$T/in" -o "$T/out3" 2> "$T/err"
is $? 0 "without the model files the cutout still exits 0"
like "$(cat "$T/err")" '\[1/2\] .*photo\.png: 320x240 classical ' "with the classical engine"
is "$(grep -c 'cutout network is unavailable' "$T/err")" 1 "the reason is said once"
