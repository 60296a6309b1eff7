# store_lib.sh: the store the suite runs on, STORE=sqlite (the default: each data folder
# holds its backdrop.db) or STORE=postgres (one PostgreSQL server for the whole run,
# started by tests/run.sh in the temporary folder, and one empty database per data
# folder, made on first use). tests/run.sh and tests/lib.sh source it.
STORE=${STORE:-sqlite}
export STORE
case $STORE in
sqlite|postgres) ;;
*) echo "STORE must be sqlite or postgres, not '$STORE'" >&2; exit 2 ;;
esac
# The bootstrap superuser of the test server; programs connect as it.
STORE_PGUSER=backdrop
# Who owns and runs the server when the suite runs as root.
_pg_owner=postgres
id -u "$_pg_owner" >/dev/null 2>&1 || _pg_owner=nobody

# pg_bin PROGRAM: the path of a PostgreSQL server program (initdb, pg_ctl, postgres),
# which Debian keeps out of PATH in /usr/lib/postgresql/VERSION/bin.
pg_bin() {
	_d=$(pg_config --bindir 2>/dev/null)
	[ -x "$_d/$1" ] || _d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	echo "$_d/$1"
}

# pg_as COMMAND...: runs COMMAND as the server's owner: an unprivileged system user
# (Debian's postgres) when the suite runs as root, since PostgreSQL refuses to run as
# root; the invoking user otherwise.
pg_as() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid="$_pg_owner" --regid="$_pg_owner" --init-groups "$@"
	else
		"$@"
	fi
}

# store_start: under STORE=postgres, a fresh server in $TMPROOT/pg: initdb with trust
# authentication for the bootstrap user, a unix socket in that folder and no TCP, no
# fsync (a test server's data need not survive a power cut). Exports STORE_PGHOST (the
# socket folder). Does nothing under STORE=sqlite. Returns non-zero if it did not start.
# The server is started on "-D data" from its folder, so that its command line does not
# hold the build folder's path (tests look for programs left running by that path).
store_start() {
	[ "$STORE" = postgres ] || return 0
	STORE_PGHOST="$TMPROOT/pg"
	export STORE_PGHOST
	mkdir -p "$STORE_PGHOST/made"
	[ "$(id -u)" = 0 ] && chown "$_pg_owner" "$STORE_PGHOST"
	pg_as "$(pg_bin initdb)" -D "$STORE_PGHOST/data" -U "$STORE_PGUSER" -A trust -E UTF8 \
		--no-locale --no-sync --no-instructions > "$STORE_PGHOST/initdb.log" 2>&1 || {
		echo "initdb failed:" >&2; cat "$STORE_PGHOST/initdb.log" >&2; return 1; }
	echo "local all all trust" > "$STORE_PGHOST/data/pg_hba.conf"
	cat >> "$STORE_PGHOST/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$STORE_PGHOST'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
	(cd "$STORE_PGHOST" && pg_as "$(pg_bin pg_ctl)" start -w -t 600 -D data -l server.log) \
		> /dev/null 2>&1 || {
		echo "PostgreSQL did not start:" >&2; cat "$STORE_PGHOST/server.log" >&2; return 1; }
}

# store_stop: stops the server store_start started (a fast shutdown: sessions end,
# nothing is waited for); safe to call more than once, and when none runs.
store_stop() {
	[ "$STORE" = postgres ] && [ -f "${STORE_PGHOST:-/nonexistent}/data/postmaster.pid" ] || return 0
	(cd "$STORE_PGHOST" && pg_as "$(pg_bin pg_ctl)" stop -w -t 600 -m fast -D data) > /dev/null 2>&1
}

# store_db DATA: the name of the database of data folder DATA (a short hash of its
# absolute path), made empty on first use. Under STORE=sqlite, nothing.
store_db() {
	[ "$STORE" = postgres ] || return 0
	: "${STORE_PGHOST:?STORE=postgres needs the server tests/run.sh starts (make test STORE=postgres)}"
	_name=bd_$(realpath -m -- "$1" | md5sum | cut -c 1-16)
	if [ ! -e "$STORE_PGHOST/made/$_name" ]; then
		# Calls at once (parallel uploads) take turns; one makes it.
		flock "$STORE_PGHOST/made" sh -c '[ -e "$1/made/$3" ] ||
			{ createdb -h "$1" -U "$2" -T template0 "$3" && : > "$1/made/$3"; }' \
			sh "$STORE_PGHOST" "$STORE_PGUSER" "$_name" >&2 || return 1
	fi
	echo "$_name"
}

# store_url DATA: the database_url of data folder DATA: under STORE=postgres its own
# database on the test server; under STORE=sqlite nothing (the default, DATA/backdrop.db).
store_url() {
	[ "$STORE" = postgres ] || return 0
	_db=$(store_db "$1") || return 1
	echo "postgresql:///$_db?host=$STORE_PGHOST&user=$STORE_PGUSER"
}

# data_env DATA: exports BACKDROP_DATA_DIR=DATA and, under STORE=postgres,
# BACKDROP_DATABASE_URL naming DATA's own database, in the calling shell (call it in a
# subshell, or use with_data). Every program a test starts (CGI, the launcher, the
# backdrop command, Apache's conf) gets its store from here.
data_env() {
	BACKDROP_DATA_DIR=$1
	export BACKDROP_DATA_DIR
	[ "$STORE" = postgres ] || return 0
	BACKDROP_DATABASE_URL=$(store_url "$1") || return 1
	export BACKDROP_DATABASE_URL
}

# with_data DATA PROGRAM ARG...: runs PROGRAM (not a shell function) on data folder DATA.
with_data() (
	data_env "$1" || exit 1
	shift
	exec "$@"
)

# db_sql DATA SQL: runs SQL on the store of data folder DATA and prints the rows as the
# sqlite3 shell does: one a line, columns joined by |, NULL empty. SQL that tests use
# on both backends keeps to what both understand (CAST(x AS INTEGER) for a truth value,
# no group_concat or date functions: join rows with paste, compute dates in the shell).
db_sql() {
	if [ "$STORE" = postgres ]; then
		_db=$(store_db "$1") || return 1
		psql -X -A -t -q -v ON_ERROR_STOP=1 -F '|' -h "$STORE_PGHOST" -U "$STORE_PGUSER" -d "$_db" -c "$2"
	else
		sqlite3 "$1/backdrop.db" "$2"
	fi
}

# store_made DATA: passes when the store of DATA holds the schema (the programs made it).
store_made() {
	[ "$(db_sql "$1" "SELECT count(*) FROM schema_migrations" 2>/dev/null)" -gt 0 ] 2>/dev/null
}

# db_intact DATA: prints ok when the store of DATA passes its engine's own check:
# PRAGMA integrity_check on SQLite, pg_amcheck (tables and indexes) on PostgreSQL.
db_intact() {
	if [ "$STORE" = postgres ]; then
		_db=$(store_db "$1") || return 1
		"$(pg_bin pg_amcheck)" -h "$STORE_PGHOST" -U "$STORE_PGUSER" -d "$_db" --install-missing \
			--heapallindexed > /dev/null 2>&1 && echo ok || echo "pg_amcheck failed"
	else
		sqlite3 "$1/backdrop.db" "PRAGMA integrity_check"
	fi
}

# sqlite_only REASON: under STORE=postgres, prints one skip line (TAP) for what follows
# (checks of the SQLite file itself) and returns non-zero; under STORE=sqlite, returns 0.
# A test ends with `sqlite_only REASON || exit 0`, or guards a block with `if`.
sqlite_only() {
	[ "$STORE" = postgres ] || return 0
	_n=$((${_n:-0} + 1))
	echo "ok $_n # skip on PostgreSQL: $1"
	return 1
}

# db_dump DATA [TABLE...]: every row of the store of DATA (or of those tables) as text,
# the same while nothing changes: sqlite3's .dump, or pg_dump's data with the lines
# sorted (PostgreSQL may move a row that an update left as it was) and without the
# random key of its \restrict lines.
db_dump() {
	_dd=$1; shift
	if [ "$STORE" = postgres ]; then
		_db=$(store_db "$_dd") || return 1
		_tables=""
		for _t in "$@"; do _tables="$_tables -t $_t"; done
		pg_dump -h "$STORE_PGHOST" -U "$STORE_PGUSER" --data-only $_tables "$_db" |
			grep -Ev '^\\(un)?restrict ' | sort
	else
		sqlite3 "$_dd/backdrop.db" ".dump $*"
	fi
}

# db_lock DATA: holds the store of DATA locked against writers until db_unlock (one at
# a time): SQLite's BEGIN EXCLUSIVE, or on PostgreSQL a session holding every table in
# ACCESS EXCLUSIVE mode. Returns non-zero if the lock was not taken.
db_lock() {
	_lk=$(mktemp -d "$TMPROOT/lock.XXXXXX")
	if [ "$STORE" = postgres ]; then
		_db=$(store_db "$1") || return 1
		mkfifo "$_lk/in"
		psql -X -q -v ON_ERROR_STOP=1 -h "$STORE_PGHOST" -U "$STORE_PGUSER" -d "$_db" \
			< "$_lk/in" > "$_lk/out" 2>&1 &
		_lkpid=$!
		exec 9> "$_lk/in"
		printf '%s\n' "BEGIN;" "LOCK TABLE records, images, api_keys, jobs, key_usage, key_rate, users IN ACCESS EXCLUSIVE MODE;" \
			"\\! touch '$_lk/held'" >&9
	else
		python3 - "$1/backdrop.db" "$_lk/held" <<'PY' &
import sqlite3, sys, time, os
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
open(sys.argv[2], 'w').close()
while os.path.exists(sys.argv[2]): time.sleep(0.05)
c.execute("ROLLBACK")
PY
		_lkpid=$!
	fi
	while [ ! -e "$_lk/held" ]; do
		kill -0 "$_lkpid" 2>/dev/null || { cat "$_lk/out" 2>/dev/null >&2; return 1; }
		sleep 0.05
	done
}
# db_unlock: ends what db_lock holds and waits for it.
db_unlock() {
	if [ "$STORE" = postgres ]; then
		echo "ROLLBACK;" >&9
		exec 9>&-
	fi
	rm -f "$_lk/held"
	wait "$_lkpid"
	rm -rf "$_lk"
}

# ago WHEN: a time in the past (date -d's words: "100 days", "25 hours") as the store
# writes times (UTC, YYYY-MM-DD HH:MM:SS); dates are its first 10 characters.
ago() { date -u -d "$1 ago" '+%Y-%m-%d %H:%M:%S'; }
