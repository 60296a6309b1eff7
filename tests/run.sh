#!/bin/sh
# Runs the whole suite: C unit tests, fuzz corpus replays, the programs as CGI, the
# service end to end through nginx, and the pages in headless Chromium. Every test
# prints TAP lines ("ok N - ..." / "not ok N - ..."); this adds them up and ends with
# one line "N passed, N failed". Exits non-zero if anything failed or crashed.
set -u
BUILD=${BUILD:-build/rel}
export BUILD
TOP=$(pwd)
export TOP
# The classical engine for every test (unit tests, the command line, CGI, and the
# service the e2e and browser tests launch): the suite makes hundreds of cutouts that
# test everything but the segmentation itself, and the network costs seconds each (and
# ~9 s to load in every process). The tests written for the network turn it on.
BACKDROP_CUTOUT_MODEL=none
export BACKDROP_CUTOUT_MODEL
TMPROOT="$TOP/$BUILD/tmp"
# A PostgreSQL server an interrupted run left behind (its pid file names it, and it
# runs in this folder): an immediate shutdown.
pgpid=$(head -n 1 "$TMPROOT/pg/data/postmaster.pid" 2>/dev/null)
[ -n "$pgpid" ] && [ "$(readlink "/proc/$pgpid/cwd")" = "$TMPROOT/pg/data" ] && kill -QUIT "$pgpid"
rm -rf "$TMPROOT"; mkdir -p "$TMPROOT"
export TMPROOT
# The store (STORE=sqlite or postgres, tests/store_lib.sh): under postgres one server
# for the whole run, stopped at the end and when the run is interrupted.
. tests/store_lib.sh
trap 'store_stop' EXIT
trap 'exit 130' INT TERM
store_start || exit 1
if [ "$STORE" = postgres ]; then
	echo "store: PostgreSQL $("$(pg_bin postgres)" --version | sed 's/^[^)]*) //'), a server of this run's own (socket in $STORE_PGHOST)"
else
	echo "store: SQLite $(sqlite3 --version | cut -d ' ' -f 1), a file in each test's data folder"
fi
LOG="$TMPROOT/suite.log"
: > "$LOG"
passed=0; failed=0

# Runs one test file (any executable or script), counting its TAP lines. A test that
# exits non-zero without reporting a failure counts as one failure (a crash).
run_one() {
	name=$1; shift
	out="$TMPROOT/out.$$"
	"$@" > "$out" 2>> "$LOG"
	rc=$?
	p=$(grep -c '^ok ' "$out")
	f=$(grep -c '^not ok ' "$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name exited with status $rc" >> "$out"
	fi
	passed=$((passed + p)); failed=$((failed + f))
	status="ok"; [ "$f" -gt 0 ] && status="FAIL"
	printf '%-40s %4d passed %3d failed  %s\n' "$name" "$p" "$f" "$status"
	if [ "$f" -gt 0 ]; then grep -A3 '^not ok' "$out" | sed 's/^/    /'; fi
	{ echo "== $name"; cat "$out"; } >> "$LOG"
	rm -f "$out"
}

# TESTS=pattern runs only the tests whose name (as printed below) contains it.
only=${TESTS:-}
want() { [ -z "$only" ] || case "$1" in *$only*) return 0;; *) return 1;; esac; }

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue; want "unit/$(basename "$t")" || continue
	# Each on a store of its own (under STORE=postgres, an empty database).
	run_one "unit/$(basename "$t")" with_data "$TMPROOT/unit-$(basename "$t")" "$t"
done
for t in "$BUILD"/fuzz/fuzz_*; do
	[ -x "$t" ] || continue; want "fuzz/$(basename "$t")" || continue
	n=$(basename "$t")
	run_one "fuzz/$n" "$t" tests/fuzz/corpus/"${n#fuzz_}"
done
for t in tests/cli/*.sh tests/cgi/*.sh tests/e2e/*.sh; do
	[ -f "$t" ] || continue; want "$t" || continue
	run_one "$t" sh "$t"
done
for t in tests/browser/*.mjs; do
	[ -f "$t" ] || continue; want "$t" || continue
	[ "$(basename "$t")" = lib.mjs ] && continue
	run_one "$t" node "$t"
done

# Nothing may be left running (the store's server is stopped first).
store_stop
left=$(pgrep -f "$TOP/$BUILD/" 2>/dev/null | wc -l)
if [ "$left" -gt 0 ]; then
	failed=$((failed + 1)); echo "not ok - $left processes left running"; pkill -f "$TOP/$BUILD/"
fi
echo "(full output: $LOG)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
