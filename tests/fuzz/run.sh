#!/bin/sh
# Runs every libFuzzer harness built by `make fuzz` (BUILD/fuzz/fuzz_*) for FUZZ_SECONDS
# each, at the lowest CPU priority, from its seeds (tests/fuzz/corpus/NAME, read only)
# and its dictionary (tests/fuzz/NAME.dict, when there is one). New inputs go to
# BUILD/fuzz-work/corpus/NAME, crashes, leaks and timeouts to BUILD/fuzz-work/crashes/
# and the log to BUILD/fuzz-work/NAME.log. FUZZ_ONLY=pattern runs only the harnesses
# whose name contains it; FUZZ_JOBS=N runs N harnesses at a time (one per core).
# Prints one line per harness (executions, new inputs, findings) and exits non-zero
# when anything was found: keep each finding as a seed in tests/fuzz/corpus/NAME once
# it is fixed, so that `make test` replays it.
set -u
BUILD=${BUILD:-build/fuzz}
SECONDS_EACH=${FUZZ_SECONDS:-60}
WORK="$BUILD/fuzz-work"

# One harness: run.sh --one BIN. Prints its line; exits 1 on a finding.
if [ "${1:-}" = "--one" ]; then
	bin=$2
	name=$(basename "$bin")
	short=${name#fuzz_}
	mkdir -p "$WORK/corpus/$short"
	dict=""
	[ -f "tests/fuzz/$short.dict" ] && dict="-dict=tests/fuzz/$short.dict"
	before=$(ls "$WORK/crashes" | grep -c "^$short-")
	# -timeout: an input that takes 10 s is a finding (a cost bomb), as is one that
	# needs over 2 GB (-rss_limit_mb, and -malloc_limit_mb for one allocation).
	nice -n 19 "$bin" -max_total_time="$SECONDS_EACH" -print_final_stats=1 -timeout=10 \
		-rss_limit_mb=2048 -artifact_prefix="$WORK/crashes/$short-" $dict \
		"$WORK/corpus/$short" "tests/fuzz/corpus/$short" > "$WORK/$short.log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$WORK/$short.log" | tail -n 1)
	after=$(ls "$WORK/crashes" | grep -c "^$short-")
	new=$(ls "$WORK/corpus/$short" | wc -l | tr -d ' ')
	line=$(printf '%-18s %10s executions in %ss, %s inputs in the work corpus, %d findings (exit %d)' \
		"$name" "${execs:-?}" "$SECONDS_EACH" "$new" $((after - before)) "$rc")
	if [ "$rc" -ne 0 ] || [ "$after" -gt "$before" ]; then
		line="$line
$(grep -m 3 -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$WORK/$short.log" | sed 's/^/    /')"
		echo "$line"
		exit 1
	fi
	echo "$line"
	exit 0
fi

mkdir -p "$WORK/crashes"
found=0
for bin in "$BUILD"/fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	case $(basename "$bin") in *${FUZZ_ONLY:-}*) echo "$bin" ;; esac
done | xargs -n 1 -P "${FUZZ_JOBS:-1}" sh "$0" --one || found=1
echo "(logs and findings: $WORK)"
[ "$found" -eq 0 ]
