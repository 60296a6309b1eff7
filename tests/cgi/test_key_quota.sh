#!/bin/sh
# A key's monthly image quota and per-minute rate on the records programs as plain CGI:
# an upload charges one image (402 once spent, never given back by a delete), every
# records route counts against the rate (429 with Retry-After), and the X-RateLimit-*
# headers go with the answers; a cookie caller is not counted.
. tests/lib.sh
. tests/records_lib.sh

convert -size 64x48 xc:'#3366cc' -fill yellow -draw "rectangle 20 10 44 38" "$T/b.png"
mpform "$T/up" name=photo image=@"$T/b.png"
keyadd() { bd_in "$T/data" key add "$@" 2>/dev/null; }
code() { json "$CGI_BODY" 'j.get("code")'; }

# --- the monthly quota: one image ---
cgi index GET / -- HTTP_ACCEPT=application/json   # makes the store
KQ=$(keyadd quota1 --quota 1 --rate 100)
like "$KQ" '^bdk_' "a key with --quota 1"
cgi upload POST / "$T/up" "$MPCT" -- HTTP_X_API_KEY="$KQ"
is "$CGI_STATUS" 201 "the first upload is 201"
ID=$(json "$CGI_BODY" 'j["id"]')
is "$(header X-RateLimit-Limit "$CGI_HEADERS")" 100 "an upload by a key has X-RateLimit-Limit"
is "$(header X-RateLimit-Remaining "$CGI_HEADERS")" 99 "and X-RateLimit-Remaining"
like "$(header X-RateLimit-Reset "$CGI_HEADERS")" '^[0-9]{10}$' "and X-RateLimit-Reset"
cgi upload POST / "$T/up" "$MPCT" -- HTTP_X_API_KEY="$KQ"
is "$CGI_STATUS/$(code)" 402/quota_exceeded "the second upload is 402 quota_exceeded"
is "$(header X-RateLimit-Limit "$CGI_HEADERS")" 100 "the 402 keeps X-RateLimit-Limit"
cgi remove DELETE "/remove/$ID" -- HTTP_X_API_KEY="$KQ"
is "$CGI_STATUS" 200 "the key deletes its record"
cgi upload POST / "$T/up" "$MPCT" -- HTTP_X_API_KEY="$KQ"
is "$CGI_STATUS/$(code)" 402/quota_exceeded "deleting the record does not give the quota back"
is "$(db_sql "$T/data" "SELECT count(*) FROM records WHERE user_id LIKE 'key:%'")" 0 "nothing was stored past the quota"

# A failed upload (not an image) gives its reserved image back.
KF=$(keyadd failing --quota 1 --rate 100)
printf 'hello, not an image\n' > "$T/text.txt"
mpform "$T/bad" name=text image=@"$T/text.txt"
cgi upload POST / "$T/bad" "$MPCT" -- HTTP_X_API_KEY="$KF"
like "$CGI_STATUS" '^4' "an upload of text by a key is refused"
cgi upload POST / "$T/up" "$MPCT" -- HTTP_X_API_KEY="$KF"
is "$CGI_STATUS" 201 "and did not spend the quota"

# --- the per-minute rate: two requests ---
KR=$(keyadd rate2 --quota 100 --rate 2)
minute_room 40   # the requests below, in one minute (under the sanitizers too)
cgi upload POST / "$T/up" "$MPCT" -- HTTP_X_API_KEY="$KR"
is "$CGI_STATUS" 201 "the first request of the minute is served"
RID=$(json "$CGI_BODY" 'j["id"]')
cgi index GET / -- HTTP_X_API_KEY="$KR"
is "$CGI_STATUS/$(header X-RateLimit-Remaining "$CGI_HEADERS")" 200/0 "the listing counts against the rate"
cgi upload POST / "$T/up" "$MPCT" -- HTTP_X_API_KEY="$KR"
is "$CGI_STATUS/$(code)" 429/rate_limited "the third request within the minute is 429 rate_limited"
like "$(header Retry-After "$CGI_HEADERS")" '^[0-9]+$' "with Retry-After"
is "$(header X-RateLimit-Remaining "$CGI_HEADERS")" 0 "and X-RateLimit-Remaining 0"
printf '{"record_name": "x"}' > "$T/put"
cgi update PUT "/update/$RID" "$T/put" application/json -- HTTP_X_API_KEY="$KR"
is "$CGI_STATUS/$(code)" 429/rate_limited "a rename over the rate is 429"
cgi remove DELETE "/remove/$RID" -- HTTP_X_API_KEY="$KR"
is "$CGI_STATUS/$(code)" 429/rate_limited "a delete over the rate is 429"
cgi index GET / -- HTTP_X_API_KEY="$KR"
is "$CGI_STATUS/$(code)" 429/rate_limited "a listing over the rate is 429"
is "$(db_sql "$T/data" "SELECT quarters FROM key_usage u JOIN api_keys k ON k.id = u.key_id WHERE k.name = 'rate2'")" 4 "only the served upload was charged (one credit, 4 quarters)"

# --- a cookie caller is not counted ---
cgi upload POST / "$T/up" "$MPCT" -- HTTP_ACCEPT=application/json BACKDROP_KEY_RATE_MINUTE=1 BACKDROP_KEY_QUOTA_MONTH=1
is "$CGI_STATUS" 201 "a cookie upload is 201"
C=$(cookie_of "$CGI_HEADERS")
is "$(header X-RateLimit-Limit "$CGI_HEADERS")" "" "without rate headers"
cgi upload POST / "$T/up" "$MPCT" -- HTTP_ACCEPT=application/json HTTP_COOKIE="$C" BACKDROP_KEY_RATE_MINUTE=1 BACKDROP_KEY_QUOTA_MONTH=1
is "$CGI_STATUS" 201 "a second cookie upload is 201 whatever the key limits"
cgi index GET / -- HTTP_ACCEPT=application/json HTTP_COOKIE="$C" BACKDROP_KEY_RATE_MINUTE=1
is "$CGI_STATUS/$(json "$CGI_BODY" 'j["count"]')" 200/2 "and a cookie listing is served"
