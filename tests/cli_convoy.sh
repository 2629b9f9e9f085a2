#!/usr/bin/env bash
# tests/cli_convoy.sh - the command-line contract of bin/convoy and of its
# Python reference cases/convoy.py, the convoy mechanism (a blocking call
# re-takes the GIL only after a switch interval), and the echo process's
# hygiene: killed and reaped after a run, on Ctrl-C, and a dead echo fails
# the run.  No speed is asserted: speed lives in make bench.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

CONVOY="$BIN/convoy"
SHORT=(--seconds=0.2)

test_help_and_version() {
    expect_help convoy "$CONVOY" -- --mode --gil --switch-interval-us --check-interval --json --seconds --cpu-tasks --pin
    expect_version convoy '^convoy \(gilbench\) [0-9]+\.[0-9]+' "$CONVOY"
}

# convoy has no seq mode: without --mode it runs its first mode, threads,
# and --help says so (it once said seq and exited 2).
test_default_mode() {
    run "$CONVOY" --help
    expect_out "convoy --help: default mode threads" '^ *--mode=MODE .*\(default threads\)$'
    expect_status "convoy without --mode exits 0" 0 "$CONVOY" "${SHORT[@]}" --json
    expect_json "convoy without --mode runs in threads mode" '.mode=="threads" and .ok==true'
}

test_bad_input() {
    expect_usage_error "convoy: seq refused" "$CONVOY" --mode=seq
    expect_err "convoy: seq refusal says why" 'at the same time'
    expect_usage_error "convoy: pool refused" "$CONVOY" --mode=pool
    expect_err "convoy: the refusal lists interp among the modes" 'threads, gil, interp or fork'
    expect_usage_error "convoy: --seconds zero" "$CONVOY" --mode=threads --seconds=0
    expect_usage_error "convoy: --seconds not a number" "$CONVOY" --mode=threads --seconds=soon
    expect_usage_error "convoy: --cpu-tasks zero" "$CONVOY" --mode=threads --cpu-tasks=0
    expect_usage_error "convoy: --tasks disagrees with --cpu-tasks" "$CONVOY" --mode=threads --tasks=5
    expect_err "convoy: --tasks refusal points to --cpu-tasks" 'cpu-tasks'
}

# contract_run NAME ARGS...: exit 0 with every figure of the JSON contract.
# measured_s covers both 0.2 s phases; the harness's clock starts when the
# gate opens, a hair after the tasks' own, hence 0.35 and not 0.4.
contract_run() {
    local name=$1
    shift
    run "$CONVOY" "$@" "${SHORT[@]}" --json
    if [ "$last_status" -eq 0 ] && jq_true '.ok==true and .result==.expected
            and .round_trips_alone > 0 and .round_trips_contended > 0
            and .expected == .round_trips_alone + .round_trips_contended
            and .io_ops_alone_per_s > 0 and .io_ops_contended_per_s > 0
            and .slowdown > 0 and .latency_alone_median_s > 0
            and .latency_alone_p99_s >= .latency_alone_median_s
            and .latency_contended_p99_s >= .latency_contended_median_s
            and .latency_contended_max_s >= .latency_contended_p99_s
            and .cpu_iterations_per_s > 0 and .measured_s >= 0.35' "$last_out" >/dev/null; then
        pass "$name: JSON contract, every echo right"
    else
        fail "$name: JSON contract, every echo right" "exit $last_status; $(head -c 400 "$last_out") $(head -c 200 "$last_err")"
    fi
}

test_modes() {
    contract_run "gil" --mode=gil
    expect_json "gil: the gil object is the contended phase's" \
        '.gil.policy=="new" and .gil.switch_interval_us==5000 and .gil.acquisitions > 2'
    expect_json "gil: every drop request came from a timed-out wait; takes found free counted" \
        '.gil_timed_out_waits >= .gil.drop_requests and .gil_uncontended_takes >= 1
         and .gil_uncontended_takes <= .gil.acquisitions'
    contract_run "gil --gil=old" --mode=gil --gil=old
    expect_json "gil --gil=old: old policy reported" '.gil.policy=="old" and .gil.drop_requests==0'
    contract_run "threads" --mode=threads
    expect_json "threads: no gil object, no gil counters" \
        '.gil == null and .gil_uncontended_takes == null and .gil_timed_out_waits == null'
    contract_run "fork" --mode=fork
    contract_run "interp" --mode=interp
    expect_json "interp: a GIL each, so no take waited, none timed out, nothing dropped by request" \
        '.gil.gils == 2 and .gil.wait_s == 0 and .gil_timed_out_waits == 0
         and .gil.drop_requests == 0 and .gil.forced_drops == 0
         and .gil_uncontended_takes == .gil.acquisitions and .gil.acquisitions > 2'
    contract_run "3 CPU tasks" --mode=gil --cpu-tasks=3
    expect_json "3 CPU tasks: 4 tasks in all" '.tasks == 4 and .cpu_tasks == 3'
    run "$CONVOY" --mode=gil "${SHORT[@]}"
    expect_out "human output: round trips alone and contended" '^round trips/s contended'
    expect_out "human output: the slowdown in a note" '^# [0-9]+ round trips/s alone, [0-9]+ beside'
}

# The CPU task never blocks, so once it holds the GIL the I/O task's take
# can only end by timing out after one whole interval and asking for a drop.
test_convoy_mechanism() {
    run "$CONVOY" --mode=gil --switch-interval-us=20000 --seconds=0.3 --json
    expect_json "gil: the I/O task waited a whole switch interval (20 ms)" \
        '.ok and .latency_contended_max_s >= 0.019 and .gil.drop_requests >= 1
         and .gil.forced_drops >= 1 and .gil_timed_out_waits >= 1'
}

test_echo_reaped() {
    "$CONVOY" --mode=threads --seconds=0.3 --json >"$last_out" 2>"$last_err" &
    local pid=$! kids status=0 k left=0
    wait_for_children "$pid" 1 || true
    kids=$(children_of "$pid")
    wait "$pid" || status=$?
    for k in $kids; do
        kill -0 "$k" 2>/dev/null && left=$((left + 1))
    done
    if [ "$status" -eq 0 ] && [ -n "$kids" ] && [ "$left" -eq 0 ]; then
        pass "the echo process is gone after a run"
    else
        fail "the echo process is gone after a run" "exit $status, children '$kids', $left left"
    fi
}

test_interrupt() {
    local mode
    for mode in gil fork; do
        "$CONVOY" --mode="$mode" --seconds=30 >/dev/null 2>&1 &
        # 0.3 s into phase 1: the echo process and the task are running
        expect_signal_reaps "$mode: Ctrl-C kills and reaps the echo process, then dies of SIGINT" \
            INT $! 1 0.3
    done
}

# "The network" going away is a failed run, not a hang or a wrong figure.
test_echo_dies() {
    "$CONVOY" --mode=threads --seconds=5 --json >"$last_out" 2>"$last_err" &
    local pid=$! echo_pid status=0
    wait_for_children "$pid" 1 || true
    sleep 0.2
    echo_pid=$(children_of "$pid" | head -1)
    kill -KILL "$echo_pid" 2>/dev/null || true
    wait "$pid" || status=$?
    if [ "$status" -eq 1 ] && grep -q 'round trip [0-9]*: the echo peer' "$last_err" \
        && jq_true '.ok == false' "$last_out" >/dev/null; then
        pass "a dead echo process fails the run: exit 1, ok false, a message"
    else
        fail "a dead echo process fails the run" "exit $status; $(head -c 300 "$last_err")"
    fi
}

# python_contract NAME PYTHON ARGS...: the reference prints the same figures.
python_contract() {
    local name=$1
    shift
    run "$@" cases/convoy.py --seconds=0.2
    if [ "$last_status" -eq 0 ] && jq_true '.ok==true and .case=="convoy.py"
            and (.python|type)=="string" and .round_trips_alone > 0
            and .round_trips_contended > 0 and .io_ops_alone_per_s > 0
            and .io_ops_contended_per_s > 0 and .slowdown > 0
            and .latency_contended_p99_s >= .latency_contended_median_s' "$last_out" >/dev/null; then
        pass "$name: convoy.py prints the JSON figures"
    else
        fail "$name: convoy.py prints the JSON figures" "exit $last_status; $(head -c 300 "$last_out") $(head -c 300 "$last_err")"
    fi
}

# SIGTERM mid-run: the echo process is killed and reaped, then the script
# dies of the signal.
test_python_stop() {
    # The interpreter itself: a pyenv shim is a shell script whose own
    # short-lived children would be taken for the echo process.
    local py
    py=$(python3 -c 'import sys; print(sys.executable)')
    "$py" cases/convoy.py --seconds=30 >/dev/null 2>&1 &
    expect_signal_reaps "convoy.py: SIGTERM reaps the echo process, then dies of SIGTERM" TERM $! 1 0.3
}

test_python_reference() {
    if ! command -v python3 >/dev/null; then
        skip "convoy.py under python3" "python3 is not installed"
    else
        python_contract "python3" python3
        expect_json "python3: reports its switch interval" '.switch_interval_us == 5000 and .check_interval == null'
        expect_json "python3: reports the GIL's state" '(.gil_enabled|type) == "boolean" and (.free_threaded|type) == "boolean"'
        # The echo process is ready before the alone phase's clock starts
        # (its start-up once counted as the phase's one slow round trip).
        run python3 cases/convoy.py --seconds=0.05
        expect_json "python3: a 0.05 s alone phase makes many round trips, not one waiting for the echo's start" \
            '.ok and .round_trips_alone > 20'
        expect_usage_error "convoy.py: bad --seconds" python3 cases/convoy.py --seconds=-1
        expect_usage_error "convoy.py: unknown option" python3 cases/convoy.py --frobnicate
        expect_usage_error "convoy.py: --check-interval is Python 2 only" python3 cases/convoy.py --check-interval=100
        test_python_stop
        expect_help convoy.py python3 cases/convoy.py -- --cpu-threads
    fi
    # The old-GIL reference row, where the lab machine has CPython 2.7.
    local py27=/root/.pyenv/versions/2.7.18/bin/python
    if [ -x "$py27" ]; then
        python_contract "python 2.7" "$py27"
        expect_json "python 2.7: reports its check interval" '.check_interval == 100 and .switch_interval_us == null'
        expect_json "python 2.7: GIL on, not a free-threaded build" '.gil_enabled == true and .free_threaded == false'
    else
        skip "convoy.py under python 2.7" "$py27 does not exist on this machine"
    fi
    # The free-threaded build runs it unchanged; with -X gil=1 it has a GIL.
    local ft
    if ! ft=$(python_of PYTHON_FT); then
        skip "convoy.py on a free-threaded CPython" "$ft"
    else
        python_contract "free-threaded" "$ft"
        expect_json "free-threaded: reports its GIL off" '.gil_enabled == false and .free_threaded == true'
        python_contract "free-threaded -X gil=1" "$ft" -X gil=1
        expect_json "free-threaded -X gil=1: reports its GIL on" '.gil_enabled == true and .free_threaded == true'
    fi
}

# convoy.py --mode=interpreters: the spinners in isolated interpreters (a
# GIL each), on pyenv's CPython 3.12 (_xxsubinterpreters) and 3.13
# (_interpreters); a usage error before 3.12.
test_python_interpreters() {
    local root py version api found=0
    root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
    for py in "$root"/versions/3.1[2-3].*/bin/python3; do
        case "$py" in *t/bin/python3 | *"*"*) continue ;; esac
        found=1
        version=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
        case "$version" in 3.12) api=_xxsubinterpreters ;; *) api=_interpreters ;; esac
        run "$py" cases/convoy.py --mode=interpreters --seconds=0.1 --cpu-threads=2 --pin=apart --json
        expect_json "convoy.py $version --mode=interpreters: ok, two spinning interpreters through $api" \
            '.ok == true and .mode == "interpreters" and .interpreters_api == "'"$api"'" and .cpu_threads == 2
             and .round_trips_contended > 0 and .slowdown > 0'
        expect_eq "convoy.py $version --mode=interpreters: nothing on stderr" "$(head -c 300 "$last_err")" ""
    done
    [ "$found" -eq 1 ] || skip "convoy.py --mode=interpreters on CPython 3.12/3.13" "none in $root/versions"
    run python3 cases/convoy.py --seconds=0.1 --json
    expect_json "convoy.py threads: mode threads, no interpreters api" '.mode == "threads" and .interpreters_api == null'
    if python3 -c 'import sys; sys.exit(sys.version_info >= (3, 12))'; then
        expect_usage_error "convoy.py --mode=interpreters before 3.12" python3 cases/convoy.py --mode=interpreters
        expect_err "convoy.py --mode=interpreters before 3.12: says why" '^convoy\.py: --mode=interpreters: needs CPython 3\.12 or later'
    else
        skip "convoy.py --mode=interpreters refused before 3.12" "python3 is 3.12 or later"
    fi
}

# placement_of PID: where every thread of PID and each child process of it
# may run (Cpus_allowed_list), one line each ("child LIST" for a child),
# sorted.
placement_of() {
    local pid=$1 t k
    {
        for t in /proc/"$pid"/task/*/status; do
            awk '/^Cpus_allowed_list:/ { print $2 }' "$t" 2>/dev/null
        done
        for k in $(children_of "$pid"); do
            awk '/^Cpus_allowed_list:/ { print "child " $2 }' /proc/"$k"/status 2>/dev/null
        done
    } | LC_ALL=C sort
}

# pinned_run NAME WANT CMD...: run CMD (a convoy of 2 s phases) in the
# background, read where its threads and children may run in the contended
# phase, and compare with WANT: lines joined by ";", A and B standing for the
# first two CPUs of our mask and M for the whole mask.
pinned_run() {
    local name=$1 want=$2 pid got status=0 mask_list
    shift 2
    mask_list=$(awk '/^Cpus_allowed_list:/ { print $2 }' /proc/self/status)
    want=$(tr ';' '\n' <<<"$want" | sed "s/A/$CPU_A/g; s/B/$CPU_B/g; s/M/$mask_list/g" | LC_ALL=C sort | paste -sd ';')
    "$@" >"$last_out" 2>"$last_err" &
    pid=$!
    # Until the contended phase has every thread (phase 1 has fewer), or
    # the run ended: a loaded machine may be late.
    local tries=0 n_want
    n_want=$(tr ';' '\n' <<<"$want" | wc -l)
    while got=$(placement_of "$pid" | paste -sd ';') &&
        [ "$(tr ';' '\n' <<<"$got" | grep -c .)" -lt "$n_want" ] && kill -0 "$pid" 2>/dev/null &&
        [ $((tries += 1)) -lt 100 ]; do
        sleep 0.1
    done
    sleep 0.2   # and each pinned itself
    got=$(placement_of "$pid" | paste -sd ';')
    wait "$pid" || status=$?
    if [ "$status" -eq 0 ] && [ "$got" = "$want" ]; then
        pass "$name: threads and children placed as asked ($got)"
    else
        fail "$name: threads and children placed as asked" "exit $status; wanted '$want', got '$got'; $(head -c 200 "$last_err")"
    fi
}

# --pin: the placement is a variable of the experiment (issue 22, item 6).
test_placement() {
    expect_usage_error "convoy: --pin takes none, same or apart" "$CONVOY" --mode=gil --pin=left
    expect_usage_error "convoy.py: --pin takes none, same or apart" python3 cases/convoy.py --pin=left
    local mask
    mask=$(python3 -c 'import os; print(" ".join(map(str, sorted(os.sched_getaffinity(0)))))')
    read -r CPU_A CPU_B _ <<<"$mask"
    local one=$CPU_A
    run taskset -c "$one" "$CONVOY" --mode=gil --pin=apart "${SHORT[@]}"
    if [ "$last_status" -eq 1 ] && [ "$(wc -l <"$last_err")" -eq 1 ] &&
        grep -q "^convoy: --pin=apart needs two CPUs in the affinity mask; this process may use only CPU $one\$" "$last_err"; then
        pass "convoy --pin=apart on one CPU: exit 1, one line naming the mask"
    else
        fail "convoy --pin=apart on one CPU: exit 1, one line naming the mask" "exit $last_status; $(head -c 300 "$last_err")"
    fi
    run taskset -c "$one" python3 cases/convoy.py --pin=apart "${SHORT[@]}"
    if [ "$last_status" -eq 1 ] && [ "$(wc -l <"$last_err")" -eq 1 ] && grep -q "^convoy.py: --pin=apart: needs two CPUs" "$last_err"; then
        pass "convoy.py --pin=apart on one CPU: exit 1, one line"
    else
        fail "convoy.py --pin=apart on one CPU: exit 1, one line" "exit $last_status; $(head -c 300 "$last_err")"
    fi
    if [ -z "${CPU_B:-}" ]; then
        skip "convoy --pin placement" "only one CPU in this process's affinity mask ($mask)"
        return 0
    fi
    # gil mode: the main thread (unpinned: it only waits) and two tasks;
    # fork mode: the tasks are children beside the echo.
    pinned_run "convoy gil --pin=apart" "M;A;B;child A" "$CONVOY" --mode=gil --seconds=2 --pin=apart
    pinned_run "convoy fork --pin=apart" "M;child A;child A;child B" "$CONVOY" --mode=fork --seconds=2 --pin=apart
    local py
    py=$(python3 -c 'import sys; print(sys.executable)')
    pinned_run "convoy gil --pin=same" "M;A;A;child A" "$CONVOY" --mode=gil --seconds=2 --pin=same
    pinned_run "convoy gil unpinned" "M;M;M;child M" "$CONVOY" --mode=gil --seconds=2
    # the main thread is the I/O thread
    pinned_run "convoy.py --pin=apart" "A;B;child A" "$py" cases/convoy.py --seconds=2 --pin=apart
    run "$CONVOY" --mode=gil --pin=apart --switch-interval-us=20000 --seconds=0.3 --json
    expect_json "convoy --pin=apart: pin reported; shares of round trips by intervals waited sum to 1, some waited" \
        '.ok and .pin == "apart" and ([.waited_0_share, .waited_1_share, .waited_2_share] | all(. >= 0 and . <= 1))
         and ((.waited_0_share + .waited_1_share + .waited_2_share) - 1 | fabs) < 1e-9
         and .waited_1_share + .waited_2_share > 0'
    run "$CONVOY" --mode=threads --pin=apart "${SHORT[@]}" --json
    expect_json "convoy threads: no interval to wait for, no shares" '.ok and .pin == "apart" and .waited_0_share == null'
    run python3 cases/convoy.py --pin=apart --switch-interval-us=20000 --seconds=0.3
    expect_json "convoy.py --pin=apart: pin and shares reported" \
        '.ok and .pin == "apart" and ((.waited_0_share + .waited_1_share + .waited_2_share) - 1 | fabs) < 1e-9'
    local py27=/root/.pyenv/versions/2.7.18/bin/python
    if [ -x "$py27" ]; then
        pinned_run "convoy.py --pin=apart under Python 2.7 (libc's sched_setaffinity)" "A;B;child A" "$py27" cases/convoy.py --seconds=2 --pin=apart
    else
        skip "convoy.py --pin under python 2.7" "$py27 does not exist on this machine"
    fi
}

main() {
    test_help_and_version
    test_default_mode
    test_bad_input
    test_modes
    test_convoy_mechanism
    test_echo_reaped
    test_interrupt
    test_echo_dies
    test_python_reference
    test_python_interpreters
    test_placement
}

main "$@"
