#!/usr/bin/env bash
# scripts/compare.sh - put runs from several machines (or back-to-back runs on one) side by
# side, from 2 to a class of 40.  A run is a run folder or its bundle (scripts/bundle.sh).
# Rows are joined on (case, impl, group, label, tasks, param); each run's median is divided
# by the first run's.  Writes ratios.csv, ratios.md and one figure per group.
#
# Why the figures plot speedup and not time: a time says how fast the CPU is, a speedup over
# seq on the same machine says what the GIL (or the cores) did, and that compares across
# machines.  Groups without a seq baseline plot time; convoy plots its slowdown (convoy.csv)
# when every run has one, since its wall time is fixed by --seconds and teaches nothing.
# A few runs are overlaid (bars, lines); more get one row per machine (rows.gp), because
# forty bars per cluster or forty dash patterns cannot be told apart.
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
# shellcheck source=scripts/bundle.sh
source "$SCRIPT_DIR/bundle.sh"
# shellcheck source=scripts/schema.sh
source "$SCRIPT_DIR/schema.sh"
# The awk programs and gnuplot scripts; the style every figure shares.
readonly LIB_DIR="$SCRIPT_DIR/compare"
readonly COMMON_GP="$SCRIPT_DIR/plots/common.gp"
# Columns of summary.csv this script reads.
readonly NEEDED_COLUMNS=(case impl group experiment mode label tasks workers param median_s speedup status)
# Groups whose ratios are printed on stdout: the two lessons of the suite.
readonly HEADLINE_GROUPS="count-2 fetch"
# Up to this many runs are overlaid in one plot; more get one row each.
readonly OVERLAY_MAX=4

out_dir=""
tolerance=10
layout=auto
layout_given=auto # --layout as given (auto: chosen by the number of runs)
sources=() # the runs as given: folders or bundles
runs=()    # their run folders (a bundle's unpacked copy)
work=""
stage=""
written=()

print_usage() {
    cat <<'EOF2'
Usage: scripts/compare.sh [--out DIR] [--tolerance PCT] [--layout L] RUN RUN [RUN...]
       make compare RUNS="results/A results/B.tar.gz ..." [OUT=DIR] [TOLERANCE=PCT]

Put runs side by side: run folders (each with summary.csv and machine.json) or their bundles
(make pack).  The first run is the reference: every other run's median time is divided by
its median for the same row.

Options:
  --out DIR          where to write (default: plots/compare-<UTC timestamp>/ in the repository)
  --tolerance PCT    rows whose ratio is within +-PCT % of 1 count as agreeing (default: 10)
  --layout L         overlay (the runs in one plot), rows (one row per machine) or auto
                     (default: overlay up to 4 runs, rows from 5)
  -h, --help         print this help and exit
  --version          print the version and exit

Writes ratios.csv (every row on every machine, one line each, with the machine's CPU model,
CPUs, quota, governor, compiler, Python), ratios.md, compare-<group>.{png,svg,pdf} for
each group with data, and compare.html: one page with the agreement line, the machines, the
rows that differ most and every figure inline (open it in a browser).  Prints the count-2 and fetch ratios, an agreement line and the paths
written.  A row missing or failed in a run shows as "-" and is left out of the agreement.
Exit 0 when the report is written (whether or not the runs agree), 1 on a failure or a
damaged bundle, 2 on bad usage.
EOF2
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
            --version) print_version "$PROG"; exit 0 ;;
            --out) [ $# -ge 2 ] || fail_usage "--out: expected a folder"; out_dir=$2; shift 2 ;;
            --out=*) out_dir=${1#--out=}; shift ;;
            --tolerance) [ $# -ge 2 ] || fail_usage "--tolerance: expected a percentage"; tolerance=$2; shift 2 ;;
            --tolerance=*) tolerance=${1#--tolerance=}; shift ;;
            --layout) [ $# -ge 2 ] || fail_usage "--layout: expected overlay, rows or auto"; layout=$2; shift 2 ;;
            --layout=*) layout=${1#--layout=}; shift ;;
            --) shift; sources+=("$@"); break ;;
            -?*) fail_usage "unknown option '$1'" ;;
            *) sources+=("$1"); shift ;;
        esac
    done
    if ! [[ $tolerance =~ ^[0-9]+([.][0-9]+)?$ ]]; then
        fail_usage "--tolerance: expected a percentage such as 10, got '$tolerance'"
    fi
    case $layout in overlay | rows | auto) ;; *) fail_usage "--layout: expected overlay, rows or auto, got '$layout'" ;; esac
    if [ "${#sources[@]}" -eq 0 ]; then
        fail_usage 'RUNS= needs two or more run folders: make compare RUNS="results/A results/B"'
    fi
    if [ "${#sources[@]}" -eq 1 ]; then
        fail_usage "needs two or more run folders, got only '${sources[0]}': make compare RUNS=\"results/A results/B\""
    fi
    # awk reads the folder names through -v, which turns a backslash into an escape.
    if [[ $out_dir == *\\* ]] || [[ "${sources[*]}" == *\\* ]]; then
        fail_usage "a backslash in a folder name is not supported"
    fi
    if [ -n "$out_dir" ] && [ -e "$out_dir" ] && [ ! -d "$out_dir" ]; then
        fail_usage "--out: '$out_dir' exists and is not a folder"
    fi
    local src
    for src in "${sources[@]}"; do
        [ -e "$src" ] || fail_usage "$src: no such run folder or bundle"
        [ -d "$src" ] || is_bundle "$src" || fail_usage "$src: not a run folder or a bundle (*.tar.gz)"
    done
}

# open_runs: runs[i] is sources[i], or for a bundle the folder it is unpacked into.
open_runs() {
    local i dir
    for i in "${!sources[@]}"; do
        if [ -d "${sources[i]}" ]; then
            runs[i]=${sources[i]%/}
        else
            dir="$work/bundle$i"
            mkdir "$dir"
            runs[i]=$(open_bundle "${sources[i]}" "$dir") || exit 1
        fi
    done
}

# check_run I: run I is a run folder with a usable summary.csv and machine.json.
check_run() {
    local dir=${runs[$1]} src=${sources[$1]} missing=() header col
    [ -f "$dir/summary.csv" ] || missing+=(summary.csv)
    [ -f "$dir/machine.json" ] || missing+=(machine.json)
    if [ "${#missing[@]}" -gt 0 ]; then
        fail_usage "$src: not a run folder, no ${missing[*]}"
    fi
    header=$(head -n 1 "$dir/summary.csv" | tr -d '"\r')
    for col in "${NEEDED_COLUMNS[@]}"; do
        [[ ",$header," == *",$col,"* ]] || fail_usage "$src: summary.csv: the header lacks column '$col'"
    done
}

# check_machine I: run I's machine.json is one JSON object (asked only when reading them all
# at once failed, to name the one that is not).
check_machine() {
    jq -s -e 'length == 1 and (.[0] | type == "object")' "${runs[$1]}/machine.json" >/dev/null 2>&1 ||
        fail_usage "${sources[$1]}: machine.json: not a JSON object"
}

# describe_machines: machines.tsv, one line per run with what machine.json says and the
# names names.awk gives it (id, label, rank).
# One jq for every machine.json: forty runs are forty files, and a jq each took seconds.
describe_machines() {
    local i files=() names=()
    for i in "${!runs[@]}"; do files+=("${runs[i]}/machine.json"); names+=("$(basename -- "${runs[i]}")"); done
    printf 'run\tsource\tname\thost\tcpu_model\tonline_cpus\tusable_cpus\tcpu_quota\tgovernor\tcompiler\tpython\tdate_utc\tsize\tfabricated\n' >"$work/machines.raw"
    # The CPUs the run could use (usable_cpus; older runs only have online_cpus).
    if ! jq -r -n --argjson src "$(jq -n '$ARGS.positional' --args "${sources[@]}")" \
        --argjson name "$(jq -n '$ARGS.positional' --args "${names[@]}")" \
        'foreach inputs as $m (-1; . + 1; . as $i | $m
         | if type != "object" then error("not an object") else . end
         | [($i + 1), $src[$i], $name[$i], (.hostname // "unknown"), (.cpu_model // "unknown"), (.online_cpus // "?"),
            (.usable_cpus // .online_cpus // "?"), (.cpu_quota // "none"), (.governor // "unknown"),
            (.compiler // "unknown"), (.python // "unknown"), (.date_utc // "unknown"), "",
            ((.fabricated // false) | if . == false or . == null then false else true end)]
         | map(tostring | gsub("[\t\r\n]"; " ")) | join("\t"))' "${files[@]}" >>"$work/machines.raw" 2>/dev/null ||
        [ "$(wc -l <"$work/machines.raw")" -ne $((${#runs[@]} + 1)) ]; then
        for i in "${!runs[@]}"; do check_machine "$i"; done
        fail "cannot read the machine.json files"
    fi
    # Python versions: machine.json's python3, and the CPython the reference rows ran on
    # (PYTHON=python2.7 make bench measures another), from summary.csv's impl column.
    local summaries=()
    for i in "${!runs[@]}"; do
        if [[ ${runs[i]} == /* ]]; then summaries+=("${runs[i]}/summary.csv"); else summaries+=("./${runs[i]}/summary.csv"); fi
    done
    awk -F, 'FNR == 1 { run++; ic = 0; for (i = 1; i <= NF; i++) if ($i == "impl") ic = i; next }
        ic && $ic != "gilbench" && $ic != "" && !((run, $ic) in seen) { seen[run, $ic] = 1; v[run] = v[run] (v[run] == "" ? "" : " ") $ic }
        END { for (r = 1; r <= run; r++) print r "\t" v[r] }' "${summaries[@]}" >"$work/impls.tsv"
    run_sizes >"$work/sizes.txt"
    awk -F '\t' -v OFS='\t' 'FNR == 1 { file++ } file == 1 { size[FNR] = $0; next } file == 2 { impl[$1] = $2; next }
        FNR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; print; next }
        { if (impl[$c["run"]] != "") $c["python"] = $c["python"] " · rows: " impl[$c["run"]]; $c["size"] = size[$c["run"]]; print }' \
        "$work/sizes.txt" "$work/impls.tsv" "$work/machines.raw" | awk -f "$LIB_DIR/names.awk" >"$work/machines.tsv"
}

# run_sizes: each run's size (full, quick, tiny), one line per run: machine.json's "size",
# or for a run older than it what report.html infers (scripts/gilbench/runfiles.py run_size).
run_sizes() {
    python3 -E -c 'import os, sys; sys.path.insert(0, sys.argv.pop(1)); from gilbench.runfiles import read_json, run_size
for r in sys.argv[1:]: print(run_size(r, read_json(os.path.join(r, "machine.json"))).lower())' "$SCRIPT_DIR" "${runs[@]}" ||
        fail "cannot read the runs' sizes from their machine.json"
}

# warn_sizes: one line on stderr when the runs are of different sizes (their rows differ by design).
warn_sizes() {
    local sizes
    sizes=$(machine_column size | sort -u | paste -sd, - | sed 's/,/, /g')
    [[ $sizes != *,* ]] ||
        printf '%s: warning: these runs are of different sizes (%s): their rows differ by design; compare runs of one size\n' \
            "$PROG" "$sizes" >&2
}

# join_runs: joined.tsv, one line per row and run (see join.awk).
join_runs() {
    local i dir slowmode=1 files=()
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

# write_report: ratios.csv and the parts of ratios.md; the headline rows and the agreement
# line on stdout.
write_report() {
    awk -v n="${#runs[@]}" -v tol="$tolerance" -v ref="${sources[0]}" -v wide="$([ "$layout" = overlay ] && echo 1 || echo 0)" \
        -v csv="$stage/ratios.csv" -v mdhead="$work/md.head" -v mdwide="$work/md.wide" -v mdtail="$work/md.tail" \
        -v headline="$HEADLINE_GROUPS" -f "$SCRIPT_DIR/columns.awk" -f "$LIB_DIR/report.awk" "$work/machines.tsv" "$work/joined.tsv" ||
        fail "writing ratios.csv and ratios.md into $stage failed"
}

# write_plot_data: per group a data file and a line of settings in plots.tsv (plotdata.awk).
write_plot_data() {
    awk -v n="${#runs[@]}" -v dir="$work" -v layout="$layout" -f "$SCRIPT_DIR/columns.awk" -f "$LIB_DIR/plotdata.awk" \
        "$work/machines.tsv" "$work/joined.tsv" >"$work/plots.tsv"
}

# machine_column NAME: the column NAME of machines.tsv, one line per run.
machine_column() {
    awk -F '\t' -v want="$1" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } { print $c[want] }' "$work/machines.tsv"
}

# draw_plots: one figure (PNG, SVG, PDF) per line of plots.tsv.  gnuplot's stderr is passed on,
# so a warning shows (and the tests catch it).
draw_plots() {
    local group kind style file vmin vmax logv logx nlab has labs modes xticks bymode
    local ttl sub vlab base i bars n=${#runs[@]} note="" ytics_cmd labels=() settings=()
    mapfile -t labels < <(machine_column label)
    # The row names of rows.gp, as a gnuplot command (names.awk keeps quotes out of them).
    ytics_cmd=$(awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        { s = s (s == "" ? "" : ", ") "\"" $c["label"] "\" " $c["rank"] } END { print "set ytics (" s ")" }' "$work/machines.tsv")
    if machine_column fabricated | grep -qx true; then note=" · includes FABRICATED test runs"; fi
    while IFS=$'\t' read -r group kind style file vmin vmax logv logx nlab has labs modes xticks bymode; do
        group=$(printf '%s' "$group" | tr -c 'A-Za-z0-9._-' '_')
        base="compare-$group"
        case $kind in
            speedup) ttl="$group: speedup over seq on the same machine"; vlab="speedup over seq (higher is faster)" ;;
            slowdown) ttl="$group: slowdown of a round trip beside a CPU task"; vlab="slowdown (lower is better)" ;;
            *) ttl="$group: median wall time"; vlab="median wall time, s (lower is faster)" ;;
        esac
        if [ "$style" = rows ]; then
            sub="$n runs, one row each, fewest usable CPUs at the top$note"
            if grep -q "^$group"$'\t' <(sweep_groups); then
                # Kept short: a title wider than the figure would be cut at both ends.
                case $kind in
                    speedup) ttl="$group: best speedup over seq, any $(sweep_param "$group" title)" ;;
                    slowdown) ttl="$group: slowdown at the largest $(sweep_param "$group" title)" ;;
                    *) ttl="$group: median time at the largest $(sweep_param "$group" title)" ;;
                esac
            fi
        else
            sub="$n runs$note"
        fi
        settings=(-e "common=$(gp_quote "$COMMON_GP")" -e "formats='png svg pdf'" -e "data=$(gp_quote "$file")"
            -e "out=$(gp_quote "$stage/$base")" -e "ttl=$(gp_quote "$ttl")" -e "sub=$(gp_quote "$sub")"
            -e "nser=$n" -e "vmin=$vmin" -e "vmax=$vmax" -e "logv=$logv" -e "logx=$logx" -e "xticks=$(gp_quote "$xticks")" -e "bymode=$bymode"
            -e "has=$(gp_quote "$has")" -e "nlab=$nlab" -e "labs=$(gp_quote "$labs")" -e "modes=$(gp_quote "$modes")"
            -e "ref=$([ "$kind" = time ] && echo 0 || echo 1)")
        case $style in
            bars)
                # Values over the bars only while they fit: upright past 12 bars, none past 40.
                # Labels slant when they would run into each other (refcount's are long).
                bars=$((nlab * n))
                settings+=(-e "ylab=$(gp_quote "$vlab")" -e "vfont=$([ "$bars" -le 40 ] && echo 18 || echo 0)"
                    -e "vrot=$([ "$bars" -gt 12 ] && echo 1 || echo 0)"
                    -e "xrot=$([ "${#labs}" -gt $((nlab * 10)) ] || [ "$nlab" -gt 10 ] && echo 1 || echo 0)") ;;
            lines) settings+=(-e "ylab=$(gp_quote "$vlab")" -e "xlab=$(gp_quote "$(sweep_param "$group" axis)")") ;;
            rows) settings+=(-e "xlab=$(gp_quote "$vlab")" -e "ytics_cmd=$(gp_quote "$ytics_cmd")"
                    -e "canvas_h=$((n * 30 + 300 > 900 ? n * 30 + 300 : 900))") ;;
        esac
        for i in "${!labels[@]}"; do settings+=(-e "t$((i + 1))=$(gp_quote "${labels[i]}")"); done
        if ! gnuplot "${settings[@]}" "$LIB_DIR/$style.gp" 2>"$work/gnuplot.err"; then
            fail "gnuplot failed drawing $base: $(head -n 3 "$work/gnuplot.err" | tr '\n' ' ')"
        fi
        cat "$work/gnuplot.err" >&2
        written+=("$base.png" "$base.svg" "$base.pdf")
        # With one row per machine, ratios.md gets the figure's table too.
        [ "$style" != rows ] || printf '\n### %s\n\n%s\n\n' "$ttl" "$(cat "$file.md")" >>"$work/md.groups"
    done <"$work/plots.tsv"
}

# sweep_groups: the groups with a param (a sweep), one per line.
sweep_groups() {
    awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } $c["param"] != "" { print $c["group"] "\t" }' \
        "$work/joined.tsv" | sort -u
}

# gp_quote STRING: STRING as a gnuplot single-quoted string ('' is a quote).
gp_quote() { printf "'%s'" "${1//\'/\'\'}"; }

# sweep_param GROUP axis|title: what param means in GROUP's sweep, as the x axis's label
# or as the words in a figure's title.
sweep_param() {
    local axis title
    case $1 in
        count-scaling) axis="workers (= tasks), same total work" title="worker count" ;;
        fetch-n) axis="requests" title="request count" ;;
        convoy-interval) axis="switch interval (µs)" title="switch interval" ;;
        *) axis="param" title="param" ;;
    esac
    if [ "$2" = axis ]; then echo "$axis"; else echo "$title"; fi
}

# write_md: ratios.md from its parts: the machines, the ratios (one column per machine for
# a few runs, else one table per group, as in the figures), the agreement line.
write_md() {
    cat "$work/md.head" >"$stage/ratios.md"
    if [ "$layout" = overlay ]; then
        cat "$work/md.wide" >>"$stage/ratios.md"
    else
        printf 'Every ratio is in ratios.csv; here, per group, the values the figures show.\n' >>"$stage/ratios.md"
        [ ! -f "$work/md.groups" ] || cat "$work/md.groups" >>"$stage/ratios.md"
    fi
    cat "$work/md.tail" >>"$stage/ratios.md"
}

# repo_path PATH: PATH relative to the repository when it is inside it, else absolute
# (realpath -s: symbolic links kept as the user named them), for a command to paste there.
repo_path() {
    realpath -m -s --relative-base="$(cd "$SCRIPT_DIR/.." && pwd)" -- "$1"
}

# remake_command: the words of a command that makes this comparison again, run in the
# repository (its paths from repo_path), in REMAKE; compare.html shows it quoted.
remake_command() {
    local src
    REMAKE=(scripts/compare.sh --out "$(repo_path "$out_dir")")
    [ "$tolerance" = 10 ] || REMAKE+=(--tolerance "$tolerance")
    [ "$layout_given" = auto ] || REMAKE+=(--layout "$layout_given")
    for src in "${sources[@]}"; do REMAKE+=("$(repo_path "$src")"); done
}

# write_page: compare.html in the stage, from the files written there (ratios.csv, ratios.md,
# the figures): scripts/gilbench/comparepage.py.  One line and exit 1 when it cannot.
write_page() {
    local err
    remake_command
    err=$(python3 -E -c 'import sys; sys.path.insert(0, sys.argv.pop(1)); from gilbench.__main__ import main; sys.exit(main())' \
        "$SCRIPT_DIR" compare-page "$stage" -- "${REMAKE[@]}" 2>&1 >/dev/null) ||
        fail "compare.html was not written: $(printf '%s' "$err" | grep -v '^Try ' | head -n 1)"
    written+=(compare.html)
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
    command -v gnuplot >/dev/null || fail "gnuplot is not installed (make deps installs it)"
    command -v python3 >/dev/null || fail "python3 is not installed (make deps installs it)"
    trap cleanup EXIT
    trap 'cleanup; exit 130' INT
    trap 'cleanup; exit 143' TERM
    work=$(mktemp -d) || fail "cannot create a temporary folder"
    open_runs
    local i
    for i in "${!runs[@]}"; do check_run "$i"; done
    layout_given=$layout
    [ "$layout" != auto ] || layout=$([ "${#runs[@]}" -le "$OVERLAY_MAX" ] && echo overlay || echo rows)
    if [ -z "$out_dir" ]; then
        out_dir="$(cd "$SCRIPT_DIR/.." && pwd)/plots/compare-$(date -u +%Y%m%dT%H%M%SZ)"
    fi
    out_dir=${out_dir%/}
    mkdir -p "$(dirname "$out_dir")" || fail "cannot create the parent of '$out_dir'"
    stage=$(mktemp -d "$(dirname "$out_dir")/.compare.XXXXXX") || fail "cannot write beside '$out_dir'"

    describe_machines
    warn_sizes
    join_runs
    write_report
    write_plot_data
    draw_plots
    write_md
    write_page
    publish
}

main "$@"
