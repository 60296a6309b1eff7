#!/bin/sh
# The change program through the real service: the Background Change payload with
# template and origin served by a loopback helper, data: URLs, the color filter, the
# remove.bg and rembg endpoints, CORS, jobs with signed webhooks (retries, a killed
# worker), key quotas and rates, and SSRF attempts (loopback forms only).
. tests/lib.sh

remote_start

# Images: an origin (a red square on green), a template (blue), a text file, a big one.
convert -size 80x60 xc:'#20a040' -fill '#d02020' -draw 'rectangle 30,20 59,49' "$H/o.png"
convert -size 100x50 xc:'#3060c0' "$H/t.png"
convert -size 100x50 xc:'#3060c0' "$H/t.jpg"
echo "not an image" > "$H/x.txt"
convert -size 1200x1000 xc:'#ffffff' -fill '#000000' -draw 'rectangle 500,400 700,600' "$H/big.png"

# pix FILE X Y: "R G B A" of one pixel.
pix() { convert "$1" -alpha on -crop "1x1+$2+$3" -depth 8 txt:- | sed -n '2s/.*(\([0-9.]*\),\([0-9.]*\),\([0-9.]*\)\(,\([0-9.]*\)\)\{0,1\}).*/\1 \2 \3 \5/p'; }
# near "R G B" "R G B": 0 when every channel is within 40.
near() { python3 -c 'import sys; a=[float(x) for x in sys.argv[1].split()[:3]]; b=[float(x) for x in sys.argv[2].split()[:3]]; sys.exit(0 if all(abs(x-y)<=40 for x,y in zip(a,b)) and len(a)==3 else 1)' "$1" "$2"; }
status() { sed -n '1s/.* \([0-9][0-9][0-9]\).*/\1/p' "$1"; }
size() { identify -format '%wx%h' "$1" 2>/dev/null; }
b64() { base64 -w0 "$1"; }
# post PATH JSONFILE [curl args...]: POST JSON, headers in $T/h, body in $T/b.
post() { p=$1; f=$2; shift 2; curl -s -D "$T/h" -o "$T/b" -H 'Content-Type: application/json' --data-binary @"$f" "$@" "$BASE$p"; }

server_start BACKDROP_FETCH_ALLOW=127.0.0.1/32 BACKDROP_JOB_LEASE=3 BACKDROP_WEBHOOK_BACKOFF=1 \
	BACKDROP_WEBHOOK_ATTEMPTS=4 BACKDROP_MAX_PIXELS=1000000 BACKDROP_FETCH_TIMEOUT=30
ok "the service starts with the change program" test -S "$DATA/run/change.sock"

# ---- the original Background Change payload ----
cat > "$T/orig.json" <<EOF
{"canvas_size": "300x200", "template_url": "$HB/files/t.png", "origin_img": "$HB/files/o.png",
 "overlay_template_x": 40, "overlay_template_y": 30}
EOF
post /api/webhook "$T/orig.json"
is "$(status "$T/h")" 200 "POST /api/webhook with the original payload is 200"
like "$(header Content-Type "$T/h")" '^image/(png|jpeg)' "the answer is an image with its type"
cp "$T/b" "$T/canvas.img"
is "$(size "$T/canvas.img")" 300x200 "the canvas has canvas_size"
ok "a corner of the canvas is the template's blue" near "$(pix "$T/canvas.img" 295 195)" "48 96 192"
ok "the subject is placed at the offsets (red at 40+45, 30+35)" near "$(pix "$T/canvas.img" 85 65)" "208 32 32"
ok "the origin's green background is gone (template where it was)" near "$(pix "$T/canvas.img" 45 35)" "48 96 192"
is "$(header X-Width "$T/h")" 300 "X-Width is the canvas width"

post /api/change "$T/orig.json" -H 'Accept: application/json'
is "$(status "$T/h")" 200 "POST /api/change with Accept: application/json is 200"
is "$(json "$T/b" 'j["data"]["width"], j["data"]["height"]')" "(300, 200)" "JSON carries width and height"
fl=$(json "$T/b" 'j["data"]["foreground_left"]'); ft=$(json "$T/b" 'j["data"]["foreground_top"]')
ok "foreground_left/top are near the placed subject ($fl, $ft)" test "$fl" -ge 60 -a "$fl" -le 75 -a "$ft" -ge 42 -a "$ft" -le 55
json "$T/b" 'j["data"]["result_b64"]' | base64 -d > "$T/res.img"
is "$(size "$T/res.img")" 300x200 "result_b64 decodes to the canvas"

# data: URLs for both images.
printf '{"canvas_size": "120x90", "template_url": "data:image/jpeg;base64,%s", "origin_img": "data:image/png;base64,%s", "overlay_template_x": 0, "overlay_template_y": 0}' \
	"$(b64 "$H/t.jpg")" "$(b64 "$H/o.png")" > "$T/data.json"
post /api/change "$T/data.json"
is "$(status "$T/h")" 200 "data: URLs for origin_img and template_url work"
is "$(size "$T/b")" 120x90 "the data: URL canvas has its size"
ok "the subject from a data: URL is placed" near "$(pix "$T/b" 45 35)" "208 32 32"

printf '{"origin_img": "%s/files/o.png", "canvas_size": "0x5"}' "$HB" > "$T/j"
post /api/change "$T/j"
is "$(status "$T/h"):$(json "$T/b" 'j["code"]')" 400:invalid_field "a bad canvas_size is 400 invalid_field"
like "$(json "$T/b" 'j["detail"]')" canvas_size "the detail names the field"
printf '{"origin_img": "%s/files/o.png", "no_such_option": 1}' "$HB" > "$T/j"
post /api/change "$T/j"
is "$(status "$T/h"):$(json "$T/b" 'j["code"]')" 400:invalid_field "an unknown field is refused"
printf '{"canvas_size": "10x10"' > "$T/j"
post /api/change "$T/j"
is "$(json "$T/b" 'j["code"]')" malformed_json "truncated JSON is malformed_json"
python3 -c 'print("["*40 + "]"*40)' > "$T/j"
post /api/change "$T/j"
is "$(json "$T/b" 'j["code"]')" malformed_json "JSON nested past the depth limit is refused"
echo '{"canvas_size": "10x10"}' > "$T/j"
post /api/change "$T/j"
is "$(status "$T/h"):$(json "$T/b" 'j["code"]')" 400:missing_field "origin_img is required"
printf '{"origin_img": "%s/files/nothing.png"}' "$HB" > "$T/j"
post /api/change "$T/j"
is "$(json "$T/b" 'j["code"]')" fetch_failed "a 404 origin is fetch_failed"
like "$(json "$T/b" 'j["detail"]')" "HTTP 404" "the detail says HTTP 404"

# ---- redirects and schemes with 127.0.0.1/32 allowed ----
for to in "http://127.0.0.2:$HP/files/o.png" "http://[::1]:$HP/files/o.png"; do
	printf '{"origin_img": "%s/redir?to=%s"}' "$HB" "$to" > "$T/j"
	post /api/change "$T/j"
	is "$(status "$T/h"):$(json "$T/b" 'j["code"]')" 400:url_blocked "a redirect from an allowed server to $to is refused"
	is "$(json "$T/b" 'j["detail"]')" "origin_img: the URL is not allowed" "the redirect refusal names no address or range"
done
printf '{"origin_img": "%s/redir?to=file:///etc/passwd"}' "$HB" > "$T/j"
post /api/change "$T/j"
is "$(json "$T/b" 'j["code"]')" url_blocked "a redirect to file: is refused"
echo '{"origin_img": "file:///etc/passwd"}' > "$T/j"
post /api/change "$T/j"
is "$(json "$T/b" 'j["code"]')" url_blocked "a file: URL is refused"
like "$(json "$T/b" 'j["detail"]')" "scheme" "the refusal names the scheme"

# ---- the color filter ----
printf '{"image": "data:image/png;base64,%s", "color": "red"}' "$(b64 "$H/o.png")" > "$T/j"
post /api/filter "$T/j"
is "$(status "$T/h")" 200 "POST /api/filter is 200"
like "$(json "$T/b" 'j["image"][:22]')" '^data:image/png;base64,' "the filter answers a PNG data URL"
json "$T/b" 'j["image"].split(",",1)[1]' | base64 -d > "$T/f.png"
is "$(size "$T/f.png")" 80x60 "the filtered image keeps its size"
ok "red keeps only the red channel (green background -> 32,0,0)" near "$(pix "$T/f.png" 2 2)" "32 0 0"
printf '{"image": "data:image/png;base64,%s", "color": "purple"}' "$(b64 "$H/o.png")" > "$T/j"
post /api/filter "$T/j"
is "$(status "$T/h")" 400 "an unknown filter color is 400"

# ---- remove.bg ----
KEY=$(bd_in "$DATA" key add rb 2>/dev/null)
like "$KEY" '^bdk_[0-9a-f]{64}$' "a key is made with backdrop key add"
rb() { curl -s -D "$T/h" -o "$T/b" "$@" "$BASE/v1.0/removebg"; }
rbcode() { json "$T/b" 'j["errors"][0]["code"]'; }
rb -F image_file=@"$H/o.png"
is "$(status "$T/h"):$(rbcode)" 403:auth_failed "no X-Api-Key is 403 auth_failed"
is "$(json "$T/b" 'j["errors"][0]["title"]')" "Missing API Key" "the title says the key is missing"
rb -H 'X-Api-Key: bdk_nope' -F image_file=@"$H/o.png"
is "$(status "$T/h"):$(rbcode)" 403:auth_failed "an unknown key is 403 auth_failed"
rb -H "X-Api-Key: $KEY" -F size=auto -F image_file=@"$H/o.png"
is "$(status "$T/h")" 200 "multipart image_file with a key is 200"
is "$(header Content-Type "$T/h")" image/png "a cutout is PNG by default"
is "$(header X-Width "$T/h")x$(header X-Height "$T/h")" 80x60 "X-Width and X-Height"
is "$(header X-Max-Width "$T/h")x$(header X-Max-Height "$T/h")" 80x60 \
	"X-Max-Width and X-Max-Height: the largest result the image gives, here its own size"
is "$(header X-Type "$T/h")" other "X-Type"
is "$(header X-Credits-Charged "$T/h")" 1 "size=auto charges 1 credit"
fw=$(header X-Foreground-Width "$T/h"); fh=$(header X-Foreground-Height "$T/h")
ok "X-Foreground-Width/Height frame the square ($fw x $fh)" test "$fw" -ge 26 -a "$fw" -le 36 -a "$fh" -ge 26 -a "$fh" -le 36
like "$(header X-Foreground-Left "$T/h"):$(header X-Foreground-Top "$T/h")" '^(2[6-9]|3[0-4]):(1[6-9]|2[0-4])$' "X-Foreground-Left/Top"
is "$(header X-RateLimit-Limit "$T/h")" 60 "X-RateLimit-Limit is the conf default"
like "$(header X-RateLimit-Remaining "$T/h")" '^[0-9]+$' "X-RateLimit-Remaining"
like "$(header X-RateLimit-Reset "$T/h")" '^[0-9]{10}$' "X-RateLimit-Reset is a unix time"
cp "$T/b" "$T/cut.png"
ok "the cutout is transparent where the background was" test "$(pix "$T/cut.png" 2 2 | cut -d' ' -f4)" = 0
ok "the cutout keeps the subject opaque" test "$(pix "$T/cut.png" 45 35 | cut -d' ' -f4)" = 1 -o "$(pix "$T/cut.png" 45 35 | cut -d' ' -f4)" = 255
rb -H "X-Api-Key: $KEY" -F size=preview -F image_file=@"$H/o.png"
is "$(header X-Credits-Charged "$T/h")" 0.25 "size=preview charges 0.25 credits"
rb -H "X-Api-Key: $KEY" -F size=huge -F image_file=@"$H/o.png"
is "$(status "$T/h"):$(rbcode)" 400:invalid_size "a bad size is 400 invalid_size"
rb -H "X-Api-Key: $KEY" -F size=auto
is "$(status "$T/h"):$(rbcode)" 400:missing_source "no source is missing_source"
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/o.png" -F image_url="$HB/files/o.png"
is "$(status "$T/h"):$(rbcode)" 400:multiple_sources "two sources are multiple_sources"
rb -H "X-Api-Key: $KEY" -F image_url="$HB/files/o.png"
is "$(status "$T/h"):$(header X-Width "$T/h")" 200:80 "image_url is fetched"
rb -H "X-Api-Key: $KEY" -F image_url="$HB/files/none.png"
is "$(status "$T/h"):$(rbcode)" 400:failed_image_download "a 404 image_url is failed_image_download"
rb -H "X-Api-Key: $KEY" -F image_url="http://127.0.0.2:$HP/files/o.png"
is "$(status "$T/h"):$(rbcode)" 400:invalid_image_url "a refused image_url is invalid_image_url"
is "$(json "$T/b" 'j["errors"][0]["detail"]')" "image_url: the URL is not allowed" "its detail names no address or range"
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/x.txt"
is "$(status "$T/h"):$(rbcode)" 400:invalid_file_type "a text file is invalid_file_type"
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/big.png"
is "$(status "$T/h"):$(rbcode)" 400:resolution_too_high "an image over max_pixels is resolution_too_high"
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/o.png" -F bg_color=notacolor
is "$(status "$T/h"):$(rbcode)" 400:invalid_bg_color "a bad bg_color is invalid_bg_color"
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/o.png" -F roi="0px 0px 500px 500px"
is "$(status "$T/h"):$(rbcode)" 400:roi_exceeds_bounds "an roi past the image is roi_exceeds_bounds"
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/o.png" -F roi="50% 50% 10% 10%"
is "$(status "$T/h"):$(rbcode)" 400:roi_region_empty "an empty roi is roi_region_empty"
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/o.png" -F roi="10% 10% 90% 90%"
is "$(status "$T/h")" 200 "a valid roi is accepted"
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/o.png" -F bg_color=ffffff -F format=jpg
is "$(status "$T/h"):$(header Content-Type "$T/h")" 200:image/jpeg "bg_color with format=jpg is a JPEG"
ok "the new background is white" near "$(pix "$T/b" 2 2)" "255 255 255"
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/o.png" -F format=webp
is "$(header Content-Type "$T/h")" image/webp "format=webp"
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/o.png" -F format=gif
is "$(status "$T/h"):$(rbcode)" 400:invalid_format "a bad format is invalid_format"
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/o.png" -F format=zip
is "$(status "$T/h"):$(header Content-Type "$T/h")" 200:application/zip "format=zip is a zip"
is "$(header X-Max-Width "$T/h")x$(header X-Max-Height "$T/h")" 80x60 "a zip answer has X-Max-Width/Height too"
is "$(python3 -c 'import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); print(" ".join(sorted(z.namelist())))' "$T/b")" \
	"alpha.png color.jpg" "the zip holds color.jpg and alpha.png"
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/o.png" -F channels=alpha
is "$(status "$T/h")" 200 "channels=alpha"
ok "channels=alpha gives a black background mask" near "$(pix "$T/b" 2 2)" "0 0 0"
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/o.png" -F channels=cmyk
is "$(rbcode)" invalid_channels "a bad channels value is refused"
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/o.png" -F crop=true
is "$(status "$T/h")" 200 "crop=true"
ok "crop=true crops to the subject ($(header X-Width "$T/h") wide)" test "$(header X-Width "$T/h")" -lt 50
is "$(header X-Max-Width "$T/h")x$(header X-Max-Height "$T/h")" 80x60 "X-Max-Width/Height stay the uncropped size"
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/o.png" -F crop=true -F crop_margin=10px
ok "crop_margin adds to the crop" test "$(header X-Width "$T/h")" -ge 45
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/o.png" -F crop_margin=99%
is "$(rbcode)" invalid_crop_margin "a bad crop_margin is refused"
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/o.png" -F scale=50% -F position=center
is "$(status "$T/h")" 200 "scale and position"
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/o.png" -F scale=5%
is "$(rbcode)" invalid_scale "a bad scale is refused"
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/o.png" -F position=left
is "$(rbcode)" invalid_position "a bad position is refused"
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/o.png" -F type=person -F type_level=2
is "$(status "$T/h"):$(header X-Type "$T/h")" 200:person "type=person is reported in X-Type"
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/o.png" -F type=car
is "$(status "$T/h")" 200 "type=car is accepted"
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/o.png" -F type=spaceship
is "$(rbcode)" invalid_type "a bad type is refused"
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/o.png" -F type_level=9
is "$(rbcode)" invalid_type_level "a bad type_level is refused"
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/o.png" -F shadow_type=drop -F shadow_opacity=40
is "$(status "$T/h")" 200 "shadow_type and shadow_opacity"
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/o.png" -F shadow_type=fog
is "$(rbcode)" invalid_shadow_type "a bad shadow_type is refused"
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/o.png" -F shadow_opacity=101
is "$(rbcode)" invalid_shadow_opacity "a bad shadow_opacity is refused"
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/o.png" -F add_shadow=true -F semitransparency=false
is "$(status "$T/h")" 200 "add_shadow and semitransparency"
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/o.png" -F semitransparency=maybe
is "$(rbcode)" invalid_semitransparency "a bad semitransparency is refused"
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/o.png" -F bg_image_file=@"$H/t.png"
is "$(status "$T/h")" 200 "bg_image_file"
ok "bg_image_file replaces the background" near "$(pix "$T/b" 2 2)" "48 96 192"
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/o.png" -F bg_image_url="$HB/files/t.png"
ok "bg_image_url replaces the background" near "$(pix "$T/b" 2 2)" "48 96 192"
rb -H "X-Api-Key: $KEY" --data-urlencode image_file_b64="$(b64 "$H/o.png")" -d size=auto
is "$(status "$T/h"):$(header X-Width "$T/h")" 200:80 "urlencoded image_file_b64"
# A photo-sized base64 field (over the 64 KB cap of ordinary fields), as multipart:
# a clear subject, stored without compression so that the size is the same every run.
convert -size 300x300 xc:'#20a040' -fill '#d02020' -draw 'rectangle 100,90 199,219' \
	-define png:compression-level=0 PNG24:"$T/big-b64.png"
b64 "$T/big-b64.png" > "$T/big.b64"
rb -H "X-Api-Key: $KEY" -F image_file_b64=\<"$T/big.b64" -F size=auto
is "$(status "$T/h"):$(header X-Width "$T/h")" "200:300" "a $(wc -c < "$T/big.b64" | tr -d ' ')-byte multipart image_file_b64"
# A preview of a larger photo: X-Width/Height are the 0.25 MP result, X-Max-Width/Height
# the photo's own size (what size=full gives), upright: stored 1000x800 and turned by
# its EXIF orientation (6, a quarter turn) it is 800x1000.
convert -size 1000x800 xc:'#20a040' -fill '#d02020' -draw 'rectangle 300,200 699,599' -quality 90 "$T/flat.jpg"
# An APP1 Exif segment with Orientation 6 (turn a quarter clockwise to view).
python3 - "$T/flat.jpg" "$T/turned.jpg" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
tiff = b'II*\x00' + struct.pack('<I', 8) + struct.pack('<H', 1) + struct.pack('<HHIHH', 0x0112, 3, 1, 6, 0) + struct.pack('<I', 0)
app1 = b'Exif\x00\x00' + tiff
open(sys.argv[2], 'wb').write(d[:2] + b'\xff\xe1' + struct.pack('>H', len(app1) + 2) + app1 + d[2:])
PY
rb -H "X-Api-Key: $KEY" -F image_file=@"$T/turned.jpg" -F size=preview
is "$(status "$T/h"):$(header X-Width "$T/h")x$(header X-Height "$T/h")" 200:447x559 "a preview of an 800x1000 photo is 447x559"
is "$(header X-Max-Width "$T/h")x$(header X-Max-Height "$T/h")" 800x1000 "X-Max-Width/Height: the photo's own size, upright"
rb -H "X-Api-Key: $KEY" -d image_file_b64='***' -d size=auto
is "$(rbcode)" invalid_image_file_b64 "bad base64 is refused"
printf '{"image_file_b64": "%s", "size": "auto", "bg_color": "red"}' "$(b64 "$H/o.png")" > "$T/j"
rb -H "X-Api-Key: $KEY" -H 'Content-Type: application/json' -H 'Accept: application/json' --data-binary @"$T/j"
is "$(status "$T/h")" 200 "a JSON body with Accept: application/json"
json "$T/b" 'j["data"]["result_b64"]' | base64 -d > "$T/rj.img"
is "$(size "$T/rj.img")" 80x60 "result_b64 holds the image"
like "$(json "$T/b" 'sorted(k for k in j["data"] if k.startswith("foreground_"))')" \
	'foreground_height.*foreground_left.*foreground_top.*foreground_width' "foreground_* are in the JSON"
curl -s -D "$T/h" -o "$T/b" -H "X-Api-Key: $KEY" "$BASE/v1.0/account"
is "$(status "$T/h")" 200 "GET /v1.0/account"
like "$(json "$T/b" 'j["data"]["attributes"]["credits"]["total"]')" '^[0-9]+(\.[0-9]+)?$' \
	"account reports the credits left (a preview costs a quarter)"
out=$(python3 tests/e2e/change/removebg_client.py "$BASE" "$KEY" "$H/o.png" "$T/client.png" 2>&1)
is "$out" "80 60 other 1" "a client posting like remove.bg's python client reads X-Width etc."
is "$(size "$T/client.png")" 80x60 "and gets the image"
curl -s -D "$T/h" -o "$T/b" -X POST -H "X-Api-Key: $KEY" -F image_file=@"$H/o.png" "$BASE/api/removebg"
is "$(status "$T/h")" 200 "POST /api/removebg is the same endpoint"

# ---- rembg ----
curl -s -D "$T/h" -o "$T/b" "$BASE/api/remove?url=$HB/files/o.png"
is "$(status "$T/h"):$(header Content-Type "$T/h")" 200:image/png "GET /api/remove?url= gives a PNG"
ok "the rembg cutout is transparent outside" test "$(pix "$T/b" 2 2 | cut -d' ' -f4)" = 0
curl -s -D "$T/h" -o "$T/b" -F file=@"$H/o.png" "$BASE/api/remove"
is "$(status "$T/h"):$(header Content-Type "$T/h")" 200:image/png "POST /api/remove with file gives a PNG"
curl -s -D "$T/h" -o "$T/b" -F file=@"$H/o.png" -F om=true "$BASE/api/remove"
ok "om=true gives the mask (black outside)" near "$(pix "$T/b" 2 2)" "0 0 0"
ok "om=true mask is white on the subject" near "$(pix "$T/b" 45 35)" "255 255 255"
curl -s -D "$T/h" -o "$T/b" -F file=@"$H/o.png" -F bgc=255,255,0,255 -F a=true -F af=240 -F ab=10 -F ae=10 -F ppm=true "$BASE/api/remove"
is "$(status "$T/h")" 200 "bgc, a, af, ab, ae, ppm are accepted"
ok "bgc paints the background" near "$(pix "$T/b" 2 2)" "255 255 0"
curl -s -D "$T/h" -o "$T/b" -F file=@"$H/o.png" -F bgc=300,0,0 "$BASE/api/remove"
is "$(status "$T/h")" 400 "a bad bgc is 400"
curl -s -D "$T/h" -o "$T/b" "$BASE/api/remove?url=$HB/files/o.png&om=perhaps"
is "$(status "$T/h")" 422 "a bad om is 422, as rembg answers it"
curl -s -D "$T/h" -o "$T/b" "$BASE/api/remove"
is "$(status "$T/h"):$(json "$T/b" 'j["code"]')" 400:missing_field "GET /api/remove without url is missing_field"

# ---- CORS (cors_origins = *) ----
curl -s -D "$T/h" -o "$T/b" -X OPTIONS -H 'Origin: https://elsewhere.example' \
	-H 'Access-Control-Request-Method: POST' -H 'Access-Control-Request-Headers: content-type' "$BASE/api/change"
is "$(status "$T/h")" 204 "a preflight is 204"
is "$(header Access-Control-Allow-Origin "$T/h")" "*" "with *, any origin is allowed"
is "$(header Access-Control-Allow-Credentials "$T/h")" "" "with *, never credentials"
like "$(header Access-Control-Allow-Methods "$T/h")" POST "the preflight allows POST"
like "$(header Access-Control-Allow-Headers "$T/h")" content-type "the preflight allows the asked headers"
post /api/change "$T/orig.json" -H 'Origin: https://elsewhere.example'
is "$(header Access-Control-Allow-Origin "$T/h")" "*" "the answer carries the CORS header"
echo '{}' > "$T/j"
post /api/change "$T/j" -H 'Origin: https://elsewhere.example'
is "$(status "$T/h"):$(header Access-Control-Allow-Origin "$T/h")" "400:*" "an error answer carries it too"

# ---- jobs and webhooks ----
secret=$(cat "$DATA/secret")
# verify FILE: checks the recorded webhook's signature with the server secret.
verify() {
	python3 - "$1" "$secret" <<'PY'
import hashlib, hmac, json, sys
r = json.load(open(sys.argv[1]))
h = r['headers']; ts = h['x-backdrop-timestamp']
want = 'sha256=' + hmac.new(sys.argv[2].encode(), (ts + '.' + r['body']).encode(), hashlib.sha256).hexdigest()
sys.exit(0 if hmac.compare_digest(want, h['x-backdrop-signature']) else 1)
PY
}
# wait_job ID STATUS: polls the status until it is STATUS (bounded).
wait_job() {
	k=0
	while [ $k -lt 400 ]; do
		s=$(curl -s "$BASE/api/jobs/$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])' 2>/dev/null)
		[ "$s" = "$2" ] && return 0
		k=$((k + 1)); sleep 0.1
	done
	return 1
}
job() { # job HOOKNAME: queues the original payload with a callback; prints the job id
	python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); j["callback_url"]=sys.argv[2]; print(json.dumps(j))' \
		"$T/orig.json" "$HB/hook/$1" > "$T/jj"
	post /api/change "$T/jj"
	json "$T/b" 'j["job_id"]'
}
id=$(job h1)
is "$(status "$T/h")" 202 "a request with callback_url is 202"
is "$(json "$T/b" 'j["status_url"]')" "/api/jobs/$id" "the answer has the status_url"
ok "the job is delivered" wait_job "$id" delivered
ok "the webhook arrived" test -f "$H/hooks/h1.0"
ok "its signature verifies with the secret" verify "$H/hooks/h1.0"
is "$(json "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["body"])' "$H/hooks/h1.0")" 'j["data"]["width"], j["status"], j["job_id"]')" \
	"(300, 'succeeded', '$id')" "the webhook body holds the result"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); r["body"]=r["body"].replace("300","301",1); json.dump(r,open(sys.argv[1]+".bad","w"))' "$H/hooks/h1.0"
nok "a tampered body fails verification" verify "$H/hooks/h1.0.bad"
is "$(curl -s "$BASE/api/jobs/$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["attempts"])')" 1 "delivered at the first attempt"

echo 2 > "$H/fail.h2"
id=$(job h2)
ok "a job whose receiver fails twice is delivered" wait_job "$id" delivered
is "$(ls "$H/hooks" | grep -c '^h2\.')" 3 "after two failures, a third attempt"
is "$(curl -s "$BASE/api/jobs/$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["attempts"])')" 3 "attempts counts 3"
ok "the retried delivery is signed too" verify "$H/hooks/h2.2"

echo 99 > "$H/fail.h4"
id=$(job h4)
ok "a job whose receiver always fails ends failed" wait_job "$id" failed
like "$(curl -s "$BASE/api/jobs/$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["last_error"])')" "HTTP 500" "failed keeps the last error"
is "$(ls "$H/hooks" | grep -c '^h4\.')" 4 "webhook_attempts bounds the tries"

curl -s -D "$T/h" -o "$T/b" "$BASE/api/jobs/0123456789abcdef0123456789abcdef"
is "$(status "$T/h")" 404 "an unknown job is 404"

# A worker killed mid-job: the receiver hangs on the first delivery, the worker is
# killed, and a `backdrop worker --once` (cron) takes the job up after the lease.
touch "$H/hang.h3"
id=$(job h3)
k=0; while [ ! -f "$H/hooks/h3.0" ] && [ $k -lt 300 ]; do sleep 0.1; k=$((k + 1)); done
is "$(curl -s "$BASE/api/jobs/$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')" running "the job is running"
wpid=$(pgrep -f "$BIN/backdrop worker" | head -n 1)
ok "the service runs a worker" test -n "$wpid"
kill -KILL "$wpid" 2>/dev/null
k=0; s=""
while [ $k -lt 100 ] && [ "$s" != delivered ]; do
	BACKDROP_FETCH_ALLOW=127.0.0.1/32 BACKDROP_JOB_LEASE=3 \
		bd_in "$DATA" worker --once >/dev/null 2>>"$T/worker.err"
	s=$(curl -s "$BASE/api/jobs/$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
	k=$((k + 1)); [ "$s" = delivered ] || sleep 0.5
done
is "$s" delivered "after the lease, worker --once delivers the killed worker's job"
ok "the second delivery is signed" verify "$H/hooks/h3.1"
server_stop

# ---- quotas and rates; CORS with a list ----
server_start BACKDROP_FETCH_ALLOW=127.0.0.1/32 BACKDROP_CORS_ORIGINS="https://app.example, *"
QK=$(bd_in "$DATA" key add q --quota 2 --rate 4 2>/dev/null)
# The requests below stay inside one minute: the rate counts per calendar minute.
# Full-size images (a whole credit each).
minute_room 40
rb -H "X-Api-Key: $QK" -F size=full -F image_file=@"$H/o.png"
is "$(status "$T/h"):$(header X-RateLimit-Limit "$T/h"):$(header X-RateLimit-Remaining "$T/h")" 200:4:3 "first request: limit 4, 3 remaining"
rb -H "X-Api-Key: $QK" -F size=full -F image_file=@"$H/o.png"
is "$(status "$T/h"):$(header X-RateLimit-Remaining "$T/h")" 200:2 "second request: 2 remaining"
rb -H "X-Api-Key: $QK" -F size=full -F image_file=@"$H/o.png"
is "$(status "$T/h"):$(rbcode)" 402:insufficient_credits "the third image is over the monthly quota: 402"
is "$(header X-RateLimit-Remaining "$T/h")" 1 "402 still carries the rate headers"
curl -s -D "$T/h" -o "$T/b" -H "X-Api-Key: $QK" "$BASE/v1.0/account"
is "$(json "$T/b" 'j["data"]["attributes"]["credits"]["total"]')" 0 "account shows no credits left"
rb -H "X-Api-Key: $QK" -F size=full -F image_file=@"$H/o.png"
is "$(status "$T/h"):$(rbcode)" 429:rate_limit_exceeded "the fifth request this minute (the account look-up counts) is 429"
like "$(header Retry-After "$T/h")" '^[1-9][0-9]*$' "429 carries Retry-After"
is "$(header X-RateLimit-Limit "$T/h")" 4 "429 carries X-RateLimit-Limit"
QK2=$(bd_in "$DATA" key add q2 --quota 1 2>/dev/null)
curl -s -D "$T/h" -o "$T/b" -H "X-Api-Key: $QK2" -F image_file=@"$H/x.txt" "$BASE/v1.0/removebg"
is "$(status "$T/h")" 400 "a failed request with a quota of 1"
rb -H "X-Api-Key: $QK2" -F image_file=@"$H/o.png"
is "$(status "$T/h")" 200 "a failed request is not charged"
post /api/change "$T/orig.json" -H "X-Api-Key: $QK2"
is "$(status "$T/h"):$(json "$T/b" 'j["code"]')" 402:quota_exceeded "the quota applies to /api/change with a key too"

curl -s -D "$T/h" -o "$T/b" -X OPTIONS -H 'Origin: https://app.example' -H 'Access-Control-Request-Method: POST' "$BASE/api/filter"
is "$(header Access-Control-Allow-Origin "$T/h")" "https://app.example" "a listed origin is echoed"
is "$(header Access-Control-Allow-Credentials "$T/h")" true "a listed origin gets credentials"
curl -s -D "$T/h" -o "$T/b" -X OPTIONS -H 'Origin: https://other.example' -H 'Access-Control-Request-Method: POST' "$BASE/api/filter"
is "$(header Access-Control-Allow-Origin "$T/h"):$(header Access-Control-Allow-Credentials "$T/h")" "*:" "another origin gets * without credentials"
server_stop
server_start BACKDROP_CORS_ORIGINS="https://app.example"
curl -s -D "$T/h" -o "$T/b" -X OPTIONS -H 'Origin: https://other.example' -H 'Access-Control-Request-Method: POST' "$BASE/api/filter"
is "$(header Access-Control-Allow-Origin "$T/h")" "" "an unlisted origin gets no CORS header without *"

# ---- SSRF with the allow-list off: every loopback form is refused, the reason in the log only ----
for u in "http://127.0.0.1:$HP/files/o.png" "http://localhost:$HP/files/o.png" "http://127.1:$HP/files/o.png" \
         "http://0x7f000001:$HP/files/o.png" "http://2130706433:$HP/files/o.png" "http://[::1]:$HP/files/o.png" \
         "http://[::ffff:127.0.0.1]:$HP/files/o.png" "http://0.0.0.0:$HP/files/o.png"; do
	printf '{"origin_img": "%s"}' "$u" > "$T/j"
	post /api/change "$T/j"
	is "$(status "$T/h"):$(json "$T/b" 'j["code"]')" 400:url_blocked "$u is refused"
	is "$(json "$T/b" 'j["detail"]')" "origin_img: the URL is not allowed" "its detail names no address or range"
done
printf '{"origin_img": "%s/files/o.png", "template_url": "http://localhost:%s/files/t.png"}' "$HB" "$HP" > "$T/j"
post /api/change "$T/j"
is "$(json "$T/b" 'j["code"]')" url_blocked "template_url is checked too"
is "$(json "$T/b" 'j["detail"]')" "origin_img: the URL is not allowed" "the first refused field is named"
KEY=$(bd_in "$DATA" key add s 2>/dev/null)
rb -H "X-Api-Key: $KEY" -F image_url="http://localhost:$HP/files/o.png"
is "$(status "$T/h"):$(rbcode)" 400:invalid_image_url "remove.bg's image_url to localhost is invalid_image_url"
curl -s -D "$T/h" -o "$T/b" "$BASE/api/remove?url=http://127.1:$HP/files/o.png"
is "$(status "$T/h"):$(json "$T/b" 'j["code"]')" 400:url_blocked "rembg's url to 127.1 is refused"
printf '{"canvas_size":"10x10","origin_img":"data:image/png;base64,%s","callback_url":"http://127.0.0.1:%s/hook/h9"}' "$(b64 "$H/o.png")" "$HP" > "$T/j"
post /api/change "$T/j"
id=$(json "$T/b" 'j["job_id"]')
ok "a callback to loopback fails" wait_job "$id" failed
like "$(curl -s "$BASE/api/jobs/$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["last_error"])')" "^the URL is not allowed$" "the job's last error names no address or range"
nok "nothing reached the loopback receiver" test -f "$H/hooks/h9.0"
server_stop
