#!/usr/bin/env bash
# tests/cli_bench_summary.sh - the summary maths and the table writers, on
# fixed inputs whose answers are worked out by hand below.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

# stats_rows LINE...: summary.csv's rows (no header; 2 CPUs) for experiments
# given as "id case impl group mode variant label tasks workers param baseline
# samples" (TAB-separated; samples "USER SYSTEM T1 T2 ...", empty for a failed
# row), summarized from a run folder made of them: each row's samples as its
# one round of hyperfine, $TEST_TMP/paired.tsv (if any) as ratios.csv's
# speedups.  experiments.tsv's columns are in another order, and one more.
stats_rows() {
    local run="$TEST_TMP/stats-run"
    rm -rf "$run"
    mkdir -p "$run/raw"
    echo '{"hostname":"h","cpu_model":"c","online_cpus":2,"date_utc":"d"}' >"$run/machine.json"
    printf '%s\n' "$@" | awk -F '\t' -v OFS='\t' -v dir="$run" '
        BEGIN { print "extra", "baseline", "param", "workers", "tasks", "label", "variant", "mode",
                    "group", "impl", "case", "id", "status" > (dir "/experiments.tsv") }
        $12 != "" { n = split($12, s, " "); t = s[3]; for (i = 4; i <= n; i++) t = t "," s[i]
                    printf "{\"results\":[{\"times\":[%s],\"user\":%s,\"system\":%s}]}\n", t, s[1], s[2] \
                        > (dir "/raw/" $1 ".r1.hyperfine.json") }
        { print "x", $11, $10, $9, $8, $7, $6, $5, $4, $3, $2, $1, "ok" > (dir "/experiments.tsv") }'
    if [ -e "$TEST_TMP/paired.tsv" ]; then
        awk -F '\t' -v OFS=, '{ print $1, (NR == 1 ? "kind" : "speedup"), $2, $3, $4 }' "$TEST_TMP/paired.tsv" >"$run/ratios.csv"
    fi
    bash scripts/summarize.sh "$run" && tail -n +2 "$run/summary.csv"
}

# csv_get FILE KEY COLUMN...: the named columns (comma-joined) of the row of
# FILE (a CSV) whose experiment is KEY, found by the header's names.
# schema_header NAME: the header line of a table of scripts/gilbench/schema.py.
schema_header() {
    python3 -E -c 'import sys; sys.path.insert(0, "scripts"); from gilbench import schema; print(",".join(getattr(schema, sys.argv[1])))' "$1"
}

csv_get() {
    local file=$1 key=$2
    shift 2
    awk -F, -v key="$key" -v names="$*" "$COLUMNS_AWK"'
        FNR == 1 { header(); next }
        get("experiment") == key { n = split(names, k, " "); s = get(k[1])
                                   for (i = 2; i <= n; i++) s = s "," get(k[i])
                                   print s }' "$file"
}

# field ROW N: the Nth comma-separated field.
field() { cut -d, -f "$2" <<<"$1"; }

test_statistics() {
    local tab=$'\t' out seq thr one failed
    # seq: times 2 2 2 -> median 2, stddev 0.  threads: 1..5 -> median 3, mean 3,
    # stddev sqrt(10/4) = 1.58114, CI 3 -/+ 2.776 * 1.58114 / sqrt(5) = 1.03707..4.96293,
    # speedup 2 / 3 = 0.666667, efficiency over min(4 workers, 2 cores) = 0.333333.
    out=$(stats_rows \
        "count-2.seq${tab}count${tab}gilbench${tab}count-2${tab}seq${tab}${tab}seq${tab}2${tab}1${tab}${tab}count-2.seq${tab}0.5 0.01 2 2 2" \
        "count-2.threads${tab}count${tab}gilbench${tab}count-2${tab}threads${tab}${tab}threads${tab}2${tab}4${tab}${tab}count-2.seq${tab}0.9 0.1 5 1 4 2 3" \
        "fetch.one${tab}fetch${tab}gilbench${tab}fetch${tab}async${tab}${tab}async${tab}2${tab}2${tab}${tab}count-2.seq${tab}0.1 0.2 0.5" \
        "fetch.even${tab}fetch${tab}gilbench${tab}fetch${tab}threads${tab}${tab}threads${tab}2${tab}2${tab}8${tab}nobaseline${tab}0.1 0.2 4 1 3 2" \
        "fetch.failed${tab}fetch${tab}gilbench${tab}fetch${tab}fork${tab}${tab}fork${tab}2${tab}2${tab}${tab}count-2.seq${tab}")
    seq=$(sed -n 1p <<<"$out") thr=$(sed -n 2p <<<"$out") one=$(sed -n 3p <<<"$out")
    expect_eq "stats: 26 columns in a row" "$(awk -F, '{ print NF }' <<<"$thr")" 26
    expect_eq "stats: key columns in summary.csv order" "$(field "$thr" 1-10)" "count,gilbench,count-2,count-2.threads,threads,,threads,2,4,"
    expect_eq "stats: runs, median, mean of an odd count" "$(field "$thr" 11-13)" "5,3,3"
    expect_eq "stats: sample standard deviation (n - 1)" "$(field "$thr" 14)" "1.58114"
    expect_eq "stats: min and max, user and system" "$(field "$thr" 15-18)" "1,5,0.9,0.1"
    expect_eq "stats: 95% confidence interval with Student's t (4 df)" "$(field "$thr" 19-20)" "1.03707,4.96293"
    expect_eq "stats: relative spread = stddev / mean" "$(field "$thr" 21)" "0.527046"
    expect_eq "stats: speedup = baseline median / median" "$(field "$thr" 22)" "0.666667"
    expect_eq "stats: efficiency = speedup / min(workers, cores)" "$(field "$thr" 25)" "0.333333"
    expect_eq "stats: the baseline against itself is 1, stddev 0" "$(field "$seq" 12),$(field "$seq" 14),$(field "$seq" 22),$(field "$seq" 25)" "2,0,1,1"
    expect_eq "stats: one run has no stddev or interval; no efficiency for fetch" \
        "$(field "$one" 11-14),$(field "$one" 19-25)" "1,0.5,0.5,,,,,4,,,"
    expect_eq "stats: median of an even count is the mean of the middle two" "$(sed -n 4p <<<"$out" | cut -d, -f 10-12)" "8,4,2.5"
    expect_eq "stats: no baseline row, no speedup" "$(sed -n 4p <<<"$out" | cut -d, -f 22-26)" ",,,,ok"
    failed=$(sed -n 5p <<<"$out")
    expect_eq "stats: a failed row keeps its key, no numbers, status failed" "$failed" \
        "fetch,gilbench,fetch,fetch.failed,fork,,fork,2,2,,0,,,,,,,,,,,,,,,failed"
    # Two spread runs: 0.3 -/+ 12.706 * 0.28284 / sqrt(2) = -2.2412..2.8412; a
    # time's interval stops at 0 (tiny runs printed "-0.2579-0.3114").
    out=$(stats_rows "two${tab}count${tab}gilbench${tab}g${tab}seq${tab}${tab}seq${tab}1${tab}1${tab}${tab}two${tab}0 0 0.1 0.5")
    expect_eq "stats: the interval of a time never goes below 0" "$(field "$out" 19-20)" "0,2.8412"
    # A row timed in blocks: its speedup is its paired ratio (ratios.csv,
    # here 1.9 in 1.8-2.0), not the ratio of the summary's medians
    # (2 / 3), and its interval is kept; efficiency follows it.
    printf 'experiment\testimate\tlow\thigh\ncount-2.threads\t1.9\t1.8\t2.0\n' >"$TEST_TMP/paired.tsv"
    out=$(stats_rows \
        "count-2.seq${tab}count${tab}gilbench${tab}count-2${tab}seq${tab}${tab}seq${tab}2${tab}1${tab}${tab}count-2.seq${tab}0.5 0.01 2 2 2" \
        "count-2.threads${tab}count${tab}gilbench${tab}count-2${tab}threads${tab}${tab}threads${tab}2${tab}4${tab}${tab}count-2.seq${tab}0.9 0.1 5 1 4 2 3")
    rm -f "$TEST_TMP/paired.tsv"
    expect_eq "stats: a paired row's speedup, interval and efficiency come from its blocks" \
        "$(sed -n 2p <<<"$out" | cut -d, -f 22-25)" "1.9,1.8,2,0.95"
    expect_eq "stats: the baseline of paired rows has no interval of its own" "$(sed -n 1p <<<"$out" | cut -d, -f 22-24)" "1,,"
    # 40 runs: t(0.975, 39) is 2.0227; the approximation gives 1.96 + 2.4/39 = 2.0215.
    local times
    times=$(seq 1 40 | tr '\n' ' ')
    out=$(stats_rows "big${tab}count${tab}gilbench${tab}g${tab}seq${tab}${tab}seq${tab}1${tab}1${tab}${tab}big${tab}0 0 $times")
    local half
    half=$(awk -F, '{ printf "%.3f", ($20 - $19) / 2 }' <<<"$out")
    expect_eq "stats: large-sample interval uses t close to 2.02 (sd 11.69, n 40)" "$half" \
        "$(awk 'BEGIN { printf "%.3f", 2.0215 * sqrt(136.6667) / sqrt(40) }')"
}

# make_run DIR: a small run folder with fabricated raw data of known values.
make_run() {
    local run=$1
    mkdir -p "$run/raw"
    cat >"$run/machine.json" <<'EOF'
{"hostname":"lab_pc","cpu_model":"Test CPU","online_cpus":2,"date_utc":"2026-11-25T00:00:00Z"}
EOF
    local t=$'\t'
    {
        printf 'id\tcase\timpl\tgroup\tmode\tvariant\tlabel\ttasks\tworkers\tparam\tbaseline\tkind\tstatus\tcommand\n'
        printf 'count-2.seq\tcount\tgilbench\tcount-2\tseq\t\tseq\t2\t1\t\tcount-2.seq\ttimed\tok\tbin/count --mode=seq\n'
        printf 'count-2.gil\tcount\tgilbench\tcount-2\tgil\t\tgil\t2\t2\t\tcount-2.seq\ttimed\tok\tbin/count --mode=gil\n'
        printf 'count-2.fork\tcount\tgilbench\tcount-2\tfork\t\tfork\t2\t2\t\tcount-2.seq\ttimed\tfailed\tbin/count --mode=fork\n'
        printf 'refcount.threads-none\trefcount\tgilbench\trefcount\tthreads\tnone\tthreads-none\t2\t2\t\t\ttimed\tok\tbin/refcount\n'
        printf 'convoy.gil\tconvoy\tgilbench\tconvoy\tgil\tnew\tgil\t2\t2\t\t\tsampled\tok\tbin/convoy\n'
    } >"$run/experiments.tsv"
    : "$t"
    # Two rounds of the seq row: the summary pools their runs (0.6 0.8 | 0.7).
    echo '{"results":[{"times":[0.6,0.8],"user":0.5,"system":0.1}]}' >"$run/raw/count-2.seq.r1.hyperfine.json"
    echo '{"results":[{"times":[0.7],"user":0.7,"system":0.1}]}' >"$run/raw/count-2.seq.r2.hyperfine.json"
    echo '{"results":[{"times":[0.7,0.7,0.7],"user":0.7,"system":0}]}' >"$run/raw/count-2.gil.r1.hyperfine.json"
    echo '{"results":[{"times":[0.1,0.3],"user":0.1,"system":0}]}' >"$run/raw/refcount.threads-none.r1.hyperfine.json"
    echo '{"mode":"threads","sync":"none","tasks":2,"ops":20000000,"final_count":-77,"expected":1,"lost_updates":78,"premature_deallocs":3,"ns_per_op":0.61,"ok":false}' \
        >"$run/raw/refcount.threads-none.run.json"
    {
        echo '{"mode":"gil","wall_s":0.5,"user_s":0.3,"sys_s":0.1,"cpu_tasks":1,"io_ops_alone_per_s":20000,"io_ops_contended_per_s":100,"slowdown":200,"latency_contended_median_s":0.005,"latency_contended_p99_s":0.01,"gil":{"policy":"new","switch_interval_us":5000}}'
        echo '{"mode":"gil","wall_s":0.6,"user_s":0.3,"sys_s":0.1,"cpu_tasks":1,"io_ops_alone_per_s":30000,"io_ops_contended_per_s":300,"slowdown":100,"latency_contended_median_s":0.007,"latency_contended_p99_s":0.02,"gil":{"policy":"new","switch_interval_us":5000}}'
        echo '{"mode":"gil","wall_s":0.7,"user_s":0.3,"sys_s":0.1,"cpu_tasks":1,"io_ops_alone_per_s":10000,"io_ops_contended_per_s":200,"slowdown":50,"latency_contended_median_s":0.006,"latency_contended_p99_s":0.03,"gil":{"policy":"new","switch_interval_us":5000}}'
    } >"$run/raw/convoy.gil.runs.jsonl"
}

test_writers() {
    local run="$TEST_TMP/run"
    make_run "$run"
    run bash scripts/summarize.sh "$run"
    expect_status "summarize: writes the tables of a run" 0 bash scripts/summarize.sh "$run"
    local csv="$run/summary.csv"
    expect_eq "summary.csv: header" "$(head -n 1 "$csv")" \
        "case,impl,group,experiment,mode,variant,label,tasks,workers,param,runs,median_s,mean_s,stddev_s,min_s,max_s,user_s,system_s,ci95_low_s,ci95_high_s,rel_spread,speedup,speedup_low,speedup_high,efficiency,status"
    expect_eq "summary.csv: one row per experiment" "$(($(wc -l <"$csv") - 1))" 5
    expect_eq "summary.csv: rounds pooled (3 runs, median 0.7), user/system averaged" \
        "$(grep '^count,gilbench,count-2,count-2.seq,' "$csv" | cut -d, -f 11,12,17,18)" "3,0.7,0.6,0.1"
    expect_eq "summary.csv: gil speedup 0.7/0.7 = 1, efficiency 1/2" \
        "$(grep ',count-2.gil,' "$csv" | cut -d, -f 22,25)" "1,0.5"
    expect_eq "summary.csv: failed row marked" "$(grep ',count-2.fork,' "$csv" | cut -d, -f 26)" failed
    expect_eq "summary.csv: convoy rows describe each run's wall time" \
        "$(grep ',convoy.gil,' "$csv" | cut -d, -f 11,12)" "3,0.6"
    expect_eq "refcount.csv: the header of schema.py" "$(head -n 1 "$run/refcount.csv")" \
        "$(schema_header REFCOUNT)"
    expect_eq "refcount.csv: figures of the racy run, with its group, label and status" \
        "$(csv_get "$run/refcount.csv" refcount.threads-none group label status impl mode sync tasks ops \
            final_count expected lost_updates premature_deallocs ns_per_op ok runs runs_with_loss lost_median lost_max lost_min)" \
        "refcount,threads-none,ok,gilbench,threads,none,2,20000000,-77,1,78,3,0.61,false,1,1,78,78,78"
    expect_eq "convoy.csv: the header of schema.py" "$(head -n 1 "$run/convoy.csv")" \
        "$(schema_header CONVOY)"
    expect_eq "convoy.csv: the median of each figure over the runs, with its group, label and status" \
        "$(csv_get "$run/convoy.csv" convoy.gil group label status impl mode policy switch_interval_us cpu_tasks runs \
            alone_per_s contended_per_s slowdown latency_contended_median_s latency_contended_p99_s)" \
        "convoy,gil,ok,gilbench,gil,new,5000,1,3,20000,200,100,0.006,0.02"
    expect_eq "convoy.csv: slowdown and contended ranges" \
        "$(csv_get "$run/convoy.csv" convoy.gil slowdown_min slowdown_max contended_per_s_min contended_per_s_max)" "50,200,100,300"
    if grep -q '^| count-2 | gil | 2 | 2 | - | 3 | 0.7000 | 0.7000-0.7000 | 1.00 | 0.50 | ok |$' "$run/summary.md" &&
        grep -q '^| count-2 | fork | .* | failed |$' "$run/summary.md" &&
        grep -q 'lab_pc, Test CPU, 2 cores' "$run/summary.md"; then
        pass "summary.md: a Markdown row per experiment, failed rows marked, machine named"
    else
        fail "summary.md: a Markdown row per experiment" "$(head -c 600 "$run/summary.md")"
    fi
    local tex="$run/summary.tex"
    if grep -q '^\\toprule$' "$tex" && grep -q '^\\bottomrule$' "$tex" &&
        [ "$(grep -c '^\\midrule$' "$tex")" -eq 3 ] &&
        grep -q '^count-2 & gil & 2 & 2 & -- & 0.7000 & 0.7000-0.7000 & 1.00 & ok \\\\$' "$tex" &&
        grep -q 'lab\\_pc' "$tex" && grep -q 'refcount & threads-none' "$tex"; then
        pass "summary.tex: booktabs rules, a rule between groups, TeX specials escaped"
    else
        fail "summary.tex: booktabs" "$(head -c 600 "$tex")"
    fi
    run bash scripts/summarize.sh --headline "$run"
    expect_out "headline: the count-2 rows with speedups" '^count-2 +gil +2 +2 +0\.7000 +1\.00x'
    expect_out "headline: a failed row says so" 'fork .*FAILED'
    expect_out "headline: the convoy slowdown" 'gil .*20000 alone +200 contended +100x slower +\(50\.0-200, 3 runs\)'
    expect_out "headline: a corrupted refcount says so" 'threads +none .*78 lost updates +CORRUPTED'
    # One column, one precision: the medians 0.53 and 0.4719 were printed so (%.4g), and a
    # speedup of 12.34 as 12.34x where the lessons say 12.3x.
    set_field "$run/summary.csv" count-2.seq median_s 0.53
    set_field "$run/summary.csv" count-2.gil median_s 0.4719
    set_field "$run/summary.csv" count-2.gil speedup 12.34
    run bash scripts/summarize.sh --headline "$run"
    expect_out "headline: every median with 4 decimals (0.5300 above 0.4719)" '^count-2 +seq +2 +1 +0\.5300 '
    expect_out "headline: a speedup as the lessons print it (12.3x)" '^count-2 +gil +2 +2 +0\.4719 +12\.3x$'
}

# convoy.csv's policy is the GIL that ran: "new" was written for every row
# without a gil.policy in its report, CPython 2.7 (the old GIL) and the rows
# without a GIL (threads, fork, free-threaded CPython) among them.
test_convoy_policy() {
    local run="$TEST_TMP/run-policy" id report figures got="" want
    make_run "$run"
    figures='"cpu_threads":1,"io_ops_alone_per_s":20000,"io_ops_contended_per_s":1000,"slowdown":20,"latency_contended_median_s":0.001,"latency_contended_p99_s":0.002'
    for report in \
        "convoy.threads|threads|gilbench|{\"mode\":\"threads\",$figures}" \
        "convoy.fork|fork|gilbench|{\"mode\":\"fork\",$figures}" \
        "convoy.py2|gil|cpython-2.7.18|{\"case\":\"convoy.py\",\"gil_enabled\":true,\"free_threaded\":false,\"switch_interval_us\":null,\"check_interval\":100,$figures}" \
        "convoy.py|gil|cpython-3.11.7|{\"case\":\"convoy.py\",\"gil_enabled\":true,\"free_threaded\":false,\"switch_interval_us\":5000,\"check_interval\":null,$figures}" \
        "convoy.pyft|threads|cpython-3.13.1t|{\"case\":\"convoy.py\",\"gil_enabled\":false,\"free_threaded\":true,\"switch_interval_us\":5000,\"check_interval\":null,$figures}"; do
        IFS='|' read -r id mode impl json <<<"$report"
        printf '%s\tconvoy\t%s\tconvoy\t%s\t\t%s\t2\t2\t\t\tsampled\tok\tconvoy\n' "$id" "$impl" "$mode" "${id#convoy.}" >>"$run/experiments.tsv"
        echo "$json" >"$run/raw/$id.runs.jsonl"
    done
    expect_status "summarize: a run with every convoy row" 0 bash scripts/summarize.sh "$run"
    for id in gil threads fork py2 py pyft; do
        got+=" $id:$(csv_get "$run/convoy.csv" "convoy.$id" policy)"
    done
    want=" gil:new threads: fork: py2:old py:new pyft:"
    expect_eq "convoy.csv: policy new for ours and CPython 3, old for CPython 2.7, empty without a GIL" "$got" "$want"
}

# A failed convoy or refcount row (its program exited 1) is a row of
# convoy.csv / refcount.csv marked failed, without figures, as in
# summary.csv, and the headline says so; it was left out of both.
test_failed_case_rows() {
    local run="$TEST_TMP/run-failed-case"
    make_run "$run"
    printf 'convoy.threads\tconvoy\tgilbench\tconvoy\tthreads\t\tthreads\t2\t2\t\t\tsampled\tfailed\tbin/convoy\n' >>"$run/experiments.tsv"
    echo '{"mode":"threads","wall_s":0.5,"user_s":0.3,"sys_s":0.1,"cpu_tasks":1,"io_ops_alone_per_s":20000,"io_ops_contended_per_s":100,"slowdown":200}' \
        >"$run/raw/convoy.threads.runs.jsonl"
    printf 'refcount.gil-none\trefcount\tgilbench\trefcount\tgil\tnone\tgil-none\t2\t2\t\t\ttimed\tfailed\tbin/refcount\n' >>"$run/experiments.tsv"
    expect_status "summarize: a run with a failed convoy and refcount row" 0 bash scripts/summarize.sh "$run"
    expect_eq "convoy.csv: a failed row is there, marked failed, without figures" \
        "$(csv_get "$run/convoy.csv" convoy.threads group label status impl mode runs slowdown alone_per_s)" \
        "convoy,threads,failed,gilbench,threads,,,"
    expect_eq "convoy.csv: the rows that ran are unchanged" \
        "$(csv_get "$run/convoy.csv" convoy.gil status runs slowdown)" "ok,3,100"
    expect_eq "refcount.csv: a failed row is there, marked failed, without figures" \
        "$(csv_get "$run/refcount.csv" refcount.gil-none label status mode ns_per_op ok)" "gil-none,failed,gil,,"
    run bash scripts/summarize.sh --headline "$run"
    expect_out "headline: a failed convoy row says so" '^  threads +gilbench +FAILED \(its log: raw/convoy\.threads\.\*\)$'
    expect_out "headline: a failed refcount row says so" '^  gil-none +FAILED \(its log: raw/refcount\.gil-none\.\*\)$'
}

# A slowdown below 1 is no slowing: the headline reads it as faster
# ("2.00x faster", its range turned over too), never "0.50x slower".
test_convoy_faster() {
    local run="$TEST_TMP/run-faster"
    make_run "$run"
    {
        echo '{"mode":"gil","wall_s":0.5,"user_s":0.3,"sys_s":0.1,"cpu_tasks":1,"io_ops_alone_per_s":10000,"io_ops_contended_per_s":20000,"slowdown":0.5,"latency_contended_median_s":0.005,"latency_contended_p99_s":0.01,"gil":{"policy":"new","switch_interval_us":5000}}'
        echo '{"mode":"gil","wall_s":0.5,"user_s":0.3,"sys_s":0.1,"cpu_tasks":1,"io_ops_alone_per_s":10000,"io_ops_contended_per_s":25000,"slowdown":0.4,"latency_contended_median_s":0.005,"latency_contended_p99_s":0.01,"gil":{"policy":"new","switch_interval_us":5000}}'
        echo '{"mode":"gil","wall_s":0.5,"user_s":0.3,"sys_s":0.1,"cpu_tasks":1,"io_ops_alone_per_s":10000,"io_ops_contended_per_s":12500,"slowdown":0.8,"latency_contended_median_s":0.005,"latency_contended_p99_s":0.01,"gil":{"policy":"new","switch_interval_us":5000}}'
    } >"$run/raw/convoy.gil.runs.jsonl"
    bash scripts/summarize.sh "$run"
    run bash scripts/summarize.sh --headline "$run"
    # 0.543: the geometric mean of the samples' 0.5, 0.4 and 0.8 (too few to trim).
    expect_out "headline: a slowdown of 0.543 reads 1.84x faster, range 1.25-2.50" \
        'gil .* contended +1\.84x faster +\(1\.25-2\.50, 3 runs\)$'
    if grep -q 'x slower' "$last_out"; then
        fail "headline: no slowdown below 1 reads slower" "$(grep 'x slower' "$last_out")"
    else
        pass "headline: no slowdown below 1 reads slower"
    fi
}

# Each section of the headline under a heading that describes it, and no
# heading over nothing: a run of the convoy-interval group alone (not in the
# headline) printed the timed table's header, "(95% interval, blocks)", and
# an empty "convoy:" heading; a convoy-only run, that header over nothing
# but the sampled convoy rows.
test_headline_headings() {
    local run="$TEST_TMP/run-convoy-only"
    make_run "$run"
    awk -F'\t' "$COLUMNS_AWK"'FNR == 1 { header(); print; next } get("case") == "convoy"' \
        "$run/experiments.tsv" >"$run/plan.new"
    mv "$run/plan.new" "$run/experiments.tsv"
    sed -i 's/\tconvoy\tgil\t/\tconvoy-interval\tgil\t/' "$run/experiments.tsv"
    bash scripts/summarize.sh "$run"
    run bash scripts/summarize.sh --headline "$run"
    if [ "$last_status" -eq 0 ] && [ "$(wc -l <"$last_out")" -eq 1 ]; then
        pass "headline of a convoy-interval run: the caption alone, no empty heading"
    else
        fail "headline of a convoy-interval run: the caption alone, no empty heading" "$(cat "$last_out")"
    fi
    sed -i 's/\tconvoy-interval\tgil\t/\tconvoy\tgil\t/' "$run/experiments.tsv"
    bash scripts/summarize.sh "$run"
    run bash scripts/summarize.sh --headline "$run"
    if grep -q '95% interval' "$last_out"; then
        fail "headline of a convoy run: no blocks' interval header over sampled rows" "$(cat "$last_out")"
    else
        pass "headline of a convoy run: no blocks' interval header over sampled rows"
    fi
    expect_out "headline of a convoy run: its heading says the rows are sampled" '^\(sampled, not timed in blocks'
    make_run "$run"
    run bash scripts/summarize.sh "$run"
    run bash scripts/summarize.sh --headline "$run"
    expect_out "headline: the timed table keeps its header over its rows" '^group +label +tasks +workers +median s +speedup +\(95% interval, blocks\)$'
}

# Every experiment failed: each is still a row of the tables, marked failed
# (the samples' lookup was empty, and awk took the plan for it: no rows).
test_all_failed() {
    local run="$TEST_TMP/run-all-failed"
    make_run "$run"
    awk -F '\t' -v OFS='\t' "$COLUMNS_AWK"'FNR == 1 { header(); print; next }
        { set_field("status", "failed"); print }' "$run/experiments.tsv" >"$run/plan.new"
    mv "$run/plan.new" "$run/experiments.tsv"
    run bash scripts/summarize.sh "$run"
    expect_eq "every row failed: summarize still exits 0" "$last_status" 0
    expect_eq "every row failed: summary.csv lists every experiment as failed" \
        "$(awk -F, "$COLUMNS_AWK"'FNR == 1 { header(); next } get("status") == "failed"' "$run/summary.csv" | wc -l)" \
        "$(($(wc -l <"$run/experiments.tsv") - 1))"
    if grep -q '^| count-2 | seq | .* | failed |$' "$run/summary.md"; then
        pass "every row failed: summary.md lists them"
    else
        fail "every row failed: summary.md lists them" "$(head -c 400 "$run/summary.md")"
    fi
}

# refcount runs: five reports of the racy row (lost 0 10 30 0 50, one run
# with a premature free and no lost update), three of an exact row.
test_refcount_runs() {
    local run="$TEST_TMP/refruns" r lost free ns ok
    make_run "$run"
    for r in seq-none threads-atomic; do
        printf 'refcount.%s\trefcount\tgilbench\trefcount\t%s\t%s\t%s\t2\t2\t\t\ttimed\tok\tbin/refcount\n' \
            "$r" "${r%-*}" "${r#*-}" "$r" >>"$run/experiments.tsv"
        echo '{"results":[{"times":[0.2,0.2],"user":0.1,"system":0}]}' >"$run/raw/refcount.$r.r1.hyperfine.json"
    done
    echo '{"mode":"seq","sync":"none","tasks":2,"ops":1000,"final_count":1,"expected":1,"lost_updates":0,"premature_deallocs":0,"ns_per_op":1,"ok":true}' \
        >"$run/raw/refcount.seq-none.run.json"
    for r in "0 0 0.5 true" "10 0 0.7 false" "30 0 0.6 false" "0 2 0.9 false" "50 0 0.4 false"; do
        read -r lost free ns ok <<<"$r"
        printf '{"mode":"threads","sync":"none","tasks":2,"ops":1000,"final_count":%d,"expected":1,"lost_updates":%d,"premature_deallocs":%d,"ns_per_op":%s,"ok":%s}\n' \
            "$((1 - lost))" "$lost" "$free" "$ns" "$ok"
    done >"$run/raw/refcount.threads-none.runs.jsonl"
    for r in 1 2 3; do
        echo '{"mode":"threads","sync":"atomic","tasks":2,"ops":1000,"final_count":1,"expected":1,"lost_updates":0,"premature_deallocs":0,"ns_per_op":2,"ok":true}'
    done >"$run/raw/refcount.threads-atomic.runs.jsonl"
    run bash scripts/summarize.sh "$run"
    local csv="$run/refcount.csv"
    # k: the runs with a lost update or a premature free (10, 30, the free, 50);
    # lost_updates and lost_median the median 10, max 50, min 0; premature max 2;
    # ns_per_op the median 0.6; ok false (not every run exact).
    expect_eq "refcount.csv: racy row wrong in 4 of 5 runs, median 10, max 50" \
        "$(csv_get "$csv" refcount.threads-none lost_updates premature_deallocs ns_per_op ok runs runs_with_loss \
            lost_median lost_max lost_min)" "10,2,0.6,false,5,4,10,50,0"
    expect_eq "refcount.csv: an exact row is ok in all 3 runs, none wrong" \
        "$(csv_get "$csv" refcount.threads-atomic lost_updates premature_deallocs ns_per_op ok runs runs_with_loss \
            lost_median lost_max lost_min)" "0,0,2,true,3,0,0,0,0"
    run bash scripts/summarize.sh --headline "$run"
    expect_out "headline: the racy refcount as k of n runs" 'threads +none .*wrong in 4 of 5 runs, lost median 10, max 50 +CORRUPTED'
    # The lessons read it: L6 reports k of n from this refcount.csv.
    run bash scripts/lessons.sh "$run"
    expect_out "lessons: L6 reads the aggregated refcount.csv" 'L6 .*went wrong \(lost updates or an early free\) in 4 of 5 runs; lost updates median 10, max 50'
}

# noisy_run DIR: timed rows of known spread, for summarize.sh --noisy.
noisy_run() {
    local run=$1 id kind mode times t
    mkdir -p "$run/raw"
    echo '{"hostname":"lab_pc","cpu_model":"Test CPU","online_cpus":2,"date_utc":"2026-11-25T00:00:00Z"}' >"$run/machine.json"
    {
        printf 'id\tcase\timpl\tgroup\tmode\tvariant\tlabel\ttasks\tworkers\tparam\tbaseline\tkind\tstatus\tcommand\n'
        while read -r id kind mode times; do
            printf '%s\tcount\tgilbench\t%s\t%s\t\t%s\t2\t2\t\t%s.seq\t%s\tok\tbin/count, with a comma\n' \
                "$id" "${id%%.*}" "$mode" "${id#*.}" "${id%%.*}" "$kind"
            if [ "$kind" = sampled ]; then
                for t in ${times//,/ }; do echo "{\"wall_s\":$t,\"user_s\":0,\"sys_s\":0}"; done >"$run/raw/$id.runs.jsonl"
            else
                echo "{\"results\":[{\"times\":[$times],\"user\":0,\"system\":0}]}" >"$run/raw/$id.r1.hyperfine.json"
            fi
        done <<'ROWS'
count-2.seq timed seq 1.00,1.01,1.00,0.99
count-2.threads timed threads 0.50,0.51,0.50,0.50
count-2.fork timed fork 0.50,0.50,0.50,0.50
count-2.shell shell fork 0.50,0.52,0.48,0.50
fetch.seq timed seq 1,1,1
fetch.threads timed threads 1,2,3
convoy.gil sampled gil 1,5,9
ROWS
    } >"$run/experiments.tsv"
}

# noisy_list COLUMN...: those columns (TAB-joined) of summarize.sh --noisy's
# rows in last_out, by the names of its header.
noisy_list() {
    awk -F '\t' -v OFS='\t' -v names="$*" "$COLUMNS_AWK"'
        FNR == 1 { header(); next }
        { n = split(names, k, " "); s = get(k[1]); for (i = 2; i <= n; i++) s = s OFS get(k[i]); print s }' "$last_out"
}

test_noisy() {
    local run="$TEST_TMP/noisy"
    noisy_run "$run"
    run bash scripts/summarize.sh --noisy=0.10 "$run"
    expect_eq "--noisy: a header line first" "$(head -n 1 "$last_out")" "$(header_line "$NOISY_COLUMNS" $'\t')"
    expect_eq "--noisy: the rows above the limit, and a shell row wider than the rows it bounds" \
        "$last_status:$(noisy_list group experiment | tr '\t\n' ': ')" "0:count-2:count-2.shell fetch:fetch.threads "
    expect_eq "--noisy: each listed with its rel_spread" \
        "$(noisy_list experiment rel_spread | awk -F '\t' '$1 == "fetch.threads" { print $2 }')" 0.5
    run bash scripts/summarize.sh --noisy=0.6 "$run"
    expect_eq "--noisy: a row under the limit is quiet (shell still wider than threads)" \
        "$(noisy_list experiment | tr '\n' ' ')" "count-2.shell "
    # The shell row as quiet as the rows it bounds: not listed.
    echo '{"results":[{"times":[0.50,0.51,0.50,0.50],"user":0,"system":0}]}' >"$run/raw/count-2.shell.r1.hyperfine.json"
    run bash scripts/summarize.sh --noisy=0.10 "$run"
    expect_eq "--noisy: a shell row no wider than its rows is quiet; sampled rows never listed" \
        "$(noisy_list experiment | tr '\n' ' ')" "fetch.threads "
    # A second round that calms the row: the rounds are pooled (1 2 3 and
    # sixty 2s: stddev 0.18 of a mean of 2).
    echo "{\"results\":[{\"times\":[$(seq 60 | sed 's/.*/2/' | paste -sd,)],\"user\":0,\"system\":0}]}" >"$run/raw/fetch.threads.r2.hyperfine.json"
    run bash scripts/summarize.sh --noisy=0.10 "$run"
    expect_eq "--noisy: re-run rounds are pooled with the first" "$(noisy_list experiment | tr '\n' ' ')" ""
    expect_usage_error "--noisy without a folder" bash scripts/summarize.sh --noisy=0.1
}

# A CPU-bound row faster than the usable CPUs allow is listed (a 1-CPU
# run under load gave count-scaling efficiencies of 1.66); one at the ideal
# is not, nor a failed row, nor an I/O row (no efficiency).
test_beyond_ideal() {
    local run="$TEST_TMP/run-beyond"
    make_run "$run"
    run bash scripts/summarize.sh "$run"
    set_field "$run/summary.csv" count-2.gil speedup 1.5
    set_field "$run/summary.csv" count-2.gil efficiency 1.5
    run bash scripts/summarize.sh --beyond-ideal "$run"
    expect_eq "--beyond-ideal: only the row above efficiency 1.1, with its figures" \
        "$last_status:$(cat "$last_out")" "0:count-2 gil: 1.50x, efficiency 1.50"
    expect_usage_error "--beyond-ideal without a folder" bash scripts/summarize.sh --beyond-ideal
}

# The same run summarized under a decimal-comma locale: mawk would read 0.6
# as 0 there; the script pins its numeric locale, so the values stay right.
test_locale() {
    if ! locale -a 2>/dev/null | grep -qix 'de_DE.utf8'; then
        skip "summarize under de_DE.UTF-8" "the locale is not generated (scripts/install-deps.sh test generates it)"
        return
    fi
    local var run
    for var in LANG LC_ALL LC_NUMERIC; do
        run="$TEST_TMP/run-$var"
        make_run "$run"
        run env "$var=de_DE.UTF-8" bash scripts/summarize.sh "$run"
        expect_eq "summarize under $var=de_DE.UTF-8: seq median 0.7, user 0.6 (not 0)" \
            "$last_status:$(grep '^count,gilbench,count-2,count-2.seq,' "$run/summary.csv" | cut -d, -f 11,12,17,18)" "0:3,0.7,0.6,0.1"
        expect_eq "summarize under $var=de_DE.UTF-8: gil speedup 1, efficiency 0.5" \
            "$(grep ',count-2.gil,' "$run/summary.csv" | cut -d, -f 22,25)" "1,0.5"
    done
}

# experiments.tsv with its columns in reverse order gives the same tables:
# summarize.sh reads it by column name.
test_reordered_columns() {
    local run="$TEST_TMP/run-in-order" reordered="$TEST_TMP/run-reordered" f differ=""
    make_run "$run"
    make_run "$reordered"
    awk -F '\t' -v OFS='\t' '{ line = $NF; for (i = NF - 1; i >= 1; i--) line = line OFS $i; print line }' \
        "$run/experiments.tsv" >"$reordered/experiments.tsv"
    run bash scripts/summarize.sh "$run"
    run bash scripts/summarize.sh "$reordered"
    for f in summary.csv refcount.csv convoy.csv summary.md summary.tex; do
        cmp -s "$run/$f" "$reordered/$f" || differ+=" $f"
    done
    expect_eq "reordered experiments.tsv: the same tables" "$last_status:$differ" "0:"
}

test_usage() {
    expect_usage_error "summarize: no run folder" bash scripts/summarize.sh
    expect_usage_error "summarize: a folder that does not exist" bash scripts/summarize.sh "$TEST_TMP/nothing"
    mkdir -p "$TEST_TMP/empty"
    expect_usage_error "summarize: a folder that is not a run" bash scripts/summarize.sh "$TEST_TMP/empty"
    expect_usage_error "summarize: unknown option" bash scripts/summarize.sh --bogus
    expect_usage_error "summarize: --headline without a folder" bash scripts/summarize.sh --headline
    if [ -z "$(ls -A "$TEST_TMP/empty")" ]; then
        pass "summarize: a bad folder gets nothing written"
    else
        fail "summarize: a bad folder gets nothing written" "$(ls "$TEST_TMP/empty")"
    fi
}

main() {
    cd "$(dirname "$0")/.."
    test_statistics
    test_writers
    test_convoy_policy
    test_all_failed
    test_failed_case_rows
    test_convoy_faster
    test_headline_headings
    test_beyond_ideal
    test_refcount_runs
    test_noisy
    test_locale
    test_reordered_columns
    test_usage
}

main "$@"
