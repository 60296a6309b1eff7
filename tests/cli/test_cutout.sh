#!/bin/sh
# test_cutout.sh: `backdrop cutout` and `backdrop score` on images made here with
# ImageMagick: batch runs, alpha output, failures, and the scorer's exact figures.
. tests/lib.sh
B="$BIN/backdrop"

# Photos: a red disk on white, a blue square on a gradient; the disk's truth mask.
mkdir -p "$T/in" "$T/ds/images" "$T/ds/masks"
convert -size 200x150 xc:white -fill '#c02020' -draw "circle 100,75 100,30" "$T/in/disk.png"
convert -size 200x150 gradient:'#dde4f0'-'#b8c0d0' -fill '#203080' -draw "rectangle 60,40 140,110" "$T/in/square.jpg"
cp "$T/in/disk.png" "$T/ds/images/disk.png"
convert -size 200x150 xc:black -fill white -draw "circle 100,75 100,30" -colorspace Gray "$T/ds/masks/disk.png"

out=$("$B" cutout --help)
like "$out" "--channels" "--help lists --channels"
like "$out" "--roi" "--help lists --roi"
"$B" cutout "$T/in" -o "$T/out" 2> "$T/err"
is $? 0 "batch over a folder exits 0"
like "$(cat "$T/err")" '\[2/2\] .*square.jpg' "a progress line per file"
ok "disk.png written" test -s "$T/out/disk.png"
ok "square.png written" test -s "$T/out/square.png"
like "$(identify -format '%[channels]' "$T/out/disk.png")" "a" "the cutout has an alpha channel"

"$B" cutout --channels alpha "$T/ds/images" -o "$T/pred" 2>/dev/null
is $? 0 "alpha-only cutout"
like "$(identify -format '%[colorspace]' "$T/pred/disk.png")" "Gray" "the matte is grayscale"
s=$("$B" score "$T/ds" "$T/pred")
like "$s" "IoU 0\.9[6-9]|IoU 1\.0" "the disk is found (IoU >= 0.96): $s"

"$B" cutout --roi "0px 0px 300px 10px" "$T/in/disk.png" -o "$T/bad" 2> "$T/err"
is $? 1 "roi beyond the image fails the file"
like "$(cat "$T/err")" "roi_exceeds_bounds" "with the remove.bg reason"
printf 'not an image' > "$T/in/junk.png"
"$B" cutout -q "$T/in" -o "$T/out2" 2> "$T/err"
is $? 1 "a broken file makes the exit status 1"
is "$(grep -c 'junk.png' "$T/err")" 1 "one line for the broken file"
ok "the good files are still written" test -s "$T/out2/disk.png"
nok "unknown option is a usage error" "$B" cutout --frobnicate 1 "$T/in" -o "$T/x"
nok "bad type value" "$B" cutout --type robot "$T/in/disk.png" -o "$T/x"

# The scorer on tiny masks with known figures: truth has 5 white columns of 10,
# the prediction 4: IoU 40/50, MAE 10/100; ignoring the differing column: perfect.
mkdir -p "$T/s/masks" "$T/s/pred" "$T/s2/masks" "$T/s2/ignore"
convert -size 10x10 xc:black -fill white -draw "rectangle 0,0 4,9" -colorspace Gray "$T/s/masks/a.png"
convert -size 10x10 xc:black -fill white -draw "rectangle 0,0 3,9" -colorspace Gray "$T/s/pred/a.png"
s=$("$B" score --per-image "$T/s" "$T/s/pred")
like "$s" "IoU 0\.8000  MAE 0\.1000" "IoU 0.8 and MAE 0.1: $s"
like "$s" "edge MAE 0\.1000" "edge MAE over the pixels near the boundary (all here)"
like "$s" "^a +0\.8000" "per-image line"
cp "$T/s/masks/a.png" "$T/s2/masks/a.png"
convert -size 10x10 xc:black -fill white -draw "rectangle 4,0 4,9" -colorspace Gray "$T/s2/ignore/a.png"
s=$("$B" score "$T/s2" "$T/s/pred")
like "$s" "IoU 1\.0000  MAE 0\.0000" "ignored pixels count in neither: $s"
# An RGBA prediction is read by its alpha, not its gray level.
convert -size 10x10 xc:white -alpha set -channel A -fx 'i<4 ? 1 : 0' +channel "$T/s/pred/a.png"
s=$("$B" score "$T/s" "$T/s/pred")
like "$s" "IoU 0\.8000" "alpha of an RGBA prediction: $s"
rm "$T/s/pred/a.png"
"$B" score "$T/s" "$T/s/pred" > /dev/null 2>&1
is $? 1 "a missing prediction makes the exit status 1"

