#!/bin/sh
# Published clients, unmodified, against the running service: the `remove.bg` npm
# client (file, URL and base64 sources; every option it documents; its error path),
# `removebg-wrapper`, and remove.bg's own Node sample (axios + form-data) with only its
# URL changed (tests/clients/drive.js runs them and says how the clients that
# hard-code remove.bg's URL are pointed here); then rembg's documented calls: curl,
# a Python requests-style multipart post, GET with url=.
. tests/lib.sh

CL="$TOP/tests/clients"
remote_start
mkdir -p "$T/out"

convert -size 80x60 xc:'#20a040' -fill '#d02020' -draw 'rectangle 30,20 59,49' "$H/o.png"
convert -size 100x50 xc:'#3060c0' "$H/t.png"

pix() { convert "$1" -alpha on -crop "1x1+$2+$3" -depth 8 txt:- | sed -n '2s/.*(\([0-9.]*\),\([0-9.]*\),\([0-9.]*\)\(,\([0-9.]*\)\)\{0,1\}).*/\1 \2 \3 \5/p'; }
near() { python3 -c 'import sys; a=[float(x) for x in sys.argv[1].split()[:3]]; b=[float(x) for x in sys.argv[2].split()[:3]]; sys.exit(0 if all(abs(x-y)<=40 for x,y in zip(a,b)) and len(a)==3 else 1)' "$1" "$2"; }
alpha() { pix "$1" "$2" "$3" | cut -d' ' -f4; }
size() { identify -format '%wx%h' "$1" 2>/dev/null; }
status() { sed -n '1s/.* \([0-9][0-9][0-9]\).*/\1/p' "$1"; }
# r NAME EXPR: EXPR over the JSON line the driver printed for the call NAME.
r() { json "$(grep "^{\"name\": *\"$1\"" "$T/calls" | head -n 1)" "$2"; }

ok "the published clients are installed (make deps)" test -f "$CL/node_modules/remove.bg/package.json" -a \
	-f "$CL/node_modules/removebg-wrapper/package.json" -a -f "$CL/node_modules/axios/package.json"
server_start BACKDROP_FETCH_ALLOW=127.0.0.1/32
KEY=$(bd_in "$DATA" key add clients 2>/dev/null)
(cd "$CL" && node drive.js "$BASE" "$KEY" "$H/o.png" "$T/out" "$HB/files") > "$T/calls" 2>>"$T/drive.err"
ok "the driver ran every call" test "$(wc -l < "$T/calls")" -eq 21

# ---- the remove.bg client ----
is "$(r file 'j["ok"], j["width"], j["height"], j["type"], j["credits"]')" "(True, 80, 60, 'other', '0.25')" \
	"removeBackgroundFromImageFile: the cutout with its headers read"
ok "the file cutout is transparent outside" test "$(alpha "$T/out/file.png" 2 2)" = 0
ok "and opaque on the subject" test "$(alpha "$T/out/file.png" 45 35)" = 1
is "$(r url 'j["ok"], j["width"], j["type"]')" "(True, 80, 'product')" "removeBackgroundFromImageUrl with type=product"
ok "the URL cutout is transparent outside" test "$(alpha "$T/out/url.png" 2 2)" = 0
is "$(r base64 'j["ok"], j["credits"]')" "(True, '1')" "removeBackgroundFromImageBase64 with size=full: 1 credit"
is "$(r size_auto 'j["ok"], j["credits"]')" "(True, '1')" "size=auto"
is "$(r type_person 'j["ok"], j["type"]')" "(True, 'person')" "type=person"
is "$(r crop 'j["ok"]'):$(size "$T/out/crop.png")" "True:30x30" "crop=true crops to the subject"
ok "crop_margin=10px adds 10 px a side ($(size "$T/out/crop_margin.png"))" test "$(size "$T/out/crop_margin.png")" = 50x50
is "$(r scale 'j["ok"]'):$(size "$T/out/scale.png")" "True:80x60" "scale=50% keeps the canvas"
ok "and centres a smaller subject" test "$(alpha "$T/out/scale.png" 40 30)" = 1 -a "$(alpha "$T/out/scale.png" 22 30)" = 0
ok "position=0% 0% puts it in the corner" test "$(alpha "$T/out/position.png" 3 3)" = 1 -a "$(alpha "$T/out/position.png" 40 30)" = 0
ok "bg_color=ffffff paints the background white" near "$(pix "$T/out/bg_color.png" 2 2)" "255 255 255"
ok "bg_image_url lays the background image" near "$(pix "$T/out/bg_image_url.png" 2 2)" "48 96 192"
ok "and keeps the subject" near "$(pix "$T/out/bg_image_url.png" 45 35)" "208 32 32"
ok "channels=alpha gives the mask (black outside)" near "$(pix "$T/out/channels.png" 2 2)" "0 0 0"
ok "and white on the subject" near "$(pix "$T/out/channels.png" 45 35)" "255 255 255"
ok "roi=0% 0% 50% 100% keeps only the left half of the subject" \
	test "$(alpha "$T/out/roi.png" 35 35)" = 1 -a "$(alpha "$T/out/roi.png" 55 35)" = 0
is "$(r add_shadow 'j["ok"]')" True "add_shadow=true"
is "$(r file_options 'j["ok"], j["width"]')" "(True, 40)" "a file with every option at once (multipart fields; cropped with 5 px a side)"
is "$(r bad_key 'j["ok"], j["errors"][0]["code"], j["errors"][0]["title"]')" "(False, 'auth_failed', 'API Key invalid')" \
	"a bad key: the client rejects with remove.bg's error list"
is "$(r bad_color 'j["errors"][0]["code"], j["errors"][0]["title"]')" "('invalid_bg_color', 'Invalid bg_color parameter given')" \
	"a bad bg_color: invalid_bg_color with remove.bg's title"
is "$(r bad_url 'j["errors"][0]["code"]')" failed_image_download "an image_url that fails: failed_image_download"

# ---- removebg-wrapper and remove.bg's axios sample ----
is "$(r wrapper_file 'j["ok"]'):$(size "$T/out/output.png")" "True:80x60" "removebg-wrapper rbFromImageFile writes output.png"
ok "a real cutout (transparent outside)" test "$(alpha "$T/out/output.png" 2 2)" = 0
is "$(r wrapper_url 'j["ok"]'):$(size "$T/out/output-2.png")" "True:80x60" "removebg-wrapper rbFromImageUrl writes output-2.png"
is "$(r axios_sample 'j["ok"], j["type"]')" "(True, 'image/png')" "remove.bg's axios sample gets the image, not JSON"
ok "no-bg.png is the cutout" test "$(alpha "$T/out/no-bg.png" 2 2)" = 0 -a "$(alpha "$T/out/no-bg.png" 45 35)" = 1

# ---- rembg's documented calls ----
curl -s -D "$T/h" -o "$T/rembg1.png" -F file=@"$H/o.png" "$BASE/api/remove"
is "$(status "$T/h"):$(alpha "$T/rembg1.png" 2 2)" 200:0 "curl -F file=@image: a cutout"
curl -s -D "$T/h" -o "$T/rembg2.png" "$BASE/api/remove?url=$HB/files/o.png"
is "$(status "$T/h"):$(alpha "$T/rembg2.png" 2 2)" 200:0 "GET /api/remove?url=: a cutout"
python3 - "$BASE" "$H/o.png" "$T/rembg3.png" <<'PY'
# As `requests.post(url, files={"file": open(p, "rb")}, data={"model": "u2net", "om": "true"})`
# builds it: one file part named "file" with a filename, form fields before it.
import sys, urllib.request, uuid
base, image, out = sys.argv[1:4]
b = uuid.uuid4().hex.encode()
body = b''
for k, v in (('model', 'u2net'), ('om', 'true')):
    body += b'--' + b + b'\r\nContent-Disposition: form-data; name="' + k.encode() + b'"\r\n\r\n' + v.encode() + b'\r\n'
body += b'--' + b + b'\r\nContent-Disposition: form-data; name="file"; filename="o.png"\r\n\r\n' + open(image, 'rb').read() + b'\r\n--' + b + b'--\r\n'
req = urllib.request.Request(base + '/api/remove', data=body, headers={
    'Content-Type': 'multipart/form-data; boundary=' + b.decode(), 'User-Agent': 'python-requests/2.31.0',
    'Accept': '*/*', 'Accept-Encoding': 'gzip, deflate'})
with urllib.request.urlopen(req) as r:
    open(out, 'wb').write(r.read())
PY
ok "a requests-style multipart post with model and om=true gives the mask" near "$(pix "$T/rembg3.png" 2 2)" "0 0 0"
server_stop
