#!/bin/sh
# The records programs (index, upload, update, remove, image) as plain CGI: every
# endpoint, every error of the issue, identity, escaping and the original's shapes.
. tests/lib.sh
. tests/records_lib.sh

convert -size 120x80 xc:white -fill red -draw "circle 60 40 60 15" "$T/a.png"
convert -size 64x48 xc:'#3366cc' -fill yellow -draw "rectangle 20 10 44 38" "$T/b.jpg"
printf 'hello, not an image\n' > "$T/text.txt"
head -c 300 "$T/a.png" > "$T/trunc.png"
J="HTTP_ACCEPT=application/json"
O="HTTP_ORIGIN=http://localhost"

# --- upload as an API client, a fresh identity ---
mpform "$T/up" name='My <script>alert(1)</script>' image=@"$T/a.png"
cgi upload POST / "$T/up" "$MPCT" -- $J
is "$CGI_STATUS" 201 "upload as JSON is 201"
C1=$(cookie_of "$CGI_HEADERS")
like "$C1" '^backdrop_uid=[0-9a-f]{32}\.[0-9a-f]{64}$' "a signed user id cookie is set"
sc=$(header Set-Cookie "$CGI_HEADERS")
like "$sc" 'HttpOnly' "cookie is HttpOnly"
like "$sc" 'SameSite=Lax' "cookie is SameSite=Lax"
like "$sc" 'Path=/' "cookie has Path=/"
like "$sc" 'Max-Age=31536000' "cookie has the configured Max-Age"
unlike "$sc" 'Secure' "no Secure flag over plain HTTP"
ID=$(json "$CGI_BODY" 'j["id"]')
like "$ID" '^[0-9a-f]{32}$' "record id is 128 random bits in hex"
is "$(json "$CGI_BODY" 'j["image_name"]')" 'My <script>alert(1)</script>' "record name is stored as given"
like "$(json "$CGI_BODY" 'j["created_on"]')" '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$' "created_on is YYYY-MM-DD HH:MM:SS"
is "$(json "$CGI_BODY" 'j["width"]')x$(json "$CGI_BODY" 'j["height"]')" 120x80 "processed size is reported"
like "$(json "$CGI_BODY" 'j["urls"]["thumb"]')" "^/image/$ID/thumb\\?v=[0-9a-f]{12}\$" "thumbnail URL is given, with the record's version"
is "$(header Location "$CGI_HEADERS")" "/image/$ID/processed" "201 has a Location"
cgi upload POST / "$T/up" "$MPCT" -- $J HTTP_ORIGIN=https://elsewhere.example HTTP_COOKIE="$C1"
is "$CGI_STATUS" 201 "an upload from another origin is allowed"
ID2=$(json "$CGI_BODY" 'j["id"]')
is "$(header Set-Cookie "$CGI_HEADERS")" "" "a valid cookie is kept (no new Set-Cookie)"
is "$(db_sql "$T/data" "SELECT kind FROM images WHERE record_id = '$ID' ORDER BY kind" | paste -sd ,)" cutout,original,original_thumb,processed,thumb "original, processed, thumb, original_thumb and cutout are stored"
is "$(db_sql "$T/data" "SELECT type FROM images WHERE record_id = '$ID' AND kind = 'original'")" image/png "original type comes from our detection, not the part's"

# --- browser form: 303 with the flash ---
mpform "$T/up2" name=second image=@"$T/b.jpg" mode=change bg_color=white filter=grayscale
cgi upload POST / "$T/up2" "$MPCT" -- HTTP_COOKIE="$C1" HTTP_ACCEPT=text/html
is "$CGI_STATUS" 303 "a browser form upload is 303"
is "$(header Location "$CGI_HEADERS")" "/?flash=ok" "303 to / with the success flash"

# --- the list ---
cgi index GET / -- $J HTTP_COOKIE="$C1"
is "$CGI_STATUS" 200 "GET / as JSON is 200"
is "$(json "$CGI_BODY" 'len(j["records"])')" 3 "three records listed"
is "$(json "$CGI_BODY" 'j["count"]')" 3 "count is 3"
is "$(json "$CGI_BODY" 'j["user_limit"]')" 10 "user_limit is reported"
is "$(json "$CGI_BODY" 'j["records"][0]["image_name"]')" second "newest first"
all=$(json "$CGI_BODY" 'json.dumps(j["records"], sort_keys=True)')
cgi index GET '/?limit=1&offset=1' -- $J HTTP_COOKIE="$C1"
is "$(json "$CGI_BODY" 'len(j["records"])')" 1 "limit applies"
is "$(json "$CGI_BODY" '[j["limit"], j["offset"]]')" "[1, 1]" "limit and offset are echoed"
is "$(json "$CGI_BODY" 'json.dumps(j["records"][0], sort_keys=True)')" \
   "$(echo "$all" | python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)[1], sort_keys=True))')" \
   "offset 1 is the second newest record, with the same sizes and version as in the whole list"
cgi index GET '/?limit=2&offset=1' -- $J HTTP_COOKIE="$C1"
is "$(json "$CGI_BODY" '[r["id"] for r in j["records"]]')" \
   "$(echo "$all" | python3 -c 'import json, sys; print(json.dumps([r["id"] for r in json.load(sys.stdin)[1:3]]))')" \
   "offset 1 limit 2 are the second and third"
cgi index GET '/?offset=3' -- $J HTTP_COOKIE="$C1"
is "$(json "$CGI_BODY" '[len(j["records"]), j["count"]]')" "[0, 3]" "an offset past the end lists nothing and still counts them"
cgi index GET '/?limit=0' -- $J HTTP_COOKIE="$C1"
is "$CGI_STATUS" 400 "limit=0 is 400"
cgi index GET '/?limit=1x' -- $J HTTP_COOKIE="$C1"
is "$CGI_STATUS" 400 "a malformed limit is 400"
cgi index POST / -- $J
is "$CGI_STATUS" 405 "POST to index is 405"
cgi upload GET / -- $J
is "$CGI_STATUS" 405 "GET to upload is 405"

# --- the page ---
cgi index GET '/?flash=ok' -- HTTP_COOKIE="$C1" HTTP_ACCEPT=text/html
is "$CGI_STATUS" 200 "the page is 200"
like "$(header Content-Type "$CGI_HEADERS")" '^text/html' "the page is HTML"
page=$(cat "$CGI_BODY")
like "$page" 'Image generated successfully' "the flash message is shown"
like "$page" '3 of 10 used' "usage of user_limit is shown"
like "$page" 'My &lt;script&gt;alert\(1\)&lt;/script&gt;' "the name is escaped in text"
unlike "$page" '<script>alert' "no raw script from a name"
like "$page" 'value="My &lt;script&gt;alert\(1\)&lt;/script&gt;"' "the name is escaped in the rename field"
like "$page" "action=\"/update/$ID\"" "a rename form posts to /update/ID"
like "$page" "href=\"/remove/$ID\"" "Delete links the confirmation at /remove/ID"
like "$page" 'enctype="multipart/form-data"' "the upload form is multipart"
like "$(header Content-Security-Policy "$CGI_HEADERS")" "script-src 'self'" "the page has a CSP"
cgi index GET '/?flash=%3Cscript%3Ehello' -- HTTP_COOKIE="$C1"
unlike "$(cat "$CGI_BODY")" 'hello' "an unknown flash is never echoed"
for f in failed:'Failed to generate the image' limit:'Max limit reached. Please remove a record.' error:'Something went wrong'; do
	cgi index GET "/?flash=${f%%:*}" -- HTTP_COOKIE="$C1"
	like "$(cat "$CGI_BODY")" "${f#*:}" "flash=${f%%:*} shows the original's message"
done

# --- another user and a tampered cookie ---
cgi index GET / -- $J
C2=$(cookie_of "$CGI_HEADERS")
is "$(json "$CGI_BODY" 'len(j["records"])')" 0 "a new user sees no records"
tampered=$(printf '%s' "$C1" | sed 's/.$/0/; t; s/$//'); [ "$tampered" = "$C1" ] && tampered=$(printf '%s' "$C1" | sed 's/.$/1/')
cgi index GET / -- $J HTTP_COOKIE="$tampered"
is "$(json "$CGI_BODY" 'len(j["records"])')" 0 "a tampered cookie sees no records"
new=$(cookie_of "$CGI_HEADERS")
like "$new" '^backdrop_uid=' "a tampered cookie gets a new identity"
unlike "$new" "${C1#backdrop_uid=}" "the new identity is not the old one"
cgi image GET "/image/$ID/processed" -- HTTP_COOKIE="$tampered"
is "$CGI_STATUS" 404 "a tampered cookie cannot fetch the image"
cgi image GET "/image/$ID/processed" -- HTTP_COOKIE="$C2"
is "$CGI_STATUS" 404 "another user's image is 404"
printf '{"record_id": "%s", "record_name": "x"}' "$ID" > "$T/put"
cgi update PUT "/update/$ID" "$T/put" application/json -- HTTP_COOKIE="$C2" $O
is "$CGI_STATUS" 404 "another user cannot rename"
cgi remove DELETE "/remove/$ID" -- HTTP_COOKIE="$C2" $O
is "$CGI_STATUS" 404 "another user cannot delete"

# --- image ---
cgi image GET "/image/$ID/processed" -- HTTP_COOKIE="$C1"
is "$CGI_STATUS" 200 "the owner gets the image"
is "$(header Content-Type "$CGI_HEADERS")" image/png "processed type is PNG (transparency)"
is "$(head -c 8 "$CGI_BODY" | od -An -tx1 | tr -d ' \n')" 89504e470d0a1a0a "the bytes are a PNG"
etag=$(header ETag "$CGI_HEADERS")
like "$etag" '^"[0-9a-f]{32}"$' "a strong ETag"
is "$(header Cache-Control "$CGI_HEADERS")" "private, no-cache" "private caching, revalidated (a re-render changes it)"
is "$(header X-Content-Type-Options "$CGI_HEADERS")" nosniff "nosniff"
is "$(header Content-Security-Policy "$CGI_HEADERS")" "default-src 'none'; sandbox" "a CSP without scripts"
cd_=$(header Content-Disposition "$CGI_HEADERS")
like "$cd_" '^inline; filename="My_script_alert_1_script.png"' "inline with a safe ASCII file name"
like "$cd_" "filename\*=UTF-8''My%20%3Cscript%3Ealert%281%29%3C%2Fscript%3E.png" "filename* is percent-encoded UTF-8"
unlike "$cd_" '<' "no raw < in Content-Disposition"
cgi image GET "/image/$ID/processed?download=1" -- HTTP_COOKIE="$C1"
like "$(header Content-Disposition "$CGI_HEADERS")" '^attachment; ' "download=1 is an attachment"
cgi image GET "/image/$ID/processed?download=yes" -- HTTP_COOKIE="$C1"
is "$CGI_STATUS" 400 "a bad download value is 400"
cgi image GET "/image/$ID/processed" -- HTTP_COOKIE="$C1" HTTP_IF_NONE_MATCH="$etag"
is "$CGI_STATUS" 304 "If-None-Match with our ETag is 304"
is "$(wc -c < "$CGI_BODY" | tr -d ' ')" 0 "304 has no body"
cgi image GET "/image/$ID/processed" -- HTTP_COOKIE="$C1" HTTP_IF_NONE_MATCH='"0000"'
is "$CGI_STATUS" 200 "another ETag is 200"
cgi image GET "/image/$ID/original" -- HTTP_COOKIE="$C1"
cmp -s "$CGI_BODY" "$T/a.png"; is $? 0 "the original comes back byte for byte"
cgi image GET "/image/$ID/thumb" -- HTTP_COOKIE="$C1"
is "$CGI_STATUS" 200 "the thumbnail is served"
cgi image GET "/image/$ID/other" -- HTTP_COOKIE="$C1"
is "$CGI_STATUS" 404 "an unknown kind is 404"
cgi image GET "/image/1/processed" -- HTTP_COOKIE="$C1"
is "$CGI_STATUS" 404 "a row number is no id (404)"
cgi image DELETE "/image/$ID/processed" -- HTTP_COOKIE="$C1"
is "$CGI_STATUS" 405 "DELETE on an image is 405"

# --- rename: the original page's request, byte for byte ---
printf '{"record_id": "%s", "record_name": "Renamed  "}' "$ID" > "$T/put"
cgi update PUT "/update/$ID" "$T/put" application/json -- HTTP_COOKIE="$C1" $O
is "$CGI_STATUS" 200 "PUT /update/ID with record_id and record_name is 200"
is "$(json "$CGI_BODY" 'j')" '{"message": "success"}' "answer is {\"message\": \"success\"}"
is "$(db_sql "$T/data" "SELECT image_name FROM records WHERE id = '$ID'")" Renamed "the name is trimmed and stored"
printf '{"record_name": "Only name"}' > "$T/put"
cgi update PUT "/update/$ID" "$T/put" application/json -- HTTP_COOKIE="$C1" HTTP_REFERER="http://localhost/"
is "$CGI_STATUS" 200 "record_name alone is accepted (Referer same origin)"
printf '{"record_id": "%s", "record_name": "x"}' "$ID2" > "$T/put"
cgi update PUT "/update/$ID" "$T/put" application/json -- HTTP_COOKIE="$C1" $O
is "$CGI_STATUS" 400 "a record_id that does not match is 400"
printf '{"record_id": "%s"}' "$ID" > "$T/put"
cgi update PUT "/update/$ID" "$T/put" application/json -- HTTP_COOKIE="$C1" $O
is "$(json "$CGI_BODY" 'j["code"]')" missing_field "missing record_name is 400 missing_field"
printf '{"record_name": ' > "$T/put"
cgi update PUT "/update/$ID" "$T/put" application/json -- HTTP_COOKIE="$C1" $O
is "$(json "$CGI_BODY" 'j["code"]')" malformed_json "malformed JSON is 400"
python3 -c "import json; print(json.dumps({'record_name': 'é' * 200}))" > "$T/put"
cgi update PUT "/update/$ID" "$T/put" application/json -- HTTP_COOKIE="$C1" $O
is "$CGI_STATUS" 200 "200 two-byte characters are allowed"
python3 -c "import json; print(json.dumps({'record_name': 'é' * 201}))" > "$T/put"
cgi update PUT "/update/$ID" "$T/put" application/json -- HTTP_COOKIE="$C1" $O
is "$CGI_STATUS" 400 "201 characters are refused"
for bad in '   ' 'a\u0007b' 'a\u0085b'; do
	printf '{"record_name": "%s"}' "$bad" > "$T/put"
	cgi update PUT "/update/$ID" "$T/put" application/json -- HTTP_COOKIE="$C1" $O
	is "$CGI_STATUS" 400 "name '$bad' is refused"
done
printf '{"record_name": "\xff\xfe"}' > "$T/put"
cgi update PUT "/update/$ID" "$T/put" application/json -- HTTP_COOKIE="$C1" $O
is "$CGI_STATUS" 400 "invalid UTF-8 is refused"
printf '{"record_name": "x"}' > "$T/put"
cgi update PUT "/update/$ID" "$T/put" application/json -- HTTP_COOKIE="$C1"
is "$CGI_STATUS" 403 "rename without Origin or Referer is 403"
cgi update PUT "/update/$ID" "$T/put" application/json -- HTTP_COOKIE="$C1" HTTP_ORIGIN=http://evil.example
is "$(json "$CGI_BODY" 'j["code"]')" forbidden "rename from another origin is 403 forbidden"
cgi update PUT "/update/nope" "$T/put" application/json -- HTTP_COOKIE="$C1" $O
is "$CGI_STATUS" 404 "rename of a malformed id is 404"
cgi update GET "/update/$ID" -- HTTP_COOKIE="$C1"
is "$CGI_STATUS" 405 "GET /update/ID is 405"
printf 'name=Form+name' > "$T/form"
cgi update POST "/update/$ID" "$T/form" application/x-www-form-urlencoded -- HTTP_COOKIE="$C1" $O
is "$CGI_STATUS" 303 "POST /update/ID form is 303"
is "$(header Location "$CGI_HEADERS")" "/?flash=renamed" "back to / with a flash"
is "$(db_sql "$T/data" "SELECT image_name FROM records WHERE id = '$ID'")" "Form name" "the form renamed it"
cgi update POST "/update/$ID" "$T/form" application/x-www-form-urlencoded -- HTTP_COOKIE="$C1" HTTP_ORIGIN=http://evil.example
is "$CGI_STATUS" 403 "a cross-origin rename form is 403"

# --- remove ---
cgi remove DELETE "/remove/$ID" -- HTTP_COOKIE="$C1"
is "$CGI_STATUS" 403 "delete without Origin is 403"
cgi remove DELETE "/remove/$ID" -- HTTP_COOKIE="$C1" $O
is "$CGI_STATUS" 200 "DELETE /remove/ID is 200"
is "$(json "$CGI_BODY" 'j')" '{"message": "success"}' "answer is {\"message\": \"success\"}"
is "$(db_sql "$T/data" "SELECT count(*) FROM images WHERE record_id = '$ID'")" 0 "its images are gone"
cgi remove DELETE "/remove/$ID" -- HTTP_COOKIE="$C1" $O
is "$CGI_STATUS" 404 "deleting again is 404"
cgi image GET "/image/$ID/original" -- HTTP_COOKIE="$C1"
is "$CGI_STATUS" 404 "a deleted record's image is 404"
cgi remove POST "/remove/$ID2" -- HTTP_COOKIE="$C1" HTTP_REFERER="http://localhost/"
is "$CGI_STATUS" 303 "POST /remove/ID is 303"
is "$(header Location "$CGI_HEADERS")" "/?flash=removed" "back to / with a flash"
cgi remove PUT "/remove/$ID2" -- HTTP_COOKIE="$C1"
is "$CGI_STATUS" 405 "PUT /remove/ID is 405"

# --- upload errors ---
up_err() { # DESC WANT_STATUS WANT_CODE FIELDS... (as JSON client, user C2)
	d=$1; st=$2; code=$3; shift 3
	mpform "$T/e" "$@"
	cgi upload POST / "$T/e" "$MPCT" -- $J HTTP_COOKIE="$C2"
	is "$CGI_STATUS/$(json "$CGI_BODY" 'j["code"]')" "$st/$code" "$d"
}
up_err "missing image is 400" 400 missing_field name=x
up_err "an empty name is 400" 400 invalid_field name=' ' image=@"$T/a.png"
up_err "a bad option is 400" 400 invalid_field name=x image=@"$T/a.png" mode=sideways
up_err "an unknown field is 400" 400 invalid_field name=x image=@"$T/a.png" colour=red
up_err "image as text is 400" 400 invalid_field name=x image=text
up_err "not an image is 415" 415 not_an_image name=x image=@"$T/text.txt"
up_err "a truncated PNG is 422" 422 corrupt_image name=x image=@"$T/trunc.png"
cgi upload POST / "$T/up" "multipart/form-data" -- $J HTTP_COOKIE="$C2"
is "$CGI_STATUS/$(json "$CGI_BODY" 'j["code"]')" 400/malformed_multipart "multipart without a boundary is 400"
head -c 200 "$T/up" > "$T/cut"
cgi upload POST / "$T/cut" "$MPCT" -- $J HTTP_COOKIE="$C2"
is "$CGI_STATUS/$(json "$CGI_BODY" 'j["code"]')" 400/malformed_multipart "a cut multipart body is 400"
mpform "$T/e" name=x image=@"$T/a.png"
cgi upload POST / "$T/e" "$MPCT" -- $J HTTP_COOKIE="$C2" BACKDROP_MAX_UPLOAD_BYTES=1024
is "$CGI_STATUS/$(json "$CGI_BODY" 'j["code"]')" 413/too_large "a body over the cap is 413"
cgi upload POST / "$T/e" "$MPCT" -- $J HTTP_COOKIE="$C2" BACKDROP_MAX_PIXELS=5000
is "$CGI_STATUS/$(json "$CGI_BODY" 'j["code"]')" 413/resolution_too_high "too many pixels is 413"
cgi upload POST / "$T/e" "$MPCT" -- HTTP_COOKIE="$C2" BACKDROP_MAX_PIXELS=5000
is "$(header Location "$CGI_HEADERS")" "/?flash=too_many_pixels" "a browser gets the too_many_pixels flash"
is "$(db_sql "$T/data" "SELECT count(*) FROM records WHERE user_id = '${C2#backdrop_uid=}'" | head -c 1)" 0 "failed uploads stored no record"
is "$(db_sql "$T/data" "SELECT count(*) FROM images WHERE record_id NOT IN (SELECT id FROM records)")" 0 "and no orphan image rows"

# --- USER_LIMIT ---
for i in 1 2; do
	cgi upload POST / "$T/e" "$MPCT" -- $J HTTP_COOKIE="$C2" USER_LIMIT=2
done
is "$CGI_STATUS" 201 "uploads up to the limit succeed"
cgi upload POST / "$T/e" "$MPCT" -- $J HTTP_COOKIE="$C2" USER_LIMIT=2
is "$CGI_STATUS/$(json "$CGI_BODY" 'j["code"]')" 409/user_limit "over USER_LIMIT is 409 user_limit"
cgi upload POST / "$T/e" "$MPCT" -- HTTP_COOKIE="$C2" USER_LIMIT=2
is "$(header Location "$CGI_HEADERS")" "/?flash=limit" "a browser gets the limit flash"

# --- 503: unusable and locked store ---
touch "$T/notdir"
BACKDROP_DATA_DIR="$T/notdir" cgi upload POST / "$T/e" "$MPCT" -- $J
is "$CGI_STATUS/$(json "$CGI_BODY" 'j["code"]')" 503/store_unavailable "an unusable data folder is 503"
BACKDROP_DATA_DIR="$T/notdir" cgi index GET / -- $J
is "$CGI_STATUS" 503 "listing with an unusable store is 503"
db_lock "$T/data"
cgi upload POST / "$T/e" "$MPCT" -- $J HTTP_COOKIE="$C1" BACKDROP_BUSY_TIMEOUT_MS=200
is "$CGI_STATUS/$(json "$CGI_BODY" 'j["code"]')" 503/store_busy "a locked store is 503 store_busy"
printf '{"record_name": "x"}' > "$T/put"
cgi update PUT "/update/$ID2" "$T/put" application/json -- HTTP_COOKIE="$C1" $O BACKDROP_BUSY_TIMEOUT_MS=200
is "$CGI_STATUS" 503 "rename with a locked store is 503"
db_unlock

# --- API keys ---
KEY=$(bd_in "$T/data" key add script --quota 5 --rate 7 2>/dev/null)
like "$KEY" '^bdk_[0-9a-f]{64}$' "backdrop key add prints a key"
unlike "$(db_sql "$T/data" "SELECT * FROM api_keys")" "${KEY#bdk_}" "the key itself is not stored"
is "$(db_sql "$T/data" "SELECT quota_month || '/' || rate_minute FROM api_keys WHERE name = 'script'")" 5/7 "--quota and --rate are stored"
cgi upload POST / "$T/e" "$MPCT" -- HTTP_X_API_KEY="$KEY"
is "$CGI_STATUS" 201 "an upload with X-Api-Key is 201 JSON"
KID=$(json "$CGI_BODY" 'j["id"]')
is "$(header Set-Cookie "$CGI_HEADERS")" "" "a key sets no cookie"
KEYID=$(db_sql "$T/data" "SELECT id FROM api_keys WHERE name = 'script'")
is "$(db_sql "$T/data" "SELECT user_id FROM records WHERE id = '$KID'")" "key:$KEYID" "the record belongs to key:ID"
printf '{"record_name": "by key"}' > "$T/put"
cgi update PUT "/update/$KID" "$T/put" application/json -- HTTP_X_API_KEY="$KEY"
is "$CGI_STATUS" 200 "a key renames without Origin"
cgi index GET / -- HTTP_X_API_KEY="$KEY"
is "$(json "$CGI_BODY" 'j["records"][0]["image_name"]')" "by key" "a key lists its records as JSON"
cgi index GET / -- HTTP_X_API_KEY="bdk_$(printf '%064d' 0)" HTTP_COOKIE="$C1"
is "$CGI_STATUS/$(json "$CGI_BODY" 'j["code"]')" 403/auth_failed "an unknown key is 403, never the cookie"
list=$(bd_in "$T/data" key list)
like "$list" "$KEYID .*script" "backdrop key list shows the key"
ok "backdrop key revoke" bd_in "$T/data" key revoke "$KEYID"
cgi index GET / -- HTTP_X_API_KEY="$KEY"
is "$CGI_STATUS/$(json "$CGI_BODY" 'j["code"]')" 403/auth_failed "a revoked key is 403"
nok "revoking twice fails" bd_in "$T/data" key revoke "$KEYID"

# --- Secure over HTTPS ---
cgi index GET / -- HTTPS=on
like "$(header Set-Cookie "$CGI_HEADERS")" '; Secure' "the cookie is Secure over HTTPS"

# --- every upload format the engine decodes, made here (an iPhone's HEIC included):
# detected by content, not by the part's name; an animated GIF gives its first frame ---
mkdir -p "$T/fmt"
for f in jpg png webp gif bmp tiff avif heic; do
	convert -size 96x64 xc:'#2050a0' -fill '#e0c020' -draw "rectangle 30,16 65,47" -type TrueColor "$T/fmt/in.$f" 2>/dev/null
	cp "$T/fmt/in.$f" "$T/fmt/photo.bin"
	mpform "$T/fmt/up" name="as $f" image=@"$T/fmt/photo.bin"
	cgi upload POST / "$T/fmt/up" "$MPCT" -- $J USER_LIMIT=100
	is "$CGI_STATUS:$(json "$CGI_BODY" 'j.get("width")')" 201:96 "a $f upload (named .bin) is stored and processed"
	FID=$(json "$CGI_BODY" 'j.get("id")')
	C5=$(cookie_of "$CGI_HEADERS")
	cgi image GET "/image/$FID/original" -- HTTP_COOKIE="$C5"
	t=$f; [ "$f" = jpg ] && t=jpeg
	is "$CGI_STATUS:$(header Content-Type "$CGI_HEADERS")" "200:image/$t" "its original is served as image/$t"
done
convert -size 80x60 xc:'#c02020' \( -size 80x60 xc:'#20c020' \) -delay 10 "$T/fmt/anim.gif"
mpform "$T/fmt/up" name=anim image=@"$T/fmt/anim.gif" filter=grayscale
cgi upload POST / "$T/fmt/up" "$MPCT" -- $J USER_LIMIT=100 HTTP_COOKIE="$C5"
is "$CGI_STATUS:$(json "$CGI_BODY" 'j.get("width")')" 201:80 "an animated GIF upload is processed"
# A 32-bit BMP with bit-field masks (alpha): libgd cannot read it; refused as
# unsupported before decoding, nothing stored.
convert -size 40x30 xc:'#2050a0' -alpha on BMP:"$T/fmt/alpha.bmp"
n0=$(db_sql "$T/data" "SELECT count(*) FROM records")
mpform "$T/fmt/up" name=bmp32 image=@"$T/fmt/alpha.bmp"
cgi upload POST / "$T/fmt/up" "$MPCT" -- $J USER_LIMIT=100 HTTP_COOKIE="$C5"
is "$CGI_STATUS:$(json "$CGI_BODY" 'j.get("code")')" 415:unsupported_image "a bit-field BMP is 415 unsupported_image"
is "$(db_sql "$T/data" "SELECT count(*) FROM records")" "$n0" "and no record is stored"
