#!/bin/sh
# The source of the running version through nginx (AGPL-3.0 section 13): the page's
# Source link and the static pages' lead to /source.tar.gz, a gzip tar of the tree
# `make` built, holding the licence and the sources.
. tests/lib.sh

server_start
ok "the service starts" test -n "$SERVER_PID"

curl -s -o "$T/page" "$BASE/"
href=$(sed -n 's/.*<a href="\([^"]*\)">Source<\/a> (AGPL-3\.0-or-later).*/\1/p' "$T/page")
is "$href" /source.tar.gz "the page through nginx links to the default source URL"
curl -s -o "$T/filter" "$BASE/filter.html"
ok "the static page through nginx links there too" grep -qF '<a href="/source.tar.gz">Source</a>' "$T/filter"

curl -s -D "$T/h" -o "$T/src.tar.gz" "$BASE${href:-/source.tar.gz}"
is "$(sed -n '1s/.* \([0-9][0-9][0-9]\).*/\1/p' "$T/h")" 200 "GET of the source URL is 200"
is "$(header Content-Type "$T/h")" application/gzip "it is served as application/gzip"
is "$(header X-Content-Type-Options "$T/h")" nosniff "it carries nosniff"
is "$(od -An -tx1 -N2 "$T/src.tar.gz" | tr -d ' \n')" 1f8b "it is gzip"
tar -tzf "$T/src.tar.gz" > "$T/list" 2>"$T/tar.err"
ok "it is a tar" test $? -eq 0 -a -s "$T/list"
ok "it contains LICENSE" grep -Eqx '[^/]+/LICENSE' "$T/list"
ok "it contains cgi-bin/lib/img/cut_net.c" grep -Eqx '[^/]+/cgi-bin/lib/img/cut_net.c' "$T/list"
ok "it contains the Makefile that builds it" grep -Eqx '[^/]+/Makefile' "$T/list"
is "$(cut -d/ -f1 "$T/list" | sort -u | wc -l | tr -d ' ')" 1 "everything is under one top folder"
nok "it holds no build output, data or model" grep -Eq '^[^/]+/(build|var|model)/' "$T/list"
mkdir -p "$T/src"
tar -xzf "$T/src.tar.gz" -C "$T/src" 2>/dev/null
top=$(head -n 1 "$T/list" | cut -d/ -f1)
ok "its LICENSE is this tree's" cmp -s "$T/src/$top/LICENSE" "$TOP/LICENSE"
ok "its LICENSE is the GNU AGPL" grep -q 'GNU AFFERO GENERAL PUBLIC LICENSE' "$T/src/$top/LICENSE"
