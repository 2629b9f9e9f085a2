#!/usr/bin/env bash
# scripts/compare.sh - put run folders from several machines (or back-to-back runs on one) side
# by side.  Rows are joined on (case, impl, group, label, tasks, param); each run's
# median is divided by the first run's.  Writes ratios.csv, ratios.md and one figure per group.
#
# Why the figures plot speedup and not time: a time says how fast the CPU is, a speedup over
# seq on the same machine says what the GIL (or the cores) did, and that compares across
# machines.  Groups without a seq baseline plot time; convoy plots its slowdown (convoy.csv)
# when every run has one, since its wall time is fixed by --seconds and teaches nothing.
set -euo pipefail
# Numbers are read, computed and drawn with "." whatever the user's locale:
# C.UTF-8, not C, so that gnuplot can still write the UTF-8 of the labels.
if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then export LC_ALL=C.UTF-8; else export LC_ALL=C; fi
# A failed command (a write on a full disk) is exit 1, whatever its own status.
set -E
trap 'exit 1' ERR

readonly PROG=compare
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT_DIR
# shellcheck source=scripts/files.sh
source "$SCRIPT_DIR/files.sh"
# The awk programs and gnuplot scripts.
readonly LIB_DIR="$SCRIPT_DIR/compare"
# Columns of summary.csv this script reads.
readonly NEEDED_COLUMNS=(case impl group experiment mode label tasks workers param median_s speedup status)
# Groups whose ratios are printed on stdout: the two lessons of the suite.
readonly HEADLINE_GROUPS="count-2 fetch"

out_dir=""
tolerance=10
runs=()
names=()
keys=()
short_keys=()
work=""
stage=""

print_usage() {
    cat <<'EOF'
Usage: scripts/compare.sh [--out DIR] [--tolerance PCT] RUN_DIR RUN_DIR [RUN_DIR...]
       make compare RUNS="results/A results/B"

Put run folders (each with summary.csv and machine.json) side by side.  The first run is the
reference: every other run's median time is divided by its median for the same row.

Options:
  --out DIR          where to write (default: plots/compare-<UTC timestamp>/ in the repository)
  --tolerance PCT    rows whose ratio is within +-PCT % of 1 count as agreeing (default: 10)
  -h, --help         print this help and exit

Writes ratios.csv, ratios.md and compare-<group>.{png,svg,pdf} for each group with data.
Prints the count-2 and fetch ratios, an agreement line and the paths written.  A row missing
or failed in a run shows as "-" and is left out of the agreement.  Exit 0 when the report is
written (whether or not the runs agree), 1 on a failure, 2 on bad usage.
EOF
}

fail_usage() {
    printf '%s: %s\n' "$PROG" "$1" >&2
    printf "Try 'scripts/compare.sh --help'.\n" >&2
    exit 2
}

fail() {
    printf '%s: %s\n' "$PROG" "$1" >&2
    exit 1
}

cleanup() {
    [ -z "$work" ] || rm -rf "$work"
    [ -z "$stage" ] || rm -rf "$stage"
}

parse_args() {
    while [ $# -gt 0 ]; do
        case $1 in
            -h | --help) print_usage; exit 0 ;;
            --out) [ $# -ge 2 ] || fail_usage "--out: expected a folder"; out_dir=$2; shift 2 ;;
            --out=*) out_dir=${1#--out=}; shift ;;
            --tolerance) [ $# -ge 2 ] || fail_usage "--tolerance: expected a percentage"; tolerance=$2; shift 2 ;;
            --tolerance=*) tolerance=${1#--tolerance=}; shift ;;
            --) shift; runs+=("$@"); break ;;
            -?*) fail_usage "unknown option '$1'" ;;
            *) runs+=("$1"); shift ;;
        esac
    done
    if ! [[ $tolerance =~ ^[0-9]+([.][0-9]+)?$ ]]; then
        fail_usage "--tolerance: expected a percentage such as 10, got '$tolerance'"
    fi
    if [ "${#runs[@]}" -eq 0 ]; then
        fail_usage 'RUNS= needs two or more run folders: make compare RUNS="results/A results/B"'
    fi
    if [ "${#runs[@]}" -eq 1 ]; then
        fail_usage "needs two or more run folders, got only '${runs[0]}': make compare RUNS=\"results/A results/B\""
    fi
    # awk reads the folder names through -v, which turns a backslash into an escape.
    if [[ $out_dir == *\\* ]] || [[ "${runs[*]}" == *\\* ]]; then
        fail_usage "a backslash in a folder name is not supported"
    fi
    if [ -n "$out_dir" ] && [ -e "$out_dir" ] && [ ! -d "$out_dir" ]; then
        fail_usage "--out: '$out_dir' exists and is not a folder"
    fi
}

# check_run DIR: DIR is a run folder with a usable summary.csv and machine.json.
check_run() {
    local dir=$1 missing=() header col
    [ -d "$dir" ] || fail_usage "$dir: no such folder"
    [ -f "$dir/summary.csv" ] || missing+=(summary.csv)
    [ -f "$dir/machine.json" ] || missing+=(machine.json)
    if [ "${#missing[@]}" -gt 0 ]; then
        fail_usage "$dir: not a run folder, no ${missing[*]}"
    fi
    header=$(head -n 1 "$dir/summary.csv" | tr -d '"\r')
    for col in "${NEEDED_COLUMNS[@]}"; do
        [[ ",$header," == *",$col,"* ]] || fail_usage "$dir/summary.csv: the header lacks column '$col'"
    done
    jq -s -e 'length == 1 and (.[0] | type == "object")' "$dir/machine.json" >/dev/null 2>&1 ||
        fail_usage "$dir/machine.json: not a JSON object"
}

# clean_name TEXT: TEXT safe for a CSV header and a gnuplot string (no comma, quote, space).
clean_name() { printf '%s' "$1" | tr -c 'A-Za-z0-9._/#-' '_'; }

# name_series: hostname per run; the folder name joins it when two runs share a host
# (back-to-back runs), and a position when even that is shared (the same folder twice).
name_series() {
    local i j host dups
    local hosts=()
    for i in "${!runs[@]}"; do
        host=$(jq -r '.hostname // "unknown" | tostring' "${runs[i]}/machine.json")
        hosts+=("$(clean_name "$host")")
    done
    for i in "${!runs[@]}"; do
        dups=0
        for j in "${!runs[@]}"; do [ "${hosts[j]}" != "${hosts[i]}" ] || dups=$((dups + 1)); done
        names[i]=${hosts[i]}
        [ "$dups" -eq 1 ] || names[i]="${hosts[i]}/$(clean_name "$(basename "${runs[i]%/}")")"
    done
    local first=("${names[@]}")
    for i in "${!runs[@]}"; do
        dups=0
        for j in "${!runs[@]}"; do [ "${first[j]}" != "${first[i]}" ] || dups=$((dups + 1)); done
        [ "$dups" -eq 1 ] || names[i]="${first[i]}#$((i + 1))"
    done
}

# describe_machines: one key title per run ("lab-b: 2 CPUs, Intel Core i5-8250U, 2024-11-20"),
# and the Markdown head of ratios.md.
# md_cell TEXT: TEXT fit for a GitHub Markdown table cell, where a "|" ends
# the cell even inside a code span (a folder may be named "a|b").
md_cell() { printf '%s' "${1//|/\\|}"; }

describe_machines() {
    local i info cpu cpus date
    {
        printf '# gilbench compare\n\n'
        printf "Ratio = median time on a machine / median time on **%s** (\`%s\`); \"-\" = the row is\n" "${names[0]}" "${runs[0]}"
        printf 'missing or failed there.  Times compare CPUs; to compare what the GIL does, look at the\n'
        printf 'speedups in the compare-*.png figures.\n\n'
        printf '| machine | folder | CPU | CPUs | date (UTC) |\n|---|---|---|--:|---|\n'
    } >"$stage/ratios.md"
    for i in "${!runs[@]}"; do
        # The CPUs the run could use (usable_cpus; older runs only have online_cpus).
        info=$(jq -r '[(.cpu_model // "unknown"), (.usable_cpus // .online_cpus // "?"), (.date_utc // "unknown")] | map(tostring) | join("\t")' "${runs[i]}/machine.json")
        IFS=$'\t' read -r cpu cpus date <<<"$info"
        printf "| %s | \`%s\` | %s | %s | %s |\n" "$(md_cell "${names[i]}")" "$(md_cell "${runs[i]}")" \
            "$(md_cell "$cpu")" "$cpus" "$date" >>"$stage/ratios.md"
        # Short CPU name for the key: drop (R), (TM), "CPU", "Processor" and the clock.
        cpu=$(printf '%s' "$cpu" | sed -E 's/\((R|TM|tm|r)\)//g; s/ @ .*//; s/ (CPU|Processor)//g; s/  +/ /g' | tr -d "'\"\\\\")
        keys[i]="${names[i]}: $cpus CPUs, $cpu, ${date:0:10}"
        short_keys[i]="${names[i]}, $cpus CPUs"
    done
    printf '\n' >>"$stage/ratios.md"
}

# join_runs: one TAB-separated line per row key, in order of first appearance:
#   case impl group label tasks workers param plot-kind median_1..median_N value_1..value_N
# workers is not part of the key: a pool has one worker per core, so on machines with different
# core counts the same experiment differs in workers.  It shows as "2/4" when the runs differ.
# value is what the figure plots: the run's own speedup ("speedup" groups), convoy.csv's
# slowdown ("slowdown") or the median ("time"); "-" where missing or failed.
join_runs() {
    local i dir files=()
    slowmode=1 # global: write_report needs it too
    for i in "${!runs[@]}"; do [ -f "${runs[i]}/convoy.csv" ] || slowmode=0; done
    for i in "${!runs[@]}"; do
        # "./" keeps awk from reading a folder named like "x=1" as an assignment.
        dir=${runs[i]}
        [[ $dir == /* ]] || dir="./$dir"
        files+=("run=$((i + 1))")
        [ "$slowmode" -eq 0 ] || files+=(kind=convoy "$dir/convoy.csv")
        files+=(kind=summary "$dir/summary.csv")
    done
    awk -v n="${#runs[@]}" -v slowmode="$slowmode" -f "$LIB_DIR/join.awk" "${files[@]}" >"$work/joined.tsv"
}

# write_report: ratios.csv and the table of ratios.md into the stage folder; the headline
# rows and the agreement line on stdout.
write_report() {
    local names_tsv
    names_tsv=$(printf '%s\t' "${names[@]}")
    awk -F '\t' -v n="${#runs[@]}" -v names="$names_tsv" -v tol="$tolerance" -v ref="${runs[0]}" -v slowmode="$slowmode" \
        -v csv="$stage/ratios.csv" -v md="$stage/ratios.md" -v headline="$HEADLINE_GROUPS" \
        -f "$LIB_DIR/report.awk" "$work/joined.tsv" || fail "writing ratios.csv and ratios.md into $stage failed"
}

# write_plot_data: per group, a data file for bars.gp (plain groups) or lines.gp (sweeps, rows
# with a param) and a line of its settings: group, kind, file, y range, log flags, the label
# count, which series (bars) or blocks (lines) hold data, the labels.
write_plot_data() {
    awk -F '\t' -v n="${#runs[@]}" -v dir="$work" -f "$LIB_DIR/plotdata.awk" "$work/joined.tsv" >"$work/plots.tsv"
}

# draw_plots: one figure (PNG, SVG, PDF) per line of plots.tsv.  gnuplot's stderr is passed on,
# so a warning shows (and the tests catch it).
draw_plots() {
    local group plot style file ymin ymax logy logx nlab has labs ttl ylab base i bars
    local settings=() labels=()
    while IFS=$'\t' read -r group plot style file ymin ymax logy logx nlab has labs; do
        group=$(clean_name "$group")
        base="compare-$group"
        case $plot in
            speedup) ttl="$group: speedup over seq on the same machine"; ylab="speedup (higher is faster)" ;;
            slowdown) ttl="$group: slowdown of a round trip beside a CPU task"; ylab="slowdown (lower is better)" ;;
            *) ttl="$group: median wall time"; ylab="seconds (lower is faster)" ;;
        esac
        settings=(-e "dir=$(gp_quote "$LIB_DIR")" -e "data=$(gp_quote "$file")" -e "out=$(gp_quote "$stage/$base")"
            -e "ttl=$(gp_quote "$ttl")" -e "ylab=$(gp_quote "$ylab")" -e "nser=${#runs[@]}" -e "ymin=$ymin"
            -e "ymax=$ymax" -e "logy=$logy" -e "logx=$logx" -e "has=$(gp_quote "$has")"
            -e "ref=$([ "$plot" = time ] && echo 0 || echo 1)")
        if [ "$style" = bars ]; then
            # Values over the bars only while they fit: upright past 12 bars, none past 40.
            # Labels slant when they would run into each other (refcount's are long).
            bars=$((nlab * ${#runs[@]}))
            settings+=(-e "vfont=$([ "$bars" -le 40 ] && echo 22 || echo 0)"
                -e "vrot=$([ "$bars" -gt 12 ] && echo 1 || echo 0)"
                -e "xrot=$([ "${#labs}" -gt $((nlab * 10)) ] || [ "$nlab" -gt 10 ] && echo 1 || echo 0)")
            for i in "${!runs[@]}"; do settings+=(-e "t$((i + 1))=$(gp_quote "${keys[i]}")"); done
        else
            # A sweep's key sits beside the plot, where only a short machine name fits.
            for i in "${!runs[@]}"; do settings+=(-e "t$((i + 1))=$(gp_quote "${short_keys[i]}")"); done
            read -r -a labels <<<"$labs"
            settings+=(-e "nlab=$nlab" -e "xlab=$(gp_quote "$(x_label "$group")")")
            for i in "${!labels[@]}"; do settings+=(-e "l$((i + 1))=$(gp_quote "${labels[i]}")"); done
        fi
        if ! gnuplot "${settings[@]}" "$LIB_DIR/$style.gp" 2>"$work/gnuplot.err"; then
            fail "gnuplot failed drawing $base: $(head -n 3 "$work/gnuplot.err" | tr '\n' ' ')"
        fi
        cat "$work/gnuplot.err" >&2
        written+=("$base.png" "$base.svg" "$base.pdf")
    done <"$work/plots.tsv"
}

# gp_quote STRING: STRING as a gnuplot single-quoted string ('' is a quote).
gp_quote() { printf "'%s'" "${1//\'/\'\'}"; }

# x_label GROUP: what param means in a sweep.
x_label() {
    case $1 in
        count-scaling) echo "workers (= tasks), same total work" ;;
        fetch-n) echo "requests" ;;
        convoy-interval) echo "switch interval (us)" ;;
        *) echo "param" ;;
    esac
}

# publish: move the finished files into the output folder (created if missing),
# each checked whole first: gnuplot exits 0 when cairo cannot write.
publish() {
    local f
    for f in ratios.csv ratios.md "${written[@]}"; do
        is_complete "$stage/$f" || fail "$f was not written completely (disk full?); nothing was published"
    done
    if [ -d "$out_dir" ]; then
        for f in ratios.csv ratios.md "${written[@]}"; do mv -f "$stage/$f" "$out_dir/$f"; done
        rm -rf "$stage"
    else
        mv "$stage" "$out_dir"
    fi
    stage=""
    for f in ratios.csv ratios.md "${written[@]}"; do printf '%s\n' "$out_dir/$f"; done
}

main() {
    parse_args "$@"
    local run
    for run in "${runs[@]}"; do check_run "$run"; done
    command -v gnuplot >/dev/null || fail "gnuplot is not installed (make deps installs it)"
    if [ -z "$out_dir" ]; then
        out_dir="$(cd "$SCRIPT_DIR/.." && pwd)/plots/compare-$(date -u +%Y%m%dT%H%M%SZ)"
    fi
    out_dir=${out_dir%/}
    trap cleanup EXIT
    trap 'cleanup; exit 130' INT
    trap 'cleanup; exit 143' TERM
    mkdir -p "$(dirname "$out_dir")" || fail "cannot create the parent of '$out_dir'"
    stage=$(mktemp -d "$(dirname "$out_dir")/.compare.XXXXXX") || fail "cannot write beside '$out_dir'"
    work=$(mktemp -d) || fail "cannot create a temporary folder"
    written=()

    name_series
    describe_machines
    join_runs
    write_report
    write_plot_data
    draw_plots
    publish
}

main "$@"
