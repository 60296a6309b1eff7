#!/bin/sh
# The Source link (AGPL-3.0 section 13) on every page, as plain CGI and on disk: the
# index page links to source_url (the default, an operator's value escaped, an empty
# value falling back), with records or without; every static page in www/ links to the
# archive nginx serves.
. tests/lib.sh
. tests/records_lib.sh

LINK='<a href="/source.tar.gz">Source</a> (AGPL-3.0-or-later)'

is "$(cd "$TOP" && "$BIN/backdrop" conf | sed -n 's/^source_url = //p')" /source.tar.gz \
	"source_url defaults to /source.tar.gz"

cgi index GET /
is "$CGI_STATUS" 200 "the page is 200"
ok "the page links to the default source_url with the licence" grep -qF "$LINK" "$CGI_BODY"
is "$(grep -c '>Source</a>' "$CGI_BODY")" 1 "the page has one Source link"
cgi index GET '/?flash=ok'
ok "the page with a flash message has the Source link" grep -qF "$LINK" "$CGI_BODY"

# With records, the page ends through the list's path.
convert -size 64x48 xc:white -fill red -draw "circle 32 24 32 8" "$T/a.png"
mpform "$T/up" name='A photo' image=@"$T/a.png"
cgi upload POST / "$T/up" "$MPCT" -- HTTP_ACCEPT=application/json
is "$CGI_STATUS" 201 "an upload makes a record"
C=$(cookie_of "$CGI_HEADERS")
cgi index GET / -- HTTP_COOKIE="$C"
ok "the page lists the record" grep -q 'class="record"' "$CGI_BODY"
ok "the page with records has the Source link" grep -qF "$LINK" "$CGI_BODY"

# An operator's source_url, escaped as an attribute value.
cgi index GET / -- BACKDROP_SOURCE_URL='https://git.example/backdrop?ref=v1&x="<b>"'
is "$CGI_STATUS" 200 "the page with a custom source_url is 200"
ok "the custom source_url is the link, escaped" grep -qF \
	'<a href="https://git.example/backdrop?ref&#61;v1&amp;x&#61;&quot;&lt;b&gt;&quot;">Source</a> (AGPL-3.0-or-later)' "$CGI_BODY"
nok "the raw custom value does not reach the page" grep -qF '"<b>"' "$CGI_BODY"
nok "the default link is gone" grep -qF 'href="/source.tar.gz"' "$CGI_BODY"
cgi index GET / -- BACKDROP_SOURCE_URL=
ok "an empty source_url falls back to /source.tar.gz" grep -qF "$LINK" "$CGI_BODY"

# Every static page.
n=0
for f in "$TOP"/www/*.html; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	ok "www/$(basename "$f") links to the source with the licence" grep -qF "$LINK" "$f"
done
ok "www/ has static pages to check" test "$n" -gt 0
