#!/usr/bin/env bash
# scripts/bench.sh - time every case in every mode with hyperfine, then write
# the tables and plots of the run.  `make bench` calls it; see --help.
#
# A run is written into results/.NAME.partial and renamed to results/NAME only
# when it is complete, so a results folder without that prefix is always whole.
# What runs is scripts/matrix.sh's table; how it runs, scripts/experiments.sh
# (and the re-runs of noisy rows, scripts/rerun.sh);
# the processes it starts, and how they stop, scripts/children.sh; what it
# tries before the matrix, scripts/probes.sh; the load beside it, scripts/load.sh.
set -euo pipefail
# Every number this script and its children read or print uses "." (mawk
# reads 0.5 as 0 under de_DE.UTF-8); nothing here prints the user's language.
export LC_ALL=C

SCRIPTS=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$SCRIPTS")
readonly PROG=bench
# shellcheck source=scripts/schema.sh
source "$SCRIPTS/schema.sh"
# shellcheck source=scripts/matrix.sh
source "$SCRIPTS/matrix.sh"
# shellcheck source=scripts/files.sh
source "$SCRIPTS/files.sh"
# shellcheck source=scripts/children.sh
source "$SCRIPTS/children.sh"
# shellcheck source=scripts/experiments.sh
source "$SCRIPTS/experiments.sh"
# shellcheck source=scripts/rerun.sh
source "$SCRIPTS/rerun.sh"
# shellcheck source=scripts/blocks.sh
source "$SCRIPTS/blocks.sh"
# shellcheck source=scripts/warnings.sh
source "$SCRIPTS/warnings.sh"
# shellcheck source=scripts/load.sh
source "$SCRIPTS/load.sh"
# shellcheck source=scripts/probes.sh
source "$SCRIPTS/probes.sh"

readonly NOISY_SPREAD=0.10 # stddev / mean above which a row is called noisy
# A ratio of a family timed in blocks whose 95% interval is wider than this
# (half its width over the estimate) asks for more blocks (rerun.sh).
readonly RATIO_TARGET=0.03
readonly MAX_EXTRA_ROUNDS=2  # re-runs of a noisy row's family, at most
readonly MAX_BLOCK_ROUNDS=8  # ... of a family timed in blocks (within BLOCK_BUDGET_S)
readonly SHELL_RUNS_FACTOR=2 # the shell ceiling row runs this many times RUNS
# hyperfine 1.13.0 added -N (--shell=none), 1.14.0 --output (its changelog).
readonly HYPERFINE_MIN=1.14.0
PLOTS_FAILED=false

usage() {
    cat <<EOF
Usage: scripts/bench.sh [OPTION]...   (make bench [QUICK=1] [BENCH_ARGS='OPTION...'])

Time every case of gilbench in every mode with hyperfine and write
results/HOST-TIME/ (machine.json, raw/, summary.csv/.md/.tex) and plots/HOST-TIME/.

Options:
  --quick          small sizes and few runs (about 2 minutes on 2 cores)
  --tiny           the smallest sizes, for the harness's own tests
  --only=REGEX     run only the groups matching REGEX (e.g. 'count-2|fetch');
                   groups: $(matrix_groups | fold -s -w 58 | sed '2,$s/^/                   /; s/ *$//')
  --results=DIR    where run folders go (default: results/)
  --plots=DIR      where plot folders go (default: plots/)
  --no-plots       write tables only
  --check-args     check these options and exit (0, or 2 with the reason):
                   make bench does so before it installs or builds anything
  --help, --version
Through make, BENCH_ARGS is split into words as the shell would, but only
quotes and backslashes count: BENCH_ARGS='--only=count-2|fetch --results="my runs"'.

Every experiment runs once per round, the rounds alternate.  The refcount rows
with --sync=none report 10 times (--quick: 5), because losing an update is
chance; the convoy rows take 5 samples (--quick: 3), alternated row by row.
A timed row whose spread (stddev / mean) is above $(awk -v l="$NOISY_SPREAD" 'BEGIN { print 100 * l }')% runs again, one more
round, together with its baseline row and every row compared with it,
before it is reported: at most $MAX_EXTRA_ROUNDS extra rounds, within 10% of the
run's time (at least 10 s; --quick: 5%, 5 s).  The count-2 shell row (the
machine's ceiling) gets ${SHELL_RUNS_FACTOR}x the runs, and is re-run too when its
spread is above 2% and wider than that of the rows it bounds.

At the end: the tables, the headline, one line per lesson (scripts/lessons.sh:
RUN/lessons.md, RUN/lessons.json), the plots.

Environment: BIN (the binaries, default bin); the CPythons of the reference
rows (scripts/pythons.sh): PYTHON (default python3), PYTHON2 (a 2.7: its
threads beside gil-old), PYTHON_FT (a free-threaded build: beside threads,
and again with -X gil=1), PYTHON_INTERP (the newest CPython 3.12+ with a
GIL: its isolated interpreters, a GIL each, beside interp); each a command or
a path, none leaves its rows out.
Exit status: 0 every experiment ran and checked its result; 1 one or more
failed (the run is still written, failed rows marked), or --only chose only
rows of CPythons this run does not have; 2 bad usage.  A
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
    SIZE=full FILTER='.*' RESULTS_DIR=results PLOTS_DIR=plots DRAW_PLOTS=true CHECK_ARGS=false
    local arg
    # make bench checks the options first (--check-args), then runs them:
    # --help and --version answer in the run, not twice.
    [[ " $* " != *" --check-args "* ]] || CHECK_ARGS=true
    for arg in "$@"; do
        case "$arg" in
            --quick) SIZE=quick ;;
            --tiny) SIZE=tiny ;;
            --only=?*) FILTER=${arg#--only=} ;;
            --results=?*) RESULTS_DIR=$(absolute "${arg#--results=}"); check_path --results "$RESULTS_DIR" ;;
            --plots=?*) PLOTS_DIR=$(absolute "${arg#--plots=}"); check_path --plots "$PLOTS_DIR" ;;
            --no-plots) DRAW_PLOTS=false ;;
            --check-args) CHECK_ARGS=true ;;
            --help) "$CHECK_ARGS" || { usage; exit 0; } ;;
            --version) "$CHECK_ARGS" || { print_version bench; exit 0; } ;;
            *) usage_error "unknown option or missing value: '$arg'" ;;
        esac
    done
    # An invalid regex would silently select nothing; awk tells us instead,
    # for the anchored form every reader uses (a trailing \ breaks only that).
    if ! awk -v re="^($FILTER)\$" 'BEGIN { if ("x" ~ re) {} }' 2>/dev/null; then
        usage_error "--only: not a valid regular expression: '$FILTER'"
    fi
    # Which groups --only names is the table's business alone: a typo is
    # answered here, before any tool, interpreter or server is looked for;
    # in a plain list (count-2|fetch) every name must be a group's.
    ONLY_GROUPS=$(matrix_groups | tr ' ' '\n' | awk -v re="$FILTER" '$0 ~ "^(" re ")$"' | paste -sd ' ')
    [ -n "$ONLY_GROUPS" ] || usage_error "--only='$FILTER' matches no experiment group (groups: $(matrix_groups))"
    if [[ "$FILTER" =~ ^[A-Za-z0-9_-]+(\|[A-Za-z0-9_-]+)*$ ]]; then
        local name
        for name in ${FILTER//|/ }; do
            [[ " $(matrix_groups) " == *" $name "* ]] ||
                usage_error "--only: '$name' is not an experiment group (groups: $(matrix_groups))"
        done
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
    # "hyperfine 1.15.0": the second word of its first line.
    read -r _ version _ < <(hyperfine --version 2>/dev/null) || true
    if ! [[ "$version" =~ ^[0-9]+(\.[0-9]+)*$ ]] ||
        [ "$(printf '%s\n' "$HYPERFINE_MIN" "$version" | sort -V | head -n 1)" != "$HYPERFINE_MIN" ]; then
        echo "bench: hyperfine ${version:-of unknown version} is too old: the bench needs hyperfine $HYPERFINE_MIN or newer (for -N and --output); see https://github.com/sharkdp/hyperfine/releases" >&2
        exit 2
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

# find_pythons: PYTHON, PYTHON2, PYTHON_FT, PYTHON_INTERP (scripts/pythons.sh, its table
# read by column name), each the interpreter's own file (not a wrapper such
# as a pyenv shim, whose start-up, ~70 ms, would be timed with every run) and
# its ROLE_IMPL (empty when not found: the rows of that role are left out,
# with the one line pythons.sh prints); PYTHONS_JSON, what machine.json
# records of each; PYTHONS_MISSING, the lines pythons.sh said of the roles
# it did not find (printed once the run has started, and recorded in
# machine.json's pythons_missing for the lessons).
find_pythons() {
    local table role path impl
    local out
    out=$(mktemp)
    PYTHONS_MISSING=$(bash "$SCRIPTS/pythons.sh" 2>&1 >"$out") || true
    # Only the roles whose rows --only selected: no advice to install a
    # CPython 2.7 for a run of interleave.
    local line kept=""
    while IFS= read -r line; do
        [ -n "$line" ] || continue
        role=$(grep -oE 'PYTHON(_FT|_INTERP|2)?\b' <<<"$line" | head -n 1)
        [ -z "$role" ] || matrix_uses "$role" "$FILTER" || continue
        kept+=${kept:+$'\n'}$line
    done <<<"$PYTHONS_MISSING"
    PYTHONS_MISSING=$kept
    table=$(cat "$out")
    rm -f "$out"
    # shellcheck disable=SC2034 # read by name: matrix.sh's {PYTHON2} and the like
    PYTHON="" PYTHON_IMPL="" PYTHON2="" PYTHON2_IMPL="" PYTHON_FT="" PYTHON_FT_IMPL=""
    PYTHON_INTERP="" PYTHON_INTERP_IMPL=""
    # \x1f, not TAB, between the fields: read merges runs of TABs, and a role
    # not found has empty ones.
    while IFS=$'\x1f' read -r role path impl; do
        case "$role" in
            PYTHON | PYTHON2 | PYTHON_FT | PYTHON_INTERP) printf -v "$role" '%s' "$path"; printf -v "${role}_IMPL" '%s' "$impl" ;;
        esac
    done < <(awk -F'\t' -v OFS=$'\x1f' "$COLUMNS_AWK"'
        FNR == 1 { header(); next } { print get("role"), get("path"), get("impl") }' <<<"$table")
    PYTHONS_JSON=$(awk -F'\t' "$COLUMNS_AWK"'
        FNR == 1 { header(); next }
        { printf "%s\t%s\t%s\t%s\t%s\n", get("role"), get("path"), get("impl"), get("version"), get("gil_enabled") }' <<<"$table" |
        jq -R -s -c 'split("\n") | map(select(. != "") | split("\t")
            | {key: .[0], value: {path: .[1], impl: .[2], version: .[3], gil_enabled: (.[4] == "true")}}) | from_entries')
    # "pythons: no PYTHON_FT found: the ... rows are left out; get one with
    # ..." -> {"PYTHON_FT": "no PYTHON_FT found; get one with ..."}
    MISSING_JSON=$(jq -R -s -c 'split("\n") | map(
            capture("^pythons: (?<what>.*?(?<role>PYTHON(_FT|_INTERP|2)?)\\b.*?): the [^;]* are left out; (?<how>.*)$")?
            | {key: .role, value: "\(.what); \(.how)"}) | from_entries' <<<"$PYTHONS_MISSING")
}

main() {
    parse_args "$@"
    ! "$CHECK_ARGS" || exit 0
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
    probe_start
    set_sizes "$SIZE"
    find_pythons
    # --only named groups (parse_args); whether they have rows here depends
    # on the interpreters found.  The CPU count does not change that.
    if [ "$(CORES=1 plan_experiments "$FILTER" | wc -l)" -le 1 ]; then
        [ -z "$PYTHONS_MISSING" ] || printf '%s\n' "$PYTHONS_MISSING" >&2
        echo "bench: nothing to run: every row of $ONLY_GROUPS needs a CPython this run does not have (PYTHON, PYTHON2, PYTHON_FT, PYTHON_INTERP: none or not found)" >&2
        exit 1
    fi
    local machine
    # machine.json first: its usable_cpus (bin/cpus: the affinity mask capped
    # by a CPU quota) sizes the pools and the scaling sweep.  It warns when
    # that is fewer than the CPUs online.
    machine=$(BIN="$BIN" bash "$SCRIPTS/machine.sh" --warnings "--cflags=${GILBENCH_CFLAGS:-unknown}" "--size=$SIZE")
    CORES=$(jq -r .usable_cpus <<<"$machine")
    ONLINE=$(jq -r .online_cpus <<<"$machine")
    load_scope "$machine"
    [ "$(jq -r .cpus_source <<<"$machine")" = bin/cpus ] ||
        echo "bench: warning: $BIN/cpus is not built: the CPUs are counted without a CPU quota (run make)" >&2

    local name
    mkdir -p "$RESULTS_DIR"
    # The folder is this run's alone from here (files.sh claim_run); it is
    # WORK before anything else, so that a signal now removes it.
    claim_run "$RESULTS_DIR"
    name=$RUN_NAME
    WORK="$RESULTS_DIR/.$name.partial"
    FINAL="$RESULTS_DIR/$name"
    mkdir "$WORK/raw"
    start_lifeline
    echo "@$WORK" >&"$LIFELINE" || true

    # Not under || or if: set -e must stay on inside the writer (files.sh).
    # shellcheck disable=SC2016 # $m and $pythons are jq's variables
    write_file "$WORK/machine.json" \
        jq -n --argjson m "$machine" --argjson pythons "$PYTHONS_JSON" --argjson missing "$MISSING_JSON" \
        '$m + {pythons: $pythons, pythons_missing: $missing}'
    local cpu_before
    cpu_before=$(cpu_ticks)
    # The delay server only for the rows that ask for it (fetch, fetch-n),
    # started and reached before the run is announced: a run that cannot
    # reach it (a loopback interface down) never starts, and the probe's one
    # line naming the cause is all it says (probes.sh).
    if matrix_uses SERVER_URL "$FILTER"; then start_server; probe_server "$SERVER_URL"; fi
    echo "bench: $SIZE run into $FINAL ($ROUNDS round(s) of $RUNS run(s) per experiment, $CORES usable CPU(s) of $ONLINE online)" >&2
    # What the interpreter search did not find, once, now that the run is
    # under way (never ahead of a usage error about something else).
    [ -z "$PYTHONS_MISSING" ] || printf '%s\n' "$PYTHONS_MISSING" >&2
    run_matrix
    record_traces
    stop_server
    add_load_after "$WORK/machine.json" "$cpu_before"

    # The ratios of the families timed in blocks, with their intervals, and
    # the A/A control in machine.json (scripts/gilbench/ratios.py); the
    # tables take their speedups from them.
    "${GILBENCH[@]}" ratios "$WORK" || { echo "bench: the ratios could not be written" >&2; exit 1; }
    bash "$SCRIPTS/summarize.sh" "$WORK" || { echo "bench: the tables could not be written" >&2; exit 1; }
    warn_aa "$WORK"
    warn_noisy "$WORK"
    warn_beyond_ideal "$WORK"
    # Everything the run folder gets (the lessons too) is written before it
    # gets its final name, and stdout is written last, in one go
    # (print_report): a reader that goes away (| head, q in less) fails that
    # print, never a write, and leaves a whole run.  A lesson that does not
    # hold is the run's news, not the bench's failure: the exit status stays
    # that of the experiments.
    local headline lessons terminal=""
    headline=$(bash "$SCRIPTS/summarize.sh" --headline "$WORK")
    lessons=$(bash "$SCRIPTS/lessons.sh" "$WORK") || {
        echo "bench: the lessons could not be evaluated; try: bash scripts/lessons.sh $(shell_word "$FINAL")" >&2
        lessons=""
    }
    # rename(2), never into or onto a folder that exists: the name was
    # claimed, and no other run takes a name whose final folder exists.
    [ ! -e "$FINAL" ] || { echo "bench: $FINAL appeared during the run; this run stays in $WORK" >&2; WORK=""; exit 1; }
    mv -T "$WORK" "$FINAL"
    WORK=""
    echo "@" >&"$LIFELINE" || true
    # The plots go to a folder of their own, drawn from the run's final name.
    if "$DRAW_PLOTS"; then
        terminal=$(bash "$SCRIPTS/plots.sh" --terminal "$FINAL") || true
        # plots.sh prints each figure's path, then the run's page (report.html).
        PLOT_COUNT=$(bash "$SCRIPTS/plots.sh" "$FINAL" "--out=$PLOTS_DIR/$name" "--report=$FINAL/report.html" |
            awk '/\.(png|svg|pdf)$/ { n++ } END { print n + 0 }') || {
            echo "bench: drawing the plots failed; redraw with: make plots RUN=$(shell_word "$FINAL")" >&2
            PLOTS_FAILED=true
        }
    fi
    print_report "$(
        printf '\n%s\n' "$headline"
        [ -z "$lessons" ] || printf '\n%s\n' "$lessons"
        ! "$DRAW_PLOTS" || printf '\n%s\n' "$terminal"
        report_paths "$FINAL" "$name"
    )"
    [ "${#FAILED[@]}" -eq 0 ] || { echo "bench: ${#FAILED[@]} experiment(s) failed: ${!FAILED[*]}" >&2; exit 1; }
    [ "$PLOTS_FAILED" = false ] || exit 1
}

# print_report TEXT: TEXT on stdout, through cat: a closed stdout kills or
# fails cat, not this shell, which then says so (on stderr, if that is still
# open) and exits 1, the status of a failed write.
print_report() {
    cat <<<"$1" 2>/dev/null && return 0
    # 3: stderr, whose own write errors (a closed stderr) are not reported.
    (echo "bench: cannot write to stdout (a closed pipe?); the run is complete in $FINAL" >&3) 3>&2 2>/dev/null || true
    exit 1
}

# report_paths RUN NAME: what this run wrote, the files that hold something
# only (refcount.csv and convoy.csv are a header alone when their groups did
# not run; lessons.md is missing when lessons.sh failed), and the delay
# server's files when it ran.
report_paths() {
    local run=$1 name=$2
    echo
    echo "Written:"
    written_line "$run" "" summary.csv summary.md summary.tex refcount.csv convoy.csv
    written_line "$run" "(does the run show each lesson, with its numbers)" lessons.md lessons.json
    echo "  $run/machine.json  $run/experiments.tsv  $run/raw/ (hyperfine JSON, each binary's --json)"
    # The delay server's, when it ran: its stderr (often empty) and its URL.
    local -a server=()
    [ ! -e "$run/server.log" ] || server+=(server.log)
    [ ! -e "$run/server.url" ] || server+=(server.url)
    [ "${#server[@]}" -eq 0 ] || printf '  %s/%s%s  (the delay server'"'"'s log and address)\n' \
        "$run" "${server[0]}" "${server[1]:+  ${server[1]}}"
    if [ "${PLOT_COUNT:-0}" -gt 0 ]; then
        echo "  $PLOTS_DIR/$name/ ($PLOT_COUNT files: PNG, SVG, PDF)"
    fi
    [ ! -f "$run/report.html" ] || echo "  $run/report.html  (one page: the lessons, tables and figures; open it in a browser)"
    echo "Redraw: make plots RUN=$(shell_word "$run")"
    echo "Compare: make compare RUNS=$(shell_word "$(shell_word "$run") results/OTHER")"
}

# written_line RUN NOTE FILE...: "  RUN/FILE  FILE ...  NOTE", the FILEs of
# RUN that hold something: a CSV a row past its header, another file a byte
# (nothing when none does).
written_line() {
    local run=$1 note=$2 f
    local -a have=()
    shift 2
    for f in "$@"; do
        [ -s "$run/$f" ] || continue
        [[ "$f" != *.csv ]] || [ "$(wc -l <"$run/$f")" -gt 1 ] || continue
        have+=("$f")
    done
    [ "${#have[@]}" -gt 0 ] || return 0
    printf '  %s/%s' "$run" "${have[0]}"
    [ "${#have[@]}" -eq 1 ] || printf '  %s' "${have[@]:1}"
    printf '%s\n' "${note:+  $note}"
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
