#!/bin/sh
# The remote APIs as drop-in replacements, with curl: content negotiation by q-value,
# CORS and remove.bg's error shape on /v1.0/*, remove.bg's specific error codes, its
# account shape and fractional credits, Bearer keys, /v1.0/improve, the tolerance that
# loose clients need (unitless roi, unknown keys on the original routes, hint_strokes
# as a JSON list, remove.bg's source names on /api/change), and rembg's model names,
# booleans and docs page. The published clients themselves are driven in
# tests/e2e/test_clients.sh and tests/browser/clients.mjs.
. tests/lib.sh

remote_start

convert -size 80x60 xc:'#20a040' -fill '#d02020' -draw 'rectangle 30,20 59,49' "$H/o.png"
convert -size 80x60 xc:'#20a040' -fill '#d02020' -draw 'rectangle 30,20 59,49' -quality 90 "$H/o.jpg"
convert -size 100x50 xc:'#3060c0' "$H/t.png"
echo "not an image" > "$H/x.txt"
# A JPEG cut off after half its bytes: its header is whole, its scan data is not.
head -c $(($(wc -c < "$H/o.jpg") / 2)) "$H/o.jpg" > "$H/trunc.jpg"

pix() { convert "$1" -alpha on -crop "1x1+$2+$3" -depth 8 txt:- | sed -n '2s/.*(\([0-9.]*\),\([0-9.]*\),\([0-9.]*\)\(,\([0-9.]*\)\)\{0,1\}).*/\1 \2 \3 \5/p'; }
near() { python3 -c 'import sys; a=[float(x) for x in sys.argv[1].split()[:3]]; b=[float(x) for x in sys.argv[2].split()[:3]]; sys.exit(0 if all(abs(x-y)<=40 for x,y in zip(a,b)) and len(a)==3 else 1)' "$1" "$2"; }
status() { sed -n '1s/.* \([0-9][0-9][0-9]\).*/\1/p' "$1"; }
b64() { base64 -w0 "$1"; }
ctype() { header Content-Type "$T/h" | sed 's/;.*//'; }
rb() { curl -s -D "$T/h" -o "$T/b" "$@" "$BASE/v1.0/removebg"; }
rbcode() { json "$T/b" 'j["errors"][0]["code"]'; }
rbtitle() { json "$T/b" 'j["errors"][0]["title"]'; }
post() { p=$1; f=$2; shift 2; curl -s -D "$T/h" -o "$T/b" -H 'Content-Type: application/json' --data-binary @"$f" "$@" "$BASE$p"; }
key() { bd_in "$DATA" key add "$@" 2>/dev/null; }

server_start BACKDROP_FETCH_ALLOW=127.0.0.1/32 BACKDROP_MAX_UPLOAD_BYTES=400000
KEY=$(key dropin)
like "$KEY" '^bdk_' "a key for the remove.bg endpoints"

# ---- content negotiation (RFC 9110 q-values) ----
AXIOS='application/json, text/plain, */*'
rb -H "X-Api-Key: $KEY" -H "Accept: $AXIOS" -F image_file=@"$H/o.png"
is "$(status "$T/h"):$(ctype)" 200:image/png "axios's default Accept gets the image from /v1.0/removebg, as remove.bg answers"
rb -H "X-Api-Key: $KEY" -H 'Accept: application/json' -F image_file=@"$H/o.png"
is "$(ctype)" application/json "Accept: application/json alone gets JSON"
rb -H "X-Api-Key: $KEY" -H 'Accept: image/*;q=0.5, application/json' -F image_file=@"$H/o.png"
is "$(ctype)" application/json "JSON preferred by q-value gets JSON"
rb -H "X-Api-Key: $KEY" -H 'Accept: application/json;q=0.5, image/png' -F image_file=@"$H/o.png"
is "$(ctype)" image/png "an image preferred by q-value gets the image"
rb -H "X-Api-Key: $KEY" -H 'Accept: application/json;q=0, */*' -F image_file=@"$H/o.png"
is "$(ctype)" image/png "application/json;q=0 refuses JSON"
rb -H "X-Api-Key: $KEY" -H 'Accept: Application/JSON ; Q=0.9, image/*;q=0.1' -F image_file=@"$H/o.png"
is "$(ctype)" application/json "media types and q are matched case-insensitively"
cat > "$T/orig.json" <<EOF
{"canvas_size": "120x90", "template_url": "$HB/files/t.png", "origin_img": "$HB/files/o.png"}
EOF
post /api/change "$T/orig.json" -H "Accept: $AXIOS"
like "$(status "$T/h"):$(ctype)" '^200:image/(png|jpeg)$' "the Background Change API gives axios the image"
post /api/change "$T/orig.json" -H 'Accept: application/json'
is "$(ctype)" application/json "and JSON to a client asking for JSON"
curl -s -D "$T/h" -o "$T/b" -H 'Accept: application/json;q=0.1, text/html' "$BASE/"
is "$(ctype)" text/html "GET / with text/html preferred is the page"
curl -s -D "$T/h" -o "$T/b" -H 'Accept: text/html;q=0.2, application/json' "$BASE/"
is "$(ctype)" application/json "GET / with JSON preferred is JSON"

# ---- CORS on /v1.0/* ----
curl -s -D "$T/h" -o "$T/b" -X OPTIONS -H 'Origin: https://shop.example' -H 'Access-Control-Request-Method: POST' \
	-H 'Access-Control-Request-Headers: x-api-key' "$BASE/v1.0/removebg"
is "$(status "$T/h"):$(header Access-Control-Allow-Origin "$T/h")" "204:*" "the preflight of /v1.0/removebg is 204 with Allow-Origin *"
like "$(header Access-Control-Allow-Headers "$T/h" | tr A-Z a-z)" 'x-api-key' "the preflight allows X-Api-Key"
curl -s -D "$T/h" -o "$T/b" -X OPTIONS -H 'Origin: https://shop.example' -H 'Access-Control-Request-Method: GET' "$BASE/v1.0/account"
like "$(header Access-Control-Allow-Headers "$T/h" | tr A-Z a-z)" 'authorization' "the preflight allows Authorization by default"
rb -H "X-Api-Key: $KEY" -H 'Origin: https://shop.example' -F image_file=@"$H/o.png"
is "$(header Access-Control-Allow-Origin "$T/h")" "*" "a cutout carries Access-Control-Allow-Origin: *"
like "$(header Access-Control-Expose-Headers "$T/h")" 'X-Credits-Charged' "and exposes X-Credits-Charged"
curl -s -D "$T/h" -o "$T/b" -H "X-Api-Key: $KEY" -H 'Origin: https://shop.example' "$BASE/v1.0/account"
is "$(header Access-Control-Allow-Origin "$T/h")" "*" "an account look-up carries it"
rb -H 'Origin: https://shop.example' -F image_file=@"$H/o.png"
is "$(status "$T/h"):$(header Access-Control-Allow-Origin "$T/h")" "403:*" "an error carries it"

# ---- remove.bg's error shape for every answer under /v1.0/ ----
head -c 500000 /dev/zero > "$T/huge.bin"
rb -H "X-Api-Key: $KEY" -H 'Origin: https://shop.example' -F image_file=@"$T/huge.bin"
is "$(status "$T/h"):$(rbcode)" 413:file_too_large "nginx's own 413 on /v1.0/ is in remove.bg's shape"
is "$(header Access-Control-Allow-Origin "$T/h")" "*" "and carries Allow-Origin"
curl -s -D "$T/h" -o "$T/b" "$BASE/v1.0/nothing"
is "$(status "$T/h"):$(rbcode)" 404:not_found "an unknown /v1.0/ path is 404 in remove.bg's shape"
like "$(rbtitle)" . "with a title"
curl -s -D "$T/h" -o "$T/b" "$BASE/v1.0/removebg"
is "$(status "$T/h"):$(rbcode)" 405:method_not_allowed "GET /v1.0/removebg is 405 in remove.bg's shape"
like "$(header Allow "$T/h")" POST "with an Allow header"
curl -s -D "$T/h" -o "$T/b" -X PUT "$BASE/v1.0/account"
is "$(status "$T/h"):$(rbcode)" 405:method_not_allowed "PUT /v1.0/account is 405 in remove.bg's shape"

# ---- specific codes and titles ----
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/o.png" -F bg_image_url="$HB/files/none.png"
is "$(status "$T/h"):$(rbcode)" 400:failed_bg_download "a 404 bg_image_url is failed_bg_download"
like "$(rbtitle)" 'background image' "its title names the background image"
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/o.png" -F bg_image_url="http://127.0.0.2:$HP/files/t.png"
is "$(status "$T/h"):$(rbcode)" 400:invalid_bg_image_url "a refused bg_image_url is invalid_bg_image_url"
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/o.png" -F bg_image_url="$HB/files/t.png" -F bg_color=red
is "$(status "$T/h"):$(rbcode)" 400:multiple_bg_sources "bg_color with bg_image_url is multiple_bg_sources"
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/o.png" -F bg_image_file=@"$H/t.png" -F bg_image_url="$HB/files/t.png"
is "$(status "$T/h"):$(rbcode)" 400:multiple_bg_sources "two background images are multiple_bg_sources"
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/o.png" -F bg_color=notacolor
is "$(rbtitle)" "Invalid bg_color parameter given" "invalid_bg_color has remove.bg's title"
rb -H "X-Api-Key: $KEY" -F size=auto
is "$(rbtitle)" "No image given" "missing_source has remove.bg's title"
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/x.txt"
is "$(rbtitle)" "Invalid file type" "invalid_file_type has remove.bg's title"
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/trunc.jpg"
is "$(status "$T/h"):$(rbcode)" 400:failed_to_read_image "a truncated JPEG is failed_to_read_image, not a grey cutout"
curl -s -D "$T/h" -o "$T/b" -F file=@"$H/trunc.jpg" "$BASE/api/remove"
is "$(status "$T/h"):$(json "$T/b" 'j["code"]')" 422:corrupt_image "rembg's route refuses a truncated JPEG too"
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/o.jpg"
is "$(status "$T/h")" 200 "the whole JPEG is cut out"

# ---- account shape, fractional credits, the account's rate ----
QK=$(key frac --quota 1 --rate 100)
curl -s -D "$T/h" -o "$T/b" -H "X-Api-Key: $QK" "$BASE/v1.0/account"
is "$(json "$T/b" 'sorted(j["data"]["attributes"]["credits"])')" '["enterprise", "payg", "subscription", "total"]' \
	"account credits have exactly remove.bg's keys"
is "$(json "$T/b" 'sorted(j["data"]["attributes"]["api"])')" '["free_calls", "sizes"]' "account api has exactly remove.bg's keys"
is "$(json "$T/b" 'sorted(j["data"])'):$(json "$T/b" 'sorted(j)')" '["attributes"]:["data"]' "nothing else in the body"
rb -H "X-Api-Key: $QK" -F image_file=@"$H/o.png" -F size=preview
is "$(status "$T/h"):$(header X-Credits-Charged "$T/h")" 200:0.25 "a preview is charged 0.25 credits"
curl -s -D "$T/h" -o "$T/b" -H "X-Api-Key: $QK" "$BASE/v1.0/account"
is "$(json "$T/b" 'j["data"]["attributes"]["credits"]["total"]')" 0.75 "after one preview, 0.75 of 1 credit is left"
for n in 2 3 4; do rb -H "X-Api-Key: $QK" -F image_file=@"$H/o.png"; done
is "$(status "$T/h")" 200 "four previews fit in one credit"
rb -H "X-Api-Key: $QK" -F image_file=@"$H/o.png"
is "$(status "$T/h"):$(rbcode)" 402:insufficient_credits "a fifth preview is over the quota"
curl -s -D "$T/h" -o "$T/b" -H "X-Api-Key: $QK" "$BASE/v1.0/account"
is "$(json "$T/b" 'j["data"]["attributes"]["credits"]["total"]')" 0 "the account shows 0 left"
UK=$(key unlimited --quota 0)
curl -s -D "$T/h" -o "$T/b" -H "X-Api-Key: $UK" "$BASE/v1.0/account"
ok "an unlimited key shows a positive balance, not -1" above "$(json "$T/b" 'j["data"]["attributes"]["credits"]["total"]')" 0
RK=$(key slow --rate 2)
minute_room 20   # the three calls below, in one minute
for n in 1 2 3; do curl -s -D "$T/h" -o "$T/b" -H "X-Api-Key: $RK" "$BASE/v1.0/account"; done
is "$(status "$T/h"):$(rbcode)" 429:rate_limit_exceeded "/v1.0/account counts against the key's rate"
like "$(header Retry-After "$T/h")" '^[0-9]+$' "and says when to retry"

# ---- Bearer keys, /v1.0/improve, zip as JSON, X-Type ----
rb -H "Authorization: Bearer $KEY" -F image_file=@"$H/o.png"
is "$(status "$T/h"):$(ctype)" 200:image/png "Authorization: Bearer KEY works like X-Api-Key"
curl -s -D "$T/h" -o "$T/b" -H "Authorization: Bearer $KEY" "$BASE/v1.0/account"
is "$(status "$T/h")" 200 "and on /v1.0/account"
rb -H "Authorization: Bearer bdk_nope" -F image_file=@"$H/o.png"
is "$(status "$T/h"):$(rbcode)" 403:auth_failed "an unknown Bearer key is auth_failed"
curl -s -D "$T/h" -o "$T/b" -H "X-Api-Key: $KEY" -F image_file=@"$H/o.png" -F tag=batch1 "$BASE/v1.0/improve"
is "$(status "$T/h")" 200 "POST /v1.0/improve accepts an image"
like "$(json "$T/b" 'j["id"]')" '^[0-9a-f-]{36}$' "and answers its id"
curl -s -D "$T/h" -o "$T/b" -H "X-Api-Key: $KEY" -F image_file=@"$H/x.txt" "$BASE/v1.0/improve"
is "$(status "$T/h"):$(rbcode)" 400:invalid_file_type "/v1.0/improve refuses a non-image"
curl -s -D "$T/h" -o "$T/b" -F image_file=@"$H/o.png" "$BASE/v1.0/improve"
is "$(status "$T/h"):$(rbcode)" 403:auth_failed "/v1.0/improve needs a key"
rb -H "X-Api-Key: $KEY" -H 'Accept: application/json' -F image_file=@"$H/o.png" -F format=zip
is "$(status "$T/h"):$(ctype)" 200:application/json "format=zip with Accept: application/json is JSON"
json "$T/b" 'j["data"]["result_b64"]' | base64 -d > "$T/z.zip"
is "$(python3 -c 'import zipfile,sys; print(" ".join(sorted(zipfile.ZipFile(sys.argv[1]).namelist())))' "$T/z.zip")" \
	"alpha.png color.jpg" "whose result_b64 is the zip"
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/o.png" -F format=zip
python3 -c 'import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); [open(sys.argv[2]+"/"+n,"wb").write(z.read(n)) for n in z.namelist()]' "$T/b" "$T"
ok "the zip's alpha is black where the background was" near "$(pix "$T/alpha.png" 2 2)" "0 0 0"
ok "and white on the subject" near "$(pix "$T/alpha.png" 45 35)" "255 255 255"
ok "the zip's color keeps the subject" near "$(pix "$T/color.jpg" 45 35)" "208 32 32"
for t in car:car animal:animal graphic:graphics transportation:transportation; do
	rb -H "X-Api-Key: $KEY" -F image_file=@"$H/o.png" -F type="${t%%:*}"
	is "$(status "$T/h"):$(header X-Type "$T/h")" "200:${t#*:}" "type=${t%%:*} is reported in X-Type as ${t#*:} (remove.bg's class)"
done

# ---- tolerance where clients are loose ----
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/o.png" -F roi='0 0 100% 100%'
is "$(status "$T/h")" 200 "roi with unitless zeros (the python removebg client's default) is accepted"
rb -H "X-Api-Key: $KEY" -F image_file=@"$H/o.png" -F roi='0 0 40 30'
is "$(status "$T/h")" 200 "unitless roi numbers are pixels"
ok "the region outside a pixel roi is cut away" test "$(pix "$T/b" 45 35 | cut -d' ' -f4)" = 0
printf '{"canvas_size": "120x90", "origin_img": "%s/files/o.png", "user_id": "u1", "overlay_template_x": 0}' "$HB" > "$T/j"
post /api/webhook "$T/j"
is "$(status "$T/h")" 200 "the original route /api/webhook ignores an unknown key (user_id)"
post /api/change "$T/j"
is "$(status "$T/h"):$(json "$T/b" 'j["code"]')" 400:invalid_field "/api/change still refuses it (a typo must not pass silently)"
printf '{"origin_img": "%s/files/o.png", "hint_strokes": [{"points": [[45,35],[50,40]], "width": 4, "label": "fg"}]}' "$HB" > "$T/j"
post /api/change "$T/j"
is "$(status "$T/h")" 200 "hint_strokes as a JSON list in a JSON body"
printf '{"image_url": "%s/files/o.png", "bg_color": "white"}' "$HB" > "$T/j"
post /api/change "$T/j"
is "$(status "$T/h")" 200 "/api/change takes remove.bg's image_url"
ok "and makes the background white" near "$(pix "$T/b" 2 2)" "255 255 255"
printf '{"image_file_b64": "%s"}' "$(b64 "$H/o.png")" > "$T/j"
post /api/change "$T/j"
is "$(status "$T/h")" 200 "/api/change takes remove.bg's image_file_b64"
printf '{"image_url": "%s/files/o.png", "origin_img": "%s/files/o.png"}' "$HB" "$HB" > "$T/j"
post /api/change "$T/j"
is "$(status "$T/h")" 400 "two image sources on /api/change are refused"
for c in grayscale sepia invert; do
	printf '{"image": "data:image/png;base64,%s", "color": "%s"}' "$(b64 "$H/o.png")" "$c" > "$T/j"
	post /api/filter "$T/j"
	is "$(status "$T/h")" 200 "the webcam filter's color takes $c"
done

# ---- rembg ----
rm_() { curl -s -D "$T/h" -o "$T/b" "$@"; }
rm_ -F file=@"$H/o.png" -F model=nosuchmodel "$BASE/api/remove"
is "$(status "$T/h")" 422 "an unknown rembg model is 422"
is "$(json "$T/b" 'j["detail"][0]["loc"][-1]')" model "in FastAPI's {\"detail\": [{\"loc\": [..., \"model\"]}]} shape"
like "$(json "$T/b" 'j["detail"][0]["msg"]')" 'u2net' "the message lists the models"
rm_ -F file=@"$H/o.png" -F om=perhaps "$BASE/api/remove"
is "$(status "$T/h"):$(json "$T/b" 'j["detail"][0]["type"]'):$(json "$T/b" 'j["detail"][0]["loc"][-1]')" \
	422:bool_parsing:om "a boolean rembg cannot read is FastAPI's 422 bool_parsing"
rm_ "$BASE/api/remove?url=$HB/files/o.png&af=300"
is "$(status "$T/h"):$(json "$T/b" 'j["detail"][0]["type"]'):$(json "$T/b" 'j["detail"][0]["loc"][0]')" \
	422:less_than_equal:query "af above 255 is 422 less_than_equal, located in the query"
rm_ -F file=@"$H/o.png" -F ae=abc "$BASE/api/remove"
is "$(status "$T/h"):$(json "$T/b" 'j["detail"][0]["type"]')" 422:int_parsing "an integer rembg cannot read is 422 int_parsing"
rm_ -H "X-Api-Key: bdk_nope" -F file=@"$H/o.png" "$BASE/api/remove"
is "$(status "$T/h")" 403 "a bad key on rembg's route is 403, not a validation error"
for m in u2net u2netp isnet-general-use silueta birefnet-general; do
	rm_ "$BASE/api/remove?url=$HB/files/o.png&model=$m"
	is "$(status "$T/h"):$(ctype)" 200:image/png "rembg model $m is accepted"
done
rm_ -F file=@"$H/o.png" -F model=u2net_human_seg "$BASE/api/remove"
is "$(status "$T/h"):$(header X-Type "$T/h")" 200:person "u2net_human_seg cuts out a person"
for b in yes on; do
	rm_ -F file=@"$H/o.png" -F om=$b "$BASE/api/remove"
	ok "om=$b gives the mask" near "$(pix "$T/b" 2 2)" "0 0 0"
done
rm_ -F file=@"$H/o.png" -F om=off "$BASE/api/remove"
is "$(status "$T/h"):$(pix "$T/b" 2 2 | cut -d' ' -f4)" 200:0 "om=off gives the cutout"
rm_ "$BASE/api"
like "$(status "$T/h")" '^(200|30[1278])$' "GET /api answers (rembg's docs page)"
like "$(cat "$T/b")$(header Location "$T/h")" '/api/remove' "and documents /api/remove"
server_stop
