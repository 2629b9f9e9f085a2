# tests/bench_run.sh - what the bench tests (tests/cli_bench.sh,
# tests/cli_bench_stop.sh) share, sourced after tests/lib.sh: the tiny bench
# through a marked link, its results folder, and process-group control.
# shellcheck shell=bash
# shellcheck disable=SC2034,SC2154 # MARK, RESULTS, PLOTS are used by the tests; last_* are lib.sh's

# The binaries are reached through a link with a name of this test's own, so
# that a left-over process of ours is found by its command line.
setup() {
    cd "$(dirname "$0")/.."
    MARK="$TEST_TMP/gilbench-bench-test-bin"
    ln -s "$(cd "$BIN" && pwd)" "$MARK"
    RESULTS="$TEST_TMP/results"
    PLOTS="$TEST_TMP/plots"
}

bench() {
    BIN="$MARK" timeout --kill-after=5 300 bash scripts/bench.sh --tiny \
        "--results=$RESULTS" "--plots=$PLOTS" "$@"
}

# expect_no_leftovers NAME: no process runs a binary through our link.
expect_no_leftovers() {
    local left _
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        left=$(pgrep -af "$MARK" || true)
        [ -n "$left" ] || break
        sleep 0.3
    done
    if [ -z "$left" ]; then pass "$1"; else fail "$1" "still running: $left"; fi
}

checksums() { (cd "$1" && find . -type f -exec md5sum {} + | sort); }

only_run() { find "$RESULTS" -mindepth 1 -maxdepth 1 -name '*-*T*Z' -type d | sort | tail -n 1; }

# results_now: what $RESULTS holds (partial runs too), one entry a line.
results_now() { find "$RESULTS" -mindepth 1 -maxdepth 1 | sort; }

# expect_results_as NAME BEFORE: $RESULTS holds what it held before a run
# was stopped (BEFORE, an earlier results_now): nothing new, nothing lost.
expect_results_as() {
    if [ "$(results_now)" = "$2" ]; then pass "$1"; else fail "$1" "$(ls -a "$RESULTS")"; fi
}

# bench_in_group ONLY: a tiny run of the groups ONLY in the background, in a
# process group of its own (BENCH_PID), as a terminal's foreground job.  A
# background job starts with SIGINT ignored, and bash cannot trap a signal
# it started ignoring; a terminal's Ctrl-C reaches a foreground job with the
# default action.  env --default-signal gives it that back.
bench_in_group() {
    setsid env --default-signal=INT BIN="$MARK" bash scripts/bench.sh --tiny \
        "--results=$RESULTS" "--plots=$PLOTS" "--only=$1" >"$last_out" 2>"$last_err" &
    BENCH_PID=$!
}

# signal_group SIGNAL: SIGNAL to bench_in_group's whole process group, as a
# terminal sends it; then reap the run, its status in last_status.
signal_group() {
    kill -s "$1" -- "-$BENCH_PID"
    set +e
    wait "$BENCH_PID"
    last_status=$?
    set -e
}
