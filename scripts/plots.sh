#!/usr/bin/env bash
# scripts/plots.sh - draw the figures of a stored run (results/HOST-TIME/)
# as PNG, SVG and PDF, or one headline figure as ASCII art in the terminal.
# Each row of the table FIGURES is one figure: a data step of plot-data.sh
# turns the run's files (read by column name) into a small TAB-separated file
# in a temporary folder, and a gnuplot script in scripts/plots/ draws it.  Figures are drawn
# into the temporary folder and moved into place only when all are done, so an
# interrupted draw leaves no half-written file behind.
set -euo pipefail
# The terminal's character set, read before LC_ALL is pinned below: UTF-8 when
# the user's locale says so (locale charmap, or its name where that locale is
# not installed here), else the terminal chart is drawn in ASCII (x for ×, -
# for ·): a C-locale terminal shows the UTF-8 bytes as garbage.
TERMINAL_UTF8=0
if [ "$(locale charmap 2>/dev/null)" = UTF-8 ] || [[ ${LC_ALL:-${LC_CTYPE:-${LANG:-}}} =~ [Uu][Tt][Ff]-?8 ]]; then
    TERMINAL_UTF8=1
fi
readonly TERMINAL_UTF8
# Numbers are read, computed and drawn with "." whatever the user's locale:
# C.UTF-8, not C, so that gnuplot can still write the UTF-8 of the labels.
if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then export LC_ALL=C.UTF-8; else export LC_ALL=C; fi
# A failed command (a write on a full disk) is exit 1, whatever its own status.
set -E
trap 'exit 1' ERR

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GP_DIR="$HERE/plots"
readonly PROG=plots
# shellcheck source=scripts/files.sh
source "$HERE/files.sh"
# shellcheck source=scripts/schema.sh
source "$HERE/schema.sh"
# shellcheck source=scripts/plot-data.sh
source "$HERE/plot-data.sh"
RUN=""      # the run folder
WORK=""     # temporary folder, removed on exit
CAPTION=""  # "host · cpu · N cores · date", from machine.json
CORES=0     # machine.json usable_cpus (online_cpus in older runs); 0 when unknown
DRAWN=()    # figure names drawn so far

usage() {
    local figures
    figures=$(figure_names | fold -s -w 72 | sed 's/ *$//')
    cat <<EOF
Usage: scripts/plots.sh RUN_DIR [--out DIR] [--report FILE]
       scripts/plots.sh --terminal RUN_DIR
       scripts/plots.sh --help | --version

Draw the figures of a stored run (a folder written by make bench).

  RUN_DIR          the run folder, e.g. results/HOST-TIME; needs summary.csv,
                   uses machine.json, refcount.csv, convoy.csv and
                   raw/trace-gil-{new,old}.csv when present
  --out DIR        where to write (default: plots/<name of RUN_DIR>/)
  --report FILE    the run's page, the figures inline (default: RUN_DIR/report.html,
                   or DIR/report.html with --out DIR)
  --terminal       draw the count-2 speedup in the terminal, write nothing
  --help           show this help
  --version        print the version

Figures, each as NAME.png, .svg and .pdf (the table FIGURES in this script):
$figures.
A figure without data in the run is skipped (a note on stderr); failed
experiments are left out.  Then writes the run's page (report.html: the
lessons, the tables and these figures, python3 -m gilbench report).  Prints
each path written; a page that cannot be written is exit 1.
EOF
}

note() { printf 'plots: %s\n' "$1" >&2; }
die() { note "$1"; exit 1; }
usage_error() { note "$1"; printf "Try 'scripts/plots.sh --help'.\n" >&2; exit 2; }

cleanup() { if [ -n "$WORK" ]; then rm -rf "$WORK"; fi; }
# on_signal SIG: clean up, then die of the same signal so the caller sees it.
on_signal() { cleanup; trap - "$1" EXIT; kill -s "$1" "$$"; }

# gp_quote STRING: STRING as a gnuplot single-quoted string.
gp_quote() { printf "'%s'" "${1//\'/\'\'}"; }

# draw SCRIPT NAME FORMATS VAR=STRING... VAR:=NUMBER...: run one gnuplot script
# with its variables; outputs go to $WORK/out/NAME.*.  Fails on a gnuplot error.
draw() {
    local script=$1 name=$2 formats=$3
    shift 3
    local arg setup
    setup="dir=$(gp_quote "$GP_DIR"); out=$(gp_quote "$WORK/out/$name")"
    setup+="; formats=$(gp_quote "$formats"); sub=$(gp_quote "$CAPTION")"
    for arg in "$@"; do
        case $arg in
            *:=*) setup+="; ${arg%%:=*}=${arg#*:=}" ;;
            *) setup+="; ${arg%%=*}=$(gp_quote "${arg#*=}")" ;;
        esac
    done
    if ! gnuplot -e "$setup" "$GP_DIR/$script" 2>"$WORK/gnuplot.err"; then
        cat "$WORK/gnuplot.err" >&2
        die "gnuplot failed drawing $name"
    fi
    cat "$WORK/gnuplot.err" >&2
    # gnuplot exits 0 when cairo cannot write: each file's end says.
    local fmt
    for fmt in $formats; do
        [ "$fmt" = dumb ] || is_complete "$WORK/out/$name.$fmt" ||
            die "gnuplot did not write $name.$fmt completely in $WORK (disk full?); nothing was published"
    done
    DRAWN+=("$name")
}

# read_machine: the caption and the usable CPUs from machine.json ("unknown"
# parts when it is missing or unreadable: the figures still say which run they
# show).  Runs recorded before usable_cpus existed fall back to online_cpus.
read_machine() {
    local file="$RUN/machine.json" line
    if [ -f "$file" ] && line=$(jq -r '[(.hostname // "unknown"), (.cpu_model // "unknown"),
            ((.online_cpus // 0) | tostring), ((.usable_cpus // .online_cpus // 0) | tostring),
            (.date_utc // "unknown")] | join("\t")' "$file" 2>/dev/null); then
        local host cpu online usable date cpus
        IFS=$'\t' read -r host cpu online usable date <<<"$line"
        date=${date/T/ }
        date=${date%:*Z}
        [[ $usable =~ ^[0-9]+$ ]] && CORES=$usable
        cpus="$online cores"
        [ "$usable" = "$online" ] || cpus="$usable of $online CPUs usable"
        CAPTION="$host · $cpu · $cpus · $date UTC"
    else
        note "no readable machine.json in $RUN: captions say 'unknown machine'"
        CAPTION="unknown machine · $(basename "$RUN")"
    fi
}

# FIGURES: one figure a row, drawn in this order: its name (NAME.png, .svg,
# .pdf), its gnuplot script in scripts/plots/, the data_* function of
# scripts/plot-data.sh that writes its data (with its arguments), its title,
# and more variables for the script ("NAME=TEXT; NAME:=NUMBER").  {NAME} in
# a title or a variable is a variable the data step printed, or CORES.  A
# new figure is a row here and its gnuplot script.
readonly FIGURES='
figure          | gnuplot     | data                                | title                                                 | variables
count-2-time    | bars.gp     | time_bars count-2 count-2-cpython   | count: 2 CPU-bound tasks, ours beside CPython         | style1=variant; style2=CPython
count-10-time   | bars.gp     | time_bars count-10                  | count: 10 CPU-bound tasks                             | style1=variant; style2=CPython
count-speedup   | bars.gp     | speedup_bars count-2 count-10 count-2-cpython | count: speedup over seq, measured in time-paired blocks | xtitle=speedup over seq (whiskers: 95% interval of the block ratios)
fetch-time      | bars.gp     | time_bars fetch                     | fetch: {tasks} requests to a slow local server        | style1=variant; style2=CPython
interleave-time | bars.gp     | time_bars interleave                | interleave: CPU work and waiting, mixed               | style1=variant; style2=CPython
count-scaling   | lines.gp    | speedup_series count-scaling        | count: speedup as workers grow (same total work)      | xtitle=workers; ytitle=speedup over seq; logx:=0; logy:=0; cores:={CORES}; dashes=
fetch-n         | lines.gp    | time_series fetch-n                 | fetch: time against the number of requests            | xtitle=N requests (log scale); ytitle=median wall time (s), log scale; logx:=2; logy:=10; cores:=0; dashes=
refcount-lost   | bars.gp     | refcount_lost                       | refcount: updates lost without synchronisation        | style1=atomic; style2=mutex; style3=biased
refcount-cost   | bars.gp     | refcount_cost                       | refcount: what keeping the count right costs          | xtitle=nanoseconds per reference-count update; style1=atomic; style2=mutex; style3=biased
convoy          | convoy.gp   | convoy                              | convoy: I/O round trips beside a CPU-bound thread on another CPU |
convoy-interval | lines.gp    | convoy_interval                     | convoy: the switch interval sets the round-trip rate  | xtitle=switch interval (µs, log scale); ytitle=round trips per second (log scale); logx:=10; logy:=10; cores:=0; dashes=1 2 3; keypos=inside left bottom; yfmt=%.0s%c
gil-timeline    | timeline.gp | gil_timeline                        | Who holds the GIL: two CPU-bound threads              |
'

# figure_names: the first column of FIGURES, in order.
figure_names() {
    local -a names=()
    local name _
    while IFS='|' read -r name _; do
        name=${name// /}
        [ -n "$name" ] && [ "$name" != figure ] && names+=("$name")
    done <<<"$FIGURES"
    printf '%s\n' "${names[*]}"
}

# trim TEXT: TEXT without its leading and trailing blanks, in TRIMMED.
trim() {
    TRIMMED=${1#"${1%%[![:space:]]*}"}
    TRIMMED=${TRIMMED%"${TRIMMED##*[![:space:]]}"}
}

# draw_figures: every figure of FIGURES, its columns found by the header's names.
draw_figures() {
    local line i
    local -a fields
    local -A at=() row=()
    while IFS= read -r line; do
        [ -n "${line//[[:space:]]/}" ] || continue
        IFS='|' read -r -a fields <<<"$line"
        if [ "${#at[@]}" -eq 0 ]; then
            for i in "${!fields[@]}"; do trim "${fields[i]}"; at[$TRIMMED]=$i; done
            continue
        fi
        for i in figure gnuplot data title variables; do trim "${fields[${at[$i]}]:-}"; row[$i]=$TRIMMED; done
        draw_figure "${row[figure]}" "${row[gnuplot]}" "${row[data]}" "${row[title]}" "${row[variables]}"
    done <<<"$FIGURES"
}

# draw_figure NAME SCRIPT DATA TITLE VARIABLES: one row of FIGURES.  The data
# step's variables go to gnuplot first, then the row's own.
draw_figure() {
    local name=$1 script=$2 title=$4 meta line var
    local -a data_step args=()
    local -A vars=([CORES]=$CORES)
    read -r -a data_step <<<"$3"
    declare -F "data_${data_step[0]}" >/dev/null || die "FIGURES: $name: no data step data_${data_step[0]} in plot-data.sh"
    meta=$("data_${data_step[0]}" "$WORK/$name.tsv" "${data_step[@]:1}") || die "could not prepare the data of $name"
    while IFS= read -r line; do
        [ -n "$line" ] || continue
        var=${line%%=*}
        if [ "$var" = skip ]; then note "skipping $name: ${line#skip=}"; return 0; fi
        args+=("$line")
        # shellcheck disable=SC2034 # read by fill_in
        vars[${var%:}]=${line#*=}
    done <<<"$meta"
    local -a extra
    IFS=';' read -r -a extra <<<"$5"
    for line in "${extra[@]}"; do
        trim "$line"
        [ -z "$TRIMMED" ] || args+=("$(fill_in "$TRIMMED" vars)")
    done
    draw "$script" "$name" "png svg pdf" data="$WORK/$name.tsv" ttl="$(fill_in "$title" vars)" "${args[@]}"
}

# fill_in TEXT MAP: TEXT with each {NAME} replaced by MAP[NAME].
fill_in() {
    local text=$1 key
    # shellcheck disable=SC2178 # a name reference to an associative array
    local -n map=$2
    for key in "${!map[@]}"; do text=${text//"{$key}"/${map[$key]}}; done
    printf '%s' "$text"
}

# draw_terminal: the count-2 speedup as ASCII bars on stdout.
draw_terminal() {
    local meta
    meta=$(data_speedup_bars "$WORK/terminal.tsv" count-2 count-2-cpython)
    grep -q '^skip=' <<<"$meta" && die "no ok count-2 rows in $RUN/summary.csv: nothing to draw"
    local -a args
    mapfile -t args <<<"$meta"
    if [ "$TERMINAL_UTF8" -eq 0 ]; then
        sed 's/×/x/g; s/·/-/g' "$WORK/terminal.tsv" >"$WORK/terminal.ascii" && mv "$WORK/terminal.ascii" "$WORK/terminal.tsv"
        CAPTION=${CAPTION//·/-}
    fi
    draw bars.gp terminal dumb data="$WORK/terminal.tsv" "${args[@]}" \
        ttl="count, 2 tasks: speedup over seq (higher is better)" xtitle="speedup"
}

# publish DIR: check every drawn file, then copy them into DIR, printing paths.
# gnuplot exits 0 when cairo cannot write (a full TMPDIR): each file's own end
# is checked (is_complete), here and again after the copy into DIR.
publish() {
    local dir=$1 name ext files=()
    for name in "${DRAWN[@]}"; do
        for ext in png svg pdf; do
            is_complete "$WORK/out/$name.$ext" ||
                die "gnuplot did not write $name.$ext completely in $WORK (disk full?); nothing was published"
            files+=("$name.$ext")
        done
    done
    mkdir -p -- "$dir" || die "cannot create $dir"
    for name in "${files[@]}"; do
        copy_file "$WORK/out/$name" "$dir/$name" || die "publishing stopped at $name; the files printed before it are complete"
        printf '%s\n' "$dir/$name"
    done
}

# write_report FILE FIGURES: the run's page (scripts/gilbench/report.py) with
# the figures in FIGURES inline; its path on stdout, or one line and exit 1
# (the page not written, or written without any of the run's figures).  The
# page's warning of figures it lacks goes on to stderr.
write_report() {
    local err
    err=$(python3 -E -c 'import sys; sys.path.insert(0, sys.argv.pop(1)); from gilbench.__main__ import main; sys.exit(main())' \
        "$HERE" report "$RUN" --out "$1" --plots "$2" 2>&1 >"$WORK/report.out") ||
        die "the run's page: $(printf '%s' "$err" | grep -v '^Try ' | head -n 1)"
    [ -z "$err" ] || printf '%s\n' "$err" >&2
    cat "$WORK/report.out"
}

main() {
    local out="" out_given=0 terminal=0 have_run=0 report=""
    while [ $# -gt 0 ]; do
        case $1 in
            --help | -h) usage; exit 0 ;;
            --version) print_version plots; exit 0 ;;
            --terminal) terminal=1 ;;
            --out) out=${2:-} out_given=1; [ $# -lt 2 ] || shift ;;
            --out=*) out=${1#--out=} out_given=1 ;;
            --report) report=${2:-}; [ -n "$report" ] || usage_error "--report: expected a file"; shift ;;
            --report=*) report=${1#--report=}; [ -n "$report" ] || usage_error "--report: expected a file" ;;
            -*) usage_error "unknown option '$1'" ;;
            *) [ "$have_run" -eq 0 ] || usage_error "one RUN_DIR only, got '$RUN' and '$1'"
               RUN=$1 have_run=1 ;;
        esac
        shift
    done
    [ -n "$out" ] || [ "$out_given" -eq 0 ] || usage_error "--out: expected a folder"
    [ -n "$RUN" ] || usage_error "RUN= is required: make plots RUN=results/HOST-TIME"
    [ -d "$RUN" ] || usage_error "no such run folder: '$RUN'"
    [ -f "$RUN/summary.csv" ] || usage_error "'$RUN' has no summary.csv: not a run folder"
    [ "$terminal" -eq 0 ] || [ -z "$out" ] || usage_error "--out and --terminal do not go together"
    [ "$terminal" -eq 0 ] || [ -z "$report" ] || usage_error "--report and --terminal do not go together"
    command -v gnuplot >/dev/null || die "gnuplot is not installed (make deps installs it)"
    command -v jq >/dev/null || die "jq is not installed (make deps installs it)"
    command -v python3 >/dev/null || die "python3 is not installed (make deps installs it)"
    if [ -z "$report" ]; then
        # A bundle's unpacked copy goes away (bundle.sh with): its page goes with the figures.
        if [ "$out_given" -eq 1 ] || [ -n "${GILBENCH_FROM_BUNDLE:-}" ]; then
            report="${out:-$(cd "$HERE/.." && pwd)/plots/$(basename "$RUN")}/report.html"
        else
            report="$RUN/report.html"
        fi
    fi
    [ -n "$out" ] || out="$(cd "$HERE/.." && pwd)/plots/$(basename "$RUN")"

    WORK=$(mktemp -d)
    trap cleanup EXIT
    trap 'on_signal INT' INT
    trap 'on_signal TERM' TERM
    mkdir "$WORK/out"
    read_machine
    if [ "$terminal" -eq 1 ]; then
        draw_terminal
        return 0
    fi
    draw_figures
    [ "${#DRAWN[@]}" -gt 0 ] || die "nothing to draw in $RUN: no ok rows the figures use"
    publish "$out"
    write_report "$report" "$out"
}

main "$@"
