#!/bin/sh
# What the pages build on, the programs as plain CGI: the original's thumbnail and the
# cutout stored with each record, re-rendering a record in place (POST /update/ID with
# options) or as a new one, the options in the listing, the delete confirmation page
# without JavaScript, and upload errors in plain words with stable codes.
. tests/lib.sh
. tests/records_lib.sh

J="HTTP_ACCEPT=application/json"
O="HTTP_ORIGIN=http://localhost"
# A 640x480 photo-like picture: a red disc on a white studio backdrop, with noise so
# that its encoded size is that of a photo.
convert -size 640x480 xc:white -fill '#d02020' -draw "circle 320 240 320 90" \
	-seed 4 -attenuate 0.2 +noise Gaussian "$T/photo.png"
printf 'hello, not an image\n' > "$T/text.txt"
# px FILE X Y: "R,G,B,A" (0..255) of one pixel.
px() { convert "$1" -alpha on -format '%[fx:int(255*p{'"$2,$3"'}.r)],%[fx:int(255*p{'"$2,$3"'}.g)],%[fx:int(255*p{'"$2,$3"'}.b)],%[fx:int(255*p{'"$2,$3"'}.a)]' info: 2>/dev/null; }
# img KIND: fetches /image/$ID/KIND as user $C into $T/KIND.img.
img() { cgi image GET "/image/$ID/$1" -- HTTP_COOKIE="$C"; cp "$CGI_BODY" "$T/$1.img"; }
etag_of() { db_sql "$T/data" "SELECT etag FROM images WHERE record_id = '$ID' AND kind = '$1'"; }
count() { u=${C#backdrop_uid=}; db_sql "$T/data" "SELECT count(*) FROM records WHERE user_id = '${u%%.*}'"; }
# near "R,G,B,A" "R,G,B,A": passes when every channel is within 6 (JPEG rounding).
near() { awk -v a="$1" -v b="$2" 'BEGIN { n = split(a, x, ","); split(b, y, ","); if (n != 4) exit 1
	for (i = 1; i <= 4; i++) { d = x[i] - y[i]; if (d > 6 || d < -6) exit 1 } }'; }
# red X Y: passes when the processed image is the subject's red at X,Y.
red() { px "$T/processed.img" "$1" "$2" | awk -F, '{ exit !($1 > 150 && $2 < 90 && $3 < 90) }'; }
# post FIELDS...: POST /update/$ID as a same-origin JSON client of $C.
post() { mpform "$T/f" "$@"; cgi update POST "/update/$ID" "$T/f" "$MPCT" -- $J $O HTTP_COOKIE="$C" "${ENVS:-X=}"; }

# --- an upload stores the original's thumbnail and the cutout; the name is optional ---
mpform "$T/up" image=@"$T/photo.png"
cgi upload POST / "$T/up" "$MPCT" -- $J
is "$CGI_STATUS" 201 "an upload without a name is 201"
C=$(cookie_of "$CGI_HEADERS")
ID=$(json "$CGI_BODY" 'j["id"]')
is "$(json "$CGI_BODY" 'j["image_name"]')" photo "the name defaults to the file name without its extension"
is "$(json "$CGI_BODY" 'j["urls"]["original_thumb"]')" "/image/$ID/original_thumb" "the original's thumbnail has a URL"
V0=$(json "$CGI_BODY" 'j["version"]')
is "$(json "$CGI_BODY" 'j["urls"]["cutout"]')" "/image/$ID/cutout?v=$V0" "the cutout has a URL with the record's version"
is "$(json "$CGI_BODY" 'type(j["options"]).__name__')" dict "options is an object"
img original; img original_thumb
is "$(header Content-Type "$CGI_HEADERS")" image/jpeg "original_thumb is a JPEG (the photo is opaque)"
is "$(header Cache-Control "$CGI_HEADERS")" "private, max-age=31536000, immutable" "original_thumb never changes: immutable"
is "$(identify -format '%wx%h' "$T/original_thumb.img")" 256x192 "original_thumb fits the thumbnail size"
ok "original_thumb is not the original's bytes" sh -c "! cmp -s '$T/original.img' '$T/original_thumb.img'"
ok "original_thumb is under a tenth of the original" \
	test "$(wc -c < "$T/original_thumb.img")" -lt "$(( $(wc -c < "$T/original.img") / 10 ))"
img cutout
is "$CGI_STATUS:$(header Content-Type "$CGI_HEADERS")" 200:image/png "the cutout is a PNG"
is "$(identify -format '%wx%h' "$T/cutout.img")" 640x480 "the cutout has the photo's full size"
is "$(px "$T/cutout.img" 5 5 | cut -d, -f4)" 0 "the cutout's backdrop is transparent"
is "$(px "$T/cutout.img" 320 240 | cut -d, -f4)" 255 "its subject is opaque"

# --- older records get their original_thumb when it is first asked for ---
db_sql "$T/data" "DELETE FROM images WHERE record_id = '$ID' AND kind = 'original_thumb'"
img original_thumb
is "$CGI_STATUS:$(identify -format '%wx%h' "$T/original_thumb.img")" 200:256x192 "a missing original_thumb is made on request"
is "$(db_sql "$T/data" "SELECT count(*) FROM images WHERE record_id = '$ID' AND kind = 'original_thumb'")" 1 "and stored"

# --- the listing: options, urls, count, limits ---
mpform "$T/up" name=strokes image=@"$T/photo.png" hint_strokes='[{"points":[[20,20],[40,20]],"width":8,"label":"bg"}]'
cgi upload POST / "$T/up" "$MPCT" -- $J HTTP_COOKIE="$C"
ID2=$(json "$CGI_BODY" 'j["id"]')
cgi index GET / -- $J HTTP_COOKIE="$C"
is "$(json "$CGI_BODY" 'j["records"][0]["options"]["hint_strokes"]')" '[{"points":[[20,20],[40,20]],"width":8,"label":"bg"}]' "hint_strokes are listed with the record"
is "$(json "$CGI_BODY" '[j["count"], j["user_limit"], j["max_upload_bytes"], j["max_pixels"]]')" "[2, 10, 26214400, 50000000]" "count, user_limit and the upload limits are listed"
is "$(json "$CGI_BODY" 'sorted(j["records"][1]["urls"])')" '["cutout", "original", "original_thumb", "processed", "thumb"]' "each record lists its image URLs"

# --- re-render: the same record, new pixels, the cutout reused ---
cut0=$(etag_of cutout); proc0=$(etag_of processed)
post mode=change bg_color='#00ff00'
is "$CGI_STATUS" 200 "a re-render is 200"
is "$(json "$CGI_BODY" 'j["id"]')" "$ID" "it answers the same record"
is "$(json "$CGI_BODY" 'j["options"]')" '{"mode": "change", "bg_color": "#00ff00"}' "with its new options"
V1=$(json "$CGI_BODY" 'j["version"]')
like "$V1" '^[0-9a-f]{12}$' "and a version"
unlike "$V1" "^$V0\$" "that changed"
is "$(json "$CGI_BODY" 'j["urls"]["processed"]')" "/image/$ID/processed?v=$V1" "its result URLs carry the new version"
cgi image GET "/image/$ID/processed?v=$V1" -- HTTP_COOKIE="$C"
is "$(header Cache-Control "$CGI_HEADERS")" "private, max-age=31536000, immutable" "a versioned URL is immutable"
cgi image GET "/image/$ID/processed" -- HTTP_COOKIE="$C"
is "$(header Cache-Control "$CGI_HEADERS")" "private, no-cache" "an unversioned one is revalidated"
is "$(count)" 2 "no record is added"
img processed
ok "the corner is the new green" near "$(px "$T/processed.img" 2 2)" 0,255,0,255
ok "the subject is still there" red 320 240
is "$(etag_of cutout)" "$cut0" "the cutout is reused, not cut again"
post bg_color=blue
is "$(json "$CGI_BODY" 'j["options"]')" '{"mode": "change", "bg_color": "blue"}' "fields not sent keep their stored value"
img processed
ok "a second re-render turns the corner blue" near "$(px "$T/processed.img" 637 477)" 0,0,255,255
post canvas_size=800x800 position=center
img processed
is "$(identify -format '%wx%h' "$T/processed.img")" 800x800 "the canvas size is exact"
ok "the subject is centred on it" red 400 400
ok "with the background around it" near "$(px "$T/processed.img" 400 60)" 0,0,255,255
post canvas_size= position=
is "$(json "$CGI_BODY" 'j["width"]')x$(json "$CGI_BODY" 'j["height"]')" 640x480 "an empty value resets an option"

# --- refine: hint strokes cut again, are stored, and change the cutout where painted ---
post hint_strokes='[{"points":[[260,240],[380,240]],"width":60,"label":"bg"}]'
is "$CGI_STATUS" 200 "a re-render with hint_strokes is 200"
img cutout
is "$(px "$T/cutout.img" 320 240 | cut -d, -f4)" 0 "the stroke's area is cut away"
is "$(px "$T/cutout.img" 320 130 | cut -d, -f4)" 255 "the rest of the subject stays"
unlike "$(etag_of cutout)" "^$cut0\$" "the cutout was made again"
cgi index GET / -- $J HTTP_COOKIE="$C"
is "$(json "$CGI_BODY" "[r for r in j['records'] if r['id'] == '$ID'][0]['options']['hint_strokes']")" \
	'[{"points":[[260,240],[380,240]],"width":60,"label":"bg"}]' "the strokes are stored with the record"

# --- a failed re-render keeps the previous version ---
proc1=$(etag_of processed); opts1=$(db_sql "$T/data" "SELECT options FROM records WHERE id = '$ID'")
post bg_color=notacolor
is "$CGI_STATUS/$(json "$CGI_BODY" 'j["code"]')" 400/invalid_field "a bad option is 400"
like "$(json "$CGI_BODY" 'j["detail"]')" '^bg_color' "naming the field"
ENVS=BACKDROP_FETCH_ALLOW=127.0.0.1/32 post bg_image_url="http://127.0.0.1:$(free_port)/bg.png"
is "$CGI_STATUS/$(json "$CGI_BODY" 'j["code"]')" 400/fetch_failed "an unreachable background URL is 400 fetch_failed"
post mode=sideways
is "$(etag_of processed):$(db_sql "$T/data" "SELECT options FROM records WHERE id = '$ID'")" "$proc1:$opts1" "after failures the previous result and options stand"
mpform "$T/f" bg_color=red
cgi update POST "/update/$ID" "$T/f" "$MPCT" -- $J HTTP_ORIGIN=https://elsewhere.example HTTP_COOKIE="$C"
is "$CGI_STATUS" 403 "a re-render from another origin is 403"
cgi update POST "/update/$ID" "$T/f" "$MPCT" -- $J $O
is "$CGI_STATUS" 404 "another user's record is 404"
is "$(etag_of processed)" "$proc1" "and neither changed it"

# --- a background picture is kept with the record and survives a refine ---
convert -size 64x48 gradient:'#ffff00'-'#ff00ff' "$T/bg.png"
post mode=change bg_color= bg_image_file=@"$T/bg.png"
like "$(json "$CGI_BODY" 'j["urls"].get("background")')" "^/image/$ID/background\\?v=" "an uploaded background is stored"
img processed; c1=$(px "$T/processed.img" 2 2)
post hint_strokes=
img processed
is "$(px "$T/processed.img" 2 2)" "$c1" "a re-render without it keeps the stored background"
post bg_image_url=
is "$(json "$CGI_BODY" '"background" in j["urls"]')" False "an empty bg_image_url removes it"

# --- save as new: a second record, under USER_LIMIT ---
post bg_color=white save_as_new=1
is "$CGI_STATUS" 201 "save_as_new is 201"
NEW=$(json "$CGI_BODY" 'j["id"]')
unlike "$NEW" "^$ID\$" "with a new id"
is "$(count)" 3 "one record is added"
is "$(db_sql "$T/data" "SELECT count(*) FROM images WHERE record_id = '$NEW' AND kind IN ('original', 'cutout')")" 2 "it has its own original and cutout"
cgi image GET "/image/$NEW/original_thumb" -- HTTP_COOKIE="$C"
is "$CGI_STATUS:$(header Content-Type "$CGI_HEADERS")" 200:image/jpeg "and its original's thumbnail"
ENVS=USER_LIMIT=3 post bg_color=black save_as_new=1
is "$CGI_STATUS/$(json "$CGI_BODY" 'j["code"]')" 409/user_limit "save_as_new at USER_LIMIT is 409 user_limit"
is "$(count)" 3 "and adds nothing"
ENVS=USER_LIMIT=3 post bg_color=black
is "$CGI_STATUS" 200 "a re-render in place at USER_LIMIT still works"

# --- without JavaScript: 303 back to the card; rename unchanged ---
mpform "$T/f" bg_color=yellow
cgi update POST "/update/$ID" "$T/f" "$MPCT" -- $O HTTP_COOKIE="$C"
is "$CGI_STATUS:$(header Location "$CGI_HEADERS")" "303:/?flash=saved#rec-$ID" "a form re-render is 303 to its card"
mpform "$T/f" bg_color=notacolor
cgi update POST "/update/$ID" "$T/f" "$MPCT" -- $O HTTP_COOKIE="$C"
is "$(header Location "$CGI_HEADERS")" "/?flash=invalid#rec-$ID" "a failed one says why"
printf 'name=Renamed' > "$T/rn"
cgi update POST "/update/$ID" "$T/rn" application/x-www-form-urlencoded -- $O HTTP_COOKIE="$C"
is "$CGI_STATUS:$(header Location "$CGI_HEADERS")" "303:/?flash=renamed" "POST with only a name still renames"
printf '{"record_name": "Again"}' > "$T/rj"
cgi update PUT "/update/$ID" "$T/rj" application/json -- $O HTTP_COOKIE="$C"
is "$CGI_STATUS:$(json "$CGI_BODY" 'j["message"]')" 200:success "PUT still renames"

# --- delete asks first, without JavaScript ---
cgi remove GET "/remove/$ID2" -- HTTP_COOKIE="$C" HTTP_ACCEPT=text/html
is "$CGI_STATUS" 200 "GET /remove/ID is the confirmation page"
like "$(header Content-Type "$CGI_HEADERS")" '^text/html' "in HTML"
page=$(cat "$CGI_BODY")
like "$page" "<form method=\"post\" action=\"/remove/$ID2\">" "with a POST form to /remove/ID"
like "$page" 'Delete &ldquo;strokes&rdquo;\?' "naming the record"
like "$page" "href=\"/#rec-$ID2\">Cancel" "and a way back"
like "$(header Content-Security-Policy "$CGI_HEADERS")" "form-action 'self'" "under the page's CSP"
cgi remove GET "/remove/$ID2" -- HTTP_ACCEPT=text/html
is "$CGI_STATUS" 404 "another user's confirmation page is 404"
cgi remove POST "/remove/$ID2" -- HTTP_COOKIE="$C" HTTP_REFERER="http://localhost/remove/$ID2"
is "$CGI_STATUS:$(header Location "$CGI_HEADERS")" "303:/?flash=removed" "its form deletes and goes back with a notice"

# --- upload errors in plain words, with stable codes ---
up() { mpform "$T/e" "$@"; cgi upload POST / "$T/e" "$MPCT" -- $J HTTP_COOKIE="$C" "${ENVS:-X=}"; }
up image=@"$T/text.txt"
is "$CGI_STATUS/$(json "$CGI_BODY" 'j["code"]')" 415/not_an_image "a text file is 415 not_an_image"
like "$(json "$CGI_BODY" 'j["detail"]')" 'not an image' "saying so"
printf '8BPS\0\1\0\0\0\0\0\0\0\3' > "$T/layers.psd"
up image=@"$T/layers.psd"
is "$CGI_STATUS/$(json "$CGI_BODY" 'j["code"]')" 415/unsupported_image "a Photoshop file is 415 unsupported_image"
like "$(json "$CGI_BODY" 'j["detail"]')" 'not supported; use JPEG, PNG' "naming the formats that work"
ENVS=BACKDROP_MAX_PIXELS=100000 up image=@"$T/photo.png"
is "$CGI_STATUS/$(json "$CGI_BODY" 'j["code"]')" 413/resolution_too_high "too many pixels is 413 resolution_too_high"
like "$(json "$CGI_BODY" 'j["detail"]')" '640 x 480 pixels \(0\.3 megapixels\); the limit is 0\.1 megapixels' "saying the size and the limit"
ENVS=BACKDROP_MAX_UPLOAD_BYTES=100000 up image=@"$T/photo.png"
is "$CGI_STATUS/$(json "$CGI_BODY" 'j["code"]')" 413/too_large "too large is 413 too_large"
like "$(json "$CGI_BODY" 'j["detail"]')" 'the limit is 100000' "saying the limit"
ENVS=USER_LIMIT=2 up image=@"$T/photo.png"
is "$CGI_STATUS/$(json "$CGI_BODY" 'j["code"]')" 409/user_limit "limit reached is 409 user_limit"
mpform "$T/e" image=@"$T/text.txt"
cgi upload POST / "$T/e" "$MPCT" -- HTTP_COOKIE="$C"
is "$(header Location "$CGI_HEADERS")" "/?flash=not_image" "a form gets the not_image flash"
for f in not_image unsupported too_large too_many_pixels limit busy; do
	cgi index GET "/?flash=$f" -- HTTP_COOKIE="$C" HTTP_ACCEPT=text/html
	grep -o 'class="flash[^>]*>[^<]*' "$CGI_BODY" | sed 's/.*>//' > "$T/said.$f"
done
like "$(cat "$T/said.not_image")" 'not an image' "the page says not an image"
like "$(cat "$T/said.unsupported")" 'not supported' "the page says unsupported format"
like "$(cat "$T/said.too_large")" 'too large: the limit is 25 MB' "the page says too large with the limit"
like "$(cat "$T/said.too_many_pixels")" 'the limit is 50 megapixels' "the page says too many pixels with the limit"
like "$(cat "$T/said.limit")" 'Max limit reached' "the page says the limit is reached"
like "$(cat "$T/said.busy")" 'busy' "the page says the server is busy"

# --- an upload from an image URL (a data: URL here: no network) ---
convert -size 64x48 xc:white -fill '#d02020' -draw "circle 32 24 32 8" "$T/small.png"
b64=$(base64 -w0 "$T/small.png")
printf -- '--bdtestXYZ\r\nContent-Disposition: form-data; name="image_url"\r\n\r\ndata:image/png;base64,%s\r\n--bdtestXYZ--\r\n' "$b64" > "$T/u"
cgi upload POST / "$T/u" "$MPCT" -- $J
is "$CGI_STATUS:$(json "$CGI_BODY" 'j["width"]')" 201:64 "image_url uploads a photo from a URL"
is "$(json "$CGI_BODY" 'j["image_name"]')" image "named \"image\" when there is no file name"
mpform "$T/e" image=@"$T/small.png" bg_image_file=@"$T/bg.png" bg_image_url="data:image/png;base64,$b64"
cgi upload POST / "$T/e" "$MPCT" -- $J
is "$CGI_STATUS/$(json "$CGI_BODY" 'j["code"]')" 400/invalid_field "a background file and URL together are 400"

# --- the migration keeps the records of an older store ---
if sqlite_only "the migration of an older SQLite schema (005_image_kinds)"; then
mkdir -p "$T/old"
for f in sql/sqlite/00[1-4]_*.sql; do sqlite3 "$T/old/backdrop.db" < "$f"; done
sqlite3 "$T/old/backdrop.db" "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (datetime('now')));
	INSERT INTO schema_migrations (version, name) VALUES (1, '001_init'), (2, '002_keys'), (3, '003_jobs'), (4, '004_retention');
	INSERT INTO records (id, user_id, image_name, created_on, width, height) VALUES ('$ID', 'u', 'old', '2026-01-01 00:00:00', 640, 480);
	INSERT INTO images VALUES ('$ID', 'original', 'image/png', 3, 640, 480, 'e', x'010203');"
BACKDROP_DATA_DIR="$T/old" cgi health GET /health
is "$(sqlite3 "$T/old/backdrop.db" "SELECT count(*) FROM images WHERE kind = 'original'"):$(sqlite3 "$T/old/backdrop.db" "SELECT count(*) FROM schema_migrations WHERE name = '005_image_kinds'")" 1:1 "the migration keeps the images"
ok "the new kinds are allowed" sqlite3 "$T/old/backdrop.db" "INSERT INTO images VALUES ('$ID', 'cutout', 'image/png', 1, 1, 1, 'e', x'00')"
nok "other kinds are still refused" sqlite3 "$T/old/backdrop.db" "INSERT INTO images VALUES ('$ID', 'bogus', 'image/png', 1, 1, 1, 'e', x'00')"
ok "deleting a record still deletes its images" sqlite3 "$T/old/backdrop.db" "PRAGMA foreign_keys = ON; DELETE FROM records; SELECT CASE WHEN (SELECT count(*) FROM images) = 0 THEN 1 ELSE abs(-9223372036854775808) END"
fi
