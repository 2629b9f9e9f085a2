# scripts/experiments.sh - how scripts/bench.sh runs the plan: every
# experiment once per round, the sampled groups alternated, then
# experiments.tsv (the noisy rows' re-runs, which run_round also runs, are
# scripts/rerun.sh).  Sourced by bench.sh, after matrix.sh and children.sh.
# shellcheck shell=bash
#
# The plan (plan.tsv, PLAN_COLUMNS in scripts/schema.sh) is read once by its
# header names into PLAN_IDS (in plan order) and PLAN[ID,COLUMN]; the command's
# words stay TAB-separated in PLAN[ID,command].

# run_timed ID ROUND KIND CMD...: hyperfine times CMD; round 1 also keeps
# CMD's own --json report (run just before hyperfine) (GIL statistics, refcount figures), unless KIND is
# shell (a shell command has none).  The shell row (the machine's ceiling)
# gets SHELL_RUNS_FACTOR times the runs: two processes started together
# spread wider than one, and its spread must not exceed the rows it bounds.
run_timed() {
    local id=$1 round=$2 kind=$3
    shift 3
    # shellcheck disable=SC2153 # RUNS is a size (matrix.sh SIZES)
    local hf="$WORK/raw/$id.r$round.hyperfine" runs=$RUNS
    [ "$kind" != shell ] || runs=$((RUNS * SHELL_RUNS_FACTOR))
    # Round 1 first keeps the command's own report: that run also warms the
    # row up (caches, page cache) before hyperfine times it.
    if [ "$round" -eq 1 ] && [ "$kind" = timed ]; then
        record_run "$id" "$@" || return 1
    fi
    if ! run_child hyperfine -N --style=none --output=null --warmup "$WARMUP" --runs "$runs" \
        --export-json "$hf.json" -- "$(hyperfine_words "$@")" >"$hf.log" 2>&1; then
        # hyperfine keeps only "non-zero exit code": run the command once
        # more on its own, so that its own words (a refusal, a failed check)
        # are there for failure_cause.
        run_child "$@" >/dev/null 2>"$WORK/raw/$id.run.err" || true
        return 1
    fi
    if ! jq -s -e '.[0].results[0].times | length > 0' "$hf.json" >/dev/null 2>&1; then
        echo "hyperfine wrote no times to raw/$id.r$round.hyperfine.json (disk full?)" >>"$hf.log"
        return 1
    fi
    if [ "$round" -eq 1 ] && [ "$kind" = timed ]; then
        # refcount: whether an unsynchronised count goes wrong is a matter
        # of chance, so those rows (--sync=none: racy in threads, protected
        # by the GIL, alone in seq) are sampled experiments too: REFCOUNT_RUNS
        # reports in raw/ID.runs.jsonl (the first is run.json), which
        # summarize.sh aggregates ("wrong in k of n runs").  The synchronised
        # rows are exact by construction; their one report checks it.
        # A row of the cost blocks gets its reports from them instead.
        local costs
        costs=$(cost_rows)
        if [[ "$id" == refcount.*-none ]] && [[ " $costs " != *" $id "* ]]; then
            jq -c . "$WORK/raw/$id.run.json" >"$WORK/raw/$id.runs.jsonl" || return 1
            local _
            for _ in $(seq 2 "$REFCOUNT_RUNS"); do
                run_sampled_once "$id" "$@" || return 1
            done
        fi
        [ -z "$costs" ] || [ "$id" != "${costs##* }" ] || run_cost_blocks "$costs" || return 1
    fi
}

# cost_rows: the rows of COST_ROWS in the plan, in its order, when the plan
# has the baseline and another of them; else nothing (a run --only one of
# them gives the -none row its own REFCOUNT_RUNS reports, as any other).
cost_rows() {
    local id out=""
    for id in "${PLAN_IDS[@]}"; do
        [[ " ${COST_ROWS:-} " != *" $id "* ]] || out+="${out:+ }$id"
    done
    [[ "$out" == "${COST_ROWS%% *} "* ]] && printf '%s\n' "$out"
    return 0
}

# run_cost_blocks: the costs L6 cites (a contended atomic, a contended mutex,
# over a plain add) are ratios of reports, ns_per_op over ns_per_op, and the
# plain add's own figure moves by a seventh from one minute to the next on a
# shared VM.  So each ratio is taken within a block: REFCOUNT_RUNS blocks,
# each running every row of COST_ROWS (the baseline first in the table) once,
# back to back, rows rotated from block to block and every other block
# reversed; each report appended to raw/ID.runs.jsonl (its k-th line is
# block k's), one line a block in raw/BASELINE.costs.jsonl (block, order).
# scripts/gilbench/ratios.py pairs them.  run_cost_blocks ROWS: called after
# the last of ROWS' round-1 runs (each has had its record run); a row that
# failed before is left out, one that fails in a block is named and ends
# the blocks.
run_cost_blocks() {
    local -a rows=() order=()
    local id b k n i
    for id in $1; do [ -n "${FAILED[$id]:-}" ] || rows+=("$id"); done
    [ "${#rows[@]}" -ge 2 ] && [ "${rows[0]}" = "${1%% *}" ] || return 0
    n=${#rows[@]}
    rm -f "$WORK/raw/${rows[0]}.costs.jsonl"
    for id in "${rows[@]}"; do rm -f "$WORK/raw/$id.runs.jsonl"; done
    for b in $(seq 0 $((REFCOUNT_RUNS - 1))); do
        k=$(((b / 2) % n)) order=()
        for i in $(seq 0 $((n - 1))); do order+=("${rows[(k + i) % n]}"); done
        if [ $((b % 2)) -eq 1 ]; then
            for i in $(seq 0 $((n - 1))); do order[i]=${rows[(k + n - 1 - i) % n]}; done
        fi
        for id in "${order[@]}"; do
            # A row that fails ends the blocks; the costs fall back to the
            # reports' medians (ratios.py pairs only whole blocks).
            sample_row "$id" "cost block $((b + 1)) of $REFCOUNT_RUNS" || return 0
        done
        printf '{"block":%d,"order":[%s]}\n' "$b" "$(printf '"%s",' "${order[@]}" | sed 's/,$//')" \
            >>"$WORK/raw/${rows[0]}.costs.jsonl"
    done
}

# hyperfine_words ARG...: one string that hyperfine -N splits back into ARG...
# Its splitter knows POSIX quoting, not bash's $'...' (printf %q uses that for
# bytes that are not printable in the locale, such as an é under LC_ALL=C):
# every word single-quoted, a quote inside as '\''.
hyperfine_words() {
    local arg out=""
    for arg in "$@"; do
        out+="${out:+ }'${arg//\'/\'\\\'\'}'"
    done
    printf '%s' "$out"
}

# check_report JSON ERR: a binary's --json report is one JSON object; an empty
# or cut file (a full disk) fails the row, with the reason in ERR.
check_report() {
    # -s: jq 1.6 -e exits 0 on an empty file.
    if ! jq -s -e 'length == 1 and (.[0] | type == "object")' "$1" >/dev/null 2>&1; then
        echo "its --json report $(basename "$1") is $([ -s "$1" ] && echo 'not a JSON object' || echo empty)" >>"$2"
        return 1
    fi
}

# check_gil JSON ERR CMD...: a row that asks for the GIL off or on (-X gil=0,
# -X gil=1: the free-threaded CPython rows) fails, with the reason in ERR,
# when its --json report says the interpreter ran otherwise: the A/B on one
# binary is only one if the GIL is what the row says.
check_gil() {
    local json=$1 err=$2 want="" got
    shift 2
    while [ $# -gt 1 ]; do
        if [ "$1" = -X ]; then
            case "$2" in gil=0) want=false ;; gil=1) want=true ;; esac
        fi
        shift
    done
    [ -n "$want" ] || return 0
    got=$(jq -r 'if has("gil_enabled") then .gil_enabled | tostring else "absent" end' "$json" 2>/dev/null) || got=unreadable
    [ "$got" = "$want" ] && return 0
    echo "it asked for gil_enabled=$want, its --json report says gil_enabled=$got" >>"$err"
    return 1
}

# run_sampled_once ID CMD...: one run of CMD, its report one JSON line
# appended to raw/ID.runs.jsonl.
run_sampled_once() {
    local id=$1
    shift
    run_child "$@" --json >"$WORK/raw/$id.out" 2>>"$WORK/raw/$id.run.err" || return 1
    check_report "$WORK/raw/$id.out" "$WORK/raw/$id.run.err" || return 1
    check_gil "$WORK/raw/$id.out" "$WORK/raw/$id.run.err" "$@" || return 1
    jq -c . "$WORK/raw/$id.out" >>"$WORK/raw/$id.runs.jsonl" || return 1
    rm -f "$WORK/raw/$id.out"
}

# fmt_duration SECONDS: m:ss
fmt_duration() { printf '%d:%02d' "$(($1 / 60))" "$(($1 % 60))"; }

# stop_unless_writable: after a failed row, stop the run if the cause is the
# run folder itself (a full disk, a lost mount): every later row would fail
# the same way, each with a confusing message of its own.
stop_unless_writable() {
    local probe="$WORK/raw/.write-probe" err
    if ! err=$({ printf 'gilbench\n' >"$probe"; } 2>&1); then
        echo "bench: cannot write the run under $RESULTS_DIR (${err##*: }); stopping" >&2
        exit 1
    fi
    rm -f "$probe"
}

# now_ms: the wall clock in milliseconds (bash 5's EPOCHREALTIME).
now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

run_matrix() {
    local plan="$WORK/plan.tsv" round
    plan_experiments "$FILTER" >"$plan"
    load_plan "$plan"
    TOTAL=$((${#PLAN_IDS[@]} * ROUNDS)) DONE_COUNT=0 MATRIX_STARTED=$SECONDS
    # The progress lines' columns: the counter as wide as [N/N], the id as
    # the plan's longest.
    local id
    PROGRESS_COUNTER_WIDTH=$((2 * ${#TOTAL} + 3)) PROGRESS_ID_WIDTH=0
    for id in "${PLAN_IDS[@]}"; do
        [ "${#id}" -le "$PROGRESS_ID_WIDTH" ] || PROGRESS_ID_WIDTH=${#id}
    done
    # shellcheck disable=SC2034 # BLOCK_NEXT: the next block of each family (blocks.sh)
    declare -gA FAILED=() ROW_MS=() WORKERS=() BLOCK_NEXT=()
    # Rounds alternate: every experiment runs once per round, so slow drift of
    # a noisy machine spreads over all modes instead of landing on a few.
    for round in $(seq "$ROUNDS"); do
        run_round "$round" ""
    done
    write_experiments
    rerun_noisy
    rm -f "$plan"
}

# load_plan PLAN: PLAN_IDS and PLAN[ID,COLUMN] from plan.tsv, by its header.
load_plan() {
    declare -ga PLAN_IDS=()
    declare -gA PLAN=()
    local line id name
    local -a f names
    local -A at=()
    {
        IFS= read -r line
        read_header "$line" $'\t' at
        names=("${!at[@]}")
        while IFS= read -r line; do
            # \x1f, not TAB, as the separator: read merges runs of TABs, and
            # some fields (variant, param) are empty.
            IFS=$'\x1f' read -r -a f <<<"${line//$'\t'/$'\x1f'}"
            id=${f[${at[id]}]}
            PLAN_IDS+=("$id")
            for name in "${names[@]}"; do PLAN[$id,$name]=${f[${at[$name]}]:-}; done
            printf -v line '%s\t' "${f[@]:${at[command]}}"
            PLAN[$id,command]=${line%$'\t'}
        done
    } <"$1"
}

# plan_ids GROUP [KIND]: the ids of GROUP's rows (of KIND only, when given).
plan_ids() {
    local id
    for id in "${PLAN_IDS[@]}"; do
        [ "${PLAN[$id,group]}" = "$1" ] || continue
        [ -z "${2:-}" ] || [ "${PLAN[$id,kind]}" = "$2" ] || continue
        printf '%s\n' "$id"
    done
}

# run_round ROUND [ID...]: one round of every experiment of the plan (of the
# IDs only, when given), in the plan's order.  A group of sampled rows
# (convoy) runs as a block whose samples alternate row by row: sample 1 of
# each row, then sample 2...  In round 1 each timed row's time is kept in
# ROW_MS, the cost of re-running it.  Each gets a progress line on stderr,
# "[k/N] round r/R  ID  elapsed m:ss, left ~m:ss", ID as the noisy and
# failure lines name it (a sampled block: its group), the columns aligned.
run_round() {
    local round=$1 id t0 which
    shift
    local only=" $* "
    local -A sampled_done=() family_done=()
    for id in "${PLAN_IDS[@]}"; do
        local group=${PLAN[$id,group]} kind=${PLAN[$id,kind]} elapsed left counter family=""
        [ "$only" = "  " ] || [[ "$only" == *" $id "* ]] || continue
        [ "$kind" != sampled ] || [ -z "${sampled_done[$group]:-}" ] || continue
        if is_blocked "$id"; then
            family=$(baseline_of "$id")
            [ -z "${family_done[$family]:-}" ] || continue
            family_done[$family]=1
        fi
        local -a cmd
        IFS=$'\t' read -r -a cmd <<<"${PLAN[$id,command]}"
        elapsed=$((SECONDS - MATRIX_STARTED))
        if [ "$round" -gt "$ROUNDS" ]; then
            # A re-run: counted on its own ([re-run k/M], M the family
            # rerun_noisy announced), so that [k/N]'s N never grows; the
            # time left is the round-1 time of the family's rows not yet re-run.
            RERUN_DONE=$((RERUN_DONE + 1))
            counter="re-run $RERUN_DONE/$RERUN_TOTAL"
            which="extra round $((round - ROUNDS))/$(max_extra_rounds ${family:+blocked})"
            left=$(fmt_duration $((RERUN_LEFT_MS / 1000)))
            RERUN_LEFT_MS=$((RERUN_LEFT_MS - ${ROW_MS[$id]:-0}))
        else
            DONE_COUNT=$((DONE_COUNT + 1))
            counter="$DONE_COUNT/$TOTAL"
            which="round $round/$ROUNDS"
            left="?"
            [ "$DONE_COUNT" -le 1 ] ||
                left=$(fmt_duration $((elapsed * (TOTAL - DONE_COUNT + 1) / (DONE_COUNT - 1))))
        fi
        t0=$(now_ms)
        if [ -n "$family" ]; then
            local -a members
            read -r -a members <<<"$(family_of "$family")"
            if [ "$round" -le "$ROUNDS" ]; then DONE_COUNT=$((DONE_COUNT + ${#members[@]} - 1)); counter="$DONE_COUNT/$TOTAL"
            else RERUN_DONE=$((RERUN_DONE + ${#members[@]} - 1)); counter="re-run $RERUN_DONE/$RERUN_TOTAL"; fi
            printf '%-*s %s  %-*s  %s rows x %s blocks, time-paired  elapsed %s, left ~%s\n' \
                "$PROGRESS_COUNTER_WIDTH" "[$counter]" "$which" "$PROGRESS_ID_WIDTH" "$family" \
                "${#members[@]}" "$BLOCKS" "$(fmt_duration "$elapsed")" "$left" >&2
            run_family_blocks "$round" "$family"
            if [ "$round" -eq 1 ]; then
                # The family's time, shared among its rows: the re-runs' price.
                local ms=$(( ($(now_ms) - t0) / ${#members[@]} )) m
                for m in "${members[@]}"; do ROW_MS[$m]=$ms; done
            fi
            continue
        elif [ "$kind" = sampled ]; then
            sampled_done[$group]=1
            local rows
            rows=$(plan_ids "$group" sampled | wc -l)
            DONE_COUNT=$((DONE_COUNT + rows - 1))
            local few most
            few=$(round_samples "$round") most=$(round_samples "$round" "${CONVOY_SAMPLES:-$SAMPLES}")
            [ "$most" -le "$few" ] || [ -z "$(plan_ids "$group" sampled | more_samples)" ] || few="$few-$most"
            printf '%-*s %s  %-*s  %s rows x %s samples, alternated  elapsed %s, left ~%s\n' \
                "$PROGRESS_COUNTER_WIDTH" "[$DONE_COUNT/$TOTAL]" "$which" "$PROGRESS_ID_WIDTH" "$group" \
                "$rows" "$few" "$(fmt_duration "$elapsed")" "$left" >&2
            run_sampled_group "$group" "$round"
        else
            printf '%-*s %s  %-*s  elapsed %s, left ~%s\n' "$PROGRESS_COUNTER_WIDTH" "[$counter]" "$which" \
                "$PROGRESS_ID_WIDTH" "$id" "$(fmt_duration "$elapsed")" "$left" >&2
            if [ -z "${FAILED[$id]:-}" ] && ! run_timed "$id" "$round" "$kind" "${cmd[@]}"; then
                FAILED[$id]=1
                stop_unless_writable
                echo "bench: FAILED $id: $(failure_cause "$id")" >&2
            fi
        fi
        [ "$round" -ne 1 ] || ROW_MS[$id]=$(($(now_ms) - t0))
    done
}

# round_samples ROUND [TOTAL]: this round's share of the TOTAL samples
# (default SAMPLES) a sampled row takes over the ROUNDS (5 over 2 rounds: 2,
# then 3); none in a re-run round.
round_samples() {
    local r=$1 total=${2:-$SAMPLES}
    [ "$r" -le "$ROUNDS" ] || { echo 0; return; }
    echo $((total * r / ROUNDS - total * (r - 1) / ROUNDS))
}

# more_samples: the ids on stdin that take CONVOY_SAMPLES samples, not
# SAMPLES (matrix.sh MORE_SAMPLES), one a line.
more_samples() {
    local id
    while IFS= read -r id; do
        [[ " ${MORE_SAMPLES:-} " != *" $id "* ]] || printf '%s\n' "$id"
    done
}

# run_sampled_group GROUP ROUND: this round's samples of each sampled row of
# GROUP (round_samples; CONVOY_SAMPLES for the rows of MORE_SAMPLES),
# alternated sample by sample, so that ours and CPython's share the
# machine's moments alike; the rows with more samples go on alternating
# among themselves.
run_sampled_group() {
    local group=$1 round=$2 sample id few most
    few=$(round_samples "$round") most=$(round_samples "$round" "${CONVOY_SAMPLES:-$SAMPLES}")
    [ "$most" -ge "$few" ] || most=$few
    [ "$most" -gt 0 ] || return 0
    for sample in $(seq "$most"); do
        while IFS= read -r id; do
            [ -z "${FAILED[$id]:-}" ] || continue
            [ "$sample" -le "$few" ] || [ -n "$(more_samples <<<"$id")" ] || continue
            sample_row "$id" "sample $sample" || true
        done < <(plan_ids "$group" sampled)
    done
}

# sample_row ID WHAT: one report of the plan's row ID (run_sampled_once);
# when it fails, the row is marked failed and named with WHAT (which sample
# or block) and the first thing a tool said, and the status is 1.
sample_row() {
    local -a cmd
    IFS=$'\t' read -r -a cmd <<<"${PLAN[$1,command]}"
    run_sampled_once "$1" "${cmd[@]}" && return 0
    FAILED[$1]=1
    stop_unless_writable
    echo "bench: FAILED $1 ($2): $(failure_cause "$1")" >&2
    return 1
}

# failure_cause ID: the first line a tool said about the failed row: hyperfine's
# error (or the usage error of an old one), else the binary's own.  The
# first, not the last: the last is often "For more information try --help".
failure_cause() {
    local id=$1 f line
    # The command's own stderr first: hyperfine's log only says that it failed.
    for f in "$WORK/raw/$id.run.err" "$WORK/raw/$id".r*.hyperfine.log; do
        [ -s "$f" ] || continue
        line=$(grep -m 1 '[^[:space:]]' "$f" || true)
        if [ -n "$line" ]; then
            printf '%s\n' "${line:0:300}"
            return 0
        fi
    done
    echo "no message (see $WORK/raw/$id.*)"
}

# workers_of ID: WORKERS[ID], the worker count the row's binary reported in its --json
# (raw/ID.run.json, or the first report of raw/ID.runs.jsonl); a shell row
# has no report, and its command starts one process per task; empty for a
# row that never reported.
workers_of() {
    local id=$1 f
    if [ -n "${WORKERS[$id]+set}" ]; then return 0; fi
    {
        WORKERS[$id]=""
        for f in "$WORK/raw/$id.run.json" "$WORK/raw/$id.runs.jsonl"; do
            [ -s "$f" ] || continue
            WORKERS[$id]=$(jq -r 'select(.workers != null) | .workers' "$f" 2>/dev/null | head -n 1) || true
            break
        done
        [ "${PLAN[$id,kind]}" != shell ] || WORKERS[$id]=${PLAN[$id,tasks]}
    }
}

# write_experiments: the plan as it ran, EXPERIMENTS_COLUMNS (schema.sh):
# the plan's columns, each row's workers and status, its command as one
# field (the words joined by spaces).
write_experiments() {
    local id name line
    local -a names fields
    read -r -a names <<<"$EXPERIMENTS_COLUMNS"
    {
        header_line "$EXPERIMENTS_COLUMNS" $'\t'
        for id in "${PLAN_IDS[@]}"; do
            workers_of "$id"
            fields=()
            for name in "${names[@]}"; do
                case "$name" in
                    workers) fields+=("${WORKERS[$id]}") ;;
                    status) fields+=("$([ -n "${FAILED[$id]:-}" ] && echo failed || echo ok)") ;;
                    command) fields+=("${PLAN[$id,command]//$'\t'/ }") ;;
                    *) fields+=("${PLAN[$id,$name]}") ;;
                esac
            done
            printf -v line '%s\t' "${fields[@]}"
            printf '%s\n' "${line%$'\t'}"
        done
    } >"$WORK/experiments.tsv"
}

# record_traces: one short gil run of count per policy with --trace, for the
# timeline plot of who held the GIL when.
record_traces() {
    [[ "count-2" =~ ^($FILTER)$ ]] || return 0
    local policy
    for policy in new old; do
        run_child "$BIN/count" --mode=gil --tasks=2 "--gil=$policy" \
            "--iterations=$TRACE_ITERATIONS" \
            "--trace=$WORK/raw/trace-gil-$policy.csv" --json \
            >"$WORK/raw/trace-gil-$policy.run.json" 2>>"$WORK/raw/trace.err" ||
            echo "bench: the $policy-GIL trace failed; the timeline plot will lack it" >&2
    done
}

