#!/bin/sh
# The neural cutout through the real service: /health names the model, an upload and
# two concurrent API cutouts (remove.bg's and rembg's) are made by the network and say
# so in X-Cutout-Engine. Then without the model files: the service still starts and
# cuts with the classical engine, says why once per worker in its log, and /health is
# Degraded. Three network runs in all (each worker loads the model at its first cut).
. tests/lib.sh
need_model

portrait "$T"
status() { sed -n '1s/.* \([0-9][0-9][0-9]\).*/\1/p' "$1"; }
# unavailable PROGRAM: how many times PROGRAM's workers logged the missing network.
unavailable() { grep -Ec "^$1\[[0-9]+\].*cutout network is unavailable" "$DATA/backdrop.log"; }

server_start BACKDROP_CUTOUT_MODEL=isnet-medium
ok "the service starts with the network on" test -n "$SERVER_PID"
body=$(curl -s "$BASE/health")
is "$(json "$body" 'j["checks"]["model"]')" isnet-medium "/health names the model"
is "$(json "$body" 'j["status"]')" Healthy "and is Healthy"

# An upload (the record's processed image is the cutout).
curl -s -c "$T/jar" -b "$T/jar" -D "$T/h" -o "$T/b" -H 'Accept: application/json' \
	-F name=portrait -F image=@"$T/photo.png" "$BASE/"
is "$(status "$T/h")" 201 "the upload is 201"
is "$(header X-Cutout-Engine "$T/h")" isnet-medium "the upload says X-Cutout-Engine: isnet-medium"
ID=$(json "$T/b" 'j["id"]')
curl -s -b "$T/jar" -o "$T/up.png" "$BASE/image/$ID/processed"
# 0.998 measured (tests/cli/test_cutout_net.sh); the classical engine gets 0.43.
q=$(iou "$T/truth.png" "$T/up.png")
ok "the stored cutout is the figure (IoU $q > 0.95)" above "$q" 0.95

# Two cutouts at once (on two change workers when there are two cores): remove.bg's
# and rembg's endpoints.
KEY=$(bd_in "$DATA" key add net 2>/dev/null)
curl -s -D "$T/h1" -o "$T/rb.png" -H "X-Api-Key: $KEY" -F image_file=@"$T/photo.png" \
	-F size=auto "$BASE/v1.0/removebg" &
p1=$!
curl -s -D "$T/h2" -o "$T/rembg.png" -F file=@"$T/photo.png" "$BASE/api/remove" &
p2=$!
wait $p1; wait $p2
is "$(status "$T/h1")" 200 "/v1.0/removebg answers 200 while another cutout runs"
is "$(status "$T/h2")" 200 "/api/remove answers 200 at the same time"
is "$(header X-Cutout-Engine "$T/h1")" isnet-medium "/v1.0/removebg says X-Cutout-Engine: isnet-medium"
is "$(header X-Cutout-Engine "$T/h2")" isnet-medium "/api/remove says X-Cutout-Engine: isnet-medium"
q=$(iou "$T/truth.png" "$T/rb.png")
ok "remove.bg's cutout is the figure (IoU $q > 0.95)" above "$q" 0.95
q=$(iou "$T/truth.png" "$T/rembg.png")
ok "rembg's cutout is the figure (IoU $q > 0.95)" above "$q" 0.95
is "$(unavailable change)$(unavailable upload)" 00 "no worker logged the network unavailable"
server_stop

# A model folder without the model: the classical engine, one worker of each program so
# that the cutouts below all run in the same process.
mkdir -p "$T/empty"
rm -rf "$T/data"
server_start BACKDROP_CUTOUT_MODEL=isnet-medium BACKDROP_MODEL_DIR="$T/empty" BACKDROP_WORKERS=1
ok "the service starts without the model files" test -n "$SERVER_PID"
for i in 1 2; do
	curl -s -D "$T/h" -o "$T/c$i.png" -F file=@"$T/photo.png" "$BASE/api/remove"
	is "$(status "$T/h")" 200 "cutout $i without the model is 200"
	is "$(header X-Cutout-Engine "$T/h")" classical "cutout $i says X-Cutout-Engine: classical"
done
is "$(unavailable change)" 1 "the worker logged the network unavailable exactly once"
like "$(grep 'cutout network is unavailable' "$DATA/backdrop.log" | head -n 1)" "classical engine" \
	"the line says the classical engine cuts"
curl -s -D "$T/h" -o "$T/b" "$BASE/health"
is "$(status "$T/h")" 200 "/health is 200 without the model"
is "$(json "$T/b" 'j["status"]')" Degraded "and Degraded"
is "$(json "$T/b" 'j["checks"]["model"]')" unavailable "naming the model check unavailable"
is "$(json "$T/b" 'j["checks"]["database"]')" ok "the store checks are still ok"
unlike "$(cat "$T/b")" "empty|onnx|runtime" "the reason is not shown to the client"
ok "the reason is in the log" grep -Eq '^health\[[0-9]+\].*unavailable.*isnet-medium\.onnx' "$DATA/backdrop.log"

# Every answer carrying a cutout names its engine; the JSON that describes the result
# too, but remove.bg's keeps its shape; a filter result names none.
curl -s -c "$T/jar2" -b "$T/jar2" -D "$T/h" -o /dev/null -F name=form -F image=@"$T/photo.png" "$BASE/"
is "$(status "$T/h"):$(header X-Cutout-Engine "$T/h")" 303:classical "the form upload's 303 names the engine"
printf '{"origin_img": "data:image/png;base64,%s"}' "$(base64 -w0 "$T/photo.png")" > "$T/req.json"
curl -s -D "$T/h" -o "$T/b" -H 'Accept: application/json' -H 'Content-Type: application/json' \
	--data-binary @"$T/req.json" "$BASE/api/change"
is "$(status "$T/h"):$(header X-Cutout-Engine "$T/h")" 200:classical "/api/change names the engine"
is "$(json "$T/b" 'j["data"]["engine"]')" classical "and has it in its JSON data"
KEY=$(bd_in "$DATA" key add plain 2>/dev/null)
curl -s -D "$T/h" -o "$T/b" -H "X-Api-Key: $KEY" -H 'Accept: application/json' \
	-F image_file=@"$T/photo.png" "$BASE/v1.0/removebg"
is "$(status "$T/h"):$(header X-Cutout-Engine "$T/h")" 200:classical "/v1.0/removebg JSON names the engine in a header"
is "$(json "$T/b" '"engine" in j["data"]')" False "but not in remove.bg's JSON"
printf '{"image": "data:image/png;base64,%s", "color": "red"}' "$(base64 -w0 "$T/photo.png")" > "$T/req.json"
curl -s -D "$T/h" -o /dev/null -H 'Content-Type: application/json' --data-binary @"$T/req.json" "$BASE/api/filter"
is "$(status "$T/h"):$(header X-Cutout-Engine "$T/h")" 200: "a filter result names no engine"
is "$(unavailable change)" 1 "still one line after more cutouts in that worker"
