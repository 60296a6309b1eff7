#!/bin/sh
# Untrusted input at the programs' edges, as plain CGI: JSON numbers no long long can
# hold, several cookies of the user id's name, what a refused fetch address tells the
# client, callback_url schemes, and bidi or control characters in a download name.
# Fetches here only name loopback addresses, refused before any socket is made.
. tests/lib.sh
. tests/records_lib.sh

J="HTTP_ACCEPT=application/json"
NOALLOW="BACKDROP_FETCH_ALLOW="

# --- JSON numbers outside long long's range are a 400 invalid_field, never converted ---
for v in 1e300 -1e300 1e400 -1e400 NaN Infinity -Infinity 9223372036854775808.0; do
	printf '{"overlay_template_x": %s, "origin_img": "data:image/png;base64,AAAA"}' "$v" > "$T/num.json"
	cgi change POST /api/change "$T/num.json" application/json -- $J
	is "$CGI_STATUS:$(json "$CGI_BODY" 'j["code"]')" 400:invalid_field "overlay_template_x $v is 400 invalid_field"
	like "$(json "$CGI_BODY" 'j["detail"]')" '^overlay_template_x: the number is out of range' "$v: the detail names the field and the range"
done
printf '{"canvas_size": "64x48", "overlay_template_x": 5.0, "origin_img": "data:image/png;base64,AAAA"}' > "$T/num.json"
cgi change POST /api/change "$T/num.json" application/json -- $J
unlike "$(json "$CGI_BODY" 'j.get("detail", "")')" 'overlay_template_x' "a whole 5.0 is still taken"

# --- a refused address: the URL is not allowed, without the address or its range ---
for u in "http://127.0.0.1:9/x.png" "http://[::1]:9/x.png" "http://[::ffff:127.0.0.1]:9/" "http://0.0.0.0:9/"; do
	printf '{"origin_img": "%s"}' "$u" > "$T/f.json"
	cgi change POST /api/change "$T/f.json" application/json -- $J $NOALLOW
	is "$CGI_STATUS:$(json "$CGI_BODY" 'j["code"]')" 400:url_blocked "$u is refused as url_blocked"
	is "$(json "$CGI_BODY" 'j["detail"]')" "origin_img: the URL is not allowed" "$u: the detail only says the URL is not allowed"
	unlike "$(cat "$CGI_BODY")" '127\.0|::1|::ffff|0\.0\.0\.0|loopback|unspecified|network|private' "$u: no address or range in the answer"
	like "$(cat "$T/cgi.err")" 'fetch refused: address .* is ' "$u: the log keeps the address and its range"
done
printf '{"origin_img": "data:image/png;base64,AAAA", "template_url": "http://127.0.0.1:9/t.png"}' > "$T/f.json"
cgi change POST /api/change "$T/f.json" application/json -- $J $NOALLOW
is "$(json "$CGI_BODY" 'j["detail"]')" "template_url: the URL is not allowed" "template_url tells the same"
cgi change GET '/api/remove?url=http://127.0.0.1:9/x.png' -- $NOALLOW
is "$CGI_STATUS" 400 "rembg's url to loopback is 400"
unlike "$(cat "$CGI_BODY")" '127\.0|loopback' "rembg's answer names no address or range"
KEY=$(bd_in "$T/data" key add hardening 2>/dev/null)
printf 'image_url=http%%3A%%2F%%2F%%5B%%3A%%3A1%%5D%%3A9%%2Fx.png' > "$T/rb.form"
cgi change POST /v1.0/removebg "$T/rb.form" application/x-www-form-urlencoded -- $J $NOALLOW HTTP_X_API_KEY="$KEY"
is "$CGI_STATUS" 400 "remove.bg's image_url to ::1 is 400"
unlike "$(cat "$CGI_BODY")" '::1|loopback' "remove.bg's answer names no address or range"

# --- callback_url: exactly http or https, the scheme case-insensitive (RFC 3986) ---
for u in "httpx://127.0.0.1:9/hook" "https2://127.0.0.1:9/" "http+unix://x/" "http.x://127.0.0.1:9/" \
         "http:/127.0.0.1:9/" "https:127.0.0.1" "http" "ftp://127.0.0.1/" " http://127.0.0.1:9/"; do
	printf '{"origin_img": "data:image/png;base64,AAAA", "callback_url": "%s"}' "$u" > "$T/cb.json"
	cgi change POST /api/change "$T/cb.json" application/json -- $J
	is "$CGI_STATUS:$(json "$CGI_BODY" 'j["code"]')" 400:invalid_field "callback_url '$u' is refused"
	like "$(cat "$CGI_BODY")" 'callback_url' "and the answer says it is callback_url"
done
for u in "http://127.0.0.1:9/hook" "https://127.0.0.1:9/hook" "HTTP://127.0.0.1:9/hook" "HtTpS://127.0.0.1:9/hook"; do
	printf '{"origin_img": "data:image/png;base64,AAAA", "callback_url": "%s"}' "$u" > "$T/cb.json"
	cgi change POST /api/change "$T/cb.json" application/json -- $J
	is "$CGI_STATUS:$(json "$CGI_BODY" 'j["status"]')" 202:queued "callback_url '$u' is queued"
done
is "$(db_sql "$T/data" "SELECT count(*) FROM jobs")" 4 "only the http(s) callbacks made jobs"

# --- the user id: the first valid one among every cookie of its name ---
convert -size 40x30 xc:white -fill red -draw "circle 20 15 20 5" "$T/a.png"
name=$(printf 'invoice\342\200\256gnp.exe')
mpform "$T/up" name="$name" image=@"$T/a.png"
cgi upload POST / "$T/up" "$MPCT" -- $J
is "$CGI_STATUS" 201 "an upload makes a record and an identity"
C1=$(cookie_of "$CGI_HEADERS")
ID=$(json "$CGI_BODY" 'j["id"]')
like "$C1" '^backdrop_uid=[0-9a-f]{32}\.[0-9a-f]{64}$' "the identity is a signed cookie"

cgi index GET / -- $J HTTP_COOKIE="backdrop_uid=garbage; $C1"
is "$(header Set-Cookie "$CGI_HEADERS")" "" "garbage first, the valid cookie second: no new identity"
is "$(json "$CGI_BODY" 'j["count"]')" 1 "and the records are still the visitor's"
cgi index GET / -- $J HTTP_COOKIE="backdrop_uid=0123456789abcdef0123456789abcdef.$(printf '%064d' 0); $C1"
is "$(header Set-Cookie "$CGI_HEADERS")" "" "a well-formed but wrongly signed duplicate first: no new identity"
many=""
i=0
while [ $i -lt 40 ]; do many="${many}pref_$i=$i; "; i=$((i + 1)); done
cgi index GET / -- $J HTTP_COOKIE="$many$C1"
is "$(header Set-Cookie "$CGI_HEADERS")" "" "40 unrelated cookies before the valid one: no new identity"
is "$(json "$CGI_BODY" 'j["count"]')" 1 "and the records are still the visitor's"
bad=""
i=0
while [ $i -lt 40 ]; do bad="${bad}backdrop_uid=stale$i; "; i=$((i + 1)); done
cgi index GET / -- $J HTTP_COOKIE="$bad$C1"
is "$(json "$CGI_BODY" 'j["count"]')" 1 "40 stale duplicates before the valid one: the records are still the visitor's"
cgi index GET / -- $J HTTP_COOKIE="backdrop_uid=garbage; backdrop_uid=more-garbage"
like "$(cookie_of "$CGI_HEADERS")" '^backdrop_uid=' "no valid cookie at all: a new identity"
is "$(json "$CGI_BODY" 'j["count"]')" 0 "with no records"

# --- a right-to-left override in the record name never reaches Content-Disposition ---
cgi image GET "/image/$ID/processed?download=1" -- HTTP_COOKIE="$C1"
is "$CGI_STATUS" 200 "the image is served to its owner"
cd_=$(header Content-Disposition "$CGI_HEADERS")
unlike "$cd_" '%E2%80%AE|%e2%80%ae' "filename* carries no U+202E"
unlike "$cd_" "$(printf '\342\200\256')" "no raw U+202E either"
like "$cd_" "filename\\*=UTF-8''invoicegnp\\.exe\\.png$" "filename* is the name without the override"
like "$cd_" 'filename="invoicegnp\.exe\.png"' "the ASCII fallback is the same"
