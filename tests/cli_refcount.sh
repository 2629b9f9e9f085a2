#!/usr/bin/env bash
# tests/cli_refcount.sh - the command-line contract of bin/refcount, exact
# counts wherever the object is protected or not shared, the deliberate
# corruption of the racy combination, and ThreadSanitizer's verdict on each.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

REFCOUNT="$BIN/refcount"
SMALL=(--ops=200000)

test_help_and_version() {
    expect_help refcount "$REFCOUNT" -- --mode --tasks --workers --gil --json --ops --sync --hold \
        'none.*atomic.*mutex.*biased'
    expect_version refcount '^refcount \(gilbench\) [0-9]+\.[0-9]+' "$REFCOUNT"
}

test_bad_input() {
    expect_usage_error "refcount: odd --ops" "$REFCOUNT" --ops=3
    expect_err "refcount: odd --ops says why" 'even'
    expect_usage_error "refcount: --ops zero" "$REFCOUNT" --ops=0
    expect_usage_error "refcount: --ops not a number" "$REFCOUNT" --ops=many
    expect_usage_error "refcount: unknown --sync" "$REFCOUNT" --sync=lockfree
    expect_usage_error "refcount: --hold zero" "$REFCOUNT" --hold=0
    expect_usage_error "refcount: async refused" "$REFCOUNT" --mode=async
    expect_usage_error "refcount: interp refused" "$REFCOUNT" --mode=interp
    expect_err "refcount: interp refusal says each count is the task's own" \
        "interp: interpreters share no object, so each count is the task's own"
    run "$REFCOUNT" --help
    expect_out "refcount --help: interp not among its modes" '^Modes this case runs: seq threads gil fork pool threadpool$'
}

# exact_run NAME ARGS...: exit 0, ok, count back at 1, nothing freed early.
exact_run() {
    local name=$1
    shift
    run "$REFCOUNT" "$@" --json
    if [ "$last_status" -eq 0 ] && jq_true '.ok==true and .result==1 and .expected==1
            and .final_count==1 and .lost_updates==0 and .premature_deallocs==0
            and .racy==false and (.ns_per_op|type)=="number" and .ns_per_op>0
            and (.run_ns_per_op|type)=="number"' "$last_out" >/dev/null; then
        pass "$name: exact"
    else
        fail "$name: exact" "exit $last_status; $(head -c 300 "$last_out") $(head -c 200 "$last_err")"
    fi
}

test_exact_combinations() {
    local sync
    for sync in none atomic mutex biased; do
        exact_run "seq $sync" --mode=seq --sync="$sync" "${SMALL[@]}"
        exact_run "gil $sync" --mode=gil --sync="$sync" "${SMALL[@]}"
        exact_run "fork $sync" --mode=fork --sync="$sync" "${SMALL[@]}"
        exact_run "pool $sync" --mode=pool --workers=2 --tasks=4 --sync="$sync" "${SMALL[@]}"
    done
    exact_run "gil --gil=old none" --mode=gil --gil=old "${SMALL[@]}"
    exact_run "gil none, 4 threads, 100 us interval" --mode=gil --tasks=4 --switch-interval-us=100 --ops=2e6
    exact_run "threads atomic" --mode=threads --sync=atomic --ops=2e6
    exact_run "threads mutex" --mode=threads --sync=mutex --ops=1e6
    exact_run "threadpool atomic" --mode=threadpool --workers=2 --sync=atomic --ops=2e6
    exact_run "threads biased" --mode=threads --sync=biased --ops=2e6
    exact_run "threads biased, 4 tasks" --mode=threads --tasks=4 --sync=biased --ops=2e6
    exact_run "threadpool biased" --mode=threadpool --workers=2 --tasks=4 --sync=biased --ops=2e6
    exact_run "threadpool none, one worker" --mode=threadpool --workers=1 --tasks=3 "${SMALL[@]}"
    exact_run "threads none, one task" --mode=threads --tasks=1 "${SMALL[@]}"
}

# Biased counting: only task 0's thread takes the owner's fast path.
test_biased_owner() {
    run "$REFCOUNT" --mode=threads --tasks=3 --sync=biased "${SMALL[@]}" --json
    expect_json "threads biased: one owner task, two others, both priced" \
        '.owner_tasks == 1 and .owner_ns_per_op > 0 and .others_ns_per_op > 0'
    run "$REFCOUNT" --mode=seq --tasks=3 --sync=biased "${SMALL[@]}" --json
    expect_json "seq biased: every task runs on the owner's thread" \
        '.owner_tasks == 3 and .others_ns_per_op == 0'
    run "$REFCOUNT" --mode=threads --sync=atomic "${SMALL[@]}" --json
    expect_json "no owner figures unless biased" '.owner_tasks == null'
}

# A task's peak shows whose references it could see: its own only (1 + hold)
# in sequence and in separate processes.
test_peaks_and_processes() {
    run "$REFCOUNT" --mode=seq --hold=5 "${SMALL[@]}" --json
    expect_json "seq: peak is 1 + hold" '.peak_count == 6 and .hold == 5'
    run "$REFCOUNT" --mode=fork --tasks=3 --hold=5 "${SMALL[@]}" --json
    expect_json "fork: every child sees only its own references, parent count unmoved" \
        '.peak_count == 6 and .shares_memory == false and .final_count == 1'
    expect_json "fork: the lesson is in the notes" \
        'any(.notes[]; test("share no memory"))'
    run "$REFCOUNT" --mode=fork "${SMALL[@]}"
    expect_out "fork: human output says the parent's count is still 1" 'parent.s count is still 1'
    run "$REFCOUNT" --mode=gil --sync=none "${SMALL[@]}"
    expect_out "gil: human output explains why plain updates are exact" 'only the GIL holder'
    expect_out "human output: result beside expected" '^expected +1$'
}

# The racy combination must corrupt (5e7 ops: the threads overlap for
# ~100 ms); tried up to 3 times, as one run on a busy machine may not overlap.
test_racy_corrupts() {
    local mode try corrupted=no
    for mode in threads threadpool; do
        corrupted=no
        for try in 1 2 3; do
            run "$REFCOUNT" --mode="$mode" --workers=2 --tasks=2 --sync=none --ops=5e7 --json
            [ "$last_status" -eq 0 ] || break
            if jq_true '.ok==false and .racy==true
                    and (.lost_updates > 0 or .premature_deallocs > 0)
                    and .lost_updates == (if .final_count > 1 then .final_count - 1 else 1 - .final_count end)' \
                    "$last_out" >/dev/null; then
                corrupted=yes
                break
            fi
        done
        if [ "$corrupted" = yes ]; then
            pass "$mode --sync=none: corrupts the count, reports it, exits 0 (try $try)"
        else
            fail "$mode --sync=none: corrupts the count, reports it, exits 0" \
                "exit $last_status; $(head -c 300 "$last_out")"
        fi
    done
    run "$REFCOUNT" --mode=threads --sync=none --ops=5e7
    if [ "$last_status" -eq 0 ] && grep -Eq '^# no lock' "$last_out"; then
        pass "threads --sync=none: human output names the lesson"
    else
        # a run whose threads did not overlap says so instead
        expect_out "threads --sync=none: human output explains the outcome" '^# no lock'
    fi
}

tsan_report() { grep -q 'WARNING: ThreadSanitizer' "$1"; }

# ThreadSanitizer must flag the racy combination and no other.  (A two-worker
# threadpool with --sync=none is racy too, but only when its workers happen to
# run tasks at the same time; TSan, rightly, stays silent when one worker took
# both tasks one after the other, so it is not asserted here.)
test_tsan() {
    if ! make -s tsan >"$TEST_TMP/tsan-build.log" 2>&1 || [ ! -x bin/tsan/refcount ]; then
        fail "tsan build of refcount" "$(tail -5 "$TEST_TMP/tsan-build.log")"
        return
    fi
    local tsan=bin/tsan/refcount line args
    export TSAN_OPTIONS="halt_on_error=0:exitcode=66"
    run "$tsan" --mode=threads --sync=none --ops=20000 --json
    if tsan_report "$last_err" && grep -q 'data race' "$last_err" && grep -q 'refcount.c' "$last_err"; then
        pass "tsan flags a data race in refcount.c: --mode=threads --sync=none"
    else
        fail "tsan flags a data race in refcount.c: --mode=threads --sync=none" "exit $last_status; $(head -c 300 "$last_err")"
    fi
    for line in "--mode=threads --sync=atomic" "--mode=threads --sync=mutex" \
        "--mode=gil --sync=none" "--mode=gil --gil=old --sync=none" \
        "--mode=gil --sync=atomic" "--mode=threadpool --workers=1 --sync=none" \
        "--mode=seq --sync=none" "--mode=fork --sync=none" \
        "--mode=threadpool --workers=2 --sync=mutex" "--mode=threads --sync=biased" \
        "--mode=threads --tasks=4 --sync=biased" "--mode=gil --sync=biased"; do
        read -r -a args <<<"$line"
        run "$tsan" "${args[@]}" --ops=20000 --json
        if [ "$last_status" -eq 0 ] && ! tsan_report "$last_err"; then
            pass "tsan is silent: $line"
        else
            fail "tsan is silent: $line" "exit $last_status; $(grep -m3 -A3 'ThreadSanitizer' "$last_err" || head -c 300 "$last_err")"
        fi
    done
}

main() {
    test_help_and_version
    test_bad_input
    test_exact_combinations
    test_biased_owner
    test_peaks_and_processes
    test_racy_corrupts
    test_tsan
}

main "$@"
