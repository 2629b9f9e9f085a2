#!/usr/bin/env bash
# tests/cli_together.sh - bin/together, the ceiling rows' launcher: N copies
# of one command started at once and all waited for; a copy that fails or
# cannot start is exit 1 and named; Ctrl-C and kill -9 leave no copy behind.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

TOGETHER="$BIN/together"
trap 'rm -rf "$TEST_TMP"' EXIT

test_command_line() {
    expect_help together "$TOGETHER" -- '--copies' 'COMMAND'
    expect_usage_error "together: no '--' is no command" "$TOGETHER" --copies=2
    expect_usage_error "together: nothing after '--'" "$TOGETHER" --copies=2 --
    expect_usage_error "together: --copies=0 refused" "$TOGETHER" --copies=0 -- true
    expect_usage_error "together: a word before '--' that is not an option" "$TOGETHER" true -- true
    # The command's own options are its own, even --help.
    expect_status "together: options after '--' are the command's (true --help)" 0 "$TOGETHER" -- true --help
}

# The copies run at the same time: two 0.6 s sleeps end within ~0.6 s, not
# 1.2 s; both copies' reports reach stdout and both are right.
test_copies_run_at_once() {
    local t0 t1 ms
    t0=$(date +%s%N)
    run "$TOGETHER" --copies=2 -- sleep 0.6
    t1=$(date +%s%N)
    ms=$(((t1 - t0) / 1000000))
    if [ "$last_status" -eq 0 ] && [ "$ms" -lt 1100 ]; then
        pass "together: two copies of sleep 0.6 end together (${ms} ms)"
    else
        fail "together: two copies of sleep 0.6 end together" "exit $last_status, ${ms} ms"
    fi
    run "$TOGETHER" --copies=3 -- "$BIN/count" --mode=seq --tasks=1 --iterations=1e6 --json
    if [ "$last_status" -eq 0 ] && [ "$(jq -s 'map(select(.ok and .result == 1000000)) | length' "$last_out")" = 3 ]; then
        pass "together --copies=3: three reports, each checked and right"
    else
        fail "together --copies=3: three reports" "exit $last_status: $(head -c 300 "$last_out")"
    fi
}

test_failures() {
    run "$TOGETHER" -- false
    expect_exit "together: a copy that exits 1 is exit 1, named" 1 '^together: copy [01] \(pid [0-9]+\) exited with status 1$'
    run "$TOGETHER" --copies=2 -- sh -c 'test "$$" -gt 0 && kill -TERM $$'
    expect_exit "together: a copy killed by a signal is exit 1, named" 1 'copy [01] \(pid [0-9]+\) was killed by signal 15'
    run "$TOGETHER" -- "$TEST_TMP/no such program"
    expect_exit "together: a command that cannot start is exit 1, says why" 1 "cannot run '.*no such program': No such file"
    # fork failing (a process limit, as an unprivileged user): the copies
    # started are stopped and reaped, and the reason is the fork's.
    if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
        # shellcheck disable=SC2016 # $0 is expanded by the inner bash
        run setpriv --reuid=65534 --regid=65534 --clear-groups bash -c 'ulimit -u 10; exec "$0" --copies=30 -- sleep 2' "$TOGETHER"
        expect_exit "together: fork failing is exit 1, says which copy and why" 1 \
            '^together: copy [0-9]+ could not start: fork: Resource temporarily unavailable$'
    else
        skip "together: fork failing" "needs root and setpriv to run as an unprivileged user with ulimit -u"
    fi
    run "$TOGETHER" --copies=2 -- true
    set +e; "$TOGETHER" --copies=2 -- true >&- 2>"$last_err"; last_status=$?; set -e
    if [ "$last_status" -eq 0 ] && [ ! -s "$last_err" ]; then
        pass "together: a closed stdout is not its failure (it writes nothing)"
    else
        fail "together: a closed stdout is not its failure" "exit $last_status: $(head -c 200 "$last_err")"
    fi
    run "$TOGETHER" -- "$BIN/count" --iterations=-1
    expect_exit "together: a copy's usage error is exit 1, its own words kept" 1 'count: --iterations'
}

# SIGINT and SIGTERM: together kills and reaps the copies, then dies of the
# signal itself.
test_no_copy_left() {
    "$TOGETHER" --copies=2 -- sleep 30 &
    expect_signal_reaps "together: SIGINT kills and reaps both copies, then dies of it" INT $! 2
    "$TOGETHER" --copies=2 -- sleep 30 &
    expect_signal_reaps "together: SIGTERM kills and reaps both copies, then dies of it" TERM $! 2
    # kill -9: tests/cli_orphans.sh (the copies die with it).
}

test_command_line
test_copies_run_at_once
test_failures
test_no_copy_left
