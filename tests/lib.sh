# lib.sh: helpers for the shell tests; source it first. Every assertion prints one TAP
# line. Temporary files live in one folder under the build tree, removed at exit, and
# a server started here is always stopped at exit.
set -u
# The classical engine unless a test turns the network on (why: see tests/run.sh).
BACKDROP_CUTOUT_MODEL=none
export BACKDROP_CUTOUT_MODEL
TOP=${TOP:-$(pwd)}
# Under SAN=1, what third-party libraries keep until exit is not reported as our leak.
LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$TOP/tests/lsan.supp"
export LSAN_OPTIONS
BUILD=${BUILD:-build/rel}
BIN="$TOP/$BUILD"
TMPROOT=${TMPROOT:-$TOP/$BUILD/tmp}
mkdir -p "$TMPROOT"
# The store (STORE=sqlite or postgres): data_env, with_data, db_sql and the rest.
. "$TOP/tests/store_lib.sh"
T=$(mktemp -d "$TMPROOT/t.XXXXXX")
_n=0
_failed=0
SERVER_PID=""

_report() { # status desc
	_n=$((_n + 1))
	if [ "$1" = 0 ]; then echo "ok $_n - $2"; else echo "not ok $_n - $2"; _failed=$((_failed + 1)); fi
}
# ok DESC COMMAND...: passes when the command exits 0.
ok() { d=$1; shift; "$@" >/dev/null 2>&1; _report $? "$d"; }
# nok DESC COMMAND...: passes when the command exits non-zero.
nok() { d=$1; shift; if "$@" >/dev/null 2>&1; then _report 1 "$d"; else _report 0 "$d"; fi; }
# is GOT WANT DESC: string equality.
is() {
	if [ "$1" = "$2" ]; then _report 0 "$3"; else _report 1 "$3"; echo "#   got '$1', want '$2'"; fi
}
# like GOT REGEX DESC: extended-regex match anywhere in GOT.
like() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then _report 0 "$3"
	else _report 1 "$3"; echo "#   '$(printf '%s' "$1" | head -c 300)' does not match /$2/"; fi
}
# unlike GOT REGEX DESC
unlike() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then _report 1 "$3"; echo "#   '$(printf '%s' "$1" | head -c 300)' matches /$2/"
	else _report 0 "$3"; fi
}
# minute_room SECONDS: waits, if need be, until at least SECONDS remain in this calendar
# minute (a key's rate counts per calendar minute), so that the requests that follow
# fall in one minute even on a slow or busy host.
minute_room() {
	_sec=$(date +%S); _sec=${_sec#0}
	[ $((60 - _sec)) -ge "$1" ] || sleep $((61 - _sec))
}
# json FILE_OR_STRING EXPR: evaluates a Python expression over the parsed JSON as `j`.
json() {
	if [ -f "$1" ]; then src=$(cat "$1"); else src=$1; fi
	printf '%s' "$src" | python3 -c "import json,sys; j=json.load(sys.stdin); v=$2; print(v if not isinstance(v,(dict,list)) else json.dumps(v))" 2>/dev/null
}

# cgi PROGRAM METHOD URI [BODY_FILE [CONTENT_TYPE]] [-- VAR=VALUE...]
# Runs a built program as plain CGI from the repository root with data in $T/data
# (BACKDROP_DATA_DIR=DIR cgi ... for another data folder).
# Sets CGI_RC, CGI_STATUS, CGI_HEADERS (file) and CGI_BODY (file).
cgi() {
	prog=$1; method=$2; uri=$3; shift 3
	body=/dev/null; ctype=""
	if [ $# -gt 0 ] && [ "$1" != "--" ]; then body=$1; shift; fi
	if [ $# -gt 0 ] && [ "$1" != "--" ]; then ctype=$1; shift; fi
	[ $# -gt 0 ] && [ "$1" = "--" ] && shift
	CGI_HEADERS="$T/cgi.headers"; CGI_BODY="$T/cgi.body"
	len=$(wc -c < "$body" | tr -d ' ')
	(cd "$TOP" && data_env "${BACKDROP_DATA_DIR:-$T/data}" && env REQUEST_METHOD="$method" REQUEST_URI="$uri" \
		QUERY_STRING="${uri#*\?}" CONTENT_LENGTH="$len" CONTENT_TYPE="$ctype" \
		HTTP_HOST=localhost SERVER_PROTOCOL=HTTP/1.1 GATEWAY_INTERFACE=CGI/1.1 \
		"$@" "$BIN/$prog" < "$body" > "$T/cgi.raw" 2> "$T/cgi.err")
	CGI_RC=$?
	case $uri in *\?*) ;; *) : ;; esac
	python3 - "$T/cgi.raw" "$CGI_HEADERS" "$CGI_BODY" <<'PY'
import sys
raw = open(sys.argv[1], 'rb').read()
head, sep, body = raw.partition(b'\r\n\r\n')
open(sys.argv[2], 'wb').write(head.replace(b'\r\n', b'\n') + b'\n')
open(sys.argv[3], 'wb').write(body)
PY
	CGI_STATUS=$(sed -n 's/^Status: \([0-9]*\).*/\1/p' "$CGI_HEADERS")
}
# header NAME FILE: the value of a header in a headers file (CGI or curl -D).
header() { tr -d '\r' < "$2" | grep -i "^$1:" | tail -n 1 | sed 's/^[^:]*: *//'; }

# need_model: the tests of the neural cutout need model/isnet-medium.onnx (make deps).
# Without it the test prints one skip line and ends, unless CI is set: there a missing
# model is a failure.
need_model() {
	[ -f "$TOP/model/isnet-medium.onnx" ] && return 0
	if [ -n "${CI:-}" ]; then
		_report 1 "model/isnet-medium.onnx is installed (run make deps)"
		exit 1
	fi
	echo "ok 1 # skip no model"
	exit 0
}

# portrait DIR: DIR/photo.png, a photo-like 320x240 portrait (a shaded figure with hair,
# neck and shoulders, and sensor noise) in front of a busy out-of-focus scene, and
# DIR/truth.png, the figure's mask. The segmentation network cuts it out cleanly; the
# classical engine does not (the frame's colors tell it little here).
portrait() {
	convert -size 320x240 xc:black -fill white -draw "circle 160,72 160,38" \
		-draw "rectangle 148,100 172,125" -draw "roundrectangle 92,118 228,260 45,45" "$1/mask.png"
	convert -size 320x240 xc:'#2a4d8f' -fill '#e0a987' -draw "circle 160,72 160,38" \
		-draw "rectangle 148,100 172,125" -fill '#4a2a1a' -draw "ellipse 160,52 36,20 180,360" \
		\( -size 320x240 radial-gradient:'#ffffff'-'#606060' \) -compose multiply -composite \
		-seed 3 -attenuate 0.3 +noise Gaussian "$1/figure.png"
	convert -size 320x240 -seed 2 plasma:fractal -blur 0x3 -seed 7 -attenuate 0.5 +noise Gaussian \
		"$1/figure.png" "$1/mask.png" -compose over -composite "$1/photo.png"
	convert "$1/mask.png" -colorspace Gray -threshold 50% "$1/truth.png"
	rm -f "$1/mask.png" "$1/figure.png"
}

# iou TRUTH PRED: the IoU of PRED's alpha (its gray level without one) against the mask
# TRUTH, by `backdrop score`; empty when it cannot score.
iou() {
	_d=$(mktemp -d "$T/iou.XXXXXX")
	mkdir -p "$_d/masks" "$_d/pred"
	cp "$1" "$_d/masks/x.png" && cp "$2" "$_d/pred/x.png" &&
		"$BIN/backdrop" score "$_d" "$_d/pred" 2>/dev/null | sed -n 's/.* IoU \([0-9.]*\) .*/\1/p'
	rm -rf "$_d"
}
# above A B: passes (exit 0) when the number A is greater than B.
above() { awk -v a="${1:-0}" -v b="$2" 'BEGIN { exit !(a + 0 > b + 0) }'; }

# bd_in DATA ARG...: the backdrop command from the repository root on data folder DATA.
bd_in() { _bd=$1; shift; (cd "$TOP" && with_data "$_bd" "$BIN/backdrop" "$@"); }

# free_port: a TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# server_start [VAR=VALUE...]: starts the whole service (nginx, spawn-fcgi, programs)
# through the launcher on a free port with data in $T/data and the given settings.
# Sets BASE (http://127.0.0.1:PORT) and DATA. Returns non-zero if it did not come up.
server_start() {
	PORT=$(free_port)
	DATA="$T/data"
	BASE="http://127.0.0.1:$PORT"
	rm -f "$T/server.out"   # the wait below must not find an earlier start's line
	(cd "$TOP" && data_env "$DATA" && exec env BUILD="$BUILD" PORT="$PORT" "$@" \
		sh cgi-bin/launch.sh > "$T/server.out" 2>&1) &
	SERVER_PID=$!
	i=0
	until grep -q "Backdrop is up" "$T/server.out" 2>/dev/null; do
		if ! kill -0 "$SERVER_PID" 2>/dev/null || [ $i -gt 600 ]; then
			echo "# server did not start:"; sed 's/^/#   /' "$T/server.out"
			SERVER_PID=""
			return 1
		fi
		i=$((i + 1)); sleep 0.1
	done
}
# server_stop: stops the service started by server_start and waits for it.
server_stop() {
	[ -n "$SERVER_PID" ] || return 0
	kill -TERM "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null
	SERVER_PID=""
}

# remote_start: starts tests/e2e/change/srv.py, the stand-in for other sites (files,
# redirects, webhook receivers), serving the folder $H it makes; sets HP (its port) and
# HB (its URL). It is stopped at exit.
REMOTE_PID=""
remote_start() {
	H="$T/remote"
	mkdir -p "$H"
	python3 "$TOP/tests/e2e/change/srv.py" "$H" "$T/remote.port" 2>>"$T/remote.err" &
	REMOTE_PID=$!
	i=0
	while [ ! -f "$T/remote.port" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	HP=$(cat "$T/remote.port")
	HB="http://127.0.0.1:$HP"
}

_cleanup() {
	[ -z "$REMOTE_PID" ] || kill "$REMOTE_PID" 2>/dev/null
	server_stop
	rm -rf "$T"
	[ "$_failed" -eq 0 ]
}
trap '_cleanup' EXIT
