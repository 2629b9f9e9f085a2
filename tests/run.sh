#!/usr/bin/env bash
# tests/run.sh BIN - run every unit test binary and command-line test, count
# the "ok"/"not ok"/"skip" lines, end with "N passed, N failed, N skipped".
set -euo pipefail

main() {
    local bin=${1:-bin}
    local passed failed skipped status=0
    RUN_LOG=$(mktemp)
    trap 'rm -f "$RUN_LOG"' EXIT
    local log=$RUN_LOG
    export BIN="$bin"

    local t
    for t in "$bin"/tests/unit_*; do
        [ -x "$t" ] || continue
        echo "== $t" >&2
        run_one "$log" "$t" || status=1
    done
    for t in tests/cli_*.sh; do
        [ -f "$t" ] || continue
        echo "== $t" >&2
        run_one "$log" bash "$t" || status=1
    done

    passed=$(grep -c '^ok - ' "$log" || true)
    failed=$(grep -c '^not ok - ' "$log" || true)
    skipped=$(grep -c '^skip - ' "$log" || true)
    if [ "$failed" -gt 0 ]; then
        echo
        echo "Failed tests:"
        grep '^not ok - ' "$log"
    fi
    echo
    echo "tests: $passed passed, $failed failed, $skipped skipped"
    if [ "$failed" -gt 0 ] || [ "$status" -ne 0 ] || [ "$passed" -eq 0 ]; then
        exit 1
    fi
}

# run_one LOG CMD...: run one test program; a crash or non-zero exit without
# a "not ok" line still counts as a failure.
run_one() {
    local log=$1
    shift
    local out rc
    out=$(mktemp)
    set +e
    timeout --kill-after=10 900 "$@" >"$out" 2>&1
    rc=$?
    set -e
    grep -E '^(ok|not ok|skip) - ' "$out" | tee -a "$log" || true
    grep -vE '^(ok|not ok|skip) - ' "$out" >&2 || true
    if [ "$rc" -ne 0 ] && ! grep -q '^not ok - ' "$out"; then
        echo "not ok - $* exited $rc without naming a failed test" | tee -a "$log"
    fi
    rm -f "$out"
    return 0
}

main "$@"
