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
# shellcheck source=scripts/schema.sh
source "$SCRIPTS/schema.sh"
readonly HEADLINE_GROUPS="count-2 count-2-cpython fetch interleave"

usage() {
    cat <<EOF
Usage: scripts/summarize.sh RUN_DIR             write the tables of a run
       scripts/summarize.sh --headline RUN_DIR  print its headline table
       scripts/summarize.sh --noisy=LIMIT RUN_DIR  print the timed rows bench.sh
           re-runs: group, experiment, rel_spread (TAB-separated, a header first)
       scripts/summarize.sh --beyond-ideal RUN_DIR  print the CPU-bound rows of its
           summary.csv with an efficiency above 1.1, one line each
       scripts/summarize.sh --help | --version
RUN_DIR holds experiments.tsv, machine.json and raw/ as scripts/bench.sh writes them.
EOF
}

usage_error() {
    echo "summarize: $1" >&2
    echo "Try 'scripts/summarize.sh --help'." >&2
    exit 2
}

# samples_by_id RUN: "id<TAB>samples", then one line for each experiment that
# ran, the input of summary-stats.awk: "user system t1 t2 ...", hyperfine's
# per-run times over all rounds (raw/ID.rROUND.hyperfine.json), or each
# sampled run's own wall time (raw/ID.runs.jsonl; "- - " without one).  One
# jq over every file: the re-runs call this once per extra round, and a jq
# per experiment took seconds.
# shellcheck disable=SC2016 # jq's variables
readonly SAMPLES_BY_ID='
    def mean(f): map(f) | add / length;
    reduce inputs as $d ({}; (input_filename | sub(".*/"; "")) as $f
        | if ($f | test("[.]r[0-9]+[.]hyperfine[.]json$")) then
            .timed[$f | sub("[.]r[0-9]+[.]hyperfine[.]json$"; "")] += [$d.results[0]]
          elif ($f | test("[.]runs[.]jsonl$")) then .sampled[$f | sub("[.]runs[.]jsonl$"; "")] += [$d]
          else . end)
    | . as $all
    | $rows | split("\n")[] | select(length > 0) | split("\t") as [$id, $kind]
    | if $kind != "sampled" then
        $all.timed[$id] as $r
        | "\($id)\t" + if $r == null then "" else
            "\($r | mean(.user)) \($r | mean(.system)) \([$r[].times[]] | map(tostring) | join(" "))" end
      else
        $all.sampled[$id] as $r
        | "\($id)\t" + if $r == null then ""
          elif ($r | all(has("wall_s"))) then
            "\($r | mean(.user_s)) \($r | mean(.sys_s)) \($r | map(.wall_s | tostring) | join(" "))"
          else "- - " end
      end'

samples_by_id() {
    local run=$1 rows
    printf 'id\tsamples\n'
    rows=$(awk -F '\t' -v OFS='\t' "$COLUMNS_AWK"'FNR == 1 { header(); next }
        get("status") == "ok" { print get("id"), get("kind") }' "$run/experiments.tsv")
    local -a files=()
    local f
    for f in "$run"/raw/*.hyperfine.json "$run"/raw/*.runs.jsonl; do
        [ -e "$f" ] && files+=("$f")
    done
    [ "${#files[@]}" -gt 0 ] || return 0
    jq -n -r --arg rows "$rows" "$SAMPLES_BY_ID" "${files[@]}"
}

# usable_cpus RUN: the CPUs the run could use (machine.json usable_cpus); runs
# recorded before it was written have only online_cpus.
usable_cpus() {
    jq -r '.usable_cpus // .online_cpus // 1' "$1/machine.json"
}

# block_speedups RUN: "experiment estimate low high" (TAB) of the speedups
# ratios.csv holds (the families timed in blocks); a header alone without it.
block_speedups() {
    printf 'experiment\testimate\tlow\thigh\n'
    [ -s "$1/ratios.csv" ] || return 0
    awk -F, -v OFS='\t' "$COLUMNS_AWK"'
        FNR == 1 { header(); next }
        get("kind") == "speedup" { print get("experiment"), get("estimate"), get("low"), get("high") }' "$1/ratios.csv"
}

summary_csv() {
    local run=$1 cores
    cores=$(usable_cpus "$run")
    header_line "$SUMMARY_COLUMNS" ,
    # The samples are told from the table by FILENAME: the first file.
    awk -F '\t' -v cores="$cores" -v columns="$SUMMARY_COLUMNS" -f "$SCRIPTS/columns.awk" \
        -f "$SCRIPTS/summary-stats.awk" <(samples_by_id "$run") <(block_speedups "$run") "$run/experiments.tsv"
}

# markdown RUN: summary.md, one table, the groups in plan order.
markdown() {
    local run=$1
    echo "# gilbench results: $(machine_caption "$run")"
    echo
    echo "Median of each experiment's runs; 95% confidence interval of the mean; speedup is"
    echo "the group's baseline (seq) median over the row's median, or, for the groups timed in"
    echo "time-paired blocks, the geometric mean of the middle half of the per-block speedups,"
    echo "with its 95% interval;"
    echo "efficiency is speedup over min(workers, usable CPUs), for the CPU-bound cases."
    echo
    awk -F, -f "$SCRIPTS/columns.awk" -f "$SCRIPTS/summary-tables.awk" -v format=md "$run/summary.csv"
}

latex() {
    local run=$1
    echo "% gilbench results: $(machine_caption "$run" | sed 's/[_%&#$]/\\&/g')"
    echo "% needs \\usepackage{booktabs}"
    awk -F, -f "$SCRIPTS/columns.awk" -f "$SCRIPTS/summary-tables.awk" -v format=tex "$run/summary.csv"
}

# machine_caption RUN: "host, CPU, N cores, date", or "N of M CPUs usable"
# when an affinity mask or a CPU quota left the run fewer CPUs than are online.
machine_caption() {
    jq -r '(.usable_cpus // .online_cpus) as $u
        | "\(.hostname), \(.cpu_model), \(if $u < .online_cpus then "\($u) of \(.online_cpus) CPUs usable"
            else "\(.online_cpus) cores" end), \(.date_utc)"' "$1/machine.json"
}

# rows_of RUN CASE: "id<TAB>group<TAB>label<TAB>status<TAB>impl<TAB>mode" of
# each experiment of a case, failed ones included (as in summary.csv).
rows_of() {
    awk -F '\t' -v OFS='\t' -v kase="$2" "$COLUMNS_AWK"'FNR == 1 { header(); next }
        get("case") == kase {
            print get("id"), get("group"), get("label"), get("status"), get("impl"), get("mode") }' "$1/experiments.tsv"
}

# The jq of a row of refcount.csv or convoy.csv: the object of its figures
# (named as in REFCOUNT_COLUMNS, CONVOY_COLUMNS) and the experiment's own
# columns ($row), as a CSV line in the order of $columns.
# shellcheck disable=SC2016 # jq's variables
readonly CSV_ROW='
    def median: sort | if length % 2 == 1 then .[length / 2 | floor]
                       else (.[length / 2 - 1] + .[length / 2]) / 2 end;
    def csv_row($figures): (($row | fromjson) + $figures) as $all
        | [$columns | split(" ")[] | $all[.] | if . == null then "" else tostring end] | join(",");'

# The figures of refcount.csv's row, from a refcount's reports (an array, one
# per run): as one run reports them, with lost_updates the median,
# premature_deallocs the max, ns_per_op the median and ok whether every run
# was exact; then runs, runs_with_loss (runs whose count went wrong: lost
# updates or a premature free), lost_median, lost_max, lost_min.
# shellcheck disable=SC2016 # jq's variables
readonly REFCOUNT_ROW='
    (map(.lost_updates) | median) as $lost
    | csv_row({mode: .[0].mode, sync: .[0].sync, tasks: .[0].tasks, ops: .[0].ops,
        final_count: .[0].final_count, expected: .[0].expected, lost_updates: $lost,
        premature_deallocs: (map(.premature_deallocs) | max), ns_per_op: (map(.ns_per_op) | median),
        ok: all(.ok), runs: length,
        runs_with_loss: (map(select(.lost_updates > 0 or .premature_deallocs > 0)) | length),
        lost_median: $lost, lost_max: (map(.lost_updates) | max), lost_min: (map(.lost_updates) | min)})'

# The figures of convoy.csv's row: the median of each over the experiment's
# runs, and the range of the slowdown and of the contended rate (the plots'
# whiskers).  policy is the GIL's that ran, empty where none did: ours
# reports it (gil.policy, in mode gil only); cases/convoy.py does not, and
# its GIL is told by what it reports: none when gil_enabled is false, the old
# one in CPython 2 (a check_interval, no switch interval), else the new one.
# shellcheck disable=SC2016 # jq's variables
readonly CONVOY_ROW='
    def m(f): map(f) | median;
    def mo(f): map(f | select(. != null)) | if length == 0 then null else median end;
    def policy: if .gil.policy then .gil.policy
        elif .mode != null or .gil_enabled == false then ""
        elif .check_interval != null and .switch_interval_us == null then "old"
        else "new" end;
    csv_row({mode: (.[0].mode // (if .[0].gil_enabled == false then "threads" else "gil" end)), policy: (.[0] | policy),
        switch_interval_us: (.[0].gil.switch_interval_us // .[0].switch_interval_us // ""),
        cpu_tasks: (.[0].cpu_tasks // .[0].cpu_threads), runs: length,
        alone_per_s: m(.io_ops_alone_per_s), contended_per_s: m(.io_ops_contended_per_s),
        slowdown: m(.slowdown), latency_contended_median_s: m(.latency_contended_median_s),
        latency_contended_p99_s: m(.latency_contended_p99_s),
        slowdown_min: (map(.slowdown) | min), slowdown_max: (map(.slowdown) | max),
        contended_per_s_min: (map(.io_ops_contended_per_s) | min),
        contended_per_s_max: (map(.io_ops_contended_per_s) | max),
        pin: (.[0].pin // ""), waited_0_share: mo(.waited_0_share),
        waited_1_share: mo(.waited_1_share), waited_2_share: mo(.waited_2_share)})'

# case_csv RUN CASE COLUMNS JQ: one row per experiment of CASE, aggregated
# over its runs (raw/ID.runs.jsonl; a run recorded before those existed: its
# one run.json), with the experiment's group, label, status, impl and mode.
# A failed row keeps its key and status and has no figures, as in summary.csv
# (what its runs reported before one failed is not a measurement).
case_csv() {
    local run=$1 kase=$2 columns=$3 program=$4 id group label status impl mode reports row
    header_line "$columns" ,
    rows_of "$run" "$kase" | while IFS=$'\t' read -r id group label status impl mode; do
        row=$(jq -n -c --arg experiment "$id" --arg group "$group" --arg label "$label" \
            --arg status "$status" --arg impl "$impl" --arg mode "$mode" '$ARGS.named')
        if [ "$status" != ok ]; then
            jq -n -r --arg row "$row" --arg columns "$columns" "$CSV_ROW csv_row({})"
            continue
        fi
        reports="$run/raw/$id.runs.jsonl"
        [ -s "$reports" ] || reports="$run/raw/$id.run.json"
        jq -s -r --arg row "$row" --arg columns "$columns" "$CSV_ROW $program" "$reports"
    done
}

refcount_csv() { case_csv "$1" refcount "$REFCOUNT_COLUMNS" "$REFCOUNT_ROW"; }
convoy_csv() { case_csv "$1" convoy "$CONVOY_COLUMNS" "$CONVOY_ROW"; }

# print_noisy LIMIT RUN: "group<TAB>experiment<TAB>rel_spread" of each timed
# row that bench.sh re-runs: rel_spread above LIMIT, or, for a shell row (the
# machine's ceiling), above 2% and above the widest of the rows it bounds
# (its group's threads, interp, fork, pool, threadpool rows).  Read by column name
# from the statistics of summary.csv and the kinds of experiments.tsv.
print_noisy() {
    local limit=$1 run=$2
    header_line "$NOISY_COLUMNS" $'\t'
    summary_csv "$run" | awk -v limit="$limit" -v OFS='\t' -v columns="$NOISY_COLUMNS" "$COLUMNS_AWK"'
        FNR == 1 { header(); next }
        FILENAME != "-" { kind[get("id")] = get("kind"); next }
        get("status") != "ok" || get("rel_spread") == "" || kind[get("experiment")] == "sampled" { next }
        {
            n++; g[n] = get("group"); e[n] = get("experiment"); sp[n] = get("rel_spread") + 0
            shell[n] = kind[e[n]] == "shell"
            if (get("mode") ~ /^(threads|interp|fork|pool|threadpool)$/ && kind[e[n]] == "timed" &&
                sp[n] > widest[g[n]]) widest[g[n]] = sp[n]
        }
        END {
            for (i = 1; i <= n; i++)
                if (sp[i] > limit || (shell[i] && sp[i] > 0.02 && sp[i] > widest[g[i]] + 0)) {
                    val["group"] = g[i]; val["experiment"] = e[i]; val["rel_spread"] = sp[i]
                    print row_of(columns, OFS, val)
                }
        }' FS='\t' "$run/experiments.tsv" FS=, -
}

# print_headline RUN: the lecture's opening table, plain text, on stdout.
print_headline() {
    local run=$1
    echo "gilbench: $(machine_caption "$run")"
    awk -F, -v groups="$HEADLINE_GROUPS" -f "$SCRIPTS/columns.awk" -f "$SCRIPTS/summary-tables.awk" -v format=text "$run/summary.csv"
    # Each section under its own heading, and a heading only over rows.
    [ ! -f "$run/convoy.csv" ] || awk -F, "$COLUMNS_AWK"'
        # ratio_of(s): a slowdown as it reads: "187x slower", or below 1
        # "1.04x faster" (its inverse; a slowdown of 0.96 is no slowing).
        function ratio_of(s) {
            if (s == "" || s <= 0) return "-"
            return (s >= 1) ? ratio_text(s) "x slower" : ratio_text(1 / s) "x faster"
        }
        FNR == 1 { header(); next }
        get("group") != "convoy-interval" {
            if (!rows++) {
                print ""
                print "convoy: I/O round trips per second, alone and beside one CPU-bound task"
                print "(sampled, not timed in blocks: the median of the runs of a row; in brackets, the lowest and highest)"
            }
            if (get("status") != "ok") {
                printf "  %-15s %-16s FAILED (its log: raw/%s.*)\n", get("label"), get("impl"), get("experiment")
                next
            }
            s = get("slowdown"); lo = get("slowdown_min"); hi = get("slowdown_max")
            range = (has("slowdown_min") && get("runs") > 1 && lo > 0 && hi > 0) ? sprintf("  (%s-%s, %d runs)", \
                ratio_text(s >= 1 ? lo : 1 / hi), ratio_text(s >= 1 ? hi : 1 / lo), get("runs")) : ""
            printf "  %-15s %-16s %9.0f alone %9.0f contended  %13s%s\n", get("label"), get("impl"),
                get("alone_per_s"), get("contended_per_s"), ratio_of(s), range }' \
        "$run/convoy.csv"
    [ ! -f "$run/refcount.csv" ] || awk -F, "$COLUMNS_AWK"'FNR == 1 { header(); next }
        !rows++ {
            print ""
            print "refcount: what a reference count costs, and what it loses without a lock"
        }
        get("status") != "ok" {
            printf "  %-16s FAILED (its log: raw/%s.*)\n", get("label"), get("experiment")
            next
        }
        {
        n = has("runs") ? get("runs") : 1
        lost = (has("runs_with_loss") && n > 1) ? sprintf("wrong in %d of %d runs, lost median %d, max %d", get("runs_with_loss"), n, get("lost_median"), get("lost_max")) : sprintf("%9d lost updates", get("lost_updates"))
        printf "  %-8s %-7s %7.2f ns/op  %s  %s\n", get("mode"), get("sync"), get("ns_per_op"), lost,
            (get("ok") == "true") ? "ok" : "CORRUPTED" }' \
        "$run/refcount.csv"
}

check_run() {
    local f
    [ -d "$1" ] || usage_error "'$1' is not a folder"
    f=$(run_holds "$1" experiments.tsv machine.json) || usage_error "'$1' has no $f: not a gilbench run folder"
}

# print_beyond_ideal RUN: the rows of summary.csv faster than the usable CPUs
# allow (efficiency = speedup / min(workers, usable CPUs) above 1.1).  That
# is not a superlinear speedup: something else ran on the CPUs and slowed
# the baseline, and such a row must not reach a slide.
print_beyond_ideal() {
    awk -F, "$COLUMNS_AWK"'FNR == 1 { header(); next }
        get("status") == "ok" && get("efficiency") != "" && get("efficiency") + 0 > 1.1 {
            printf "%s %s%s: %sx, efficiency %.2f\n", get("group"), get("label"),
                (get("param") == "" ? "" : " " get("param")), ratio_text(get("speedup")), get("efficiency") }' "$1/summary.csv"
}

main() {
    case "${1:-}" in
        --help) usage; exit 0 ;;
        --version) print_version "$PROG"; exit 0 ;;
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
