#!/usr/bin/env bash
# scripts/summarize.sh RUN_DIR - turn a run's raw timings into its tables:
#   summary.csv   one row per experiment: median, mean, spread, 95% confidence
#                 interval, speedup against the group's baseline, efficiency
#                 (the maths is in summary-stats.awk)
#   summary.md, summary.tex (booktabs)   the same, for notes and slides
#   refcount.csv, convoy.csv             the figures those cases report
# scripts/summarize.sh --headline RUN_DIR prints the table a lecture opens with.
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

refcount_csv() {
    local run=$1 id
    {
        echo "experiment,impl,mode,sync,tasks,ops,final_count,expected,lost_updates,premature_deallocs,ns_per_op,ok"
        for id in $(ids_of "$run" refcount); do
            jq -r --arg id "$id" '[$id, "gilbench", .mode, .sync, .tasks, .ops, .final_count,
                .expected, .lost_updates, .premature_deallocs, .ns_per_op, .ok] | map(tostring) | join(",")' \
                "$run/raw/$id.run.json"
        done
    }
}

# convoy.csv: the median of each figure over the experiment's runs.
convoy_csv() {
    local run=$1 id impl label
    {
        echo "experiment,impl,label,mode,policy,switch_interval_us,cpu_tasks,runs,alone_per_s,contended_per_s,slowdown,latency_contended_median_s,latency_contended_p99_s"
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
                 m(.latency_contended_median_s), m(.latency_contended_p99_s)]
                | map(tostring) | join(",")' "$run/raw/$id.runs.jsonl"
        done
    }
}

# print_headline RUN: the lecture's opening table, plain text, on stdout.
print_headline() {
    local run=$1
    echo "gilbench: $(machine_caption "$run")"
    awk -F, -v groups="$HEADLINE_GROUPS" -f "$SCRIPTS/summary-tables.awk" -v format=text "$run/summary.csv"
    if [ -s "$run/convoy.csv" ] && [ "$(wc -l <"$run/convoy.csv")" -gt 1 ]; then
        echo
        echo "convoy: I/O round trips per second, alone and beside one CPU-bound task"
        awk -F, 'NR > 1 && $1 !~ /^convoy-interval/ {
            printf "  %-8s %-16s %9.0f alone %9.0f contended  %7.1fx slower\n", $3, $2, $9, $10, $11 }' \
            "$run/convoy.csv"
    fi
    if [ -s "$run/refcount.csv" ] && [ "$(wc -l <"$run/refcount.csv")" -gt 1 ]; then
        echo
        echo "refcount: what a reference count costs, and what it loses without a lock"
        awk -F, 'NR > 1 { printf "  %-8s %-7s %7.2f ns/op  %9d lost updates  %s\n", $3, $4, $11, $9, ($12 == "true") ? "ok" : "CORRUPTED" }' \
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

main() {
    case "${1:-}" in
        --help) usage; exit 0 ;;
        --headline)
            [ $# -eq 2 ] || usage_error "--headline takes one run folder"
            check_run "$2"
            print_headline "$2"
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
