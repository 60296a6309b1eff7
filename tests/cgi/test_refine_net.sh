#!/bin/sh
# A refine stroke on a record the segmentation network cut: the network's opinion is
# kept with the record, so a re-render in any process (here one that cannot load the
# network at all) cuts again from it, as the network would, without running it.
. tests/lib.sh
. tests/records_lib.sh
need_model

J="HTTP_ACCEPT=application/json"
O="HTTP_ORIGIN=http://localhost"
NET="BACKDROP_CUTOUT_MODEL=isnet-medium"
NONET="BACKDROP_MODEL_DIR=$T/no-model"   # the model named, but nowhere to load it from
mkdir -p "$T/no-model"
portrait "$T"
alpha_of() { convert "$1" -alpha extract "$2"; }

mpform "$T/up" image=@"$T/photo.png"
cgi upload POST / "$T/up" "$MPCT" -- $J $NET
is "$CGI_STATUS:$(header X-Cutout-Engine "$CGI_HEADERS")" 201:isnet-medium "the network cuts the upload"
C=$(cookie_of "$CGI_HEADERS")
ID=$(json "$CGI_BODY" 'j["id"]')
is "$(db_sql "$T/data" "SELECT type || ' ' || CAST(bytes < 100000 AS INTEGER) FROM images WHERE record_id = '$ID' AND kind = 'opinion'")" "image/png 1" \
	"its opinion is kept with the record, small"
cgi image GET "/image/$ID/opinion" -- HTTP_COOKIE="$C"
is "$CGI_STATUS" 404 "and is not served"
cgi image GET "/image/$ID/cutout" -- HTTP_COOKIE="$C"
alpha_of "$CGI_BODY" "$T/first.png"

# The same cut again, in a process without the network: from the kept opinion.
mpform "$T/f" hint_strokes='[]'
cgi update POST "/update/$ID" "$T/f" "$MPCT" -- $J $O HTTP_COOKIE="$C" $NET $NONET
is "$CGI_STATUS:$(header X-Cutout-Engine "$CGI_HEADERS")" 200:isnet-medium "a re-cut without the network is the network's"
cgi image GET "/image/$ID/cutout" -- HTTP_COOKIE="$C"
alpha_of "$CGI_BODY" "$T/again.png"
ok "and matches the first cut (IoU > 0.98)" above "$(iou "$T/first.png" "$T/again.png")" 0.98
ok "which was good (IoU against the truth > 0.9)" above "$(iou "$T/truth.png" "$T/again.png")" 0.9

# A refine stroke: removes what it paints, keeps the network's cut elsewhere.
mpform "$T/f" hint_strokes='[{"points":[[130,72],[190,72]],"width":30,"label":"bg"}]'
cgi update POST "/update/$ID" "$T/f" "$MPCT" -- $J $O HTTP_COOKIE="$C" $NET $NONET
is "$CGI_STATUS:$(header X-Cutout-Engine "$CGI_HEADERS")" 200:isnet-medium "a refine stroke without the network"
cgi image GET "/image/$ID/cutout" -- HTTP_COOKIE="$C"
is "$(convert "$CGI_BODY" -format '%[fx:int(255*p{160,72}.a)]' info:)" 0 "removes the painted face"
is "$(convert "$CGI_BODY" -format '%[fx:int(255*p{160,200}.a)]' info:)" 255 "and keeps the body"

# Without the kept opinion the same request is the classical engine's: the opinion is
# what made the difference.
db_sql "$T/data" "DELETE FROM images WHERE record_id = '$ID' AND kind = 'opinion'"
mpform "$T/f" hint_strokes='[{"points":[[130,72],[190,72]],"width":31,"label":"bg"}]'
cgi update POST "/update/$ID" "$T/f" "$MPCT" -- $J $O HTTP_COOKIE="$C" $NET $NONET
is "$CGI_STATUS:$(header X-Cutout-Engine "$CGI_HEADERS")" 200:classical "without it, the classical engine cuts"
