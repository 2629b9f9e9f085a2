#!/usr/bin/env bash
# scripts/summarize.sh RUN_DIR - turn a run's raw timings into its tables:
#   summary.csv   one row per experiment: median, mean, spread, 95% confidence
#                 interval, speedup against the group's baseline, efficiency
#                 (the maths is in summary-stats.awk)
#   summary.md, summary.tex (booktabs)   the same, for notes and slides
#   refcount.csv, convoy.csv             the figures those cases report
# scripts/summarize.sh --headline RUN_DIR prints the table a lecture opens with;
# --noisy=LIMIT RUN_DIR the rows bench.sh re-runs (print_noisy); --beyond-ideal
# RUN_DIR the rows faster than the usable CPUs allow (print_beyond_ideal).
set -euo pipefail
# Numbers are read and written with "." whatever the user's locale (mawk
# reads 0.5 as 0 under de_DE.UTF-8); nothing here prints the user's language.
export LC_ALL=C
# A failed command (a write on a full disk) is exit 1, whatever its own status.
set -E
trap 'exit 1' ERR

SCRIPTS=$(cd "$(dirname "$0")" && pwd)
readonly PROG=summarize
# shellcheck source=scripts/files.sh
source "$SCRIPTS/files.sh"
readonly SUMMARY_HEADER="case,impl,group,experiment,mode,variant,label,tasks,workers,param,runs,median_s,mean_s,stddev_s,min_s,max_s,user_s,system_s,ci95_low_s,ci95_high_s,rel_spread,speedup,efficiency,status"
readonly HEADLINE_GROUPS="count-2 count-2-cpython fetch interleave"

usage() {
    cat <<EOF
Usage: scripts/summarize.sh RUN_DIR             write the tables of a run
       scripts/summarize.sh --headline RUN_DIR  print its headline table
       scripts/summarize.sh --noisy=LIMIT RUN_DIR  print the timed rows bench.sh
           re-runs: group, experiment, rel_spread (TAB-separated)
       scripts/summarize.sh --beyond-ideal RUN_DIR  print the CPU-bound rows of its
           summary.csv with an efficiency above 1.1, one line each
RUN_DIR holds experiments.tsv, machine.json and raw/ as scripts/bench.sh writes them.
EOF
}

usage_error() {
    echo "summarize: $1" >&2
    echo "Try 'scripts/summarize.sh --help'." >&2
    exit 2
}

# samples RUN ID KIND: "user system t1 t2 ..." for one experiment: hyperfine's
# per-run times over all rounds, or each convoy run's own wall time.
samples() {
    local run=$1 id=$2 kind=$3
    if [ "$kind" != sampled ]; then
        jq -s -r '[.[].results[0]] | "\(map(.user) | add / length) \(map(.system) | add / length) \([.[].times[]] | map(tostring) | join(" "))"' \
            "$run/raw/$id".r*.hyperfine.json
    else
        jq -s -r 'if all(has("wall_s")) then "\(map(.user_s) | add / length) \(map(.sys_s) | add / length) \(map(.wall_s | tostring) | join(" "))" else "- - " end' \
            "$run/raw/$id.runs.jsonl"
    fi
}

# statistics_input RUN: each experiment of experiments.tsv with its samples,
# in the input form of summary-stats.awk (columns 1-11, then the samples).
# The samples are told from the table by FILENAME, not by NR == FNR: when no
# experiment ran (every row failed) the samples are empty, and NR == FNR
# would then take experiments.tsv itself for them and print no row at all.
statistics_input() {
    local run=$1
    awk -F '\t' -v OFS='\t' '
        FILENAME == ARGV[1] { data[$1] = $2; next }
        FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        {
            print $col["id"], $col["case"], $col["impl"], $col["group"], $col["mode"], $col["variant"],
                $col["label"], $col["tasks"], $col["workers"], $col["param"], $col["baseline"], data[$col["id"]]
        }' <(samples_by_id "$run") "$run/experiments.tsv"
}

# samples_by_id RUN: "ID<TAB>samples" for each experiment that ran.
samples_by_id() {
    local run=$1 id kind
    awk -F '\t' 'FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        $col["status"] == "ok" { print $col["id"], $col["kind"] }' "$run/experiments.tsv" |
        while read -r id kind; do
            printf '%s\t%s\n' "$id" "$(samples "$run" "$id" "$kind")"
        done
}

# usable_cpus RUN: the CPUs the run could use (machine.json usable_cpus); runs
# recorded before it was written have only online_cpus.
usable_cpus() {
    jq -r '.usable_cpus // .online_cpus // 1' "$1/machine.json"
}

summary_csv() {
    local run=$1 cores
    cores=$(usable_cpus "$run")
    echo "$SUMMARY_HEADER"
    statistics_input "$run" | awk -F '\t' -v cores="$cores" -f "$SCRIPTS/summary-stats.awk"
}

# markdown RUN: summary.md, one table, the groups in plan order.
markdown() {
    local run=$1
    echo "# gilbench results: $(machine_caption "$run")"
    echo
    echo "Median of each experiment's runs; 95% confidence interval of the mean; speedup is"
    echo "the group's baseline (seq) median over the row's median; efficiency is speedup over"
    echo "min(workers, usable CPUs), for the CPU-bound cases."
    echo
    awk -F, -f "$SCRIPTS/summary-tables.awk" -v format=md "$run/summary.csv"
}

latex() {
    local run=$1
    echo "% gilbench results: $(machine_caption "$run" | sed 's/[_%&#$]/\\&/g')"
    echo "% needs \\usepackage{booktabs}"
    awk -F, -f "$SCRIPTS/summary-tables.awk" -v format=tex "$run/summary.csv"
}

# machine_caption RUN: "host, CPU, N cores, date", or "N of M CPUs usable"
# when an affinity mask or a CPU quota left the run fewer CPUs than are online.
machine_caption() {
    jq -r '(.usable_cpus // .online_cpus) as $u
        | "\(.hostname), \(.cpu_model), \(if $u < .online_cpus then "\($u) of \(.online_cpus) CPUs usable"
            else "\(.online_cpus) cores" end), \(.date_utc)"' "$1/machine.json"
}

# ids_of RUN CASE: the experiments of a case that ran.
ids_of() {
    awk -F '\t' -v kase="$2" 'NR > 1 && $2 == kase && $13 == "ok" { print $1 }' "$1/experiments.tsv"
}

# The jq of refcount.csv's row, from a refcount's reports (an array, one per
# run): the first 12 columns as one run reports them, with lost_updates the
# median, premature_deallocs the max, ns_per_op the median and ok whether
# every run was exact; then runs, runs_with_loss (runs whose count went
# wrong: lost updates or a premature free), lost_median, lost_max, lost_min.
# shellcheck disable=SC2016 # jq's variables
readonly REFCOUNT_ROW='
    def median: sort | if length % 2 == 1 then .[length / 2 | floor]
                       else (.[length / 2 - 1] + .[length / 2]) / 2 end;
    (map(.lost_updates) | median) as $lost
    | [$id, "gilbench", .[0].mode, .[0].sync, .[0].tasks, .[0].ops, .[0].final_count,
       .[0].expected, $lost, (map(.premature_deallocs) | max), (map(.ns_per_op) | median),
       all(.ok), length, (map(select(.lost_updates > 0 or .premature_deallocs > 0)) | length),
       $lost, (map(.lost_updates) | max), (map(.lost_updates) | min)]
    | map(tostring) | join(",")'

# refcount.csv: one row per refcount experiment, aggregated over its runs
# (raw/ID.runs.jsonl; a run recorded before those existed: its one run.json).
refcount_csv() {
    local run=$1 id reports
    {
        echo "experiment,impl,mode,sync,tasks,ops,final_count,expected,lost_updates,premature_deallocs,ns_per_op,ok,runs,runs_with_loss,lost_median,lost_max,lost_min"
        for id in $(ids_of "$run" refcount); do
            reports="$run/raw/$id.runs.jsonl"
            [ -s "$reports" ] || reports="$run/raw/$id.run.json"
            jq -s -r --arg id "$id" "$REFCOUNT_ROW" "$reports"
        done
    }
}

# convoy.csv: the median of each figure over the experiment's runs, and the
# range of the slowdown and of the contended rate (the plots' whiskers).
convoy_csv() {
    local run=$1 id impl label
    {
        echo "experiment,impl,label,mode,policy,switch_interval_us,cpu_tasks,runs,alone_per_s,contended_per_s,slowdown,latency_contended_median_s,latency_contended_p99_s,slowdown_min,slowdown_max,contended_per_s_min,contended_per_s_max"
        for id in $(ids_of "$run" convoy); do
            IFS=$'\t' read -r impl label < <(awk -F '\t' -v id="$id" '$1 == id { print $3 "\t" $7 }' "$run/experiments.tsv")
            jq -s -r --arg id "$id" --arg impl "$impl" --arg lab "$label" '
                def median: sort | if length % 2 == 1 then .[length / 2 | floor]
                                   else (.[length / 2 - 1] + .[length / 2]) / 2 end;
                def m(f): map(f) | median;
                [$id, $impl, $lab, (.[0].mode // "gil"), (.[0].gil.policy // "new"),
                 (.[0].gil.switch_interval_us // .[0].switch_interval_us // ""),
                 (.[0].cpu_tasks // .[0].cpu_threads), length,
                 m(.io_ops_alone_per_s), m(.io_ops_contended_per_s), m(.slowdown),
                 m(.latency_contended_median_s), m(.latency_contended_p99_s),
                 (map(.slowdown) | min), (map(.slowdown) | max),
                 (map(.io_ops_contended_per_s) | min), (map(.io_ops_contended_per_s) | max)]
                | map(tostring) | join(",")' "$run/raw/$id.runs.jsonl"
        done
    }
}

# print_noisy LIMIT RUN: "group<TAB>experiment<TAB>rel_spread" of each timed
# row that bench.sh re-runs: rel_spread above LIMIT, or, for a shell row (the
# machine's ceiling), above 2% and above the widest of the rows it bounds
# (its group's threads, fork, pool, threadpool rows).  Read by column name
# from the statistics of summary.csv and the kinds of experiments.tsv.
print_noisy() {
    local limit=$1 run=$2
    summary_csv "$run" | awk -v limit="$limit" -v OFS='\t' '
        FILENAME != "-" { if (FNR == 1) { for (i = 1; i <= NF; i++) k[$i] = i; next }
                          kind[$k["id"]] = $k["kind"]; next }
        FNR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        $c["status"] != "ok" || $c["rel_spread"] == "" || kind[$c["experiment"]] == "sampled" { next }
        {
            n++; g[n] = $c["group"]; e[n] = $c["experiment"]; sp[n] = $c["rel_spread"] + 0
            shell[n] = kind[$c["experiment"]] == "shell"
            if ($c["mode"] ~ /^(threads|fork|pool|threadpool)$/ && kind[$c["experiment"]] == "timed" &&
                sp[n] > widest[g[n]]) widest[g[n]] = sp[n]
        }
        END {
            for (i = 1; i <= n; i++)
                if (sp[i] > limit || (shell[i] && sp[i] > 0.02 && sp[i] > widest[g[i]] + 0))
                    print g[i], e[i], sp[i]
        }' FS='\t' "$run/experiments.tsv" FS=, -
}

# print_headline RUN: the lecture's opening table, plain text, on stdout.
print_headline() {
    local run=$1
    echo "gilbench: $(machine_caption "$run")"
    awk -F, -v groups="$HEADLINE_GROUPS" -f "$SCRIPTS/summary-tables.awk" -v format=text "$run/summary.csv"
    if [ -s "$run/convoy.csv" ] && [ "$(wc -l <"$run/convoy.csv")" -gt 1 ]; then
        echo
        echo "convoy: I/O round trips per second, alone and beside one CPU-bound task"
        awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
            $c["experiment"] !~ /^convoy-interval/ {
            range = (c["slowdown_min"] && $c["runs"] > 1) ? sprintf("  (%.1f-%.1f, %d runs)", $c["slowdown_min"], $c["slowdown_max"], $c["runs"]) : ""
            printf "  %-8s %-16s %9.0f alone %9.0f contended  %7.1fx slower%s\n", $c["label"], $c["impl"],
                $c["alone_per_s"], $c["contended_per_s"], $c["slowdown"], range }' \
            "$run/convoy.csv"
    fi
    if [ -s "$run/refcount.csv" ] && [ "$(wc -l <"$run/refcount.csv")" -gt 1 ]; then
        echo
        echo "refcount: what a reference count costs, and what it loses without a lock"
        awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
            {
            n = c["runs"] ? $c["runs"] : 1
            lost = (c["runs_with_loss"] && n > 1) ? sprintf("wrong in %d of %d runs, lost median %d, max %d", $c["runs_with_loss"], n, $c["lost_median"], $c["lost_max"]) : sprintf("%9d lost updates", $c["lost_updates"])
            printf "  %-8s %-7s %7.2f ns/op  %s  %s\n", $c["mode"], $c["sync"], $c["ns_per_op"], lost,
                ($c["ok"] == "true") ? "ok" : "CORRUPTED" }' \
            "$run/refcount.csv"
    fi
}

check_run() {
    local run=$1 f
    [ -d "$run" ] || usage_error "'$run' is not a folder"
    for f in experiments.tsv machine.json; do
        [ -f "$run/$f" ] || usage_error "'$run' has no $f: not a gilbench run folder"
    done
}

# print_beyond_ideal RUN: the rows of summary.csv faster than the usable CPUs
# allow (efficiency = speedup / min(workers, usable CPUs) above 1.1).  That
# is not a superlinear speedup: something else ran on the CPUs and slowed
# the baseline, and such a row must not reach a slide.
print_beyond_ideal() {
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        $col["status"] == "ok" && $col["efficiency"] != "" && $col["efficiency"] + 0 > 1.1 {
            printf "%s %s%s: %.2fx, efficiency %.2f\n", $col["group"], $col["label"],
                ($col["param"] == "" ? "" : " " $col["param"]), $col["speedup"], $col["efficiency"] }' "$1/summary.csv"
}

main() {
    case "${1:-}" in
        --help) usage; exit 0 ;;
        --headline)
            [ $# -eq 2 ] || usage_error "--headline takes one run folder"
            check_run "$2"
            print_headline "$2"
            return ;;
        --noisy=?*)
            [ $# -eq 2 ] || usage_error "--noisy takes one run folder"
            check_run "$2"
            print_noisy "${1#--noisy=}" "$2"
            return ;;
        --beyond-ideal)
            [ $# -eq 2 ] || usage_error "--beyond-ideal takes one run folder"
            check_run "$2"
            print_beyond_ideal "$2"
            return ;;
        "") usage_error "a run folder is required" ;;
        -*) usage_error "unknown option '$1'" ;;
    esac
    [ $# -eq 1 ] || usage_error "one run folder, got $#"
    check_run "$1"
    local table
    for table in summary.csv:summary_csv refcount.csv:refcount_csv convoy.csv:convoy_csv \
                 summary.md:markdown summary.tex:latex; do
        # Not under || or if: set -e must stay on inside the writer (files.sh).
        write_file "$1/${table%%:*}" "${table#*:}" "$1"
    done
}

main "$@"
