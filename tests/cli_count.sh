#!/usr/bin/env bash
# tests/cli_count.sh - the command-line contract of bin/count, and the
# process hygiene of the harness (signals, killed workers, no orphans).
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

COUNT="$BIN/count"
SMALL=(--iterations=2e6)

test_help_and_version() {
    expect_help count "$COUNT" -- --mode --tasks --workers --gil --switch-interval-us --check-interval \
        --trace --json --version --iterations
    expect_version count '^count \(gilbench\) [0-9]+\.[0-9]+' "$COUNT"
}

test_bad_input() {
    expect_usage_error "bad mode" "$COUNT" --mode=turbo
    expect_usage_error "async refused for CPU work" "$COUNT" --mode=async
    expect_err "async refusal says why" 'not available for this case'
    expect_usage_error "tasks not a number" "$COUNT" --tasks=abc
    expect_usage_error "tasks zero" "$COUNT" --tasks=0
    expect_usage_error "tasks negative" "$COUNT" --tasks=-1
    expect_usage_error "tasks too many" "$COUNT" --tasks=100001
    expect_usage_error "iterations fraction" "$COUNT" --iterations=1.5
    expect_usage_error "iterations overflow" "$COUNT" --iterations=1e30
    expect_usage_error "missing value" "$COUNT" --tasks
    expect_usage_error "empty value" "$COUNT" --tasks=
    expect_usage_error "unknown option" "$COUNT" --frobnicate
    expect_usage_error "stray argument" "$COUNT" extra
    expect_usage_error "flag given a value" "$COUNT" --json=yes
    expect_usage_error "gil options without gil mode" "$COUNT" --mode=threads --gil=old
    expect_usage_error "trace without gil mode" "$COUNT" --trace="$TEST_TMP/t.csv"
    expect_usage_error "check interval with new GIL" "$COUNT" --mode=gil --check-interval=10
    expect_usage_error "switch interval with old GIL" "$COUNT" --mode=gil --gil=old --switch-interval-us=10
    expect_usage_error "switch interval zero" "$COUNT" --mode=gil --switch-interval-us=0
    expect_usage_error "bad GIL policy" "$COUNT" --mode=gil --gil=newest
    expect_usage_error "workers in threads mode" "$COUNT" --mode=threads --tasks=2 --workers=3
    expect_usage_error "workers in seq mode" "$COUNT" --workers=2
    expect_usage_error "workers zero" "$COUNT" --mode=pool --workers=0
    expect_usage_error "fork bomb refused" "$COUNT" --mode=fork --tasks=5000
    expect_usage_error "option given twice" "$COUNT" --tasks=1 --tasks=2
    expect_usage_error "workers in interp mode" "$COUNT" --mode=interp --tasks=2 --workers=3
    expect_err "interp: --workers refusal says one thread per task" 'interp mode starts one thread per task'
    expect_usage_error "gil options in fork mode name interp too" "$COUNT" --mode=fork --gil=old
    expect_err "gil options refusal names gil and interp" 'need --mode=gil \(or --mode=interp'
}

test_json_every_mode() {
    local mode
    for mode in seq threads gil interp fork pool threadpool; do
        run "$COUNT" --mode="$mode" --tasks=3 "${SMALL[@]}" --json
        expect_json "$mode: JSON has the contract fields, ok and exact" \
            '.case=="count" and .mode=="'"$mode"'" and .tasks==3 and (.workers|type)=="number"
             and (.wall_s|type)=="number" and (.measured_s|type)=="number"
             and (.user_s|type)=="number" and (.sys_s|type)=="number"
             and .result==6000000 and .expected==6000000 and .ok==true'
    done
    run "$COUNT" --mode=gil --gil=old "${SMALL[@]}" --json
    expect_json "gil mode: JSON has the gil object" \
        '.gil.policy=="old" and .gil.check_interval==100 and .gil.acquisitions>=2
         and (.gil.switches|type)=="number" and (.gil.forced_drops|type)=="number"
         and (.gil.wait_s|type)=="number"'
    expect_json "old GIL: no switch interval (it does not apply)" '.gil | has("switch_interval_us") | not'
    run "$COUNT" --mode=gil --gil=old "${SMALL[@]}"
    expect_out "old GIL, human: its check interval" '^gil check interval +100$'
    if grep -q 'switch interval' "$last_out"; then
        fail "old GIL, human: no switch interval" "$(grep 'switch interval' "$last_out")"
    else
        pass "old GIL, human: no switch interval"
    fi
    run "$COUNT" --mode=gil "${SMALL[@]}" --json
    expect_json "new GIL: its switch interval, no check interval" \
        '.gil.switch_interval_us == 5000 and (.gil | has("check_interval") | not)'
    run "$COUNT" --mode=threads "${SMALL[@]}" --json
    expect_json "threads mode: no gil object" '.gil == null'
    run "$COUNT" --mode=pool --tasks=5 "${SMALL[@]}" --json
    expect_json "pool default workers = usable CPUs (bin/cpus)" ".workers == $("$BIN/cpus") and .cpus == $("$BIN/cpus")"
    run "$COUNT" "${SMALL[@]}"
    expect_out "human output shows result beside expected" '^result +4000000'
    expect_out "human output shows expected" '^expected +4000000'
    expect_out "human output has a context line" '^# count: 2 task'
    # OSTEP's order: what ran, the result beside what it should be, the timing.
    if [ "$(sed -n '1s/^# count: 2 task.*/title/p; 2s/^result .*/result/p; 3s/^expected .*/expected/p;
                    4s/^ok .*/ok/p; 5s/^wall .*/wall/p' "$last_out" | paste -sd' ')" = "title result expected ok wall" ]; then
        pass "human output leads with the result beside what it should be, then the timing"
    else
        fail "human output leads with the result" "first lines: $(head -n 5 "$last_out" | paste -sd'|')"
    fi
}

# interp: a GIL per task (PEP 684).  Every task takes its own GIL once and
# finds it free; nothing waits, nothing is asked to drop.  Figures are
# counts, not times: no speed is asserted.
test_interp() {
    run "$COUNT" --mode=interp --tasks=3 "${SMALL[@]}" --json
    expect_json "interp: the gil object sums 3 GILs, each taken once, never waited for" \
        '.ok==true and .workers==3 and .gil.gils==3 and .gil.policy=="new"
         and .gil.acquisitions==3 and .gil.drop_requests==0 and .gil.forced_drops==0
         and .gil.wait_s==0 and .gil.max_wait_s==0'
    run "$COUNT" --mode=gil --tasks=3 "${SMALL[@]}" --json
    expect_json "gil: one GIL for every task" '.gil.gils==1'
    run "$COUNT" --mode=interp --gil=old --tasks=2 "${SMALL[@]}" --json
    expect_json "interp --gil=old: each old GIL released every 100 ticks, re-taken at once" \
        '.ok==true and .gil.policy=="old" and .gil.check_interval==100
         and .gil.acquisitions > 2 and .gil.wait_s==0'
    run "$COUNT" --mode=interp --switch-interval-us=100 "${SMALL[@]}" --json
    expect_json "interp --switch-interval-us: accepted, no drop request" \
        '.ok==true and .gil.switch_interval_us==100 and .gil.drop_requests==0'
    run "$COUNT" --mode=interp "${SMALL[@]}"
    expect_out "interp, human: the title says one GIL per task" '^# count: 2 task\(s\), mode interp \(one GIL per task, new GIL'
    expect_out "interp, human: the number of GILs" '^gil GILs +2$'
    local trace="$TEST_TMP/interp-trace.csv"
    run "$COUNT" --mode=interp --iterations=2e7 --trace="$trace" --json
    if [ "$last_status" -eq 0 ] && head -1 "$trace" | grep -qx 'thread,start_s,end_s,seconds' \
        && [ "$(cut -d, -f1 "$trace" | sort -u | grep -c '^[01]$')" -eq 2 ]; then
        pass "interp --trace: one file with both tasks' GILs"
    else
        fail "interp --trace: one file with both tasks' GILs" "exit $last_status; $(head -3 "$trace" 2>&1)"
    fi
}

test_trace() {
    local trace="$TEST_TMP/trace.csv"
    run "$COUNT" --mode=gil --iterations=2e8 --switch-interval-us=1000 --trace="$trace" --json
    expect_json "trace run ok" '.ok == true and .gil.trace != null'
    if [ -s "$trace" ] && head -1 "$trace" | grep -qx 'thread,start_s,end_s,seconds' \
        && [ "$(cut -d, -f1 "$trace" | sort -u | grep -c '^[01]$')" -eq 2 ]; then
        pass "trace CSV has a header and hold intervals of both threads"
    else
        fail "trace CSV has a header and hold intervals of both threads" "$(head -3 "$trace" 2>&1)"
    fi
}

# The loop must run: instructions grow with --iterations (a folded or deleted
# loop would cost the same for 1e6 and 3e6).
test_work_is_real() {
    have_tools "instruction count grows with iterations" valgrind || return 0
    local small large
    small=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$COUNT" --tasks=1 --iterations=1e6 2>&1 >/dev/null | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
    large=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$COUNT" --tasks=1 --iterations=3e6 2>&1 >/dev/null | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
    if [ -n "$small" ] && [ -n "$large" ] && [ $(((large - small) / 2000000)) -ge 2 ]; then
        pass "instruction count grows with iterations (>= 2 per iteration)"
    else
        fail "instruction count grows with iterations" "1e6: '$small', 3e6: '$large'"
    fi
}

test_killed_worker() {
    "$COUNT" --mode=pool --workers=2 --tasks=4 --iterations=2e9 >"$last_out" 2>"$last_err" &
    local pid=$! victim status=0
    wait_for_children "$pid" 2 || true
    victim=$(children_of "$pid" | head -1)
    kill -KILL "$victim" 2>/dev/null || true
    wait "$pid" || status=$?
    # the other worker finishes its tasks; ~1 s per task
    if [ "$status" -eq 1 ] && grep -q 'killed by signal 9' "$last_err"; then
        pass "a pool worker killed by a signal: exit 1 and a message"
    else
        fail "a pool worker killed by a signal: exit 1 and a message" "exit $status; $(cat "$last_err")"
    fi
}

test_interrupt() {
    local mode
    for mode in fork pool; do
        "$COUNT" --mode="$mode" --tasks=2 --workers=2 --iterations=1e11 >/dev/null 2>&1 &
        expect_signal_reaps "$mode: Ctrl-C kills and reaps every child, then dies of SIGINT" INT $! 2
    done
}

# Thread stacks cannot be mapped under a small address-space limit: the
# failure must be a message and exit 1, not a crash or a hang.
test_thread_create_fails() {
    run bash -c 'ulimit -v 300000; exec "$0" --mode=threads --tasks=500 --iterations=1e3' "$COUNT"
    expect_exit "a thread that cannot be created: exit 1 and a message naming the call" 1 'pthread_create.*failed'
}

main() {
    test_help_and_version
    test_thread_create_fails
    test_bad_input
    test_json_every_mode
    test_interp
    test_trace
    test_work_is_real
    test_killed_worker
    test_interrupt
}

main "$@"
