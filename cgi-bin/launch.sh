#!/bin/sh
# Starts Backdrop in the foreground: checks the config and data folder (backdrop init),
# starts every FastCGI program under spawn-fcgi on unix sockets in <data_dir>/run,
# starts nginx as the invoking user with its prefix, temp and log paths there, and
# waits. Ctrl-C or SIGTERM stops everything it started and removes the run folder.
# Environment: BUILD (binaries), PORT (default 8080), HOST (default 127.0.0.1).
set -u
TOP=$(pwd)
BUILD=${BUILD:-build/rel}
BIN="$TOP/$BUILD"
PORT=${PORT:-8080}
HOST=${HOST:-127.0.0.1}

die() { echo "backdrop: $*" >&2; exit 1; }

for tool in nginx spawn-fcgi curl; do
	command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || die "$tool is not installed (run: make deps)"
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

data=$("$BIN/backdrop" init) || die "cannot start (see the reason above)"
case $data in /*) ;; *) data="$TOP/$data" ;; esac
RUN="$data/run"
export BACKDROP_DATA_DIR="$data"

# A second instance on the same data folder is refused plainly.
if [ -f "$RUN/nginx.pid" ] && kill -0 "$(cat "$RUN/nginx.pid")" 2>/dev/null; then
	die "Backdrop is already running from $data (nginx pid $(cat "$RUN/nginx.pid")); stop it first (Ctrl-C in its terminal)"
fi
if curl -s -o /dev/null --max-time 2 "http://$HOST:$PORT/" 2>/dev/null; then
	die "port $PORT on $HOST is already in use (another Backdrop?); choose another with PORT=..."
fi
rm -rf "$RUN"
mkdir -p "$RUN/tmp" || die "cannot create $RUN"

cores=$(nproc 2>/dev/null || echo 1)
heavy=$("$BIN/backdrop" conf | sed -n 's/^workers = //p')
[ "${heavy:-0}" -gt 0 ] || heavy=$cores
light=$("$BIN/backdrop" conf | sed -n 's/^light_workers = //p')
maxbody=$("$BIN/backdrop" conf | sed -n 's/^max_upload_bytes = //p')

pids=""
cleanup() {
	trap '' INT TERM; trap - EXIT
	[ -f "$RUN/nginx.pid" ] && kill "$(cat "$RUN/nginx.pid")" 2>/dev/null
	[ -n "${nginx_pid:-}" ] && kill "$nginx_pid" 2>/dev/null
	for f in "$RUN"/*.pid; do
		[ -f "$f" ] && kill $(cat "$f") 2>/dev/null
	done
	[ -n "$pids" ] && kill $pids 2>/dev/null
	wait 2>/dev/null
	rm -rf "$RUN"
	echo "backdrop: stopped" >&2
}
trap cleanup EXIT
trap 'exit 0' INT TERM

LOG="$data/backdrop.log"
# name:workers for every program that was built.
for spec in index:$light upload:$heavy update:$light remove:$light health:$light \
            image:$light change:$heavy; do
	name=${spec%%:*}; n=${spec#*:}
	[ -x "$BIN/$name" ] || continue
	# spawn-fcgi closes its children's stderr; a shell that execs the program keeps
	# the log records (stderr) in $LOG.
	spawn-fcgi -s "$RUN/$name.sock" -M 0600 -F "$n" -P "$RUN/$name.pid" -d "$TOP" \
		-- /bin/sh -c "exec \"\$0\" 2>>\"\$1\"" "$BIN/$name" "$LOG" >>"$LOG" 2>&1 ||
		die "spawn-fcgi could not start $name (see $LOG)"
done
# Other long-running helpers (background job workers) started by later parts.
for helper in "$TOP"/cgi-bin/launch.d/*.sh; do
	[ -f "$helper" ] || continue
	. "$helper"
done

user=""
[ "$(id -u)" = 0 ] && user="user root root;"
cp /etc/nginx/fastcgi_params "$RUN/fastcgi_params" 2>/dev/null ||
	die "nginx's fastcgi_params is missing (run: make deps)"
# The source of the version now running (AGPL-3.0 section 13), as `make` built it; a
# copy, so a rebuild while this runs does not change what /source.tar.gz answers.
cp "$BIN/source.tar.gz" "$RUN/source.tar.gz" 2>/dev/null ||
	echo "backdrop: $BIN/source.tar.gz is missing (run: make); /source.tar.gz will be 404" >&2
sed -e "s#@USER@#$user#" -e "s#@RUN@#$RUN#g" -e "s#@ROOT@#$TOP#g" -e "s#@SOURCE@#$RUN/source.tar.gz#" \
    -e "s#@LISTEN@#$HOST:$PORT#" -e "s#@MAX_BODY@#$maxbody#" \
    "$TOP/nginx.conf" > "$RUN/nginx.conf"
"$NGINX" -p "$RUN" -c "$RUN/nginx.conf" -e "$RUN/error.log" -g 'daemon off;' 2>>"$RUN/error.log" &
nginx_pid=$!

i=0
until curl -s -o /dev/null "http://$HOST:$PORT/health"; do
	i=$((i + 1))
	if ! kill -0 "$nginx_pid" 2>/dev/null || [ "$i" -gt 100 ]; then
		echo "backdrop: nginx did not start:" >&2
		tail -n 5 "$RUN/error.log" >&2
		exit 1
	fi
	sleep 0.1
done
echo "Backdrop is up at http://$HOST:$PORT/  (data in $data, log in $LOG; Ctrl-C stops it)"
wait "$nginx_pid"
