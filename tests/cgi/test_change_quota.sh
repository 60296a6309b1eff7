#!/bin/sh
# The change program charges keys through the same gate as the records programs: every
# answer to a key carries X-RateLimit-Limit/Remaining/Reset (successes included, on
# every route), a failed image gives its credit back, a spent quota is 402 and a spent
# rate 429 with Retry-After, each in its endpoint's error shape.
. tests/lib.sh

keyadd() { bd_in "$T/data" key add "$@" 2>/dev/null; }
rl() { echo "$(header X-RateLimit-Limit "$CGI_HEADERS")/$(header X-RateLimit-Remaining "$CGI_HEADERS")"; }

convert -size 64x48 xc:'#20a040' -fill '#d02020' -draw 'rectangle 20,10 44,38' "$T/o.png"
printf '{"canvas_size": "64x48", "origin_img": "data:image/png;base64,%s"}' "$(base64 -w0 "$T/o.png")" > "$T/change.json"
printf '{"image": "data:image/png;base64,%s", "color": "red"}' "$(base64 -w0 "$T/o.png")" > "$T/filter.json"
printf '{"canvas_size": "64x48", "origin_img": "data:image/png;base64,bm90IGFuIGltYWdl"}' > "$T/bad.json"
B="------------------------change"
{ printf -- '--%s\r\nContent-Disposition: form-data; name="file"; filename="o.png"\r\nContent-Type: image/png\r\n\r\n' "$B"
  cat "$T/o.png"; printf '\r\n--%s--\r\n' "$B"; } > "$T/rembg.form"

cgi index GET / -- HTTP_ACCEPT=application/json   # makes the store
minute_room 40   # the requests below, in one minute (under the sanitizers too)
K=$(keyadd change --quota 3 --rate 6)
like "$K" '^bdk_' "a key with a quota of 3 images and a rate of 6 a minute"

cgi change POST /api/change "$T/change.json" application/json -- HTTP_X_API_KEY="$K"
is "$CGI_STATUS" 200 "POST /api/change by the key is 200"
is "$(rl)" 6/5 "with X-RateLimit-Limit and -Remaining"
like "$(header X-RateLimit-Reset "$CGI_HEADERS")" '^[0-9]{10}$' "and X-RateLimit-Reset"
cgi change POST /api/filter "$T/filter.json" application/json -- HTTP_X_API_KEY="$K"
is "$CGI_STATUS/$(rl)" 200/6/4 "POST /api/filter too"
cgi change POST /api/change "$T/bad.json" application/json -- HTTP_X_API_KEY="$K"
like "$CGI_STATUS" '^4' "a request whose image is not one fails"
is "$(rl)" 6/3 "its error keeps the headers"
cgi change POST /api/remove "$T/rembg.form" "multipart/form-data; boundary=$B" -- HTTP_X_API_KEY="$K"
is "$CGI_STATUS/$(rl)" 200/6/2 "POST /api/remove (rembg) too: the failed one's credit came back"
cgi change POST /api/change "$T/change.json" application/json -- HTTP_X_API_KEY="$K"
is "$CGI_STATUS/$(json "$CGI_BODY" 'j["code"]')" 402/quota_exceeded "the fourth image is 402 quota_exceeded"
is "$(rl)" 6/1 "with the headers"
cgi change GET /v1.0/account -- HTTP_X_API_KEY="$K"
is "$CGI_STATUS/$(rl)" 200/6/0 "GET /v1.0/account counts against the rate"
is "$(json "$CGI_BODY" 'j["data"]["attributes"]["credits"]["total"]')" 0 "and has no credit left"
cgi change POST /api/filter "$T/filter.json" application/json -- HTTP_X_API_KEY="$K"
is "$CGI_STATUS/$(json "$CGI_BODY" 'j["code"]')" 429/rate_limited "the seventh request this minute is 429"
like "$(header Retry-After "$CGI_HEADERS")" '^[0-9]+$' "with Retry-After"
is "$(rl)" 6/0 "and the headers"
cgi change GET /v1.0/account -- HTTP_X_API_KEY="$K"
is "$CGI_STATUS/$(json "$CGI_BODY" 'j["errors"][0]["code"]')" 429/rate_limit_exceeded "remove.bg's 429 in its shape"
is "$(rl)" 6/0 "with the headers"

# Without a key nothing is counted, and no header is sent.
cgi change POST /api/change "$T/change.json" application/json
is "$CGI_STATUS/$(header X-RateLimit-Limit "$CGI_HEADERS")" 200/ "an anonymous request has no rate headers"

echo "1..$_n"
[ "$_failed" -eq 0 ]
