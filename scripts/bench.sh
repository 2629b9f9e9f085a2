#!/usr/bin/env bash
# scripts/bench.sh - time every case in every mode with hyperfine, then write
# the tables and plots of the run.  `make bench` calls it; see --help.
#
# A run is written into results/.NAME.partial and renamed to results/NAME only
# when it is complete, so a results folder without that prefix is always whole.
# Every command we start runs in a process group of its own (setsid), so that
# Ctrl-C, SIGTERM or a failure can stop it and everything it started at once.
# A kill -9 of the bench cannot be trapped: a lifeline (see start_lifeline)
# stops those groups then, and each child gets PR_SET_PDEATHSIG (setpriv).
set -euo pipefail
# Every number this script and its children read or print uses "." (mawk
# reads 0.5 as 0 under de_DE.UTF-8); nothing here prints the user's language.
export LC_ALL=C

SCRIPTS=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$SCRIPTS")
readonly PROG=bench
# shellcheck source=scripts/matrix.sh
source "$SCRIPTS/matrix.sh"
# shellcheck source=scripts/files.sh
source "$SCRIPTS/files.sh"

readonly NOISY_SPREAD=0.10 # stddev / mean above which a row is called noisy
readonly MAX_EXTRA_ROUNDS=2  # re-runs of a noisy group, at most
readonly RERUN_BUDGET_PCT=20 # re-runs take at most this share of the matrix's time,
readonly RERUN_BUDGET_MIN_S=20 # or this many seconds, whichever is more
readonly SHELL_RUNS_FACTOR=2 # the shell ceiling row runs this many times RUNS
# hyperfine 1.13.0 added -N (--shell=none), 1.14.0 --output (its changelog).
readonly HYPERFINE_MIN=1.14.0

usage() {
    cat <<EOF
Usage: scripts/bench.sh [OPTION]...   (make bench [QUICK=1] [BENCH_ARGS='OPTION...'])

Time every case of gilbench in every mode with hyperfine and write
results/HOST-TIME/ (machine.json, raw/, summary.csv/.md/.tex) and plots/HOST-TIME/.

Options:
  --quick          small sizes and few runs (about 2 minutes on 2 cores)
  --tiny           the smallest sizes, for the harness's own tests
  --only=REGEX     run only the groups matching REGEX (e.g. 'count-2|fetch');
                   groups: count-2 count-10 count-scaling count-2-cpython fetch
                   fetch-n interleave refcount convoy convoy-interval
  --results=DIR    where run folders go (default: results/)
  --plots=DIR      where plot folders go (default: plots/)
  --no-plots       write tables only
  --help, --version
Through make, BENCH_ARGS is split into words as the shell would, but only
quotes and backslashes count: BENCH_ARGS='--only=count-2|fetch --results="my runs"'.

Every experiment runs once per round, the rounds alternate.  The refcount rows
with --sync=none report 10 times (--quick: 5), because losing an update is
chance; the convoy rows take 5 samples (--quick: 3), alternated row by row.
A timed row whose spread (stddev / mean) is above $(awk -v l="$NOISY_SPREAD" 'BEGIN { print 100 * l }')% has its whole group
run again, one more round, before it is reported: at most $MAX_EXTRA_ROUNDS extra rounds
per group, within $RERUN_BUDGET_PCT% of the run's time (at least $RERUN_BUDGET_MIN_S s).  The count-2
shell row (the machine's ceiling) gets ${SHELL_RUNS_FACTOR}x the runs, and is re-run too when
its spread is above 2% and wider than that of the rows it bounds.

At the end: the tables, the headline, one line per lesson (scripts/lessons.sh:
RUN/lessons.md, RUN/lessons.json), the plots.

Environment: BIN (the binaries, default bin), PYTHON (the CPython of the
reference rows, default python3; PYTHON=none leaves them out).
Exit status: 0 every experiment ran and checked its result; 1 one or more
failed (the run is still written, failed rows marked); 2 bad usage.  A
lesson that does not hold is reported, and does not change the status.
EOF
}

usage_error() {
    echo "bench: $1" >&2
    echo "Try 'scripts/bench.sh --help'." >&2
    exit 2
}

parse_args() {
    # Relative paths are the user's, from where they called us; the defaults
    # are the repository's (main changes into it).
    SIZE=full FILTER='.*' RESULTS_DIR=results PLOTS_DIR=plots DRAW_PLOTS=true
    local arg
    for arg in "$@"; do
        case "$arg" in
            --quick) SIZE=quick ;;
            --tiny) SIZE=tiny ;;
            --only=?*) FILTER=${arg#--only=} ;;
            --results=?*) RESULTS_DIR=$(absolute "${arg#--results=}"); check_path --results "$RESULTS_DIR" ;;
            --plots=?*) PLOTS_DIR=$(absolute "${arg#--plots=}"); check_path --plots "$PLOTS_DIR" ;;
            --no-plots) DRAW_PLOTS=false ;;
            --help) usage; exit 0 ;;
            --version) echo "gilbench bench $(suite_version)"; exit 0 ;;
            *) usage_error "unknown option or missing value: '$arg'" ;;
        esac
    done
    # An invalid regex would silently select nothing; awk tells us instead.
    if ! awk -v re="$FILTER" 'BEGIN { if ("x" ~ re) {} }' 2>/dev/null; then
        usage_error "--only: not a valid regular expression: '$FILTER'"
    fi
}

absolute() { if [[ "$1" == /* ]]; then printf '%s\n' "$1"; else printf '%s\n' "$PWD/$1"; fi; }

# check_path WHAT PATH: every character may appear in a path we write, but a
# TAB or a newline would split the rows of experiments.tsv and summary.csv.
check_path() {
    case "$2" in
        *$'\t'* | *$'\n'*) usage_error "$1: a path with a TAB or a newline is not supported: ${2@Q}" ;;
    esac
}

suite_version() {
    sed -n 's/^#define GILBENCH_VERSION "\(.*\)"/\1/p' "$ROOT/harness/harness.h"
}

check_tools() {
    if ! bash "$SCRIPTS/install-deps.sh" --check bench; then
        echo "bench: then run make bench again" >&2
        exit 1
    fi
    check_hyperfine
    local kase
    for kase in count fetch interleave refcount convoy delayserver; do
        [ -x "$BIN/$kase" ] || { echo "bench: $BIN/$kase is not built; run 'make' first" >&2; exit 1; }
    done
    check_path "the checkout" "$ROOT"
    check_path "BIN" "$BIN"
}

# check_hyperfine: an older hyperfine refuses -N or --output on every row,
# after the whole matrix has been tried; say so once, before anything runs.
check_hyperfine() {
    local version
    version=$(hyperfine --version 2>/dev/null | awk '{ print $2; exit }')
    if ! [[ "$version" =~ ^[0-9]+(\.[0-9]+)*$ ]] ||
        [ "$(printf '%s\n' "$HYPERFINE_MIN" "$version" | sort -V | head -n 1)" != "$HYPERFINE_MIN" ]; then
        echo "bench: hyperfine ${version:-of unknown version} is too old: the bench needs hyperfine $HYPERFINE_MIN or newer (for -N and --output); see https://github.com/sharkdp/hyperfine/releases" >&2
        exit 2
    fi
}

# ----------------------------------------------------------- child processes
CHILD_PID=""
SERVER_PID=""
SERVER_URL="" # read by the fetch rows of matrix.sh

LIFELINE=""   # the write end of the lifeline pipe
PLOTS_FAILED=false
PDEATHSIG=()  # setpriv --pdeathsig KILL --, where util-linux has it (2.33+)

# start_lifeline: a watcher in a session of its own reads the process groups
# we start ("+PID", "-PID" when done) from a pipe only this script writes to.
# The pipe ends when this script ends, however it ends (kill -9 included);
# the watcher then kills the groups still listed, and exits.  Children get
# the pipe closed (child_start), so that only our death ends it.
start_lifeline() {
    exec {LIFELINE}> >(exec setsid bash "$SCRIPTS/lifeline.sh" >/dev/null 2>&1)
    if setpriv --pdeathsig KILL -- true 2>/dev/null; then PDEATHSIG=(setpriv --pdeathsig KILL --); fi
}

# child_start CMD...: start CMD in a process group of its own, dying with us;
# CHILD_STARTED is its pid (and group id).
child_start() {
    if [ -n "$LIFELINE" ]; then
        setsid "${PDEATHSIG[@]}" "$@" {LIFELINE}>&- &
        CHILD_STARTED=$!
        echo "+$CHILD_STARTED" >&"$LIFELINE" || true
    else
        setsid "$@" &
        CHILD_STARTED=$!
    fi
}

# child_done PID: the group of PID needs no killing any more.
child_done() { [ -z "$LIFELINE" ] || echo "-$1" >&"$LIFELINE" || true; }

# run_child CMD...: run CMD in its own process group and wait for it, so that
# a signal to this script interrupts the wait at once (see on_signal).
run_child() {
    child_start "$@"
    CHILD_PID=$CHILD_STARTED
    local rc=0
    wait "$CHILD_PID" || rc=$?
    child_done "$CHILD_PID"
    CHILD_PID=""
    return "$rc"
}

# stop_group PID: TERM the process group PID leads, then KILL what is left.
stop_group() {
    local pid=$1
    kill -TERM -- "-$pid" 2>/dev/null || return 0
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        kill -0 -- "-$pid" 2>/dev/null || break
        sleep 0.2
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    child_done "$pid"
}

start_server() {
    local out="$WORK/server.url"
    child_start "$BIN/delayserver" --port=0 >"$out" 2>"$WORK/server.log"
    SERVER_PID=$CHILD_STARTED
    for _ in $(seq 50); do
        if [ -s "$out" ]; then
            SERVER_URL=$(head -n 1 "$out")
            # Its warnings (a connection limit lowered to fit ulimit -n) bound
            # what the fetch rows can show: the user must see them.  They are
            # on stderr before it prints its URL, so they are all there now.
            if [ -s "$WORK/server.log" ]; then
                sed 's/^/bench: the delay server says: /' "$WORK/server.log" >&2
            fi
            return 0
        fi
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "bench: the delay server did not start: $(head -c 300 "$WORK/server.log")" >&2
    exit 1
}

stop_server() {
    if [ -n "$SERVER_PID" ]; then
        stop_group "$SERVER_PID"
        child_done "$SERVER_PID"
        SERVER_PID=""
    fi
}

cleanup() {
    [ -z "$CHILD_PID" ] || stop_group "$CHILD_PID"
    stop_server
    # WORK is cleared once the run is in place: a partial run left here means
    # we stopped early (a signal, or a failure under set -e).
    if [ -n "${WORK:-}" ] && [ -d "$WORK" ]; then
        echo "bench: stopped before the end; the partial run is removed" >&"$USER_STDERR"
        rm -rf "$WORK"
    fi
}

# on_signal SIG: stop everything, remove the partial run, die of SIG (so that
# make and the shell see an interrupted command, not a failed one).  A signal
# that lands while a command substitution runs kills that subshell first, and
# set -e then exits through the EXIT trap (status 128 + SIG) before this runs:
# the same clean-up, the same status, only not by the signal itself.
on_signal() {
    trap - EXIT INT TERM HUP
    printf '\nbench: interrupted (SIG%s)\n' "$1" >&"$USER_STDERR"
    cleanup
    kill -s "$1" "$$"
    exit 1
}

# ------------------------------------------------------------- experiments
# run_timed ID ROUND KIND CMD...: hyperfine times CMD; round 1 also keeps
# CMD's own --json report (GIL statistics, refcount figures), unless KIND is
# shell (a shell command has none).  The shell row (the machine's ceiling)
# gets SHELL_RUNS_FACTOR times the runs: two processes started together
# spread wider than one, and its spread must not exceed the rows it bounds.
run_timed() {
    local id=$1 round=$2 kind=$3
    shift 3
    local hf="$WORK/raw/$id.r$round.hyperfine" runs=$RUNS
    [ "$kind" != shell ] || runs=$((RUNS * SHELL_RUNS_FACTOR))
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
        run_child "$@" --json >"$WORK/raw/$id.run.json" 2>"$WORK/raw/$id.run.err" || return 1
        check_report "$WORK/raw/$id.run.json" "$WORK/raw/$id.run.err" || return 1
        # refcount: whether an unsynchronised count goes wrong is a matter
        # of chance, so those rows (--sync=none: racy in threads, protected
        # by the GIL, alone in seq) are sampled experiments too: REFCOUNT_RUNS
        # reports in raw/ID.runs.jsonl (the first is run.json), which
        # summarize.sh aggregates ("wrong in k of n runs").  The synchronised
        # rows are exact by construction; their one report checks it.
        if [[ "$id" == refcount.*-none ]]; then
            jq -c . "$WORK/raw/$id.run.json" >"$WORK/raw/$id.runs.jsonl" || return 1
            local _
            for _ in $(seq 2 "$REFCOUNT_RUNS"); do
                run_sampled_once "$id" "$@" || return 1
            done
        fi
    fi
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

# run_sampled_once ID CMD...: one run of CMD, its report one JSON line
# appended to raw/ID.runs.jsonl.
run_sampled_once() {
    local id=$1
    shift
    run_child "$@" --json >"$WORK/raw/$id.out" 2>>"$WORK/raw/$id.run.err" || return 1
    check_report "$WORK/raw/$id.out" "$WORK/raw/$id.run.err" || return 1
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
    TOTAL=$(($(wc -l <"$plan") * ROUNDS)) DONE_COUNT=0 MATRIX_STARTED=$SECONDS
    declare -gA FAILED=() GROUP_MS=()
    # Rounds alternate: every experiment runs once per round, so slow drift of
    # a noisy machine spreads over all modes instead of landing on a few.
    for round in $(seq "$ROUNDS"); do
        run_round "$plan" "$round" ""
    done
    write_experiments "$plan"
    rerun_noisy "$plan"
    rm -f "$plan"
}

# run_round PLAN ROUND GROUP: one round of every experiment of PLAN (of GROUP
# only, when not empty).  A group of sampled rows (convoy) runs as a block
# whose samples alternate row by row: sample 1 of each row, then sample 2...
# In round 1 each group's time is kept in GROUP_MS, the cost of a re-run.
# shellcheck disable=SC2094 # PLAN is only read, by the loop and by awk
run_round() {
    local plan=$1 round=$2 only=$3 line t0
    local -A sampled_done=()
    while IFS= read -r line; do
        local id kase group mode label param kind elapsed left
        # \x1f, not TAB, as the separator: read merges runs of TABs, and
        # some fields (variant, param) are empty.
        IFS=$'\x1f' read -r id kase _ group mode _ label _ _ param _ kind _ <<<"${line//$'\t'/$'\x1f'}"
        [ -z "$only" ] || [ "$group" = "$only" ] || continue
        [ "$kind" != sampled ] || [ -z "${sampled_done[$group]:-}" ] || continue
        local -a cmd
        IFS=$'\t' read -r -a cmd <<<"$(cut -f 13- <<<"$line")"
        DONE_COUNT=$((DONE_COUNT + 1))
        elapsed=$((SECONDS - MATRIX_STARTED))
        left="?"
        [ "$DONE_COUNT" -le 1 ] || [ "$DONE_COUNT" -gt "$TOTAL" ] ||
            left=$(fmt_duration $((elapsed * (TOTAL - DONE_COUNT + 1) / (DONE_COUNT - 1))))
        t0=$(now_ms)
        if [ "$kind" = sampled ]; then
            sampled_done[$group]=1
            local rows
            rows=$(awk -F '\t' -v g="$group" '$4 == g && $12 == "sampled"' "$plan" | wc -l)
            DONE_COUNT=$((DONE_COUNT + rows - 1))
            printf '[%d/%d] %-10s %s rows x %s samples, alternated  elapsed %s, left ~%s\n' "$DONE_COUNT" \
                "$TOTAL" "$group" "$rows" "$(round_samples "$round")" "$(fmt_duration "$elapsed")" "$left" >&2
            run_sampled_group "$plan" "$group" "$(round_samples "$round")"
        else
            printf '[%d/%d] %-10s %-10s %-14s %s  elapsed %s, left ~%s\n' "$DONE_COUNT" "$TOTAL" \
                "$kase" "$mode" "$label" "${param:+param=$param}" "$(fmt_duration "$elapsed")" "$left" >&2
            if [ -z "${FAILED[$id]:-}" ] && ! run_timed "$id" "$round" "$kind" "${cmd[@]}"; then
                FAILED[$id]=1
                stop_unless_writable
                echo "bench: FAILED $id: $(failure_cause "$id")" >&2
            fi
        fi
        [ "$round" -ne 1 ] || GROUP_MS[$group]=$((${GROUP_MS[$group]:-0} + $(now_ms) - t0))
    done <"$plan"
}

# round_samples ROUND: this round's share of the SAMPLES a sampled row takes
# over the ROUNDS (5 over 2 rounds: 2, then 3); none in a re-run round.
round_samples() {
    local r=$1
    [ "$r" -le "$ROUNDS" ] || { echo 0; return; }
    echo $((SAMPLES * r / ROUNDS - SAMPLES * (r - 1) / ROUNDS))
}

# run_sampled_group PLAN GROUP N: N runs of each sampled row of GROUP,
# alternated sample by sample, so that ours and CPython's share the machine's
# moments alike.
run_sampled_group() {
    local plan=$1 group=$2 n=$3 sample line id
    [ "$n" -gt 0 ] || return 0
    for sample in $(seq "$n"); do
        while IFS= read -r line; do
            id=${line%%$'\t'*}
            [ -z "${FAILED[$id]:-}" ] || continue
            local -a cmd
            IFS=$'\t' read -r -a cmd <<<"$(cut -f 13- <<<"$line")"
            if ! run_sampled_once "$id" "${cmd[@]}"; then
                FAILED[$id]=1
                stop_unless_writable
                echo "bench: FAILED $id (sample $sample): $(failure_cause "$id")" >&2
            fi
        done < <(awk -F '\t' -v g="$group" '$4 == g && $12 == "sampled"' "$plan")
    done
}

# rerun_noisy PLAN: a timed row whose rel_spread is above NOISY_SPREAD (the
# shell row: wider than the rows it bounds) has its whole group run again,
# one more round, alternating as before, before the run is reported: up to
# MAX_EXTRA_ROUNDS per group, and only while the re-runs (each priced at the
# group's round-1 time) fit in RERUN_BUDGET_PCT of the matrix's time so far
# (at least RERUN_BUDGET_MIN_S, so that a run of one group can re-run it).
rerun_noisy() {
    local plan=$1 extra group cost spent=0 budget noisy
    budget=$(((SECONDS - MATRIX_STARTED) * 1000 * RERUN_BUDGET_PCT / 100))
    [ "$budget" -ge $((RERUN_BUDGET_MIN_S * 1000)) ] || budget=$((RERUN_BUDGET_MIN_S * 1000))
    for extra in $(seq "$MAX_EXTRA_ROUNDS"); do
        noisy=$(noisy_rows "$extra") || noisy=""
        [ -n "$noisy" ] || return 0
        while IFS= read -r group; do
            local why
            why=$(awk -F '\t' -v g="$group" '$1 == g && n++ < 3 { printf "%s%s (%.0f%%)", (n > 1 ? ", " : ""), $2, 100 * $3 }
                END { if (n > 3) printf " and %d more", n - 3 }' <<<"$noisy")
            cost=${GROUP_MS[$group]:-0}
            if [ $((spent + cost)) -gt "$budget" ]; then
                echo "bench: noisy: $why; no time left to re-run group $group" >&2
                continue
            fi
            echo "bench: noisy: $why; re-running group $group (extra round $extra of $MAX_EXTRA_ROUNDS)" >&2
            local t0
            t0=$(now_ms)
            TOTAL=$((TOTAL + $(awk -F '\t' -v g="$group" '$4 == g' "$plan" | wc -l)))
            run_round "$plan" $((ROUNDS + extra)) "$group"
            spent=$((spent + $(now_ms) - t0))
        done < <(cut -f 1 <<<"$noisy" | sort -u)
        write_experiments "$plan"
    done
}

# noisy_rows EXTRA: "group<TAB>id<TAB>rel_spread" of each noisy timed row of
# the partial run (summarize.sh --noisy, the statistics of summary.csv).
# GILBENCH_TEST_NOISY=REGEX (a test hook) calls the rows whose id matches
# noisy before the first extra round, whatever their spread.
noisy_rows() {
    {
        if [ "$1" -eq 1 ] && [ -n "${GILBENCH_TEST_NOISY:-}" ]; then
            awk -F '\t' -v re="$GILBENCH_TEST_NOISY" 'NR > 1 && $12 != "sampled" && $1 ~ re { print $4 "\t" $1 "\t1" }' \
                "$WORK/experiments.tsv"
        fi
        bash "$SCRIPTS/summarize.sh" "--noisy=$NOISY_SPREAD" "$WORK"
    } | awk -F '\t' '!seen[$2]++'
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

# write_experiments PLAN: the plan with a status column, for the summary.
write_experiments() {
    {
        printf 'id\tcase\timpl\tgroup\tmode\tvariant\tlabel\ttasks\tworkers\tparam\tbaseline\tkind\tstatus\tcommand\n'
        awk -F '\t' -v failed=" ${!FAILED[*]} " '{
            line = $1
            for (i = 2; i <= 12; i++) line = line "\t" $i
            command = $13
            for (i = 14; i <= NF; i++) command = command " " $i
            print line "\t" (index(failed, " " $1 " ") ? "failed" : "ok") "\t" command
        }' "$1"
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

find_python() {
    PYTHON=${PYTHON:-python3} PYTHON_IMPL=""
    [ "$PYTHON" != none ] || return 0
    if command -v "$PYTHON" >/dev/null 2>&1; then
        # The interpreter itself, not a wrapper such as a pyenv shim, whose
        # start-up (~70 ms) would be timed with every run.
        PYTHON=$("$PYTHON" -c 'import sys; print(sys.executable)') &&
            PYTHON_IMPL=$("$PYTHON" -c 'import platform; print("%s-%s" % (platform.python_implementation().lower(), platform.python_version()))') ||
            PYTHON_IMPL=""
    fi
    [ -n "$PYTHON_IMPL" ] || echo "bench: no $PYTHON here: the CPython reference rows are left out" >&2
}

# warn_noisy RUN: the rows still noisy after the re-runs, read from
# summary.csv by column name.
# warn_beyond_ideal RUN: CPU-bound rows faster than the usable CPUs allow
# (summarize.sh --beyond-ideal) are another program's load, not a lesson.
warn_beyond_ideal() {
    local rows
    rows=$(bash "$SCRIPTS/summarize.sh" --beyond-ideal "$1" | sed 's/^/  /')
    if [ -n "$rows" ]; then
        echo "bench: warning: these rows ran faster than the usable CPUs allow (efficiency above 1.1):" >&2
        echo "$rows" >&2
        echo "bench: other programs shared the CPUs and slowed the baseline; do not cite these rows, run again on a quiet machine" >&2
    fi
}

warn_noisy() {
    local noisy
    noisy=$(awk -F, -v limit="$NOISY_SPREAD" '
        NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        $col["status"] == "ok" && $col["rel_spread"] != "" && $col["rel_spread"] > limit {
            printf "  %s %s (%.0f%%)\n", $col["group"], $col["label"] ($col["param"] == "" ? "" : " " $col["param"]),
                100 * $col["rel_spread"] }' "$1/summary.csv")
    if [ -n "$noisy" ]; then
        echo "bench: warning: these rows are noisy (stddev above $(awk -v l="$NOISY_SPREAD" 'BEGIN { print 100 * l }')% of the mean):" >&2
        echo "$noisy" >&2
        echo "bench: close other programs, check the load average, and run again; compare runs with make compare" >&2
    fi
}

main() {
    parse_args "$@"
    # The traps come before anything slow (machine.sh, the tool checks): a
    # Ctrl-C during start-up must stop the run too.  Without a trap, bash
    # lets a SIGINT pass when the foreground command it waits for (python,
    # gnuplot) handles the signal and exits normally, and the run went on.
    # A trap runs with the redirections of whatever it interrupted (often a
    # log file in the partial run): its words go to the user's stderr.
    exec {USER_STDERR}>&2
    trap cleanup EXIT
    trap 'on_signal INT' INT
    trap 'on_signal TERM' TERM
    trap 'on_signal HUP' HUP
    BIN=${BIN:-bin}
    [[ "$BIN" == /* ]] || BIN="$ROOT/$BIN"
    cd "$ROOT"
    check_tools
    set_sizes "$SIZE"
    find_python
    # Whether --only selects anything does not depend on the CPU count.
    if [ -z "$(CORES=1 plan_experiments "$FILTER")" ]; then
        usage_error "--only='$FILTER' matches no experiment group"
    fi
    local quick=() machine
    [ "$SIZE" = full ] || quick=(--quick)
    # machine.json first: its usable_cpus (bin/cpus: the affinity mask capped
    # by a CPU quota) sizes the pools and the scaling sweep.  It warns when
    # that is fewer than the CPUs online.
    machine=$(BIN="$BIN" bash "$SCRIPTS/machine.sh" --warnings "--cflags=${GILBENCH_CFLAGS:-unknown}" "${quick[@]}")
    CORES=$(jq -r .usable_cpus <<<"$machine")
    ONLINE=$(jq -r .online_cpus <<<"$machine")
    [ "$(jq -r .cpus_source <<<"$machine")" = bin/cpus ] ||
        echo "bench: warning: $BIN/cpus is not built: the CPUs are counted without a CPU quota (run make)" >&2

    local name
    name="$(hostname -s 2>/dev/null || hostname)-$(date -u +%Y%m%dT%H%M%SZ)"
    mkdir -p "$RESULTS_DIR"
    WORK="$RESULTS_DIR/.$name.partial"
    FINAL="$RESULTS_DIR/$name"
    mkdir -p "$WORK/raw"
    start_lifeline
    echo "@$WORK" >&"$LIFELINE" || true

    # Not under || or if: set -e must stay on inside the writer (files.sh).
    write_file "$WORK/machine.json" printf '%s\n' "$machine"
    echo "bench: $SIZE run into $FINAL ($ROUNDS round(s) of $RUNS run(s) per experiment, $CORES usable CPU(s) of $ONLINE online)" >&2

    start_server
    run_matrix
    record_traces
    stop_server
    add_load_after "$WORK/machine.json"

    bash "$SCRIPTS/summarize.sh" "$WORK" || { echo "bench: the tables could not be written" >&2; exit 1; }
    mv "$WORK" "$FINAL"
    WORK=""
    echo "@" >&"$LIFELINE" || true
    warn_noisy "$FINAL"
    warn_beyond_ideal "$FINAL"

    echo
    bash "$SCRIPTS/summarize.sh" --headline "$FINAL"
    # The lessons: one line each, and lessons.md / lessons.json.  A lesson
    # that does not hold is the run's news, not the bench's failure: the
    # exit status stays that of the experiments.
    echo
    bash "$SCRIPTS/lessons.sh" "$FINAL" ||
        echo "bench: the lessons could not be evaluated; try: bash scripts/lessons.sh $FINAL" >&2
    if "$DRAW_PLOTS"; then
        echo
        bash "$SCRIPTS/plots.sh" --terminal "$FINAL" || true
        PLOT_COUNT=$(bash "$SCRIPTS/plots.sh" "$FINAL" "--out=$PLOTS_DIR/$name" | wc -l) || {
            echo "bench: drawing the plots failed; redraw with: make plots RUN=$(shell_word "$FINAL")" >&2
            PLOTS_FAILED=true
        }
    fi
    report_paths "$FINAL" "$name"
    [ "${#FAILED[@]}" -eq 0 ] || { echo "bench: ${#FAILED[@]} experiment(s) failed: ${!FAILED[*]}" >&2; exit 1; }
    [ "$PLOTS_FAILED" = false ] || exit 1
}

add_load_after() {
    local load
    load=$(awk '{ printf "[%s,%s,%s]", $1, $2, $3 }' /proc/loadavg)
    # shellcheck disable=SC2016 # $load is jq's variable
    write_file "$1" jq --argjson load "$load" '.load_after = $load' "$1"
}

report_paths() {
    local run=$1 name=$2
    echo
    echo "Written:"
    echo "  $run/summary.csv  summary.md  summary.tex  refcount.csv  convoy.csv"
    echo "  $run/lessons.md  lessons.json  (does the run show each lesson, with its numbers)"
    echo "  $run/machine.json  $run/experiments.tsv  $run/raw/ (hyperfine JSON, each binary's --json)"
    if [ "${PLOT_COUNT:-0}" -gt 0 ]; then
        echo "  $PLOTS_DIR/$name/ ($PLOT_COUNT files: PNG, SVG, PDF)"
    fi
    echo "Redraw: make plots RUN=$(shell_word "$run")"
    echo "Compare: make compare RUNS=$(shell_word "$(shell_word "$run") results/OTHER")"
}

# shell_word TEXT: TEXT as one word for a shell, and for the word splitting of
# scripts/with-args.sh (RUNS=): as it is when nothing in it is special, else
# in single quotes, so that a printed command works when pasted.
shell_word() {
    if [[ "$1" =~ ^[A-Za-z0-9_./:=@%+,-]+$ ]]; then
        printf '%s' "$1"
    else
        printf "'%s'" "${1//\'/\'\\\'\'}"
    fi
}

main "$@"
