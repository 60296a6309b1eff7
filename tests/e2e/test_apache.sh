#!/bin/sh
# Backdrop as a shared host runs it: `make shared-host` lays out the shipped document
# root (apache/public_html), and Apache, started as the invoking user on a free loopback
# port with a generated configuration (the host's part: modules, AllowOverride), serves
# it as plain CGI and then under mod_fcgid. Each passes the smoke flows, keeps conf/, the
# database and the secret from being downloaded, lists no folder, caps the body, sets
# the static pages' headers, and cron's `backdrop worker --once` and `purge` work.
. tests/lib.sh
. tests/smoke_lib.sh

APACHE=$(command -v apache2 || echo /usr/sbin/apache2)
MODS=/usr/lib/apache2/modules
if [ ! -x "$APACHE" ] || [ ! -f "$MODS/mod_fcgid.so" ]; then
	if [ -n "${CI:-}" ]; then _report 1 "apache2 and libapache2-mod-fcgid are installed (make deps)"; exit 1; fi
	echo "ok 1 # skip apache2 or libapache2-mod-fcgid is not installed (make deps)"; exit 0
fi
chmod 0755 "$T"
SITE="$T/site"
(cd "$TOP" && make -s --no-print-directory BUILD="$BUILD" shared-host DEST="$SITE") > "$T/assemble.out" 2>&1
is "$?" 0 "make shared-host lays out the site"
DOC="$SITE/public_html"
DATA="$SITE/backdrop-data"
for f in .htaccess cgi-bin/.htaccess cgi-bin/conf/.htaccess cgi-bin/conf/backdrop.conf source.tar.gz style.css \
         cgi-bin/index cgi-bin/upload cgi-bin/change; do
	ok "the document root has $f" test -s "$DOC/$f"
done
like "$(cat "$DOC/cgi-bin/conf/backdrop.conf")" "cutout_model = none" "the shared-host default is the classical engine"
# On PostgreSQL the account's settings name its database.
[ "$STORE" = sqlite ] || echo "database_url = $(store_url "$DATA")" >> "$DOC/cgi-bin/conf/backdrop.conf"
# What an account owner runs once: check the settings, create the data folder and a key.
bd() { (cd "$DOC/cgi-bin" && env -u BACKDROP_CUTOUT_MODEL "$SITE/bin/backdrop" "$@"); }
ok "backdrop init from cgi-bin/ (as cron will run it)" bd init
ok "the data folder is outside the document root" test -s "$DATA/secret"
ok "the store is made" store_made "$DATA"
KEY=$(bd key add smoke 2>/dev/null)
like "$KEY" '^bdk_' "an API key is made"
SECRET=$(cat "$DATA/secret")

# Apache refuses to serve as root: run its children (and so the programs) as nobody,
# who may read the tree (mode 0755 folders) and owns the data folder, as an account
# owner's CGI scripts run as that owner.
run_as=""
if [ "$(id -u)" = 0 ]; then
	run_as="User nobody
Group nogroup"
	chown -R nobody:nogroup "$DATA"
fi
AP="$T/apache"
mkdir -p "$AP"
[ "$(id -u)" = 0 ] && chown nobody:nogroup "$AP"
APID=""
apache_stop() {
	[ -n "$APID" ] || return 0
	kill -TERM "$APID" 2>/dev/null
	i=0; while kill -0 "$APID" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	APID=""
}
trap 'apache_stop; _cleanup' EXIT

# apache_start MODE (cgi or fcgid): the host's configuration, then Apache in the
# foreground (in the background of this test). Sets B.
apache_start() {
	PORT=$(free_port)
	B="http://127.0.0.1:$PORT"
	if [ "$1" = fcgid ]; then
		handler="LoadModule fcgid_module $MODS/mod_fcgid.so
FcgidIPCDir $AP/fcgid
FcgidProcessTableFile $AP/fcgid_shm
FcgidMaxRequestLen 26214400
FcgidIOTimeout 120
FcgidMaxProcessesPerClass 2"
		mkdir -p "$AP/fcgid"; [ "$(id -u)" = 0 ] && chown nobody:nogroup "$AP/fcgid"
	else
		handler="LoadModule cgid_module $MODS/mod_cgid.so
ScriptSock $AP/cgid.sock"
	fi
	cat > "$AP/httpd.conf" <<CONF
ServerRoot $AP
ServerName 127.0.0.1
Listen 127.0.0.1:$PORT
PidFile $AP/httpd.pid
ErrorLog $AP/error.log
LogLevel warn
$run_as
LoadModule mpm_event_module $MODS/mod_mpm_event.so
LoadModule authz_core_module $MODS/mod_authz_core.so
LoadModule mime_module $MODS/mod_mime.so
LoadModule dir_module $MODS/mod_dir.so
LoadModule autoindex_module $MODS/mod_autoindex.so
LoadModule rewrite_module $MODS/mod_rewrite.so
LoadModule headers_module $MODS/mod_headers.so
$handler
TypesConfig /etc/mime.types
DocumentRoot $DOC
<Directory />
	AllowOverride None
	Require all denied
</Directory>
<Directory $DOC>
	AllowOverride All
	Require all granted
</Directory>
CONF
	"$APACHE" -f "$AP/httpd.conf" -DFOREGROUND 2>> "$AP/error.log" &
	APID=$!
	i=0
	until curl -s -o /dev/null "$B/health" || [ $i -gt 100 ]; do
		kill -0 "$APID" 2>/dev/null || break
		sleep 0.1; i=$((i + 1))
	done
	kill -0 "$APID" 2>/dev/null
}

for mode in cgi fcgid; do
	apache_start $mode
	is "$?" 0 "[$mode] Apache starts with the document root's .htaccess files"
	smoke "$B" "$KEY"
	# What must not be downloadable, with every spelling that reaches it.
	for u in /cgi-bin/conf/backdrop.conf /cgi-bin/conf/ /cgi-bin/ /cgi-bin/index /.htaccess \
	         /cgi-bin/.htaccess /cgi-bin/conf/.htaccess /%63gi-bin/conf/backdrop.conf /conf/backdrop.conf \
	         /backdrop-data/secret /../backdrop-data/secret /../backdrop-data/backdrop.db /backdrop.db /secret; do
		c=$(curl -s --path-as-is -o "$T/dl" -w '%{http_code}' "$B$u")
		like "$c" '^(400|403|404)$' "[$mode] $u is refused ($c)"
		if grep -q -e "$SECRET" -e "SQLite format 3" -e "data_dir" "$T/dl"; then
			_report 1 "[$mode] $u leaks nothing"
		else
			_report 0 "[$mode] $u leaks nothing"
		fi
	done
	is "$(curl -s -o /dev/null -w '%{http_code}' "$B/filter")" 200 "[$mode] /filter is the filter page"
	curl -s -D "$T/sh" -o /dev/null "$B/style.css"
	is "$(header X-Content-Type-Options "$T/sh")" nosniff "[$mode] static files have nosniff"
	is "$(header X-Frame-Options "$T/sh")" DENY "[$mode] and X-Frame-Options"
	like "$(header Content-Security-Policy "$T/sh")" "frame-ancestors 'none'" "[$mode] and the CSP"
	is "$(curl -s -o "$T/src" -w '%{http_code}' "$B/source.tar.gz")" 200 "[$mode] /source.tar.gz is served"
	ok "[$mode] it is the running version's source" cmp "$T/src" "$TOP/$BUILD/source.tar.gz"
	head -c 27000000 /dev/zero > "$T/big"
	is "$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/octet-stream' \
		--data-binary @"$T/big" "$B/api/change")" 413 "[$mode] a body over the cap is 413"
	is "$(curl -s "$B/health" | python3 -c 'import json,sys; print(json.load(sys.stdin)["checks"]["model"])')" \
		none "[$mode] /health names the classical engine (no model to load per request)"
	# Under mod_fcgid the programs stay running between requests; as CGI each one ends.
	if [ $mode = fcgid ]; then
		ok "[$mode] the programs run as FastCGI processes" pgrep -f "$DOC/cgi-bin/health"
	else
		nok "[$mode] the programs run per request (none is left running)" pgrep -f "$DOC/cgi-bin/"
	fi
	apache_stop
done

# Cron's part, no daemon: jobs and retention.
out=$(bd worker --once 2>&1)
is "$?" 0 "cron's backdrop worker --once runs from cgi-bin/"
like "$out" "jobs? handled" "and says what it did"
out=$(bd purge 2>&1)
is "$?" 0 "cron's backdrop purge runs"
like "$out" "^purged 0 records" "and finds nothing to purge yet"
[ "$(id -u)" = 0 ] && chown -R nobody:nogroup "$DATA"
