#!/bin/sh
# The records through nginx with curl: cookie jars and API keys, the original page's
# request shapes, USER_LIMIT under 20 parallel uploads, parallel rename and delete, an
# EXIF-rotated photo, and an upload whose worker is killed mid-way.
. tests/lib.sh
. tests/records_lib.sh

server_start USER_LIMIT=5 BACKDROP_MAX_UPLOAD_BYTES=8000000
ok "the service starts" test -n "$SERVER_PID"
code() { sed -n '1s/^HTTP[^ ]* \([0-9]*\).*/\1/p' "$1"; }

convert -size 160x120 xc:white -fill '#c02020' -draw "circle 80 60 80 20" "$T/a.png"
# --- a cookie jar: upload, list, rename, delete ---
curl -s -c "$T/jar" -b "$T/jar" -D "$T/h" -o "$T/b" -H 'Accept: application/json' \
	-F name='Jar <b>one</b>' -F image=@"$T/a.png" "$BASE/"
is "$(code "$T/h")" 201 "upload with a cookie jar is 201"
ID=$(json "$T/b" 'j["id"]')
like "$(cat "$T/jar")" 'backdrop_uid' "the jar holds the signed id"
curl -s -b "$T/jar" -H 'Accept: application/json' "$BASE/" > "$T/b"
is "$(json "$T/b" 'j["records"][0]["id"]')" "$ID" "the list shows it"
curl -s -b "$T/jar" -D "$T/h" -o "$T/b" -X PUT -H "Origin: $BASE" -H 'Content-Type: application/json' \
	--data-binary "{\"record_id\": \"$ID\", \"record_name\": \"Renamed\"}" "$BASE/update/$ID"
is "$(code "$T/h")" 200 "PUT /update/ID as the original page sent it"
is "$(cat "$T/b" | tr -d ' \n')" '{"message":"success"}' "answer {\"message\": \"success\"}"
curl -s -b "$T/jar" -D "$T/h" -o "$T/b" "$BASE/image/$ID/processed?download=1"
is "$(code "$T/h")" 200 "the result downloads through nginx"
like "$(header Content-Disposition "$T/h")" '^attachment; filename="Renamed.png"' "named after the record"
is "$(header Cache-Control "$T/h")" "private, no-cache" "revalidated caching through nginx (a re-render changes it)"
curl -s -b "$T/jar" -D "$T/h" -o /dev/null -H "If-None-Match: $(header ETag "$T/h")" "$BASE/image/$ID/processed"
is "$(code "$T/h")" 304 "304 through nginx"
curl -s -b "$T/jar" -D "$T/h" -o "$T/b" "$BASE/"
like "$(cat "$T/b")" 'Renamed' "the page shows the new name"
curl -s -D "$T/h" -o "$T/b" -H 'Accept: application/json' "$BASE/image/$ID/processed"
is "$(code "$T/h")" 404 "without the cookie the image is 404"
curl -s -b "$T/jar" -D "$T/h" -o "$T/b" -X PATCH "$BASE/update/$ID"
is "$(code "$T/h")" 405 "PATCH /update/ID is 405"
curl -s -b "$T/jar" -D "$T/h" -o "$T/b" -X DELETE "$BASE/remove/$ID"
is "$(code "$T/h")" 403 "DELETE without Origin is 403"
curl -s -b "$T/jar" -D "$T/h" -o "$T/b" -X DELETE -H "Origin: $BASE" "$BASE/remove/$ID"
is "$(code "$T/h")" 200 "DELETE /remove/ID is 200"
is "$(cat "$T/b" | tr -d ' \n')" '{"message":"success"}' "answer {\"message\": \"success\"}"
curl -s -b "$T/jar" -D "$T/h" -o "$T/b" -X DELETE -H "Origin: $BASE" "$BASE/remove/$ID"
is "$(code "$T/h")" 404 "deleting again is 404"

# --- a browser form from another origin lands on the user's records ---
curl -s -c "$T/jar2" -b "$T/jar2" -D "$T/h" -o /dev/null -H 'Origin: https://static.example' \
	-F name=cross -F image=@"$T/a.png" "$BASE/"
is "$(code "$T/h")" 303 "a cross-origin form upload is 303"
like "$(header Location "$T/h")" '^/\?claim=[0-9a-f]{32}$' "to the claim of its record (no cookie came)"
curl -s -L -c "$T/jar2" -b "$T/jar2" "$BASE$(header Location "$T/h")" > "$T/b"
like "$(cat "$T/b")" 'Image generated successfully' "the page shows the flash"
like "$(cat "$T/b")" 'cross' "and the new record"

# --- errors through nginx ---
head -c 9000000 /dev/urandom > "$T/big"
curl -s -D "$T/h" -o "$T/b" -H 'Accept: application/json' -F name=x -F image=@"$T/big" "$BASE/"
is "$(code "$T/h")/$(json "$T/b" 'j["code"]')" 413/too_large "a body over the cap is 413"
printf 'GIF89a' > "$T/tiny.gif"
curl -s -D "$T/h" -o "$T/b" -H 'Accept: application/json' -F name=x -F image=@"$T/tiny.gif" "$BASE/"
is "$(code "$T/h")/$(json "$T/b" 'j["code"]')" 422/corrupt_image "a truncated GIF is 422"
curl -s -D "$T/h" -o "$T/b" -H 'Accept: application/json' -F name=x -F image=@tests/records_lib.sh "$BASE/"
is "$(code "$T/h")/$(json "$T/b" 'j["code"]')" 415/not_an_image "a text file is 415 not_an_image"

# --- an API key ---
KEY=$(bd_in "$DATA" key add e2e 2>/dev/null)
curl -s -D "$T/h" -o "$T/b" -H "X-Api-Key: $KEY" -F name=keyed -F image=@"$T/a.png" "$BASE/"
is "$(code "$T/h")" 201 "an upload with X-Api-Key is 201"
KID=$(json "$T/b" 'j["id"]')
curl -s -o "$T/b" -H "X-Api-Key: $KEY" "$BASE/"
is "$(json "$T/b" 'j["records"][0]["image_name"]')" keyed "the key lists its records"
curl -s -D "$T/h" -o "$T/b" -X DELETE -H "X-Api-Key: $KEY" "$BASE/remove/$KID"
is "$(code "$T/h")" 200 "the key deletes without Origin"
curl -s -D "$T/h" -o "$T/b" -H "X-Api-Key: bdk_nope" "$BASE/"
is "$(code "$T/h")/$(json "$T/b" 'j["code"]')" 403/auth_failed "a bad key is 403"

# --- EXIF orientation: a phone photo stands upright ---
convert -size 90x60 xc:white -fill blue -draw "rectangle 0 0 30 60" "$T/flat.jpg"
# An APP1 Exif segment with Orientation 6 (rotate 90 degrees clockwise to view).
python3 - "$T/flat.jpg" "$T/rot.jpg" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
tiff = b'II*\x00' + struct.pack('<I', 8) + struct.pack('<H', 1) + struct.pack('<HHIHH', 0x0112, 3, 1, 6, 0) + struct.pack('<I', 0)
app1 = b'Exif\x00\x00' + tiff
open(sys.argv[2], 'wb').write(d[:2] + b'\xff\xe1' + struct.pack('>H', len(app1) + 2) + app1 + d[2:])
PY
curl -s -D "$T/h" -o "$T/b" -H "X-Api-Key: $KEY" -F name=rotated -F image=@"$T/rot.jpg" "$BASE/"
is "$(json "$T/b" 'j["width"]')x$(json "$T/b" 'j["height"]')" 60x90 "an EXIF-rotated JPEG is stored upright"

# --- 20 parallel uploads, user_limit 5 ---
# One identity (the cookie) from 20 addresses (127.0.1.N), as one visitor's devices
# would: nginx admits one anonymous image request at a time per address.
curl -s -c "$T/jar3" -o /dev/null "$BASE/"
jobs_=""
i=0
while [ $i -lt 20 ]; do
	curl -s -b "$T/jar3" -o /dev/null -w '%{http_code}\n' -H 'Accept: application/json' \
		--interface "127.0.1.$((i + 1))" -F name="p$i" -F image=@"$T/a.png" "$BASE/" > "$T/par.$i" &
	jobs_="$jobs_ $!"
	i=$((i + 1))
done
wait $jobs_
is "$(cat "$T"/par.* | grep -c '^201$')" 5 "exactly 5 of 20 parallel uploads succeed"
is "$(cat "$T"/par.* | grep -c '^409$')" 15 "the other 15 are 409 user_limit"
U3=$(sed -n 's/.*backdrop_uid\t\([0-9a-f]*\)\..*/\1/p' "$T/jar3")
is "$(db_sql "$DATA" "SELECT count(*) FROM records WHERE user_id = '$U3'")" 5 "exactly 5 records are stored"

# --- parallel rename and delete of one record ---
jobs_=""
RID=$(curl -s -b "$T/jar3" -H 'Accept: application/json' "$BASE/" | python3 -c 'import json,sys; print(json.load(sys.stdin)["records"][0]["id"])')
i=0
while [ $i -lt 8 ]; do
	curl -s -b "$T/jar3" -o /dev/null -w '%{http_code}\n' -X PUT -H "Origin: $BASE" \
		--data-binary "{\"record_name\": \"r$i\"}" "$BASE/update/$RID" > "$T/rn.$i" &
	jobs_="$jobs_ $!"
	if [ $i = 4 ]; then
		curl -s -b "$T/jar3" -o /dev/null -w '%{http_code}\n' -X DELETE -H "Origin: $BASE" "$BASE/remove/$RID" > "$T/del" &
		jobs_="$jobs_ $!"
	fi
	i=$((i + 1))
done
wait $jobs_
is "$(cat "$T/del")" 200 "the delete succeeded"
is "$(cat "$T"/rn.* | grep -vc '^200$\|^404$')" 0 "every rename was 200 or 404"
is "$(db_sql "$DATA" "SELECT count(*) FROM records WHERE id = '$RID'")/$(db_sql "$DATA" "SELECT count(*) FROM images WHERE record_id = '$RID'")" 0/0 "the record and its images are gone together"

# --- kill -9 of the upload worker mid-way leaves nothing partial ---
convert -size 3000x2400 plasma:red-blue -quality 95 "$T/huge.jpg" 2>/dev/null || convert -size 3000x2400 xc:gray +noise Random "$T/huge.jpg"
before=$(db_sql "$DATA" "SELECT count(*) FROM records")
pids=$(cat "$DATA/run/upload.pid" 2>/dev/null | tr '\n' ' ')
cpu() { for p in $pids; do awk '{print $14}' /proc/$p/stat 2>/dev/null; done | paste -sd+ | bc; }
base=$(cpu)
curl -s -o "$T/killed" -w '%{http_code}' -H "X-Api-Key: $KEY" -F name=killed -F image=@"$T/huge.jpg" "$BASE/" > "$T/killcode" &
cpid=$!
n=0
while [ "$(cpu)" -le "$((base + 5))" ] && [ $n -lt 3000 ]; do sleep 0.01; n=$((n + 1)); done
ok "an upload worker was busy processing" test "$(cpu)" -gt "$((base + 5))"
for p in $pids; do kill -9 "$p" 2>/dev/null; done
wait $cpid
unlike "$(cat "$T/killcode")" '^201$' "the killed upload did not succeed"
is "$(db_sql "$DATA" "SELECT count(*) FROM records")" "$before" "no partial record was stored"
is "$(db_sql "$DATA" "SELECT count(*) FROM images WHERE record_id NOT IN (SELECT id FROM records)")" 0 "no orphan image rows"
is "$(db_intact "$DATA")" ok "the database is intact"
server_stop
