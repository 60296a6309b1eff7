#!/bin/sh
# make install and make uninstall: a Debian-style staged install (PREFIX=/usr, DESTDIR)
# holds every part and lists exactly what it wrote; nginx with the installed site file
# and the programs started as the installed systemd units say pass the smoke flows from
# that tree; systemd-analyze verify accepts the units; uninstall removes exactly what
# was installed, keeps an edited conf and never touches the data.
. tests/lib.sh
. tests/smoke_lib.sh

R="$T/root"
RUN="$T/run"
STATE="$T/state"
mkdir -p "$RUN/tmp" "$STATE"
pids=""
stop_all() {
	[ -f "$RUN/nginx.pid" ] && kill "$(cat "$RUN/nginx.pid")" 2>/dev/null
	for f in "$RUN"/*.supervisor; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
	[ -n "$pids" ] && kill $pids 2>/dev/null
	i=0
	while [ $i -lt 100 ] && pgrep -f "$T/" >/dev/null 2>&1; do sleep 0.05; i=$((i + 1)); done
	pkill -KILL -f "$T/" 2>/dev/null
	_cleanup
}
trap stop_all EXIT
mk() { (cd "$TOP" && make -s --no-print-directory BUILD="$BUILD" "$@"); }

# --- the staged install ---
mk install DESTDIR="$R" PREFIX=/usr > "$T/install.out" 2>&1
is "$?" 0 "make install DESTDIR=... PREFIX=/usr succeeds"
M="$R/usr/share/backdrop/install-manifest"
for f in /usr/bin/backdrop /usr/lib/backdrop/cgi-bin/index /usr/lib/backdrop/cgi-bin/upload \
         /usr/lib/backdrop/cgi-bin/update /usr/lib/backdrop/cgi-bin/remove /usr/lib/backdrop/cgi-bin/health \
         /usr/lib/backdrop/cgi-bin/image /usr/lib/backdrop/cgi-bin/change; do
	ok "installs $f (executable)" test -x "$R$f"
done
for f in /usr/share/backdrop/www/style.css /usr/share/backdrop/source.tar.gz \
         /etc/backdrop/backdrop.conf /etc/backdrop/backdrop.conf.example \
         /etc/nginx/sites-available/backdrop /etc/logrotate.d/backdrop \
         /usr/lib/systemd/system/backdrop.target /usr/lib/systemd/system/backdrop-worker.service \
         /usr/lib/systemd/system/backdrop-purge.service /usr/lib/systemd/system/backdrop-purge.timer \
         /usr/lib/sysusers.d/backdrop.conf /usr/lib/tmpfiles.d/backdrop.conf \
         /usr/share/doc/backdrop/LICENSE /usr/share/doc/backdrop/README.md; do
	ok "installs $f" test -s "$R$f"
done
n=0
for p in index upload update remove health image change; do
	[ -f "$R/usr/lib/systemd/system/backdrop-$p.socket" ] && [ -f "$R/usr/lib/systemd/system/backdrop-$p.service" ] &&
		n=$((n + 1))
done
is "$n" 7 "a socket and a service unit for each of the 7 programs"
if [ -f "$TOP/model/isnet-medium.onnx" ]; then
	ok "installs the model" cmp "$TOP/model/isnet-medium.onnx" "$R/usr/share/backdrop/model/isnet-medium.onnx"
	ok "and its runtime's licence" test -s "$R/usr/share/doc/backdrop/licenses/onnxruntime-LICENSE"
fi
like "$(cat "$R/etc/backdrop/backdrop.conf")" "data_dir = /var/lib/backdrop" "the conf keeps its data in /var/lib/backdrop"
(cd "$R" && find . -type f | sed 's/^\.//' | grep -vx /usr/share/backdrop/install-manifest | sort) > "$T/files"
sed -n 's/^[fc] //p' "$M" | sort > "$T/listed"
ok "the manifest lists exactly the files installed" cmp "$T/files" "$T/listed"
(cd "$R" && find . -mindepth 1 -type d | sed 's/^\.//' | sort) > "$T/dirs"
sed -n 's/^d //p' "$M" | sort > "$T/dlisted"
ok "and exactly the folders it made" cmp "$T/dirs" "$T/dlisted"

# --- systemd-analyze verify, on an install whose paths exist (PREFIX in the test folder) ---
if command -v systemd-analyze >/dev/null 2>&1; then
	mk install PREFIX="$T/prefix" STATEDIR="$STATE" > /dev/null 2>&1
	U="$T/prefix/lib/systemd/system"
	out=$(cd "$U" && systemd-analyze verify backdrop.target backdrop-*.service backdrop-*.socket backdrop-purge.timer 2>&1)
	rc=$?
	is "$rc" 0 "systemd-analyze verify accepts the units"
	is "$out" "" "without a warning"
	[ -n "$out" ] && echo "$out" | sed 's/^/#   /'
	# And it is not blind: a unit with a bad value fails.
	sed 's/^Restart=always/Restart=sometimes/' "$U/backdrop-index.service" > "$T/backdrop-bad.service"
	ok "it reports a broken unit" sh -c "cd '$U' && systemd-analyze verify '$T/backdrop-bad.service' 2>&1 | grep -q 'restart specifier'"
	mk uninstall PREFIX="$T/prefix" STATEDIR="$STATE" > /dev/null 2>&1
	is "$(find "$T/prefix" -mindepth 1 | wc -l | tr -d ' ')" 0 "uninstall from a prefix leaves nothing there"
else
	echo "ok $((_n + 1)) # skip systemd-analyze is not installed"; _n=$((_n + 1))
fi
if command -v logrotate >/dev/null 2>&1; then
	# The snippet as logrotate reads it (su to the invoking user: no backdrop user here).
	sed "s#/var/log/backdrop#$T/log#; s/su backdrop adm/su $(id -un) $(id -gn)/" "$R/etc/logrotate.d/backdrop" > "$T/lr.conf"
	mkdir -p "$T/log"; echo line > "$T/log/backdrop.log"
	ok "logrotate accepts the snippet" logrotate -d -s "$T/lr.state" "$T/lr.conf"
fi

# --- run from the staged tree: the installed paths mapped into it ---
# map: Backdrop's paths under /usr and /etc into the staging root (not the host's
# multiwatch), the run, state and log folders into the test's.
map() { sed -E -e "s#/usr/(bin|lib|share)/backdrop#$R/usr/\1/backdrop#g" -e "s#/etc/backdrop#$R/etc/backdrop#g" \
            -e "s#/run/backdrop#$RUN#g" -e "s#/var/lib/backdrop#$STATE#g" -e "s#/var/log/backdrop#$T/log#g" "$@"; }
# The administrator's edits of the installed conf: its folders mapped as above, the
# classical engine, and on PostgreSQL the database.
map "$R/etc/backdrop/backdrop.conf" | sed 's/^cutout_model = .*/cutout_model = none/' > "$T/conf" &&
	cat "$T/conf" > "$R/etc/backdrop/backdrop.conf"
[ "$STORE" = sqlite ] || echo "database_url = $(store_url "$STATE")" >> "$R/etc/backdrop/backdrop.conf"
like "$(cat "$R/etc/backdrop/backdrop.conf")" "data_dir = $STATE" "the data goes to the test's folder"
ok "backdrop init runs from the tree" env $(map "$R/usr/lib/systemd/system/backdrop-worker.service" |
	sed -n 's/^Environment=//p') "$R/usr/bin/backdrop" init
for p in index upload update remove health image change; do
	u="$R/usr/lib/systemd/system/backdrop-$p"
	sock=$(map "$u.socket" | sed -n 's/^ListenStream=//p')
	envs=$(map "$u.service" | sed -n 's/^Environment=//p')
	cmd=$(map "$u.service" | sed -n 's/^ExecStart=//p')
	wd=$(map "$u.service" | sed -n 's/^WorkingDirectory=//p')
	# What systemd does with the socket unit: bind it and pass it as standard input.
	(cd "$wd" && env $envs spawn-fcgi -s "$sock" -M 0600 -P "$RUN/$p.supervisor" -- $cmd >> "$T/spawn.log" 2>&1)
done
wenv=$(map "$R/usr/lib/systemd/system/backdrop-worker.service" | sed -n 's/^Environment=//p')
wcmd=$(map "$R/usr/lib/systemd/system/backdrop-worker.service" | sed -n 's/^ExecStart=//p')
(cd "$STATE" && exec env $wenv $wcmd 2>> "$T/worker.log") &
pids="$pids $!"
PORT=$(free_port)
unlike "$(grep -o '@[A-Z_]*@' "$R/etc/nginx/sites-available/backdrop")" "@" \
	"the installed site file has every placeholder filled in"
map "$R/etc/nginx/sites-available/backdrop" | sed "s#listen 80;#listen 127.0.0.1:$PORT;#" > "$RUN/site.conf"
cp /etc/nginx/fastcgi_params "$RUN/"
user=""; [ "$(id -u)" = 0 ] && user="user root root;"
cat > "$RUN/nginx.conf" <<NGINX
$user
pid $RUN/nginx.pid;
error_log $RUN/error.log warn;
events { worker_connections 1024; }
http {
	include /etc/nginx/mime.types;
	default_type application/octet-stream;
	access_log $RUN/access.log;
	client_body_temp_path $RUN/tmp/body;
	fastcgi_temp_path $RUN/tmp/fastcgi;
	proxy_temp_path $RUN/tmp/proxy;
	uwsgi_temp_path $RUN/tmp/uwsgi;
	scgi_temp_path $RUN/tmp/scgi;
	include $RUN/site.conf;
}
NGINX
NGINX_BIN=$(command -v nginx || echo /usr/sbin/nginx)
"$NGINX_BIN" -p "$RUN" -c "$RUN/nginx.conf" -e "$RUN/error.log" 2>> "$RUN/error.log"
is "$?" 0 "nginx starts with the installed site file"
B="http://127.0.0.1:$PORT"
i=0
until curl -s -o /dev/null "$B/health" || [ $i -gt 100 ]; do sleep 0.1; i=$((i + 1)); done
KEY=$(env $wenv "$R/usr/bin/backdrop" key add smoke 2>/dev/null)
like "$KEY" '^bdk_' "the installed backdrop command makes an API key"
smoke "$B" "$KEY"
is "$(curl -s -o "$T/src.tgz" -w '%{http_code}' "$B/source.tar.gz")" 200 "/source.tar.gz is served from the tree"
ok "it is the installed archive" cmp "$T/src.tgz" "$R/usr/share/backdrop/source.tar.gz"
ok "the job worker runs" kill -0 $pids
ok "the data is where the conf says" store_made "$STATE"
stop_all_services() {
	kill "$(cat "$RUN/nginx.pid")" 2>/dev/null
	for f in "$RUN"/*.supervisor; do kill "$(cat "$f")" 2>/dev/null; done
	kill $pids 2>/dev/null
}
stop_all_services

# --- uninstall: exactly what was installed, the edited conf and the data kept ---
mk uninstall DESTDIR="$R" PREFIX=/usr > "$T/uninstall.out" 2>&1
is "$?" 0 "make uninstall succeeds"
like "$(cat "$T/uninstall.out")" "kept /etc/backdrop/backdrop.conf" "it keeps the edited conf and says so"
is "$(cd "$R" && find . -type f | sed 's/^\.//')" /etc/backdrop/backdrop.conf "nothing else is left"
is "$(cd "$R" && find . -mindepth 1 -type d | sed 's/^\.//' | sort | tr '\n' ' ')" "/etc /etc/backdrop " \
	"and no folder but the one holding it"
ok "the data is untouched" store_made "$STATE"
nok "a second uninstall finds nothing to remove" mk uninstall DESTDIR="$R" PREFIX=/usr
