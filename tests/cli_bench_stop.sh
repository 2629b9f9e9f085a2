#!/usr/bin/env bash
# tests/cli_bench_stop.sh - a bench run stopped: its delay server killed
# mid-run, Ctrl-C and SIGTERM at several points (start-up, count, fetch,
# convoy), Ctrl-C typed at a terminal running make bench.  Each stops
# quickly with the right status, removes the partial run, keeps earlier
# runs and leaves no process behind.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/bench_run.sh
source "$(dirname "$0")/bench_run.sh"


# A dead server mid-run: fetch fails, the rest goes on, the run is written
# with the failed rows marked, the bench exits 1, the earlier run is intact.
test_server_killed() {
    local earlier before
    # an earlier run, which the failed one must leave as it is
    bench --only=interleave --no-plots >/dev/null 2>&1 || true
    earlier=$(only_run)
    [ -n "$earlier" ] || fail "bench: a run to keep before the server is killed" "none in $RESULTS"
    before=$(checksums "$earlier")
    bench --only='fetch|interleave' --no-plots >"$last_out" 2>"$last_err" &
    local pid=$! _
    for _ in $(seq 100); do
        grep -q '^\[2/' "$last_err" 2>/dev/null && break
        sleep 0.1
    done
    pkill -f "$MARK/delayserver" || true
    set +e
    wait "$pid"
    last_status=$?
    set -e
    local run
    run=$(only_run)
    if [ "$last_status" -eq 1 ] && [ "$run" != "$earlier" ] &&
        grep -q ',fetch,.*,failed$' "$run/summary.csv" &&
        ! grep -q ',interleave,.*,failed$' "$run/summary.csv"; then
        pass "bench: a server killed mid-run fails the fetch rows, the rest runs, exit 1"
    else
        fail "bench: a server killed mid-run" "exit $last_status; $(grep -m3 bench: "$last_err")"
    fi
    expect_err "bench: the failed experiments are named" 'experiment\(s\) failed: .*fetch'
    if [ "$before" = "$(checksums "$earlier")" ]; then
        pass "bench: the earlier run is untouched"
    else
        fail "bench: the earlier run is untouched" "its files changed"
    fi
    expect_no_leftovers "bench: no process of ours is left after the failed run"
}

# interrupt_at NAME SIGNAL WHEN: start a run, signal its process group when
# stderr matches WHEN, and check that it stops quickly, by that signal,
# leaving nothing behind.
interrupt_at() {
    local name=$1 sig=$2 when=$3 runs_before _ seen=false
    runs_before=$(results_now)
    bench_in_group 'count-2|fetch|convoy'
    # Up to 60 s: start-up (machine.sh, the tool checks) is slow on a loaded
    # machine, and a signal sent before the point named is another test.
    for _ in $(seq 1200); do
        if grep -Eq -- "$when" "$last_err" 2>/dev/null; then seen=true; break; fi
        sleep 0.05
    done
    "$seen" || fail "interrupt ($name): the run reached '$when'" "not within 60 s: $(tail -n 2 "$last_err")"
    local t0=$SECONDS
    signal_group "$sig"
    local took=$((SECONDS - t0)) want
    want=$((128 + $(kill -l "$sig")))
    if [ "$last_status" -eq "$want" ] && [ "$took" -le 5 ]; then
        pass "interrupt ($name): stops within ${took} s, status $want (SIG$sig)"
    else
        fail "interrupt ($name)" "exit $last_status (wanted $want) after ${took} s; $(tail -n 2 "$last_err")"
    fi
    expect_results_as "interrupt ($name): the partial run is removed, earlier runs kept" "$runs_before"
    expect_err "interrupt ($name): says the partial run is removed" 'partial run is removed'
    expect_no_leftovers "interrupt ($name): no process of ours is left"
}

# interrupt_in_startup: Ctrl-C before the run folder exists (machine.sh,
# the tool checks) stops the bench too, with nothing written.  It used to
# pass by bash when the command it waited for (python, gnuplot) handled the
# signal itself, and the run went on to the end with exit 0.
interrupt_in_startup() {
    local runs_before delay
    runs_before=$(results_now)
    for delay in 0.2 0.5 1; do
        bench_in_group count-2
        sleep "$delay"
        signal_group INT
        if [ "$last_status" -eq 130 ]; then
            pass "interrupt in start-up (${delay} s): status 130"
        else
            fail "interrupt in start-up (${delay} s)" "exit $last_status (wanted 130); $(tail -n 2 "$last_err")"
        fi
        expect_results_as "interrupt in start-up (${delay} s): nothing written" "$runs_before"
    done
    expect_no_leftovers "interrupt in start-up: no process of ours is left"
}

# Ctrl-C typed at a real terminal, through make: tmux gives make bench a
# terminal and types C-c into it, so the signal reaches make, the script and
# everything in the foreground group exactly as in a lab.
test_ctrl_c_through_make() {
    local name="Ctrl-C at a terminal running make bench"
    have_tools "$name" tmux || return 0
    local session="gilbench-test-$$" runs_before log="$TEST_TMP/make-bench.log" _
    runs_before=$(results_now)
    # The pane's shell traps INT (so that it lives on to write make's
    # status); make and the bench get the default action, as under any shell.
    local script="$TEST_TMP/make-bench.sh"
    {
        echo "trap 'true' INT"
        printf 'make --no-print-directory bench QUICK=1 BIN=%q BENCH_ARGS=%q 2>%q\n' \
            "$MARK" "--results=$RESULTS --plots=$PLOTS" "$log"
        printf 'echo "exit $?" >>%q\n' "$log"
        echo "sleep 30"
    } >"$script"
    tmux new-session -d -s "$session" -c "$PWD" -x 200 -y 50 "bash $(printf '%q' "$script")"
    for _ in $(seq 300); do
        grep -q 'blocks, time-paired' "$log" 2>/dev/null && break
        sleep 0.1
    done
    local t0=$SECONDS
    tmux send-keys -t "$session" C-c
    for _ in $(seq 100); do
        grep -q '^exit ' "$log" 2>/dev/null && break
        sleep 0.1
    done
    local took=$((SECONDS - t0))
    tmux kill-session -t "$session" 2>/dev/null || true
    if grep -q '^exit [1-9]' "$log" && [ "$took" -le 5 ] && grep -q 'partial run is removed' "$log"; then
        pass "$name: make stops within ${took} s with a non-zero exit"
    else
        fail "$name" "after ${took} s: $(tail -n 3 "$log" | tr '\n' ' ')"
    fi
    expect_results_as "$name: the partial run is removed" "$runs_before"
    expect_no_leftovers "$name: no process of ours is left"
}

main() {
    setup
    mkdir -p "$RESULTS"
    interrupt_in_startup
    interrupt_at "at start-up" INT 'bench: tiny run'
    interrupt_at "in a count family's blocks" INT 'blocks, time-paired'
    interrupt_at "in a fetch experiment" TERM '  fetch(-n)?\.'
    interrupt_at "in a convoy experiment" INT 'convoy '
    test_ctrl_c_through_make
    test_server_killed
}

main "$@"
