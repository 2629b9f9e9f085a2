#!/usr/bin/env bash
# scripts/plots.sh - draw the figures of a stored run (results/HOST-TIME/)
# as PNG, SVG and PDF, or one headline figure as ASCII art in the terminal.
# awk turns the run's CSV files into small TAB-separated files in a temporary
# folder; the gnuplot scripts in scripts/plots/ draw them.  Figures are drawn
# into the temporary folder and moved into place only when all are done, so an
# interrupted draw leaves no half-written file behind.
set -euo pipefail
# Numbers are read, computed and drawn with "." whatever the user's locale:
# C.UTF-8, not C, so that gnuplot can still write the UTF-8 of the labels.
if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then export LC_ALL=C.UTF-8; else export LC_ALL=C; fi
# A failed command (a write on a full disk) is exit 1, whatever its own status.
set -E
trap 'exit 1' ERR
# Each figure is fed by a pipeline ending in a function that records what it
# drew; lastpipe runs that function in this shell (scripts have no job control).
shopt -s lastpipe

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GP_DIR="$HERE/plots"
readonly PROG=plots
# shellcheck source=scripts/files.sh
source "$HERE/files.sh"
MODES_ORDER="seq threads gil fork pool threadpool async"
RUN=""      # the run folder
WORK=""     # temporary folder, removed on exit
CAPTION=""  # "host · cpu · N cores · date", from machine.json
CORES=0     # machine.json usable_cpus (online_cpus in older runs); 0 when unknown
DRAWN=()    # figure names drawn so far

usage() {
    cat <<'EOF'
Usage: scripts/plots.sh RUN_DIR [--out DIR]
       scripts/plots.sh --terminal RUN_DIR
       scripts/plots.sh --help

Draw the figures of a stored run (a folder written by make bench).

  RUN_DIR          the run folder, e.g. results/HOST-TIME; needs summary.csv,
                   uses machine.json, refcount.csv, convoy.csv and
                   raw/trace-gil-{new,old}.csv when present
  --out DIR        where to write (default: plots/<name of RUN_DIR>/)
  --terminal       draw the count-2 speedup in the terminal, write nothing
  --help           show this help

Figures, each as NAME.png, .svg and .pdf: count-2-time count-10-time fetch-time
interleave-time count-scaling fetch-n refcount-lost refcount-cost convoy
convoy-interval gil-timeline.  A figure without data in the run is skipped (a
note on stderr); failed experiments are left out.  Prints each path written.
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

# summary_rows GROUP: the ok rows of GROUP, in file order, TAB-separated: group
# label mode variant impl param median min max speedup experiment tasks.
# Columns are found by their header names, not positions.
summary_rows() {
    awk -F, -v OFS='\t' -v want="$1" '
        NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        $c["group"] == want && $c["status"] == "ok" && $c["median_s"] != "" {
            print $c["group"], $c["label"], $c["mode"], $c["variant"], $c["impl"], $c["param"],
                $c["median_s"], $c["min_s"], $c["max_s"], $c["speedup"], $c["experiment"], $c["tasks"]
        }' "$RUN/summary.csv"
}

# write_bars FILE: read bar rows (label value low high mode style text; an
# empty row is a spacer) and write FILE; print for bars.gp, TAB-separated:
# xmax, modes present, bar count, and 0/1 for each of the fill styles 1 2 3.
write_bars() {
    awk -F'\t' -v OFS='\t' -v file="$1" -v order="$MODES_ORDER" '
        $2 != "" {
            # Rows without whiskers get zero-length ones: gnuplot warns about
            # a plot element with no valid points.
            if ($3 == "") { $3 = $2; $4 = $2 }
            n++; seen[$5] = 1; style[$6] = 1
            # Room for the text right of the bar: ~1.4% of the axis a character.
            room = 1 - 0.014 * length($7) - 0.04
            if ($4 / room > max) max = $4 / room
        }
        { print > file }
        END {
            k = split(order, o, " ")
            for (i = 1; i <= k; i++) if (o[i] in seen) modes = modes (modes == "" ? "" : " ") o[i]
            printf "%g\t%s\t%d\t%d\t%d\t%d\n", (max > 0 ? max : 1), modes, n,
                (1 in style), (2 in style), (3 in style)
        }'
}

# bar_rows time|speedup: summary rows to bar rows: the median (min..max) or
# the speedup, mode colour; CPython rows cross-hatched and named "CPython ...",
# variants hatched; a spacer between groups.
bar_rows() {
    awk -F'\t' -v OFS='\t' -v what="$1" '
        NR > 1 && $1 != prev { print "", "", "", "", "", "", "" }
        {
            prev = $1; label = $2
            style = ($5 != "gilbench") ? 2 : ($4 != "" ? 1 : 0)
            if (style == 2) sub(/^py-/, "CPython ", label)
            if (what == "speedup") {
                s = ($10 != "") ? $10 : ($2 ~ /seq$/ ? 1 : "")
                if (s != "") print label, s, "", "", $3, 0, sprintf("%.2f×", s)
                next
            }
            text = sprintf("%.3g s", $7)
            if ($10 != "" && $2 !~ /seq$/) text = text sprintf("  (%.1f×)", $10)
            print label, $7, $8, $9, $3, style, text
        }'
}

# draw_bars NAME XTITLE STYLE1 STYLE2 STYLE3 TITLE [VAR=VALUE...]: draw the bar
# rows on stdin (kept in $WORK/NAME.tsv); extra variables go to bars.gp.
draw_bars() {
    local name=$1 xtitle=$2 s1=$3 s2=$4 s3=$5 title=$6 meta xmax modes n has1 has2 has3
    meta=$(write_bars "$WORK/$name.tsv")
    IFS=$'\t' read -r xmax modes n has1 has2 has3 <<<"$meta"
    [ "$n" -gt 0 ] || { note "skipping $name: no data in this run"; return 0; }
    draw bars.gp "$name" "png svg pdf" data="$WORK/$name.tsv" ttl="$title" xtitle="$xtitle" \
        xmax:="$xmax" modes="$modes" style1="$s1" style2="$s2" style3="$s3" \
        has1:="$has1" has2:="$has2" has3:="$has3" "${@:7}"
}

draw_time_figures() {
    local time="median wall time (s), whiskers min..max"
    { summary_rows count-2; summary_rows count-2-cpython; } | bar_rows time |
        draw_bars count-2-time "$time" variant CPython "" "count: 2 CPU-bound tasks, ours beside CPython"
    summary_rows count-10 | bar_rows time |
        draw_bars count-10-time "$time" variant CPython "" "count: 10 CPU-bound tasks"
    local requests
    requests=$(summary_rows fetch | awk -F'\t' 'NR == 1 { print $12 }')
    summary_rows fetch | bar_rows time |
        draw_bars fetch-time "$time" variant CPython "" "fetch: ${requests:-N} requests to a slow local server"
    summary_rows interleave | bar_rows time |
        draw_bars interleave-time "$time" variant CPython "" "interleave: CPU work and waiting, mixed"
}

# write_series FILE: read "series mode x y [low high]" rows (series in order of
# first appearance at the smallest x) and write one data block per series, by x;
# print "titles TAB modes TAB xmax TAB n".
write_series() {
    sort -t "$(printf '\t')" -s -k3,3g | awk -F'\t' -v OFS='\t' -v file="$1" '
        {
            if (!($1 in idx)) { idx[$1] = ++n; name[n] = $1; mode[n] = $2 }
            if ($5 == "") { $5 = $4; $6 = $4 }   # no whisker: zero length, no warning
            rows[idx[$1]] = rows[idx[$1]] $3 OFS $4 OFS $5 OFS $6 "\n"
            if ($3 + 0 > xmax) xmax = $3 + 0
        }
        END {
            for (i = 1; i <= n; i++) {
                printf "%s\n\n", rows[i] > file
                titles = titles sprintf("%s\"%s\"", (i > 1 ? " " : ""), name[i])
                modes = modes (i > 1 ? " " : "") mode[i]
            }
            printf "%s\t%s\t%g\t%d\n", titles, modes, xmax, n
        }'
}

# draw_lines NAME TITLE XTITLE YTITLE LOGX LOGY CORES DASHES [VAR=VALUE...]:
# series from stdin; extra variables go to lines.gp as they are.
draw_lines() {
    local name=$1 meta titles modes xmax n
    meta=$(write_series "$WORK/$name.tsv")
    IFS=$'\t' read -r titles modes xmax n <<<"$meta"
    [ "${n:-0}" -gt 0 ] || { note "skipping $name: no data in this run"; return 0; }
    draw lines.gp "$name" "png svg pdf" data="$WORK/$name.tsv" ttl="$2" xtitle="$3" ytitle="$4" \
        logx:="$5" logy:="$6" cores:="$7" dashes="$8" titles="$titles" modes="$modes" xmax:="$xmax" \
        "${@:9}"
}

draw_sweep_figures() {
    # count-scaling: speedup over the seq row (param empty) of the same group.
    summary_rows count-scaling | awk -F'\t' -v OFS='\t' '
        { row[NR] = $0; if ($2 == "seq" && $6 == "") base = $7 }
        END {
            for (i = 1; i <= NR; i++) {
                split(row[i], f, "\t")
                if (f[6] == "" || f[2] == "seq") continue
                s = (f[10] != "") ? f[10] : (base != "" ? base / f[7] : "")
                if (s != "") print f[2], f[3], f[6], s, "", ""
            }
        }' | draw_lines count-scaling "count: speedup as workers grow (same total work)" \
            "workers" "speedup over seq" 0 0 "$CORES" ""
    summary_rows fetch-n | awk -F'\t' -v OFS='\t' '$6 != "" { print $2, $3, $6, $7, $8, $9 }' |
        draw_lines fetch-n "fetch: time against the number of requests" \
            "N requests (log scale)" "median wall time (s), log scale" 2 10 0 ""
}

# convoy_rows GROUP: convoy.csv rows whose experiment belongs to GROUP, found
# by joining on the experiment id with summary.csv (or experiments.tsv when
# summary.csv lacks it).  Failed experiments are left out.  TAB-separated:
# label mode impl switch_interval_us alone_per_s contended_per_s slowdown
# contended_min contended_max (the range over the runs; empty in a run
# recorded before convoy.csv had it).
convoy_rows() {
    local exps="$RUN/experiments.tsv"
    [ -f "$exps" ] || exps=/dev/null
    awk -F, -v want="$1" -v OFS='\t' '
        FILENAME == ARGV[2] && FNR == 1 { FS = "\t"; $0 = $0 }
        FILENAME == ARGV[3] && FNR == 1 { FS = ","; $0 = $0 }
        FNR == 1 { delete c; for (i = 1; i <= NF; i++) c[$i] = i; next }
        FILENAME == ARGV[1] { if (!($c["experiment"] in grp)) { grp[$c["experiment"]] = $c["group"]; st[$c["experiment"]] = $c["status"] }; next }
        FILENAME == ARGV[2] { if (!($c["id"] in grp)) { grp[$c["id"]] = $c["group"]; st[$c["id"]] = $c["status"] }; next }
        grp[$c["experiment"]] == want && st[$c["experiment"]] != "failed" &&
        $c["contended_per_s"] > 0 && $c["alone_per_s"] > 0 {   # log axes: no zeros
            lo = c["contended_per_s_min"] ? $c["contended_per_s_min"] : ""
            hi = c["contended_per_s_max"] ? $c["contended_per_s_max"] : ""
            if (lo != "" && lo <= 0) lo = hi = ""   # log axes
            print $c["label"], $c["mode"], $c["impl"], $c["switch_interval_us"],
                $c["alone_per_s"], $c["contended_per_s"], $c["slowdown"], lo, hi
        }' "$RUN/summary.csv" "$exps" "$RUN/convoy.csv"
}

draw_convoy_figures() {
    if [ ! -f "$RUN/convoy.csv" ]; then
        note "skipping convoy, convoy-interval: no convoy.csv in this run"
        return 0
    fi
    convoy_rows convoy | awk -F'\t' -v OFS='\t' '{
            label = $1; if ($3 != "gilbench") label = "CPython"
            lo = ($8 != "") ? $8 : $6; hi = ($9 != "") ? $9 : $6
            print label, $5, $6, $2, ($3 != "gilbench" ? 2 : ($1 ~ /-/ ? 1 : 0)), ($7 >= 1 ? sprintf("%.3g× slower", $7) : sprintf("%.3g× faster", 1 / $7)), lo, hi }' >"$WORK/convoy.tsv"
    if [ -s "$WORK/convoy.tsv" ]; then
        draw convoy.gp convoy "png svg pdf" data="$WORK/convoy.tsv" \
            ttl="convoy: I/O round trips beside a CPU-bound thread"
    else note "skipping convoy: no convoy rows in this run"; fi
    # Series in order of first appearance: ours contended (solid), ours alone
    # (dashed), CPython contended (dotted), when the run has CPython's sweep.
    convoy_rows convoy-interval | awk -F'\t' -v OFS='\t' '$4 != "" {
            if ($3 == "gilbench") {
                print "simulated GIL, beside a CPU-bound thread", "gil", $4, $6, $8, $9
                print "simulated GIL, alone", "gil", $4, $5, "", ""
            } else print "CPython, beside a CPU-bound thread", "gil", $4, $6, $8, $9 }' |
        draw_lines convoy-interval "convoy: the switch interval sets the round-trip rate" \
            "switch interval (µs, log scale)" "round trips per second (log scale)" 10 10 0 "1 2 3" \
            keypos="inside left bottom" yfmt="%.0s%c"
}

draw_refcount_figures() {
    if [ ! -f "$RUN/refcount.csv" ]; then
        note "skipping refcount-lost, refcount-cost: no refcount.csv in this run"
        return 0
    fi
    # The label and status come from summary.csv (joined on experiment);
    # a row summary.csv lacks is named mode-sync.  Sync picks the fill.
    local rows="$WORK/refcount-rows.tsv"
    awk -F, -v OFS='\t' '
        FNR == 1 { delete c; for (i = 1; i <= NF; i++) c[$i] = i; next }
        FILENAME == ARGV[1] { label[$c["experiment"]] = $c["label"]; st[$c["experiment"]] = $c["status"]; next }
        st[$c["experiment"]] != "failed" && $c["ns_per_op"] != "" {
            e = $c["experiment"]; l = (e in label) ? label[e] : $c["mode"] "-" $c["sync"]
            s = $c["sync"]; style = (s == "atomic") ? 1 : (s == "mutex") ? 2 : (s == "biased") ? 3 : 0
            # Lost updates are out of every INCREF and DECREF made: ops x tasks.
            # Several runs: the median lost, whiskers min..max, "k of n runs".
            n = c["runs"] ? $c["runs"] + 0 : 1
            lo = (n > 1 && c["lost_min"]) ? $c["lost_min"] : ""
            hi = (n > 1 && c["lost_max"]) ? $c["lost_max"] : ""
            k = (n > 1 && c["runs_with_loss"]) ? $c["runs_with_loss"] : ""
            print l, $c["mode"], style, (n > 1 && c["lost_median"]) ? $c["lost_median"] : $c["lost_updates"],
                $c["ops"] * $c["tasks"], $c["ns_per_op"], lo, hi, k, n
        }' "$RUN/summary.csv" "$RUN/refcount.csv" >"$rows"
    # Lost updates are counted in millions once any count reaches 100 000,
    # and in thousands from 10 000, so that the axis labels stay short.
    local unit=1 unit_name=""
    if awk -F'\t' '$4 >= 1e5 || $8 >= 1e5 { found = 1 } END { exit !found }' "$rows"; then
        unit=1000000 unit_name=", millions"
    elif awk -F'\t' '$4 >= 1e4 || $8 >= 1e4 { found = 1 } END { exit !found }' "$rows"; then
        unit=1000 unit_name=", thousands"
    fi
    awk -F'\t' -v OFS='\t' -v unit="$unit" '
        function human(x) { return x >= 1e6 ? sprintf("%.3g M", x / 1e6) : x >= 1e3 ? sprintf("%.3g k", x / 1e3) : sprintf("%d", x) }
        { if ($9 == "0") text = sprintf("exact in all %d runs", $10)
          else if ($9 != "") text = sprintf("wrong in %d of %d runs, median %s, max %s", $9, $10, human($4), human($8))
          else text = ($4 > 0 && $5 > 0) ? sprintf("%s of %s updates (%.2g%%)", human($4), human($5), 100 * $4 / $5) : human($4)
          print $1, $4 / unit, ($7 != "" ? $7 / unit : ""), ($8 != "" ? $8 / unit : ""), $2, $3, text }' "$rows" |
        draw_bars refcount-lost "lost updates$unit_name (median of the runs, whiskers min..max)" atomic mutex biased \
            "refcount: updates lost without synchronisation"
    awk -F'\t' -v OFS='\t' '{ print $1, $6, "", "", $2, $3, sprintf("%.3g ns", $6) }' "$rows" |
        draw_bars refcount-cost "nanoseconds per reference-count update" atomic mutex biased \
            "refcount: what keeping the count right costs"
}

# draw_timeline: both GIL traces over one common window (the shorter trace,
# at most 100 ms) measured from each trace's first hold, so the two hand-off
# rhythms compare at the same scale.
draw_timeline() {
    local new="$RUN/raw/trace-gil-new.csv" old="$RUN/raw/trace-gil-old.csv" meta
    if [ ! -f "$new" ] || [ ! -f "$old" ]; then
        note "skipping gil-timeline: raw/trace-gil-new.csv or raw/trace-gil-old.csv is missing"
        return 0
    fi
    # Two passes over both traces: the first finds each start and the window,
    # the second writes the holds inside the window in ms.  Same-thread holds
    # less than a pixel apart (window/1400) are merged, so the old policy's
    # thousands of holds stay a few hundred boxes.  Prints: window threads
    # and, per trace, the holds and hand-offs (holder changes) in the window.
    meta=$(awk -F, -v OFS='\t' -v out="$WORK/timeline-" '
        function flush() { if (n) print who, start, end > (out (p == 1 ? "new" : "old") ".tsv") }
        FNR == 1 { if (f == 3) flush(); f++; p = (f - 1) % 2 + 1; n = 0; next }
        f <= 2 { if (!(p in t0) || $2 < t0[p]) t0[p] = $2; if ($3 > t1[p]) t1[p] = $3
                 if ($1 + 1 > th) th = $1 + 1; next }
        !w { w = t1[1] - t0[1]; if (t1[2] - t0[2] < w) w = t1[2] - t0[2]; w = (w > 0.1 ? 0.1 : w) * 1000 }
        {
            s = ($2 - t0[p]) * 1000; e = ($3 - t0[p]) * 1000
            if (s >= w) next
            if (e > w) e = w
            holds[p]++; if (n && $1 != who) moves[p]++
            if (n && $1 == who && s - end <= w / 1400) { end = e; next }
            flush(); who = $1; start = s; end = e; n++
        }
        END {
            flush()
            if ((1 in holds) && (2 in holds))
                printf "%.6f\t%d\t%d %d\t%d %d\n", w, th, holds[1], moves[1], holds[2], moves[2]
        }' "$new" "$old" "$new" "$old")
    local window threads counts_new counts_old
    IFS=$'\t' read -r window threads counts_new counts_old <<<"$meta"
    if [ -z "${counts_old:-}" ]; then
        note "skipping gil-timeline: a GIL trace has no holds"
        return 0
    fi
    draw timeline.gp gil-timeline "png svg pdf" data_new="$WORK/timeline-new.tsv" \
        data_old="$WORK/timeline-old.tsv" window:="$window" threads:="$threads" \
        counts_new="$counts_new" counts_old="$counts_old" \
        ttl="Who holds the GIL: two CPU-bound threads"
}

# draw_terminal: the count-2 speedup as ASCII bars on stdout.
draw_terminal() {
    { summary_rows count-2; summary_rows count-2-cpython; } | bar_rows speedup | {
        local meta xmax modes n
        meta=$(write_bars "$WORK/terminal.tsv")
        IFS=$'\t' read -r xmax modes n _ <<<"$meta"
        [ "$n" -gt 0 ] || die "no ok count-2 rows in $RUN/summary.csv: nothing to draw"
        draw bars.gp terminal dumb data="$WORK/terminal.tsv" xmax:="$xmax" modes="$modes" \
            ttl="count, 2 tasks: speedup over seq (higher is better)" xtitle="speedup"
    }
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

main() {
    local out="" out_given=0 terminal=0 have_run=0
    while [ $# -gt 0 ]; do
        case $1 in
            --help | -h) usage; exit 0 ;;
            --terminal) terminal=1 ;;
            --out) out=${2:-} out_given=1; [ $# -lt 2 ] || shift ;;
            --out=*) out=${1#--out=} out_given=1 ;;
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
    command -v gnuplot >/dev/null || die "gnuplot is not installed (make deps installs it)"
    command -v jq >/dev/null || die "jq is not installed (make deps installs it)"
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
    draw_time_figures
    draw_sweep_figures
    draw_refcount_figures
    draw_convoy_figures
    draw_timeline
    [ "${#DRAWN[@]}" -gt 0 ] || die "nothing to draw in $RUN: no ok rows the figures use"
    publish "$out"
}

main "$@"
