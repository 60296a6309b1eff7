#!/bin/sh
# The remote cutout provider through the real upload path: a local stand-in speaking
# rembg's protocol cuts the subject, a failing one falls back to the local cutout (and
# says so in the log), and with fallback off the upload fails whole, storing nothing.
. tests/lib.sh

python3 tests/unit/provider_standin.py > "$T/standin.port" &
STANDIN=$!
trap 'kill $STANDIN 2>/dev/null; _cleanup' EXIT
i=0; until [ -s "$T/standin.port" ] || [ $i -gt 100 ]; do i=$((i + 1)); sleep 0.1; done
SP=$(cat "$T/standin.port")
code() { sed -n '1s/^HTTP[^ ]* \([0-9]*\).*/\1/p' "$1"; }
# A plain gray picture: the local cutout finds no subject in it, so a matte that is
# opaque on the left half can only have come from the stand-in.
convert -size 64x48 xc:'#808080' "$T/gray.png"
alpha_at() { convert "$1" -format "%[fx:int(255*p{$2,$3}.a+0.5)]" info:; }
upload() { # jar -> record JSON in $T/b, headers in $T/h
	curl -s -c "$T/$1" -b "$T/$1" -D "$T/h" -o "$T/b" -H 'Accept: application/json' \
		-F name=remote -F format=png -F image=@"$T/gray.png" "$BASE/"
}

server_start BACKDROP_CUTOUT_PROVIDER=rembg BACKDROP_PROVIDER_URL="http://127.0.0.1:$SP/rembg/ok/64/48"
upload jar1
is "$(code "$T/h")" 201 "upload with the rembg provider is 201"
ID=$(json "$T/b" 'j["id"]')
curl -s -b "$T/jar1" -o "$T/out.png" "$BASE/image/$ID/processed"
is "$(alpha_at "$T/out.png" 5 20)" 255 "the provider's matte is used: left half opaque"
is "$(alpha_at "$T/out.png" 60 20)" 0 "and right half transparent"
server_stop

server_start BACKDROP_CUTOUT_PROVIDER=rembg BACKDROP_PROVIDER_URL="http://127.0.0.1:$SP/rembg/500/64/48"
upload jar2
is "$(code "$T/h")" 201 "a provider answering 500 falls back to the local cutout"
ID=$(json "$T/b" 'j["id"]')
curl -s -b "$T/jar2" -o "$T/out.png" "$BASE/image/$ID/processed"
is "$(alpha_at "$T/out.png" 5 20)" 0 "the local cutout's result (nothing on a gray picture)"
like "$(cat "$DATA/backdrop.log")" "cutout provider rembg failed.*local cutout" "the fallback is logged with its reason"
server_stop

server_start BACKDROP_CUTOUT_PROVIDER=removebg BACKDROP_PROVIDER_KEY=k123 \
	BACKDROP_PROVIDER_FALLBACK=false BACKDROP_PROVIDER_URL="http://127.0.0.1:$SP/removebg/garbage/64/48"
upload jar3
is "$(code "$T/h")" 502 "without fallback a garbage answer is 502"
is "$(json "$T/b" 'j["code"]')" upstream_failed "with the error shape"
is "$(db_sql "$DATA" 'SELECT COUNT(*) FROM records')/$(db_sql "$DATA" 'SELECT COUNT(*) FROM images')" \
	"2/10" "nothing partial was stored (only the two earlier records and their five images)"
