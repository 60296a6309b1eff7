#!/bin/sh
# Hostile requests through nginx against the real service. Every request below asserts
# its status and error code and that the store did not change: the records, images,
# keys, jobs and key usage tables are dumped before and after it and compared (the
# identities' last-seen days and the keys' per-minute counters may change and are left
# out). The classes: image probe bombs (duplicate TIFF tags, HEIF/AVIF ispe, huge
# WebP, PNG, JPEG, GIF, BMP headers), oversized and malformed bodies (multipart, JSON,
# cookies), SQL, HTML and header injection, SSRF spellings (loopback forms only), record
# ownership, same-origin checks, hint stroke bombs, out-of-range JSON numbers, callback
# URL schemes, the remove.bg and rembg vocabularies, bad keys and spent quotas. The
# inputs are made here, small, by Python and ImageMagick.
. tests/lib.sh

server_start USER_LIMIT=2 BACKDROP_MAX_UPLOAD_BYTES=3000000 BACKDROP_MAX_PIXELS=4000000 || exit 1
HOSTPORT=${BASE#http://}
IN="$T/in"
mkdir -p "$IN"

# snap FILE: the tables a hostile request must leave alone, as SQL text.
snap() {
	db_dump "$DATA" records images api_keys jobs key_usage > "$1" 2>&1
}
# answer: "STATUS CODE" of the last request: the code of our JSON error shape, of
# remove.bg's ({"errors": [{"code"}]}), the flash of a 303, or "-".
answer() {
	python3 - "$T/h" "$T/b" <<'PY'
import json, re, sys
head = open(sys.argv[1], 'rb').read().decode('latin-1')
m = re.findall(r'^HTTP/[0-9.]+ (\d+)', head, re.M)
status = m[-1] if m else '000'
code = '-'
try:
    j = json.loads(open(sys.argv[2], 'rb').read())
    if isinstance(j, dict):
        if isinstance(j.get('code'), str):
            code = j['code']
        elif isinstance(j.get('errors'), list) and j['errors']:
            code = j['errors'][0].get('code', '-')
        elif isinstance(j.get('detail'), list) and j['detail']:
            code = j['detail'][0].get('type', '-')
except Exception:
    loc = re.search(r'^Location: *(\S+)', head, re.M | re.I)
    if loc:
        code = loc.group(1)
print(status, code)
PY
}
HITS=0
# hit DESC STATUS CODE CURL_ARGS...: one hostile request (curl with CURL_ARGS); passes
# when the answer is STATUS with error code CODE and the store is unchanged.
hit() {
	d=$1; ws=$2; wc=$3; shift 3
	snap "$T/before.sql"
	curl -s -o "$T/b" -D "$T/h" --max-time 120 "$@"
	got=$(answer)
	snap "$T/after.sql"
	if cmp -s "$T/before.sql" "$T/after.sql"; then same=unchanged; else same=CHANGED; fi
	is "$got $same" "$ws $wc unchanged" "$d"
	[ "$same" = unchanged ] || diff "$T/before.sql" "$T/after.sql" | head -n 5 | sed 's/^/#   /'
	HITS=$((HITS + 1))
}
J='Accept: application/json'
CT='Content-Type: application/json'

# ---- the inputs ----
convert -size 64x48 xc:white -fill '#c02020' -draw "circle 32 24 32 8" "$IN/ok.png"
convert -size 16x16 xc:red "$IN/small.avif" 2>/dev/null
convert -size 16x16 xc:red "$IN/small.heic" 2>/dev/null
python3 - "$IN" <<'PY'
import base64, json, os, struct, sys, zlib
d = sys.argv[1]
def w(name, data):
    open(os.path.join(d, name), 'wb').write(data if isinstance(data, bytes) else data.encode())

def tiff(entries):
    # Little-endian TIFF, IFD0 at 8, entries (tag, type, value) in the order given.
    b = b'II*\x00' + struct.pack('<I', 8) + struct.pack('<H', len(entries))
    for tag, typ, v in entries:
        b += struct.pack('<HHI', tag, typ, 1) + (struct.pack('<HH', v, 0) if typ == 3 else struct.pack('<I', v))
    return b + struct.pack('<I', 0) + b'\x00' * 64
strip = [(258, 3, 8), (259, 3, 1), (262, 3, 1), (273, 4, 8), (277, 3, 1), (278, 4, 1), (279, 4, 1)]
# The first ImageWidth/ImageLength (the ones libtiff uses) say 300 x 2883784; the
# duplicates after them say 1 x 1.
w('tiff_dup.tif', tiff([(256, 3, 300), (257, 4, 2883784)] + strip + [(256, 3, 1), (257, 4, 1)]))
w('tiff_big.tif', tiff([(256, 4, 100000), (257, 4, 100000)] + strip))
def png(wd, ht):
    ihdr = struct.pack('>IIBBBBB', wd, ht, 8, 6, 0, 0, 0)
    chunk = lambda t, p: struct.pack('>I', len(p)) + t + p + struct.pack('>I', zlib.crc32(t + p) & 0xffffffff)
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr) + chunk(b'IDAT', zlib.compress(b'\x00' * 64)) + chunk(b'IEND', b'')
w('png_wide.png', png(20000, 20000))
w('png_pixels.png', png(4000, 4000))
w('png_trunc.png', png(64, 48)[:40])
w('jpeg_big.jpg', b'\xff\xd8' + b'\xff\xc0' + struct.pack('>HBHHB', 11, 8, 65000, 65000, 1) + b'\x01\x11\x00' + b'\xff\xd9')
w('gif_big.gif', b'GIF89a' + struct.pack('<HHBBB', 65535, 65535, 0, 0, 0) +
  b',' + struct.pack('<HHHHB', 0, 0, 65535, 65535, 0) + b'\x02\x02\x44\x01\x00;')
w('bmp_big.bmp', b'BM' + struct.pack('<IHHI', 70, 0, 0, 54) +
  struct.pack('<IiiHHIIiiII', 40, 30000, 30000, 1, 24, 0, 0, 0, 0, 0, 0) + b'\x00' * 16)
# WebP: an extended canvas of 16384 x 16384, and a lossless 7000 x 7000 header.
vp8x = b'VP8X' + struct.pack('<I', 10) + b'\x00\x00\x00\x00' + (16383).to_bytes(3, 'little') * 2
w('webp_canvas.webp', b'RIFF' + struct.pack('<I', 4 + len(vp8x)) + b'WEBP' + vp8x)
bits = (7000 - 1) | ((7000 - 1) << 14)
vp8l = b'VP8L' + struct.pack('<I', 5 + 8) + b'\x2f' + struct.pack('<I', bits) + b'\x00' * 8
w('webp_lossless.webp', b'RIFF' + struct.pack('<I', 4 + len(vp8l)) + b'WEBP' + vp8l)
# HEIF and AVIF: a real small file whose ispe box is made to say huge or too many pixels.
for src, ext in (('small.avif', 'avif'), ('small.heic', 'heic')):
    p = os.path.join(d, src)
    if not os.path.exists(p):
        continue
    b = bytearray(open(p, 'rb').read())
    i = b.find(b'ispe')
    for name, wd, ht in (('huge', 60000, 60000), ('pixels', 3000, 3000)):
        c = bytearray(b)
        c[i + 8:i + 16] = struct.pack('>II', wd, ht)
        w('%s_%s.%s' % (ext, name, ext), bytes(c))
w('text.png', 'this is not an image\n')
w('svg.png', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
w('empty.png', b'')
w('big.bin', os.urandom(3100000))
w('long_value.txt', 'v' * 70000)
# JSON bodies for the API, with a small origin as a data: URL.
ok = 'data:image/png;base64,' + base64.b64encode(open(os.path.join(d, 'ok.png'), 'rb').read()).decode()
def j(name, obj):
    w(name, json.dumps(obj) if not isinstance(obj, str) else obj)
j('api_tiff_dup.json', {'origin_img': 'data:image/tiff;base64,' + base64.b64encode(open(os.path.join(d, 'tiff_dup.tif'), 'rb').read()).decode()})
def strokes(n_strokes, n_pts, width=10, label='fg', pt=None):
    return json.dumps([{'points': [pt or [i % 64, i % 48] for i in range(n_pts)], 'width': width, 'label': label}
                       for _ in range(n_strokes)])
j('st_many.json', {'origin_img': ok, 'hint_strokes': strokes(65, 1)})
j('st_points.json', {'origin_img': ok, 'hint_strokes': strokes(1, 2049)})
j('st_width.json', {'origin_img': ok, 'hint_strokes': strokes(1, 2, width=2001)})
j('st_coord.json', {'origin_img': ok, 'hint_strokes': strokes(1, 1, pt=[1e300, 2])})
j('st_label.json', {'origin_img': ok, 'hint_strokes': strokes(1, 2, label='fgx')})
j('st_long.json', {'origin_img': ok, 'hint_strokes': ' ' * 70000 + '[]'})
j('st_deep.json', {'origin_img': ok, 'hint_strokes': '[' * 20 + ']' * 20})
j('st_notlist.json', {'origin_img': ok, 'hint_strokes': '{"points": [[1, 2]]}'})
# 2047 segments of width 2000 across the image: accepted, and bounded work.
j('st_bomb.json', {'origin_img': ok, 'hint_strokes': json.dumps(
    [{'points': [[(i * 7) % 64, (i * 13) % 48] for i in range(2048)], 'width': 2000, 'label': 'fg'}])})
raw = lambda name, text: w(name, text.replace('OK', ok))
raw('num_1e300.json', '{"origin_img": "OK", "overlay_template_x": 1e300}')
raw('num_neg.json', '{"origin_img": "OK", "overlay_template_y": -1e300}')
raw('num_1e400.json', '{"origin_img": "OK", "overlay_template_x": 1e400}')
raw('num_nan.json', '{"origin_img": "OK", "overlay_template_x": NaN}')
raw('num_inf.json', '{"origin_img": "OK", "shadow_opacity": Infinity}')
raw('num_frac.json', '{"origin_img": "OK", "overlay_template_x": 1.5}')
raw('num_bigint.json', '{"origin_img": "OK", "overlay_template_x": 99999999999999999999999}')
raw('num_quality.json', '{"origin_img": "OK", "format": "jpg", "quality": 1e300}')
raw('num_canvas.json', '{"origin_img": "OK", "canvas_size": 1e300}')
raw('js_trunc.json', '{"origin_img": "OK", "canvas_size": "10x10"')
raw('js_deep.json', '{"a": ' + '[' * 40 + ']' * 40 + ', "origin_img": "OK"}')
raw('js_array.json', '["OK"]')
raw('js_garbage.json', '{"origin_img": "OK"} trailing')
w('js_badutf8.json', b'{"origin_img": "\xff\xfe\xc0\xaf"}')
raw('js_big.json', '{"origin_img": "OK", "pad": "' + 'x' * 3100000 + '"}')
for k, u in enumerate(['httpx://example.com/hook', 'ftp://example.com/hook', 'javascript:alert(1)',
                       'file:///etc/passwd', 'http:/example.com', '']):
    raw('cb_%d.json' % k, '{"origin_img": "OK", "callback_url": %s}' % json.dumps(u))
raw('cb_num.json', '{"origin_img": "OK", "callback_url": 42}')
PY

# mp OUT PARTS...: a raw multipart body with boundary XB; each part is "NAME=VALUE" or
# "NAME=@FILE".
mp() {
	python3 - "$@" <<'PY'
import os, sys
out = sys.argv[1]; body = b''
for a in sys.argv[2:]:
    n, v = a.split('=', 1)
    if v.startswith('@'):
        body += b'--XB\r\nContent-Disposition: form-data; name="' + n.encode() + b'"; filename="f"\r\n\r\n' + open(v[1:], 'rb').read() + b'\r\n'
    else:
        body += b'--XB\r\nContent-Disposition: form-data; name="' + n.encode() + b'"\r\n\r\n' + v.encode() + b'\r\n'
open(out, 'wb').write(body + b'--XB--\r\n')
PY
}
MPCT='Content-Type: multipart/form-data; boundary=XB'

# ---- who is who: a victim (cookie), an attacker (cookie), a key, a spent key ----
curl -s -c "$T/victim" -b "$T/victim" -o "$T/b" -H "$J" -F name=first -F image=@"$IN/ok.png" "$BASE/"
VID=$(json "$T/b" 'j["id"]')
curl -s -c "$T/victim" -b "$T/victim" -o /dev/null -H "$J" -F name=second -F image=@"$IN/ok.png" "$BASE/"
curl -s -c "$T/attacker" -b "$T/attacker" -o "$T/b" -H "$J" -F name=mine -F image=@"$IN/ok.png" "$BASE/"
KEY=$(bd_in "$DATA" key add hostile 2>/dev/null)
curl -s -o "$T/b" -H "X-Api-Key: $KEY" -F name=keyed -F image=@"$IN/ok.png" "$BASE/"
KID=$(json "$T/b" 'j["id"]')
SPENT=$(bd_in "$DATA" key add spent --quota 1 2>/dev/null)
curl -s -o /dev/null -H "X-Api-Key: $SPENT" -F name=spent -F image=@"$IN/ok.png" "$BASE/"
ok "the victim, the attacker and the key have records" test -n "$VID" -a -n "$KID"
is "$(db_sql "$DATA" 'SELECT count(*) FROM records')" 5 "five records to protect"
VCOOKIE=$(awk '$6 == "backdrop_uid" { print $7 }' "$T/victim")
V="-b $T/victim"
A="-b $T/attacker"
SAME="Origin: $BASE"

# ---- image probe bombs: refused from the header, before any decode ----
# (The attacker uploads: one record of two, so the user limit does not answer first.)
hit "a TIFF repeating its size tags (libtiff reads the first, 300 x 2883784) is 422" 422 corrupt_image \
	$A -H "$J" -F name=bomb -F image=@"$IN/tiff_dup.tif" "$BASE/"
for f in tiff_big.tif png_wide.png png_pixels.png jpeg_big.jpg gif_big.gif bmp_big.bmp \
         webp_canvas.webp webp_lossless.webp avif_huge.avif avif_pixels.avif heic_huge.heic heic_pixels.heic; do
	hit "upload of the bomb $f is 413 resolution_too_high" 413 resolution_too_high \
		$A -H "$J" -F name=bomb -F image=@"$IN/$f" "$BASE/"
done
hit "the duplicate-tag TIFF as an origin_img data: URL is 422" 422 corrupt_image \
	-H "$CT" --data-binary @"$IN/api_tiff_dup.json" "$BASE/api/change"
hit "the AVIF ispe bomb through remove.bg's image_file is 400 resolution_too_high" 400 resolution_too_high \
	-H "X-Api-Key: $KEY" -F image_file=@"$IN/avif_huge.avif" "$BASE/v1.0/removebg"
hit "a truncated PNG is 422 corrupt_image" 422 corrupt_image $A -H "$J" -F name=x -F image=@"$IN/png_trunc.png" "$BASE/"
hit "text named .png is 415 not_an_image" 415 not_an_image $A -H "$J" -F name=x -F image=@"$IN/text.png" "$BASE/"
hit "an SVG with a script is 415" 415 unsupported_image $A -H "$J" -F name=x -F image=@"$IN/svg.png" "$BASE/"
hit "an empty image part is 400 missing_field" 400 missing_field $A -H "$J" -F name=x -F image=@"$IN/empty.png" "$BASE/"

# ---- oversized and malformed bodies ----
hit "a body over max_upload_bytes is 413 too_large (nginx)" 413 too_large \
	$V -H "$J" -F name=x -F image=@"$IN/big.bin" "$BASE/"
hit "a JSON body over max_upload_bytes on /api/change is 413 too_large (nginx)" 413 too_large \
	-H "$CT" --data-binary @"$IN/js_big.json" "$BASE/api/change"
hit "a field value over 64 KB is 400 malformed_multipart" 400 malformed_multipart \
	$A -H "$J" -F name="<$IN/long_value.txt" -F image=@"$IN/ok.png" "$BASE/"
args=""; i=0; while [ $i -lt 70 ]; do args="$args f$i=v"; i=$((i + 1)); done
mp "$T/many.mp" $args image=@"$IN/ok.png"
hit "70 fields are 400 malformed_multipart" 400 malformed_multipart $V -H "$J" -H "$MPCT" --data-binary @"$T/many.mp" "$BASE/"
args=""; i=0; while [ $i -lt 17 ]; do args="$args image=@$IN/ok.png"; i=$((i + 1)); done
mp "$T/files.mp" name=x $args
hit "17 file parts are 400 malformed_multipart" 400 malformed_multipart $V -H "$J" -H "$MPCT" --data-binary @"$T/files.mp" "$BASE/"
mp "$T/good.mp" name=x image=@"$IN/ok.png"
hit "multipart without a boundary is 400" 400 malformed_multipart \
	$V -H "$J" -H 'Content-Type: multipart/form-data' --data-binary @"$T/good.mp" "$BASE/"
hit "a boundary that is not in the body is 400" 400 malformed_multipart \
	$V -H "$J" -H 'Content-Type: multipart/form-data; boundary=OTHER' --data-binary @"$T/good.mp" "$BASE/"
head -c 200 "$T/good.mp" > "$T/cut.mp"
hit "a body cut before its closing boundary is 400" 400 malformed_multipart \
	$V -H "$J" -H "$MPCT" --data-binary @"$T/cut.mp" "$BASE/"
printf -- '--XB\r\nContent-Type: text/plain\r\n\r\nnothing\r\n--XB--\r\n' > "$T/nodisp.mp"
hit "a part without Content-Disposition is 400" 400 malformed_multipart \
	$V -H "$J" -H "$MPCT" --data-binary @"$T/nodisp.mp" "$BASE/"
hit "a 200-character boundary is 400" 400 malformed_multipart \
	$V -H "$J" -H "Content-Type: multipart/form-data; boundary=$(printf '%0200d' 0)" --data-binary @"$T/good.mp" "$BASE/"
hit "an upload as text/plain is 400" 400 bad_request \
	$V -H "$J" -H 'Content-Type: text/plain' --data-binary @"$IN/ok.png" "$BASE/"
for f in js_trunc js_deep js_array js_garbage; do
	hit "malformed JSON ($f) is 400 malformed_json" 400 malformed_json \
		-H "$CT" --data-binary @"$IN/$f.json" "$BASE/api/change"
done

hit "invalid UTF-8 in a JSON string is 400 invalid_field" 400 invalid_field \
	-H "$CT" --data-binary @"$IN/js_badutf8.json" "$BASE/api/change"

# ---- cookies: a bad or odd cookie never reaches another's records ----
bad=$(printf '%s' "$VCOOKIE" | sed 's/.$/0/'); [ "$bad" = "$VCOOKIE" ] && bad=$(printf '%s' "$VCOOKIE" | sed 's/.$/1/')
hit "a tampered signature is a stranger (200)" 200 - -H "$J" -H "Cookie: backdrop_uid=$bad" "$BASE/"
is "$(json "$T/b" 'len(j["records"])')" 0 "  who sees no records"
many=""; i=0; while [ $i -lt 40 ]; do many="${many}c$i=$i; "; i=$((i + 1)); done
hit "the valid cookie after 40 others is read (200)" 200 - -H "$J" -H "Cookie: ${many}backdrop_uid=$VCOOKIE" "$BASE/"
is "$(json "$T/b" 'len(j["records"])')" 2 "  and shows the victim's two records"
hit "a stale duplicate before the valid cookie (200)" 200 - -H "$J" -H "Cookie: backdrop_uid=$bad; backdrop_uid=$VCOOKIE" "$BASE/"
is "$(json "$T/b" 'len(j["records"])')" 2 "  the first valid one is used"
hit "a Cookie header of 9000 bytes is 400 (nginx)" 400 - -H "$J" -H "Cookie: backdrop_uid=$VCOOKIE; pad=$(printf '%09000d' 0)" "$BASE/"
hit "an SQL cookie value is a stranger (200)" 200 - -H "$J" -H "Cookie: backdrop_uid=' OR '1'='1" "$BASE/"
is "$(json "$T/b" 'len(j["records"])')" 0 "  who sees no records"

# ---- cross-site forms and claims: an identity is never replaced or taken over ----
hit "a cross-site form upload of a bomb without a cookie: 303 with its flash" 303 "/?flash=too_many_pixels" \
	-H "Origin: https://evil.example" -F name=x -F image=@"$IN/png_wide.png" "$BASE/"
unlike "$(cat "$T/h")" 'Set-Cookie: backdrop_uid' "  and no new identity cookie"
hit "a forged claim token attaches nothing: 303 to flash=error" 303 "/?flash=error" $V \
	"$BASE/?claim=00000000000000000000000000000000"
hit "an SQL claim token attaches nothing" 303 "/?flash=error" $V "$BASE/?claim=%27%20OR%201%3D1%20--"

# ---- SQL, HTML and header injection ----
hit "an SQL image id is 404" 404 not_found $V "$BASE/image/%27%20OR%20%271%27%3D%271/original"
hit "an SQL record id on rename is 404" 404 not_found $V -X PUT -H "$SAME" -H "$CT" \
	--data-binary '{"record_name": "x"}' "$BASE/update/1%27%20OR%201%3D1%20--"
hit "an SQL record id on delete is 404" 404 not_found $V -X DELETE -H "$SAME" \
	"$BASE/remove/%27%3B%20DROP%20TABLE%20records%3B--"
hit "an SQL job id is 404" 404 not_found "$BASE/api/jobs/1%20OR%201=1"
hit "an SQL API key is 403 auth_failed" 403 auth_failed -H "X-Api-Key: ' OR 1=1 --" -H "$J" "$BASE/"
hit "a flash with markup is 200" 200 - $V "$BASE/?flash=%3Cscript%3Ealert(1)%3C/script%3E"
unlike "$(cat "$T/b")" '<script>alert' "  and the markup is not on the page"
hit "a CR LF in ?download is 400 invalid_field" 400 invalid_field $V \
	"$BASE/image/$VID/processed?download=1%0D%0ASet-Cookie:%20x=1"
hit "a rename with CR LF is 400 invalid_field" 400 invalid_field $V -X PUT -H "$SAME" -H "$CT" \
	--data-binary '{"record_name": "a\r\nSet-Cookie: x=1"}' "$BASE/update/$VID"
unlike "$(cat "$T/h")" 'Set-Cookie: x=1' "  no header was injected"
hit "a query with a bad escape is 400 bad_request" 400 bad_request $V -H "$J" "$BASE/?flash=%zz"

# ---- ownership: another's record is 404, never 403 ----
hit "the attacker reads the victim's original: 404" 404 not_found $A "$BASE/image/$VID/original"
hit "the attacker downloads the victim's result: 404" 404 not_found $A "$BASE/image/$VID/processed?download=1"
hit "the attacker renames the victim's record: 404" 404 not_found $A -X PUT -H "$SAME" -H "$CT" \
	--data-binary "{\"record_name\": \"owned\"}" "$BASE/update/$VID"
hit "the attacker deletes the victim's record: 404" 404 not_found $A -X DELETE -H "$SAME" "$BASE/remove/$VID"
hit "the attacker's form delete of it: 404" 404 not_found $A -H "$J" -H "$SAME" -X POST "$BASE/remove/$VID"
hit "a key reads the victim's thumb: 404" 404 not_found -H "X-Api-Key: $KEY" "$BASE/image/$VID/thumb"
hit "a key deletes the victim's record: 404" 404 not_found -H "X-Api-Key: $KEY" -X DELETE "$BASE/remove/$VID"
hit "the victim reads the key's record: 404" 404 not_found $V "$BASE/image/$KID/original"
hit "no cookie reads the victim's record: 404" 404 not_found "$BASE/image/$VID/original"
hit "an unknown image kind is 404" 404 not_found $V "$BASE/image/$VID/database"
hit "a record_id that is not the path's is 400 invalid_field" 400 invalid_field $V -X PUT -H "$SAME" -H "$CT" \
	--data-binary "{\"record_id\": \"$KID\", \"record_name\": \"x\"}" "$BASE/update/$VID"
hit "dot segments after an id are 404" 404 not_found $V "$BASE/image/$VID/original%2F..%2F..%2Fetc%2Fpasswd"

# ---- same origin: rename and delete with a cookie need our own Origin or Referer ----
for o in "" "Origin: https://evil.example" "Origin: null" "Origin: http://$HOSTPORT.evil.example" \
         "Origin: http://$HOSTPORT@evil.example" "Origin: https://$HOSTPORT" "Origin: http://127.0.0.1:1" \
         "Origin: $BASE/" "Referer: http://$HOSTPORT.evil.example/" "Referer: https://evil.example/?$BASE/"; do
	hit "delete with ${o:-neither Origin nor Referer} is 403 forbidden" 403 forbidden \
		$V -X DELETE ${o:+-H "$o"} "$BASE/remove/$VID"
done
hit "an evil Origin with our Referer is 403" 403 forbidden $V -X DELETE -H "Origin: https://evil.example" \
	-H "Referer: $BASE/" "$BASE/remove/$VID"
hit "a cross-site rename (PUT) is 403" 403 forbidden $V -X PUT -H "Origin: https://evil.example" -H "$CT" \
	--data-binary '{"record_name": "pwned"}' "$BASE/update/$VID"
hit "a cross-site rename form is 403" 403 forbidden $V -H "Origin: https://evil.example" -d name=pwned "$BASE/update/$VID"
hit "a cross-site delete form is 403" 403 forbidden $V -H "Origin: https://evil.example" -X POST "$BASE/remove/$VID"

# ---- hint stroke bombs ----
for f in st_many st_points st_width st_coord st_label st_long st_deep st_notlist; do
	hit "hint_strokes $f is 400 invalid_field" 400 invalid_field -H "$CT" --data-binary @"$IN/$f.json" "$BASE/api/change"
done
hit "2047 segments of width 2000 are drawn and answered (200)" 200 - -H "$CT" --data-binary @"$IN/st_bomb.json" "$BASE/api/change"

# ---- JSON numbers out of range ----
for f in num_1e300 num_neg num_1e400 num_nan num_inf num_frac num_bigint num_quality num_canvas; do
	hit "$f is 400 invalid_field" 400 invalid_field -H "$CT" --data-binary @"$IN/$f.json" "$BASE/api/change"
done

# ---- callback_url: http and https only ----
for f in cb_0 cb_1 cb_2 cb_3 cb_4 cb_5 cb_num; do
	hit "callback_url $(json "$IN/$f.json" 'repr(j["callback_url"])') is 400 invalid_field" 400 invalid_field \
		-H "$CT" --data-binary @"$IN/$f.json" "$BASE/api/change"
done

# ---- SSRF: loopback spellings and other schemes; the answer never names the address ----
P=${BASE##*:}
for u in "http://127.0.0.1:$P/" "http://localhost:$P/" "http://[::1]:$P/" "http://0x7f.1:$P/" \
         "http://2130706433:$P/" "http://0177.0.0.1:$P/" "http://127.1:$P/" "http://[::ffff:127.0.0.1]:$P/" \
         "http://0.0.0.0:$P/" "http://[::]:$P/" "http://user:pw@127.0.0.1:$P/" "file:///etc/passwd" \
         "gopher://127.0.0.1:$P/" "ftp://127.0.0.1:$P/" "dict://127.0.0.1:$P/"; do
	printf '{"origin_img": "%s"}' "$u" > "$T/ssrf.json"
	hit "origin_img $u is 400 url_blocked" 400 url_blocked -H "$CT" --data-binary @"$T/ssrf.json" "$BASE/api/change"
	unlike "$(cat "$T/b")" 'loopback|127\.0\.0\.1|::1|address' "  the answer does not name the address"
done
printf '{"origin_img": "%s", "template_url": "http://[::1]:%s/t.png"}' "$(json "$IN/st_label.json" 'j["origin_img"]')" "$P" > "$T/ssrf.json"
hit "template_url on [::1] is 400 url_blocked" 400 url_blocked -H "$CT" --data-binary @"$T/ssrf.json" "$BASE/api/change"
hit "remove.bg image_url on localhost is 400 invalid_image_url" 400 invalid_image_url \
	-H "X-Api-Key: $KEY" -d "image_url=http://localhost:$P/" "$BASE/v1.0/removebg"
hit "remove.bg bg_image_url on 127.1 is 400 invalid_bg_image_url" 400 invalid_bg_image_url \
	-H "X-Api-Key: $KEY" -F image_file=@"$IN/ok.png" -F "bg_image_url=http://127.1:$P/" "$BASE/v1.0/removebg"
hit "rembg url on 0x7f000001 is 400 url_blocked" 400 url_blocked "$BASE/api/remove?url=http://0x7f000001:$P/"

# ---- remove.bg and rembg vocabularies ----
hit "remove.bg without a key is 403 auth_failed" 403 auth_failed -F image_file=@"$IN/ok.png" "$BASE/v1.0/removebg"
hit "remove.bg with a bad key is 403 auth_failed" 403 auth_failed -H "X-Api-Key: nope" -F image_file=@"$IN/ok.png" "$BASE/v1.0/removebg"
hit "remove.bg without a source is 400 missing_source" 400 missing_source -H "X-Api-Key: $KEY" -d size=auto "$BASE/v1.0/removebg"
hit "remove.bg with two sources is 400 multiple_sources" 400 multiple_sources -H "X-Api-Key: $KEY" \
	-F image_file=@"$IN/ok.png" -F image_url=https://example.com/a.png "$BASE/v1.0/removebg"
hit "remove.bg bg_color=notacolor is 400 invalid_bg_color" 400 invalid_bg_color -H "X-Api-Key: $KEY" \
	-F image_file=@"$IN/ok.png" -F bg_color=notacolor "$BASE/v1.0/removebg"
hit "remove.bg roi garbage is 400 invalid_roi" 400 invalid_roi -H "X-Api-Key: $KEY" \
	-F image_file=@"$IN/ok.png" -F "roi=1 2 3" "$BASE/v1.0/removebg"
hit "remove.bg size=huge is 400 invalid_size" 400 invalid_size -H "X-Api-Key: $KEY" \
	-F image_file=@"$IN/ok.png" -F size=huge "$BASE/v1.0/removebg"
hit "remove.bg format=bmp is 400 invalid_format" 400 invalid_format -H "X-Api-Key: $KEY" \
	-F image_file=@"$IN/ok.png" -F format=bmp "$BASE/v1.0/removebg"
hit "remove.bg image_file_b64 of non-base64 is 400 invalid_image_file_b64" 400 invalid_image_file_b64 \
	-H "X-Api-Key: $KEY" -d 'image_file_b64=!!!!' "$BASE/v1.0/removebg"
hit "remove.bg image_file of text is 400 invalid_file_type" 400 invalid_file_type -H "X-Api-Key: $KEY" \
	-F image_file=@"$IN/text.png" "$BASE/v1.0/removebg"
hit "remove.bg JSON with scale 1e300 is 400 invalid_scale" 400 invalid_scale -H "X-Api-Key: $KEY" -H "$CT" \
	--data-binary '{"image_url": "https://example.com/a.png", "scale": 1e300}' "$BASE/v1.0/removebg"
hit "rembg without url is 400 missing_field" 400 missing_field "$BASE/api/remove"
hit "rembg bgc out of range is 400 invalid_field" 400 invalid_field -F file=@"$IN/ok.png" -F bgc=300,0,0,0 "$BASE/api/remove"
hit "rembg om=maybe is FastAPI's 422 bool_parsing" 422 bool_parsing -F file=@"$IN/ok.png" -F om=maybe "$BASE/api/remove"

# ---- keys, limits, methods ----
hit "a bad key on upload is 403 auth_failed" 403 auth_failed -H "X-Api-Key: bdk_nope" -F name=x -F image=@"$IN/ok.png" "$BASE/"
hit "a key whose monthly quota is spent: upload is 402" 402 quota_exceeded -H "X-Api-Key: $SPENT" \
	-F name=x -F image=@"$IN/ok.png" "$BASE/"
RATED=$(bd_in "$DATA" key add rated --rate 2 2>/dev/null)
minute_room 20   # the three calls below, in one minute
curl -s -o /dev/null -H "X-Api-Key: $RATED" "$BASE/v1.0/account"
curl -s -o /dev/null -H "X-Api-Key: $RATED" "$BASE/v1.0/account"
hit "a key past its rate on /v1.0/account is 429 rate_limit_exceeded" 429 rate_limit_exceeded \
	-H "X-Api-Key: $RATED" "$BASE/v1.0/account"
hit "the victim at USER_LIMIT: upload is 409 user_limit" 409 user_limit $V -H "$J" -F name=x -F image=@"$IN/ok.png" "$BASE/"
hit "PATCH /update/ID is 405" 405 method_not_allowed $V -X PATCH -H "$SAME" "$BASE/update/$VID"
hit "DELETE /image/ID/original is 405" 405 method_not_allowed $V -X DELETE -H "$SAME" "$BASE/image/$VID/original"
hit "?download=2 is 400 invalid_field" 400 invalid_field $V "$BASE/image/$VID/original?download=2"
hit "an unknown /api/ path is 404" 404 not_found "$BASE/api/../../etc/passwd"

echo "# $HITS hostile requests"
ok "at least 80 hostile requests were made" test "$HITS" -ge 80

# ---- what an accepted hostile name does: stored as text, shown escaped ----
NAME="x'); DROP TABLE records; -- <img src=x onerror=alert(1)>"
python3 -c 'import json,sys; print(json.dumps({"record_name": sys.argv[1]}))' "$NAME" > "$T/rn.json"
curl -s -o "$T/b" -w '%{http_code}' $V -X PUT -H "$SAME" -H "$CT" --data-binary @"$T/rn.json" "$BASE/update/$VID" > "$T/c"
is "$(cat "$T/c")" 200 "a name with SQL and markup is accepted"
is "$(db_sql "$DATA" "SELECT image_name FROM records WHERE id = '$VID'")" "$NAME" "it is stored as written"
is "$(db_sql "$DATA" 'SELECT count(*) FROM records')" 5 "every record is still there"
curl -s $V "$BASE/" > "$T/page"
unlike "$(cat "$T/page")" '<img src=x' "the page shows it escaped"
like "$(cat "$T/page")" '&lt;img src=x' "as text"
# A right-to-left override in a name never reaches a download's file name.
printf '{"record_name": "photo\\u202egnp.exe"}' > "$T/rn.json"
curl -s -o /dev/null $V -X PUT -H "$SAME" -H "$CT" --data-binary @"$T/rn.json" "$BASE/update/$VID"
curl -s -o /dev/null -D "$T/h" $V "$BASE/image/$VID/processed?download=1"
like "$(header Content-Disposition "$T/h")" "filename\\*=UTF-8''photo" "the download is named after the record"
unlike "$(header Content-Disposition "$T/h")" "%E2%80%AE|$(printf '\342\200\256')" "without the right-to-left override"
like "$(header Content-Disposition "$T/h")" "filename\\*=UTF-8''photognp\\.exe\\.png" "  (which shows as what it is: photognp.exe.png)"
is "$(db_intact "$DATA")" ok "the database is intact"
server_stop
