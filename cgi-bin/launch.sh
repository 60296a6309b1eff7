#!/bin/sh
# Starts Backdrop in the foreground: checks the config and data folder (backdrop init),
# starts every FastCGI program under spawn-fcgi on unix sockets in <data_dir>/run, each
# as a multiwatch supervisor that forks its workers and replaces any that dies,
# starts nginx as the invoking user with its prefix, temp and log paths there, and
# waits. Ctrl-C or SIGTERM stops everything it started and removes the run folder.
# Environment: BUILD (binaries), PORT (default 8080), HOST (default 127.0.0.1).
#
# Many hosts (DEPLOY.md, "Many hosts"): the programs of one host can listen on TCP for
# an nginx on another, and an nginx can spread each program over several such hosts.
#   LISTEN=ADDR:PORT    the programs listen on TCP at ADDR instead of unix sockets, each
#                       on its own port from PORT, in this order: index PORT, upload +1,
#                       update +2, remove +3, health +4, image +5, change +6
#   UPSTREAMS="ADDR:PORT ..."  nginx's upstream group of each program lists these hosts
#                       (each one's LISTEN) instead of this host's own programs
#   --workers-only      start the programs (and the job worker), not nginx
#   --nginx-only        start nginx only (needs UPSTREAMS)
# FastCGI has no authentication: a TCP port must be reachable from the nginx hosts only.
#
# The run folder <data_dir>/run holds, besides the sockets and nginx's files:
#   programs    one line "NAME SUPERVISOR_PID SOCKET" per FastCGI program started; the
#               health program reads it (from <data_dir>/run) for its workers check
#   NAME.pid    the live workers of NAME, one pid a line, refreshed every second
# SOCKET is ADDR:PORT under LISTEN. /health reports the workers of its own host only.
set -u
TOP=$(pwd)
BUILD=${BUILD:-build/rel}
BIN="$TOP/$BUILD"
PORT=${PORT:-8080}
HOST=${HOST:-127.0.0.1}

die() { echo "backdrop: $*" >&2; exit 1; }

mode=all
case ${1:-} in
"") ;;
--workers-only) mode=workers ;;
--nginx-only) mode=nginx ;;
*) die "unknown option '$1' (--workers-only or --nginx-only)" ;;
esac
LISTEN=${LISTEN:-}
UPSTREAMS=${UPSTREAMS:-}
# hostport A:P: passes when A:P is an address (or host name) and a port number.
hostport() {
	case $1 in *:*) ;; *) return 1 ;; esac
	case ${1##*:} in ""|*[!0-9]*) return 1 ;; esac
	[ -n "${1%:*}" ] && [ "${1##*:}" -ge 1 ] && [ "${1##*:}" -le 65529 ]
}
[ -z "$LISTEN" ] || hostport "$LISTEN" || die "LISTEN must be ADDR:PORT, not '$LISTEN'"
for up in $UPSTREAMS; do hostport "$up" || die "UPSTREAMS must list ADDR:PORT, not '$up'"; done
[ "$mode" != nginx ] || [ -n "$UPSTREAMS" ] || die "--nginx-only needs UPSTREAMS=\"ADDR:PORT ...\""
# The programs in the order of their TCP ports (PORT + place) under LISTEN and UPSTREAMS.
ORDER="index upload update remove health image change"
# port_of NAME ADDR:PORT: prints ADDR:N, N the port of program NAME on that host.
port_of() {
	i=0
	for o in $ORDER; do [ "$o" = "$1" ] && break; i=$((i + 1)); done
	echo "${2%:*}:$((${2##*:} + i))"
}

for tool in nginx spawn-fcgi multiwatch curl; do
	command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || die "$tool is not installed (run: make deps)"
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
MULTIWATCH=$(command -v multiwatch || echo /usr/sbin/multiwatch)

data=$("$BIN/backdrop" init) || die "cannot start (see the reason above)"
case $data in /*) ;; *) data="$TOP/$data" ;; esac
RUN="$data/run"
export BACKDROP_DATA_DIR="$data"

# A second instance on the same data folder is refused plainly.
if [ -f "$RUN/nginx.pid" ] && kill -0 "$(cat "$RUN/nginx.pid")" 2>/dev/null; then
	die "Backdrop is already running from $data (nginx pid $(cat "$RUN/nginx.pid")); stop it first (Ctrl-C in its terminal)"
fi
if [ -f "$RUN/programs" ] && read -r _ sup _ < "$RUN/programs" && kill -0 "$sup" 2>/dev/null; then
	die "Backdrop's programs are already running from $data (supervisor pid $sup); stop them first"
fi
if [ "$mode" != workers ] && curl -s -o /dev/null --max-time 2 "http://$HOST:$PORT/" 2>/dev/null; then
	die "port $PORT on $HOST is already in use (another Backdrop?); choose another with PORT=..."
fi
rm -rf "$RUN"
mkdir -p "$RUN/tmp" || die "cannot create $RUN"

cores=$(nproc 2>/dev/null || echo 1)
heavy=$("$BIN/backdrop" conf | sed -n 's/^workers = //p')
[ "${heavy:-0}" -gt 0 ] || heavy=$cores
light=$("$BIN/backdrop" conf | sed -n 's/^light_workers = //p')
maxbody=$("$BIN/backdrop" conf | sed -n 's/^max_upload_bytes = //p')

pids=""         # helpers started by launch.d
supervisors=""  # the multiwatch of each program

# alive PID: succeeds when process PID exists and is not a zombie (a supervisor is not
# our child, so nobody may have reaped it yet).
alive() {
	st=""
	read -r st 2>/dev/null < "/proc/$1/stat" || [ -n "$st" ] || return 1
	case ${st##*) } in Z*|X*|x*) return 1 ;; esac
}
# children PID: sets kids to the pids of PID's child processes.
children() {
	kids=""
	if [ -r "/proc/$1/task/$1/children" ]; then
		read -r kids < "/proc/$1/task/$1/children"
	else
		kids=$(pgrep -P "$1" | tr '\n' ' ')
	fi
}
# Rewrites NAME.pid, the live workers of each program, where they changed. A program
# whose supervisor is gone keeps its last list (workers it may have left behind).
refresh_pids() {
	[ -f "$RUN/programs" ] || return 0
	while read -r name sup _; do
		alive "$sup" || continue
		children "$sup"
		eval "last=\${last_$name:-}"
		[ "$kids" = "$last" ] && [ -f "$RUN/$name.pid" ] && continue
		printf '%s\n' $kids > "$RUN/$name.pid.tmp" && mv -f "$RUN/$name.pid.tmp" "$RUN/$name.pid"
		eval "last_$name=\$kids"
	done < "$RUN/programs"
}

cleanup() {
	trap '' INT TERM; trap - EXIT
	[ -f "$RUN/nginx.pid" ] && kill "$(cat "$RUN/nginx.pid")" 2>/dev/null
	[ -n "${nginx_pid:-}" ] && kill "$nginx_pid" 2>/dev/null
	[ -n "${tick:-}" ] && kill "$tick" 2>/dev/null
	# The supervisors first, so that none replaces a worker stopped here: multiwatch
	# sends SIGTERM on to its workers and exits when they have.
	if [ -n "$supervisors" ]; then
		kill $supervisors 2>/dev/null
		kill -CONT $supervisors 2>/dev/null
	fi
	[ -n "$pids" ] && kill $pids 2>/dev/null
	i=0
	for s in $supervisors; do
		while alive "$s" && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	done
	# Workers a supervisor left behind (one killed before the stop).
	for f in "$RUN"/*.pid; do
		[ -f "$f" ] && [ "$f" != "$RUN/nginx.pid" ] && kill $(cat "$f") 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$RUN"
	echo "backdrop: stopped" >&2
}
trap cleanup EXIT
trap 'exit 0' INT TERM

LOG="$data/backdrop.log"
# multiwatch replaces a worker at once when it dies, whatever killed it (a crash, a
# signal, the OOM killer). A worker that dies within RESPAWN_MS of its start more than
# RESPAWN_TRIES times running is a program that cannot start: multiwatch stops forking
# it (and exits when none of its workers is left), and /health names the program.
RESPAWN_MS=1000
RESPAWN_TRIES=3
: > "$RUN/programs.tmp"
# name:workers for every program that was built (the image programs, update among them
# since it renders a record again, get the heavy count).
for spec in index:$light upload:$heavy update:$heavy remove:$light health:$light \
            image:$light change:$heavy; do
	name=${spec%%:*}; n=${spec#*:}
	[ "$mode" != nginx ] || break
	[ -x "$BIN/$name" ] || continue
	if [ -n "$LISTEN" ]; then
		at=$(port_of "$name" "$LISTEN")
		bind="-a ${at%:*} -p ${at##*:}"
	else
		at="$RUN/$name.sock"
		bind="-s $at -M 0600"
	fi
	# spawn-fcgi binds the socket and starts multiwatch on it (multiwatch keeps it open:
	# nginx's requests wait in its queue while a worker is replaced), and closes the
	# stderr it passes on; the shell gives multiwatch and the workers $LOG as stderr
	# (their log records) before it execs multiwatch.
	spawn-fcgi $bind -P "$RUN/$name.supervisor" -d "$TOP" \
		-- /bin/sh -c 'exec 2>>"$1"; exec "$2" -f "$3" -r "$4" -t "$5" -s TERM -- "$0"' \
		"$BIN/$name" "$LOG" "$MULTIWATCH" "$n" "$RESPAWN_TRIES" "$RESPAWN_MS" >>"$LOG" 2>&1 ||
		die "spawn-fcgi could not start $name (see $LOG)"
	sup=""
	read -r sup < "$RUN/$name.supervisor"
	rm -f "$RUN/$name.supervisor"
	[ -n "$sup" ] || die "spawn-fcgi did not say which process serves $name (see $LOG)"
	supervisors="$supervisors $sup"
	echo "$name $sup $at" >> "$RUN/programs.tmp"
done
if [ "$mode" = nginx ]; then
	rm -f "$RUN/programs.tmp"
else
	mv -f "$RUN/programs.tmp" "$RUN/programs" || die "cannot write $RUN/programs"
	# Other long-running helpers (background job workers) started by later parts.
	for helper in "$TOP"/cgi-bin/launch.d/*.sh; do
		[ -f "$helper" ] || continue
		. "$helper"
	done
fi
if [ "$mode" = workers ]; then
	refresh_pids
	echo "Backdrop's programs are up at ${LISTEN:-$RUN} (data in $data, log in $LOG; Ctrl-C stops them)"
	while :; do
		sleep 1 &
		tick=$!
		wait "$tick"
		refresh_pids
	done
fi

user=""
[ "$(id -u)" = 0 ] && user="user root root;"
cp /etc/nginx/fastcgi_params "$RUN/fastcgi_params" 2>/dev/null ||
	die "nginx's fastcgi_params is missing (run: make deps)"
# The source of the version now running (AGPL-3.0 section 13), as `make` built it; a
# copy, so a rebuild while this runs does not change what /source.tar.gz answers.
cp "$BIN/source.tar.gz" "$RUN/source.tar.gz" 2>/dev/null ||
	echo "backdrop: $BIN/source.tar.gz is missing (run: make); /source.tar.gz will be 404" >&2
# The body cap in words, for nginx's own 413 page.
if [ "$maxbody" -ge 1048576 ]; then maxwords="$((maxbody / 1048576)) MB"; else maxwords="$((maxbody / 1024)) KB"; fi
# Each program's upstream group: the hosts of UPSTREAMS, or this host's own programs
# on TCP (LISTEN), in place of its unix socket.
: > "$RUN/upstreams.sed"
for name in $ORDER; do
	list=""
	for up in ${UPSTREAMS:-$LISTEN}; do list="$list server $(port_of "$name" "$up");"; done
	[ -z "$list" ] || echo "s#server unix:@RUN@/$name.sock;#${list# }#" >> "$RUN/upstreams.sed"
done
sed -f "$RUN/upstreams.sed" -e "s#@USER@#$user#" -e "s#@RUN@#$RUN#g" -e "s#@ROOT@#$TOP#g" -e "s#@SOURCE@#$RUN/source.tar.gz#" \
    -e "s#@LISTEN@#$HOST:$PORT#" -e "s#@MAX_BODY@#$maxbody#" -e "s#@MAX_BODY_WORDS@#$maxwords#" \
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
refresh_pids
echo "Backdrop is up at http://$HOST:$PORT/  (data in $data, log in $LOG; Ctrl-C stops it)"
# Until nginx ends (or a signal): keep the workers' pid files current.
while alive "$nginx_pid"; do
	sleep 1 &
	tick=$!
	wait "$tick"
	refresh_pids
done
wait "$nginx_pid"
