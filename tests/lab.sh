# tests/lab.sh - what the lab tests (tests/cli_lab.sh, tests/cli_lab_faults.sh)
# share, sourced after tests/lib.sh: the binaries under a marked link, and
# the tiny bench of a checkout.
# shellcheck shell=bash
# shellcheck disable=SC2034,SC2153,SC2154 # ROOT, TEST_TMP and last_* are lib.sh's

# lab_setup: work from the checkout; BIN_ABS is the binaries' folder, MARK a
# link to it of this test's own name, so that a process left over from one
# of our runs is found by its command line.
lab_setup() {
    cd "$ROOT"
    BIN_ABS=$(cd "$BIN" && pwd)
    MARK="$TEST_TMP/gilbench-lab-test-bin"
    ln -s "$BIN_ABS" "$MARK"
}

# bench_into ROOTDIR RESULTS ARG...: scripts/bench.sh --tiny of that checkout.
bench_into() {
    local root=$1 results=$2
    shift 2
    set +e
    timeout --kill-after=5 300 bash "$root/scripts/bench.sh" --tiny "--results=$results" "$@" \
        >"$last_out" 2>"$last_err"
    last_status=$?
    set -e
}

latest_run() { find "$1" -mindepth 1 -maxdepth 1 -type d -name '*-*T*Z' | sort | tail -n 1; }
