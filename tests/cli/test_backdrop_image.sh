#!/bin/sh
# test_backdrop_image.sh: `backdrop info`, `filter` and `change` on images made here with
# ImageMagick: option spellings, -o FILE and -o DIR, batch progress, failures, --help.
. tests/lib.sh
B="$BIN/backdrop"
IM=$(command -v convert-im6.q16 || command -v convert)
cd "$T" || exit 1
"$IM" -size 40x30 xc:'#3366cc' photo.jpg
"$IM" -size 40x30 xc:none -fill '#ff0000' -draw 'rectangle 10,10 19,19' subj.png
"$IM" -size 40x30 xc:'#00ff00' bg.png
"$IM" -size 40x30 xc:black -fill white -draw 'rectangle 0,0 19,29' matte.png
printf '<html><body>hi</body></html>' > page.png
: > empty.jpg

out=$("$B" info photo.jpg subj.png)
like "$out" '"format":"jpeg".*"width":40.*"height":30' "info: jpeg 40x30 as JSON"
like "$out" '"format":"png"' "info: png"
out=$("$B" info page.png 2>&1); rc=$?
like "$out" '"error":"unsupported_image"' "info: HTML named .png is unsupported"
is "$rc" 1 "info: exit 1 when a file fails"

ok "filter -o FILE" "$B" filter --filter=invert photo.jpg -o inv.png
is "$(python3 -c "import zlib,struct;d=open('inv.png','rb').read();print(d[1:4].decode())")" "PNG" "filter: -o x.png writes PNG"
out=$("$B" info inv.png)
like "$out" '"width":40,"height":30' "filter: same size"
ok "filter --color red" "$B" filter --color red photo.jpg -o red.png
px=$("$IM" red.png -format '%[pixel:p{5,5}]' info:)
like "$px" 'srgb\(5[01],0,0\)' "color=red keeps only red (got $px)"

ok "change with --bg-color and --canvas-size" "$B" change subj.png --bg-color '#0000ff' --canvas-size 60x50 \
	--overlay_template_x=-5 --overlay_template_y 3 -o c1.png
like "$("$B" info c1.png)" '"width":60,"height":50' "change: canvas 60x50"
px=$("$IM" c1.png -format '%[pixel:p{5,13}]' info:)
like "$px" 'srgb\(255,0,0\)|red' "change: subject moved by (-5,3) (got $px)"
px=$("$IM" c1.png -format '%[pixel:p{30,40}]' info:)
like "$px" 'srgb\(0,0,255\)|blue' "change: blue background (got $px)"

ok "change with --bg_image and --matte" "$B" change photo.jpg --matte matte.png --bg_image bg.png --format png -o c2.png
px=$("$IM" c2.png -format '%[pixel:p{5,5}]' info:)
like "$px" 'srgb\(5[01],10[12],20[345]\)' "matte white: the photo (got $px)"
px=$("$IM" c2.png -format '%[pixel:p{30,5}]' info:)
like "$px" 'srgb\(0,255,0\)|lime' "matte black: the background (got $px)"
ok "channels=alpha" "$B" change subj.png --channels alpha -o a.png
px=$("$IM" a.png -format '%[pixel:p{12,12}] %[pixel:p{2,2}]' info:)
like "$px" '(gray\(255\)|white).*(gray\(0\)|black)' "channels=alpha: the matte as gray (got $px)"

mkdir outdir
"$B" filter --filter grayscale photo.jpg page.png empty.jpg subj.png -o outdir 2> batch.err; rc=$?
is "$rc" 1 "batch: exit 1 when some files fail"
like "$(cat batch.err)" '\[1/4\] photo.jpg ok' "batch: progress line"
like "$(cat batch.err)" '\[2/4\] page.png: unsupported_image' "batch: one-line reason for HTML"
like "$(cat batch.err)" '\[3/4\] empty.jpg: unsupported_image' "batch: one-line reason for an empty file"
ok "batch: outputs in DIR" test -f outdir/photo.jpg -a -f outdir/subj.png

nok "unknown option is a usage error" "$B" filter --no-such=1 photo.jpg
out=$("$B" change --scale 5% photo.jpg -o x.png 2>&1)
like "$out" 'scale: expected' "invalid value: a reason naming the field"
nok "-o FILE with several inputs refused" "$B" filter --filter red photo.jpg subj.png -o one.png
help=$("$B" change --help)
for k in mode type roi canvas_size crop crop_margin bg_color bg_image bg_fit bg_blur position \
	overlay_template_x scale add_shadow shadow_opacity filter color format quality channels size matte; do
	case "$help" in *"--$k"*) ;; *) echo "# --help lacks --$k"; missing=1;; esac
done
is "${missing:-0}" 0 "--help lists every option"
like "$("$B" --help)" 'change' "backdrop --help lists change"
