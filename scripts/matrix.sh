# scripts/matrix.sh - what `make bench` measures: every experiment, at each size.
# Sourced by scripts/bench.sh, which decides how they run.
# shellcheck shell=bash
#
# An experiment is one command timed on its own.  Experiments that are read
# together form a group; a row's speedup is its baseline's median time over its
# own.  plan_experiments prints one TAB-separated row per experiment:
#   id case impl group mode variant label tasks workers param baseline kind command...
# kind is "timed" (hyperfine measures the whole process), "shell" (the same,
# for a shell command that has no --json report of its own) or "sampled"
# (convoy: its phases last a fixed time, so the lesson is in its own JSON,
# run by run: SAMPLES in all, spread over the ROUNDS and alternated across
# the group's rows).
# The refcount rows are timed, and their --json report is also taken
# REFCOUNT_RUNS times (whether a racy count loses updates is chance).

# set_sizes SIZE: how big each experiment is and how often it runs.  The
# counts are chosen so that one task of count takes ~0.3 s at full size on the
# 2-core lab machine, and the whole quick matrix stays under ~2 minutes.
# shellcheck disable=SC2034  # the sizes are read by scripts/bench.sh
set_sizes() {
    case "$1" in
        full)
            COUNT_ITERATIONS=8e8 COUNT_TOTAL=8e8 PY_ITERATIONS=1e7
            FETCH_REQUESTS=16 FETCH_DELAY_MS=100 FETCH_SWEEP="1 2 4 8 16 32 64" SWEEP_DELAY_MS=50
            INTERLEAVE_ITEMS=10 INTERLEAVE_SLEEP_MS=50 REFCOUNT_OPS=2e7
            CONVOY_SECONDS=1 CONVOY_INTERVALS="100 500 1000 5000 20000" TRACE_ITERATIONS=2e8
            ROUNDS=2 RUNS=4 WARMUP=1 SAMPLES=5 REFCOUNT_RUNS=10 ;;
        quick)
            COUNT_ITERATIONS=2e8 COUNT_TOTAL=4e8 PY_ITERATIONS=2e6
            FETCH_REQUESTS=16 FETCH_DELAY_MS=50 FETCH_SWEEP="1 4 16" SWEEP_DELAY_MS=20
            INTERLEAVE_ITEMS=5 INTERLEAVE_SLEEP_MS=20 REFCOUNT_OPS=2e7
            CONVOY_SECONDS=0.4 CONVOY_INTERVALS="100 1000 5000" TRACE_ITERATIONS=1e8
            ROUNDS=2 RUNS=3 WARMUP=1 SAMPLES=3 REFCOUNT_RUNS=5 ;;
        tiny)  # for the harness's own tests: every group, as small as it gets
            COUNT_ITERATIONS=1e6 COUNT_TOTAL=4e6 PY_ITERATIONS=1e4
            FETCH_REQUESTS=4 FETCH_DELAY_MS=5 FETCH_SWEEP="1 4" SWEEP_DELAY_MS=5
            INTERLEAVE_ITEMS=2 INTERLEAVE_SLEEP_MS=5 REFCOUNT_OPS=2e4
            CONVOY_SECONDS=0.05 CONVOY_INTERVALS="1000 5000" TRACE_ITERATIONS=1e6
            ROUNDS=1 RUNS=2 WARMUP=0 SAMPLES=2 REFCOUNT_RUNS=3 ;;
        *) return 1 ;;
    esac
}

# row ID CASE IMPL GROUP MODE VARIANT LABEL TASKS WORKERS PARAM BASELINE KIND CMD...
row() {
    local IFS=$'\t'
    printf '%s\n' "${*:1:12}	${*:13}"
}

# c_row GROUP MODE VARIANT LABEL TASKS WORKERS PARAM BASELINE CASE ARGS...:
# a row for one of our binaries, timed by hyperfine.  The pools are given
# their size; the other modes' worker count follows from the mode.
c_row() {
    local group=$1 mode=$2 variant=$3 label=$4 tasks=$5 workers=$6 param=$7 baseline=$8 kase=$9
    shift 9
    local id="$group.$label${param:+.$param}"
    case "$mode" in
        pool | threadpool) set -- "--workers=$workers" "$@" ;;
        seq) workers=1 ;;
        *) workers=$tasks ;;
    esac
    row "$id" "$kase" gilbench "$group" "$mode" "$variant" "$label" "$tasks" "$workers" \
        "$param" "$baseline" timed "$BIN/$kase" "--mode=$mode" "--tasks=$tasks" "$@"
}

plan_count() {
    local tasks group iterations mode
    # The seeds' two setups, 2 and 10 tasks, doing the same total work.
    for tasks in 2 10; do
        group="count-$tasks"
        iterations=$(per_task "$COUNT_ITERATIONS" 2 "$tasks")
        for mode in seq threads gil fork pool threadpool; do
            c_row "$group" "$mode" "" "$mode" "$tasks" "$CORES" "" "$group.seq" count \
                "--iterations=$iterations"
        done
        c_row "$group" gil old gil-old "$tasks" "$tasks" "" "$group.seq" count \
            "--iterations=$iterations" --gil=old
    done
    # The ceiling: two independent processes started by the shell, each one
    # task in seq mode.  Nothing is shared, so this is as fast as two tasks
    # can get here; threads, fork and pool should come close to it.
    # The binary and the count are bash -c's arguments, not part of its
    # script, so that no path (spaces, quotes, $) is read as shell code.
    # shellcheck disable=SC2016 # expanded by that bash, not this one
    local two='"$0" --mode=seq --tasks=1 "--iterations=$1" & first=$!; "$0" --mode=seq --tasks=1 "--iterations=$1"; wait "$first"'
    row count-2.shell count gilbench count-2 fork shell shell 2 2 "" count-2.seq shell \
        bash -c "$two" "$BIN/count" "$COUNT_ITERATIONS"
    # Strong scaling: the same total work split over 1 .. 2 x cores workers.
    c_row count-scaling seq "" seq 1 1 "" count-scaling.seq count "--iterations=$COUNT_TOTAL"
    local w
    for w in $(seq 1 $((2 * CORES))); do
        iterations=$(per_task "$COUNT_TOTAL" 1 "$w")
        for mode in threads gil fork pool; do
            c_row count-scaling "$mode" "" "$mode" "$w" "$w" "$w" count-scaling.seq count \
                "--iterations=$iterations"
        done
    done
}

# The same two-task experiment in real CPython: threads, processes, a pool.
plan_count_cpython() {
    [ -n "$PYTHON_IMPL" ] || return 0
    local mode py_mode pool_size
    for py_mode in seq threads processes pool; do
        case "$py_mode" in processes) mode=fork ;; *) mode=$py_mode ;; esac
        pool_size=""
        [ "$py_mode" != pool ] || pool_size=$CORES
        row "count-2-cpython.py-$py_mode" count "$PYTHON_IMPL" count-2-cpython "$mode" "" \
            "py-$py_mode" 2 "$(py_workers "$py_mode" "$pool_size")" "" count-2-cpython.py-seq timed \
            "$PYTHON" cases/count.py "--mode=$py_mode" --tasks=2 \
            "--iterations=$PY_ITERATIONS" ${pool_size:+"--workers=$pool_size"}
    done
}

plan_fetch() {
    local mode n
    local common=("--server=$SERVER_URL" --timeout-ms=10000)
    # The pools get one worker per request, as the seeds' executors would.
    for mode in seq threads gil fork pool threadpool async; do
        c_row fetch "$mode" "" "$mode" "$FETCH_REQUESTS" "$FETCH_REQUESTS" "" fetch.seq fetch \
            "${common[@]}" "--requests=$FETCH_REQUESTS" "--delay-ms=$FETCH_DELAY_MS"
    done
    c_row fetch gil hold gil-hold "$FETCH_REQUESTS" "$FETCH_REQUESTS" "" fetch.seq fetch \
        "${common[@]}" "--requests=$FETCH_REQUESTS" "--delay-ms=$FETCH_DELAY_MS" --gil-io=hold
    for n in $FETCH_SWEEP; do
        for mode in seq threads async; do
            c_row fetch-n "$mode" "" "$mode" "$n" "$n" "$n" "fetch-n.seq.$n" fetch \
                "${common[@]}" "--requests=$n" "--delay-ms=$SWEEP_DELAY_MS"
        done
    done
}

plan_interleave() {
    local mode
    for mode in seq threads gil fork pool threadpool async; do
        c_row interleave "$mode" "" "$mode" 2 2 "" interleave.seq interleave --quiet \
            "--items=$INTERLEAVE_ITEMS" "--sleep-ms=$INTERLEAVE_SLEEP_MS"
    done
}

plan_refcount() {
    local entry mode sync
    for entry in seq:none seq:atomic seq:mutex threads:none threads:atomic threads:mutex \
                 threads:biased gil:none; do
        mode=${entry%%:*} sync=${entry#*:}
        c_row refcount "$mode" "$sync" "$mode-$sync" 2 2 "" refcount.seq-none refcount \
            "--sync=$sync" "--ops=$REFCOUNT_OPS"
    done
}

plan_convoy() {
    local entry mode policy label
    for entry in gil:new:gil gil:old:gil-old threads::threads fork::fork; do
        IFS=: read -r mode policy label <<<"$entry"
        row "convoy.$label" convoy gilbench convoy "$mode" "$policy" "$label" 2 2 "" "" \
            sampled "$BIN/convoy" "--mode=$mode" "--seconds=$CONVOY_SECONDS" \
            ${policy:+"--gil=$policy"}
    done
    if [ -n "$PYTHON_IMPL" ]; then
        row convoy.py convoy "$PYTHON_IMPL" convoy gil new py 2 2 "" "" sampled \
            "$PYTHON" cases/convoy.py "--seconds=$CONVOY_SECONDS"
    fi
    local us
    for us in $CONVOY_INTERVALS; do
        row "convoy-interval.gil.$us" convoy gilbench convoy-interval gil new gil 2 2 "$us" "" \
            sampled "$BIN/convoy" --mode=gil "--seconds=$CONVOY_SECONDS" "--switch-interval-us=$us"
    done
    # The same sweep in CPython 3 (sys.setswitchinterval; Python 2 has none).
    [[ "$PYTHON_IMPL" == cpython-3* ]] || return 0
    for us in $CONVOY_INTERVALS; do
        row "convoy-interval.py.$us" convoy "$PYTHON_IMPL" convoy-interval gil new py 2 2 "$us" "" \
            sampled "$PYTHON" cases/convoy.py "--seconds=$CONVOY_SECONDS" "--switch-interval-us=$us"
    done
}

# py_workers MODE POOL_SIZE: the worker count of a count.py mode.
py_workers() {
    case "$1" in
        seq) echo 1 ;;
        pool) echo "$2" ;;
        *) echo 2 ;;
    esac
}

# per_task TOTAL TIMES PARTS: TOTAL x TIMES / PARTS, so that the same total work
# is split however many tasks share it; 1e9-style input, an exact integer out.
per_task() {
    awk -v total="$1" -v times="$2" -v parts="$3" 'BEGIN { printf "%.0f\n", total * times / parts }'
}

# plan_experiments GROUP_REGEX: every experiment whose group matches.
plan_experiments() {
    local filter=$1
    {
        plan_count
        plan_count_cpython
        plan_fetch
        plan_interleave
        plan_refcount
        plan_convoy
    } | awk -F '\t' -v re="$filter" '$4 ~ "^(" re ")$"'
}
