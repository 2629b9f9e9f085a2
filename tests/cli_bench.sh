#!/usr/bin/env bash
# tests/cli_bench.sh - the bench driver on the tiny matrix: a whole run, bad
# usage, the re-run of noisy rows, --only.  Stopping a run (a server killed
# mid-run, interrupts) is tests/cli_bench_stop.sh.  Nothing here asserts a
# speed; the tiny sizes only prove that every piece runs.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/bench_run.sh
source "$(dirname "$0")/bench_run.sh"


test_whole_run() {
    set +e
    bench >"$last_out" 2>"$last_err"
    last_status=$?
    set -e
    if [ "$last_status" -eq 0 ]; then pass "bench --tiny: every experiment ran and checked"; else
        fail "bench --tiny: every experiment ran and checked" "exit $last_status: $(grep -m3 -E 'FAILED|bench:' "$last_err")"; fi
    local run
    run=$(only_run)
    if [ -n "$run" ] && [ -z "$(find "$RESULTS" -maxdepth 1 -name '.*partial')" ]; then
        pass "bench: the run is moved into place, nothing partial left"
    else
        fail "bench: the run is moved into place" "$(ls -a "$RESULTS")"
        return
    fi
    local planned rows
    planned=$(($(wc -l <"$run/experiments.tsv") - 1))
    rows=$(awk -F, "$COLUMNS_AWK"'FNR == 1 { header(); next } get("status") == "ok" && get("runs") > 0' \
        "$run/summary.csv" | wc -l)
    if [ "$planned" -gt 60 ] && [ "$rows" -eq "$planned" ]; then
        pass "bench: summary.csv has a measured row for each of the $planned experiments"
    else
        fail "bench: a measured row per experiment" "$rows ok rows of $planned planned"
    fi
    local group missing="" groups=(count-2 count-10 count-scaling fetch fetch-n interleave refcount convoy convoy-interval)
    # The CPython rows need a python3; the bench leaves them out without one.
    if command -v python3 >/dev/null; then groups+=(count-2-cpython); fi
    for group in "${groups[@]}"; do
        awk -F, "$COLUMNS_AWK"'FNR == 1 { header(); next } { print get("group") }' "$run/summary.csv" |
            grep -qx -- "$group" || missing+=" $group"
    done
    if [ -z "$missing" ]; then pass "bench: every group of the matrix is measured"; else
        fail "bench: every group of the matrix is measured" "missing:$missing"; fi
    # workers: what each binary reported in its --json, not a prediction.
    local wrong
    wrong=$(awk -F '\t' "$COLUMNS_AWK"'FNR == 1 { header(); next }
        get("status") == "ok" && get("kind") == "timed" { print get("id") "\t" get("workers") }' "$run/experiments.tsv" |
        while IFS=$'\t' read -r id workers; do
            [ "$(jq -r .workers "$run/raw/$id.run.json")" = "$workers" ] || printf '%s(%s) ' "$id" "$workers"
        done)
    if [ -z "$wrong" ] && [ "$(head -n 1 "$run/experiments.tsv")" = "$(header_line "$EXPERIMENTS_COLUMNS" $'\t')" ]; then
        pass "bench: experiments.tsv has schema.sh's header, workers as each binary's --json reports them"
    else
        fail "bench: experiments.tsv workers from --json" "differ: $wrong"
    fi
    # refcount.csv and convoy.csv name each row's group, label and status as
    # experiments.tsv does.
    wrong=$(awk "$COLUMNS_AWK"'
        FNR == 1 { header(); next }
        FILENAME ~ /tsv$/ { want[get("id")] = get("group") " " get("label") " " get("status"); next }
        { n++; if (want[get("experiment")] != get("group") " " get("label") " " get("status")) print get("experiment") }
        END { if (n < 9) print "only " n " rows" }' FS='\t' "$run/experiments.tsv" FS=, "$run/refcount.csv" "$run/convoy.csv")
    if [ -z "$wrong" ]; then
        pass "bench: refcount.csv and convoy.csv carry each experiment's group, label and status"
    else
        fail "bench: refcount.csv and convoy.csv carry group, label, status" "$wrong"
    fi
    if jq_true '(.online_cpus | type) == "number" and (.load_after | length) == 3 and (.cpu_used_by_others | type) == "number" and .cpu_used_by_others >= 0 and .hyperfine != null' \
        "$run/machine.json" >/dev/null; then
        pass "bench: machine.json describes the machine, load average after the run included"
    else
        fail "bench: machine.json" "$(head -c 300 "$run/machine.json")"
    fi
    if jq_true '.results[0].times | length == 2' "$run/raw/count-2.gil.r1.hyperfine.json" >/dev/null &&
        jq_true '.gil.policy == "new" and .ok' "$run/raw/count-2.gil.run.json" >/dev/null &&
        [ "$(wc -l <"$run/raw/convoy.gil.runs.jsonl")" -ge 1 ] &&
        [ "$(wc -l <"$run/raw/trace-gil-old.csv")" -gt 2 ]; then
        pass "bench: raw/ keeps hyperfine's per-run times, each binary's JSON and the GIL traces"
    else
        fail "bench: raw/ contents" "$(find "$run/raw" -maxdepth 1 -printf '%f ' | head -c 400)"
    fi
    local f
    for f in summary.md summary.tex refcount.csv convoy.csv; do
        [ "$(wc -l <"$run/$f")" -gt 1 ] || missing+=" $f"
    done
    if [ -z "$missing" ]; then pass "bench: the Markdown, LaTeX, refcount and convoy tables are written"; else
        fail "bench: tables written" "empty:$missing"; fi
    expect_out "bench: prints the headline table" '^count-2 +threads'
    expect_out "bench: names what it wrote" "Written:"
    expect_out "bench: lists lessons.md and lessons.json under Written" 'lessons\.md +lessons\.json'
    # The lesson lines come after the headline table, one per lesson.
    if [ "$(grep -cE '^L[1-8] (holds|DOES NOT HOLD|not measured|not shown by this run|cannot show)' "$last_out")" -eq 8 ] &&
        [ "$(grep -nE '^L1 ' "$last_out" | cut -d: -f1)" -gt "$(grep -nE '^count-2 +threads' "$last_out" | cut -d: -f1 | head -n 1)" ]; then
        pass "bench: prints one line per lesson, after the headline"
    else
        fail "bench: prints one line per lesson, after the headline" "$(grep -E '^L[0-9]' "$last_out" | head -c 400)"
    fi
    if [ "$(grep -c '^- \*\*L[1-8] ' "$run/lessons.md" 2>/dev/null)" -eq 8 ] &&
        jq -e '.lessons | length == 8 and all(.status | test("^(holds|fails|not_measured|not_shown)$"))' "$run/lessons.json" >/dev/null 2>&1; then
        pass "bench: writes lessons.md (a sentence per lesson) and lessons.json"
    else
        fail "bench: writes lessons.md and lessons.json" "$(head -c 300 "$run/lessons.md" 2>&1)"
    fi
    # tiny: the --sync=none refcount rows and the contended atomic and mutex
    # (the cost blocks) report 3 times, the others once; the convoy rows take
    # 2 samples.
    if [ "$(wc -l <"$run/raw/refcount.threads-none.runs.jsonl")" -eq 3 ] &&
        awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
            { n = ($c["sync"] == "none" || $c["experiment"] ~ /threads-(atomic|mutex)$/) ? 3 : 1
              if ($c["runs"] != n || $c["runs_with_loss"] > 3 || $c["lost_max"] < $c["lost_median"] || $c["lost_min"] > $c["lost_median"]) bad = 1 }
            END { exit bad || NR < 9 }' "$run/refcount.csv"; then
        pass "bench: the --sync=none refcount rows report 3 times, refcount.csv aggregates them"
    else
        fail "bench: refcount rows sampled" "$(head -c 400 "$run/refcount.csv")"
    fi
    # The cost blocks: 3 blocks of the three cost rows, two costs with
    # intervals in ratios.csv.
    if [ "$(wc -l <"$run/raw/refcount.seq-none.costs.jsonl")" -eq 3 ] &&
        [ "$(grep -c '^refcount\.threads-\(atomic\|mutex\)/refcount\.seq-none,cost,' "$run/ratios.csv")" -eq 2 ]; then
        pass "bench: refcount's costs are taken in 3 blocks, ratios.csv holds both with their intervals"
    else
        fail "bench: refcount's cost blocks" "$(grep cost "$run/ratios.csv" 2>&1 | head -c 300)"
    fi
    if awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
            { if ($c["runs"] != 2 || !($c["slowdown_min"] <= $c["slowdown"] && $c["slowdown"] <= $c["slowdown_max"]) ||
                  !($c["contended_per_s_min"] <= $c["contended_per_s"] && $c["contended_per_s"] <= $c["contended_per_s_max"])) bad = 1 }
            END { exit bad || NR < 5 }' "$run/convoy.csv"; then
        pass "bench: convoy rows have 2 samples and their min..max around the median"
    else
        fail "bench: convoy samples and ranges" "$(head -c 400 "$run/convoy.csv")"
    fi
    # The A/A copy of the baseline only in the families of AA_GROUPS.
    local with_aa
    with_aa=$(grep -l '#aa' "$run"/raw/*.blocks.jsonl 2>/dev/null | xargs -r -n1 basename | sort | paste -sd' ')
    expect_eq "bench: the A/A copy is timed in count-2's blocks only (AA_GROUPS), machine.json records it" \
        "$with_aa $(jq -r '.aa | keys | join(" ")' "$run/machine.json")" \
        "count-2.seq.blocks.jsonl count-2.seq"
    expect_err "bench: shows progress with the time left" '^\[[0-9]+/[0-9]+\] .*elapsed [0-9]+:[0-9]{2}, left'
    # Each progress line names the experiment by its id and its round; its
    # columns line up whatever the id's length.
    expect_err "bench: a progress line names the experiment's id and its round" \
        '^\[[0-9]+/[0-9]+\] +round 1/1  count-scaling\.seq +elapsed [0-9]+:[0-9]{2}, left'
    expect_err "bench: a family timed in blocks is one progress line, named by its baseline" \
        '^\[[0-9]+/[0-9]+\] +round 1/1  count-10\.seq +[0-9]+ rows x 2 blocks, time-paired  elapsed [0-9]+:[0-9]{2}, left'
    local columns
    # (a block of samples, or of a family's rows, has its figures between
    # its id and elapsed)
    columns=$(grep -E '^\[[0-9]+/[0-9]+\] ' "$last_err" | grep -v 'samples, alternated\|blocks, time-paired' |
        awk '{ print index($0, " round "), index($0, "  elapsed ") }' | sort -u)
    if [ "$(wc -l <<<"$columns")" -eq 1 ] && [ "$(grep -cE '^\[[0-9]+/[0-9]+\] ' "$last_err")" -gt 40 ]; then
        pass "bench: the progress lines' columns line up"
    else
        fail "bench: the progress lines' columns line up" "round, elapsed at: $(tr '\n' ' ' <<<"$columns")"
    fi
    if [ -f scripts/plots.sh ]; then
        local pngs
        pngs=$(find "$PLOTS/$(basename "$run")" -name '*.png' -size +1k 2>/dev/null | wc -l)
        if [ "$pngs" -ge 8 ]; then pass "bench: plots drawn ($pngs PNGs)"; else fail "bench: plots drawn" "$pngs PNGs in $PLOTS"; fi
    fi
    expect_no_leftovers "bench: no process of ours is left after a run"
}

test_usage() {
    # Each of these must be refused before anything starts or is written.
    local bad_args=(
        "--bogus" "stray" "--quick=1" "--tiny=yes" "--only=" "--only" "--only=nosuchgroup"
        "--only=(" "--only=[" "--results=" "--results" "--plots=" "--no-plots=1" "-q" "--QUICK"
        # A TAB or a newline would split the rows of experiments.tsv: refused.
        $'--results=/tmp/a\tb' $'--plots=/tmp/a\nb'
    )
    local arg
    for arg in "${bad_args[@]}"; do
        expect_usage_error "bench: refuses '$arg'" bash scripts/bench.sh --tiny \
            "--results=$TEST_TMP/nowhere" "--plots=$TEST_TMP/nowhere" "$arg"
    done
    if [ ! -e "$TEST_TMP/nowhere" ]; then pass "bench: bad usage writes nothing"; else
        fail "bench: bad usage writes nothing" "$(ls -a "$TEST_TMP/nowhere")"; fi
    # make itself exits 2 when a recipe fails; the script's one line must show.
    expect_status "make plots without RUN= fails" 2 make --no-print-directory plots
    expect_err "make plots without RUN= says how to call it" 'RUN= is required'
    expect_status "make plots RUN=missing fails" 2 make --no-print-directory plots "RUN=$TEST_TMP/missing"
    expect_status "make compare with one run fails" 2 make --no-print-directory compare "RUNS=tests/fixtures/run-lab-b"
    expect_status "make compare TOLERANCE=abc fails" 2 make --no-print-directory compare \
        "RUNS=tests/fixtures/run-lab-b tests/fixtures/run-lab-c" TOLERANCE=abc
    # make bench reads BENCH_ARGS only: a misspelt one stops make before
    # anything runs (-n: were it not refused, nothing would run either).
    local var
    for var in ARGS ONLY; do
        expect_status "make bench $var=... is refused" 2 make --no-print-directory -n bench QUICK=1 "$var=--only=count-2"
        if [ "$(wc -l <"$last_err")" -eq 1 ] && grep -q "^Makefile:[0-9]*: \*\*\* $var= is not read by make bench: .*BENCH_ARGS=" "$last_err"; then
            pass "make bench $var=...: one line naming BENCH_ARGS"
        else
            fail "make bench $var=...: one line naming BENCH_ARGS" "$(head -c 300 "$last_err")"
        fi
    done
    expect_help bench bash scripts/bench.sh -- --quick
}

# A noisy row (the test hook calls interleave.seq noisy) has its group run
# again, every row of it, in one more round (that a quiet row is not re-run
# is tested on fixed spreads in cli_bench_summary.sh).  The exit status does
# not depend on the lessons, which are printed whether they hold or not.
test_noisy_rerun() {
    set +e
    GILBENCH_TEST_NOISY='^(interleave\.seq|fetch-n\.threads\.4)$' bench --only='interleave|fetch|fetch-n' --no-plots >"$last_out" 2>"$last_err"
    last_status=$?
    set -e
    local run
    run=$(only_run)
    if [ "$last_status" -eq 0 ] && grep -qE '^L5 (holds|DOES NOT HOLD)' "$last_out"; then
        pass "bench --only: exit 0 with the lessons evaluated (held or not)"
    else
        fail "bench --only: exit 0 with the lessons evaluated" "exit $last_status; $(grep -E '^L5' "$last_out")"
    fi
    expect_err "bench: names the noisy row it re-runs, with every row read against the same baseline" \
        'noisy: ([^;]*, )?interleave\.seq \([0-9]+%\)[^;]*; re-running the rows read against interleave\.seq: interleave\.seq interleave\.threads interleave\.gil interleave\.fork interleave\.pool interleave\.threadpool interleave\.async \(extra round 1 of 2\)'
    # Only the noisy row's family: fetch-n at 4 requests, not at 1.  Other
    # rows of a family may be noisy too at these tiny sizes: they are named
    # in the same line, in any order.
    expect_err "bench: re-runs the noisy row's family, not its whole group" \
        'noisy: ([^;]*, )?fetch-n\.threads\.4 \([0-9]+%\)[^;]*; re-running the rows read against fetch-n\.seq\.4: fetch-n\.seq\.4 fetch-n\.threads\.4 fetch-n\.async\.4 \(extra'
    if [ -f "$run/raw/interleave.seq.r2.hyperfine.json" ] && [ -f "$run/raw/interleave.async.r2.hyperfine.json" ] &&
        [ -f "$run/raw/fetch-n.async.4.r2.hyperfine.json" ] &&
        [ "$(grep -cE '^\[(re-run )?[0-9]+/[0-9]+\] +(extra )?round [0-9]+/[0-9]+  interleave\.' "$last_err")" -ge 14 ] &&
        [ "$(awk -F, "$COLUMNS_AWK"'FNR == 1 { header(); next } get("experiment") == "interleave.seq" { print get("runs") }' "$run/summary.csv")" -ge 4 ]; then
        pass "bench: the noisy row's family runs one more round, pooled into summary.csv"
    else
        fail "bench: a noisy row's family is re-run" "$(find "$run/raw" -name 'interleave.*.r2*' -printf '%f ' 2>&1 | head -c 300)"
    fi
    if [ -s "$run/server.url" ] && [ -e "$run/server.log" ]; then
        pass "bench --only with fetch groups: the delay server is started (server.url, server.log)"
    else
        fail "bench --only with fetch groups: the delay server is started" "$(find "$run" -maxdepth 1 -printf '%f ' 2>&1)"
    fi
    expect_out "bench --only with fetch groups: Written lists server.log and server.url" \
        "^  $run/server\.log  server\.url  \(the delay server's log and address\)\$"
    # The progress counter: [k/N] counts the plan's rows (one round at tiny
    # sizes), N the same on every line, up to N/N; the re-runs are counted
    # on their own, [re-run k/M], M the rows of the family announced.
    local planned totals last reruns
    planned=$(($(wc -l <"$run/experiments.tsv") - 1))
    totals=$(grep -oE '^\[[0-9]+/[0-9]+\]' "$last_err" | cut -d/ -f2 | sort -u | tr -d ']\n' || true)
    last=$(grep -oE '^\[[0-9]+/[0-9]+\]' "$last_err" | tail -n 1 || true)
    expect_eq "bench: [k/N] keeps N, the plan's rows, when re-runs are added; it ends at N/N" \
        "$totals $last" "$planned [$planned/$planned]"
    reruns=$(grep -oE '^\[re-run [0-9]+/7\] extra round 1/2  interleave\.' "$last_err" | grep -oE '^\[re-run [0-9]+/' | tr -dc '0-9' || true)
    if [[ "$reruns" == 1234567* ]]; then
        pass "bench: the re-runs of interleave.seq's 7 rows are counted [re-run 1/7] .. [re-run 7/7], extra round 1/2"
    else
        fail "bench: re-runs counted on their own" "$(grep -E '^\[re-run' "$last_err" | head -n 9 | tr '\n' '|')"
    fi
    expect_err "bench: a re-run's progress line names the row by its id, as the noisy line does" \
        '^\[re-run 1/3\] extra round 1/2  fetch-n\.seq\.4 +elapsed'
    # fetch rows at tiny sizes may be noisy themselves; re-run or not, fetch
    # has no round 3 from the hook, and interleave none past round 3.
    if [ ! -e "$run/raw/interleave.seq.r4.hyperfine.json" ] && [ ! -e "$run/raw/fetch.seq.r4.hyperfine.json" ]; then
        pass "bench: at most 2 extra rounds per group"
    else
        fail "bench: at most 2 extra rounds per group" "$(find "$run/raw" -name '*.r4.*' -printf '%f ' | head -c 300)"
    fi
}

# --only=count-2: no row of it uses {SERVER_URL}, so no delay server is
# started (it writes server.url and server.log into the run when it is).
test_only_count_2() {
    set +e
    bench --only=count-2 >"$last_out" 2>"$last_err"
    last_status=$?
    set -e
    local run
    run=$(only_run)
    expect_eq "bench --only=count-2: exit 0" "$last_status" 0
    if [ -n "$run" ] && [ -e "$run/summary.csv" ] && [ ! -e "$run/server.url" ] && [ ! -e "$run/server.log" ]; then
        pass "bench --only=count-2: no delay server is started (no server.url, no server.log)"
    else
        fail "bench --only=count-2: no delay server is started" "$(find "$run" -maxdepth 1 -printf '%f ' 2>&1)"
    fi
    # Written: the files this run wrote with something in them; refcount.csv
    # and convoy.csv are a header alone without their groups.
    local written
    written=$(sed -n '/^Written:/,/^Redraw:/p' "$last_out")
    if grep -q 'summary\.csv  summary\.md  summary\.tex$' <<<"$written" && ! grep -q 'server\.' <<<"$written" &&
        grep -q 'lessons\.md  lessons\.json' <<<"$written" && ! grep -qE 'refcount\.csv|convoy\.csv' <<<"$written"; then
        pass "bench --only=count-2: Written lists the tables it filled, not refcount.csv, convoy.csv or the server's files"
    else
        fail "bench --only=count-2: Written lists only the tables it filled" "$(tr '\n' '|' <<<"$written")"
    fi
    if grep -qE "^  $PLOTS/$(basename "$run")/ \([1-9][0-9]* files" <<<"$written" &&
        [ "$(grep -oE '\([0-9]+ files' <<<"$written" | tr -dc 0-9)" -eq "$(find "$PLOTS/$(basename "$run")" -type f | wc -l)" ]; then
        pass "bench --only=count-2: Written counts the plot files it drew"
    else
        fail "bench --only=count-2: Written counts the plot files it drew" "$(tr '\n' '|' <<<"$written")"
    fi
}

# stubbed_rerun NAME SETUP: rerun_noisy with the matrix stubbed, so that
# nothing is timed: SETUP (bash) sets the sizes, PLAN_IDS, PLAN, ROW_MS (each
# row's price) and noisy_rows; run_round prints "re-ran ID..." and advances a
# fake clock by the rows' prices (SETUP may define its own after).  Exit 0
# expected; stdout and stderr in last_out, last_err.
stubbed_rerun() {
    # shellcheck disable=SC2016 # the script is for the inner bash
    expect_status "$1" 0 bash -c '
        set -euo pipefail
        source scripts/schema.sh
        source scripts/experiments.sh
        source scripts/rerun.sh
        source scripts/blocks.sh
        write_experiments() { :; }
        CLOCK_MS=0
        now_ms() { echo "$CLOCK_MS"; }
        run_round() { local id; shift; echo "re-ran $*"; for id; do CLOCK_MS=$((CLOCK_MS + ROW_MS[$id])); done; }
        '"$2"'
        rerun_noisy'
}

# A noisy row whose family does not fit in the re-run budget is reported as
# measured, in one line that says so and why, not as a fault: rerun_noisy
# with the matrix stubbed (its rows priced at 15 s each, the budget 20 s), so
# that nothing is timed.
test_rerun_budget_spent() {
    # shellcheck disable=SC2016 # SETUP is for the inner bash
    stubbed_rerun "bench: a noisy row over the re-run budget is not a failure" '
        SCRIPTS=scripts MAX_EXTRA_ROUNDS=2 RERUN_BUDGET_PCT=20 RERUN_BUDGET_MIN_S=20 ROUNDS=1 MATRIX_STARTED=$SECONDS
        PLAN_IDS=(count-2.seq count-2.shell)
        declare -A PLAN=([count-2.seq,kind]=timed [count-2.seq,baseline]=- [count-2.shell,kind]=shell
            [count-2.shell,baseline]=count-2.seq)
        declare -A ROW_MS=([count-2.seq]=15000 [count-2.shell]=15000)
        noisy_rows() { printf "group\texperiment\trel_spread\ncount-2\tcount-2.shell\t0.14\n"; }'
    expect_eq "bench: over the re-run budget, nothing is re-run" "$(cat "$last_out")" ""
    expect_eq "bench: over the re-run budget, one line says the row is reported as measured, and why" "$(cat "$last_err")" \
        "bench: noisy: count-2.shell (14%); reported with its spread as measured: the re-run budget (20 s: RERUN_BUDGET_PCT=20% of the run so far, at least RERUN_BUDGET_MIN_S=20 s) has no room left for its rows"
}

# A reader that goes away before the end (make bench | head, q in less):
# the run is whole under its final name (lessons, plots), the bench exits 1
# (a failed write) with one line on stderr, and leaves no process behind.
# `| true` closes the pipe for certain before the bench writes to it.
test_closed_pipe() {
    local status run
    set +e
    bench --only=interleave 2>"$last_err" | true
    status=${PIPESTATUS[0]}
    set -e
    run=$(only_run)
    if [ "$status" -eq 1 ] && [ "$(grep -c 'cannot write to stdout' "$last_err")" -eq 1 ]; then
        pass "bench | a closed pipe: exit 1, with one line on stderr"
    else
        fail "bench | a closed pipe: exit 1, with one line on stderr" "exit $status: $(tail -n 2 "$last_err" | tr '\n' '|')"
    fi
    if [ -n "$run" ] && [ -s "$run/lessons.md" ] && [ -s "$run/lessons.json" ] &&
        [ -z "$(find "$RESULTS" -maxdepth 1 -name '.*partial')" ] &&
        [ -n "$(find "$PLOTS/$(basename "$run")" -name '*.png' 2>/dev/null)" ]; then
        pass "bench | a closed pipe: the run is whole (lessons.md, lessons.json, plots)"
    else
        fail "bench | a closed pipe: the run is whole" "$(find "$RESULTS" -maxdepth 2 -printf '%P ' 2>&1)"
    fi
    expect_no_leftovers "bench | a closed pipe: no process of ours is left"
    rm -rf "$RESULTS" "$PLOTS"
}

# The re-run budget goes first to the families of a group a lesson reads
# (scripts/lessons-table.json), then to the cheaper others: rerun_noisy
# stubbed as above, its clock advanced by each family's price; a budget
# (20 s) for count-2's family (15 s, read by L1) or fetch-n's (6 s, read
# by no lesson), not both.
test_rerun_lessons_first() {
    # shellcheck disable=SC2016 # SETUP is for the inner bash
    stubbed_rerun "bench: re-runs within the budget exit 0" '
        SCRIPTS=scripts MAX_EXTRA_ROUNDS=1 RERUN_BUDGET_PCT=20 RERUN_BUDGET_MIN_S=20 ROUNDS=1 MATRIX_STARTED=$SECONDS
        PLAN_IDS=(count-2.seq count-2.shell fetch-n.seq.4 fetch-n.threads.4)
        declare -A PLAN=([count-2.seq,kind]=timed [count-2.seq,baseline]=- [count-2.seq,group]=count-2
            [count-2.shell,kind]=shell [count-2.shell,baseline]=count-2.seq [count-2.shell,group]=count-2
            [fetch-n.seq.4,kind]=timed [fetch-n.seq.4,baseline]=- [fetch-n.seq.4,group]=fetch-n
            [fetch-n.threads.4,kind]=timed [fetch-n.threads.4,baseline]=fetch-n.seq.4 [fetch-n.threads.4,group]=fetch-n)
        declare -A ROW_MS=([count-2.seq]=7500 [count-2.shell]=7500 [fetch-n.seq.4]=3000 [fetch-n.threads.4]=3000)
        noisy_rows() { printf "group\texperiment\trel_spread\nfetch-n\tfetch-n.threads.4\t0.30\ncount-2\tcount-2.shell\t0.14\n"; }'
    expect_eq "bench: the budget re-runs the family a lesson reads, not the cheaper one no lesson reads" \
        "$(cat "$last_out")" "re-ran count-2.seq count-2.shell"
    expect_err "bench: the noisy row left out is named, with the reason" \
        '^bench: noisy: fetch-n\.threads\.4 \(30%\); reported with its spread as measured: the re-run budget'

    # Two families lessons read, room for one: the widest spread first (a
    # QUICK run spent its 5 s on CPython 2.7's rows at 11% and left count-10.seq
    # at 35%, which failed L1 and L2), not the cheapest.
    # shellcheck disable=SC2016 # SETUP is for the inner bash
    stubbed_rerun "bench: re-runs by spread exit 0" '
        SCRIPTS=scripts MAX_EXTRA_ROUNDS=1 RERUN_BUDGET_PCT=20 RERUN_BUDGET_MIN_S=5 ROUNDS=1 MATRIX_STARTED=$SECONDS
        PLAN_IDS=(count-10.seq count-10.gil count-2-cpython.py2-seq count-2-cpython.py2-threads)
        declare -A PLAN=([count-10.seq,kind]=timed [count-10.seq,baseline]=- [count-10.seq,group]=count-10
            [count-10.gil,kind]=timed [count-10.gil,baseline]=count-10.seq [count-10.gil,group]=count-10
            [count-2-cpython.py2-seq,kind]=timed [count-2-cpython.py2-seq,baseline]=- [count-2-cpython.py2-seq,group]=count-2-cpython
            [count-2-cpython.py2-threads,kind]=timed [count-2-cpython.py2-threads,baseline]=count-2-cpython.py2-seq
            [count-2-cpython.py2-threads,group]=count-2-cpython)
        declare -A ROW_MS=([count-10.seq]=2000 [count-10.gil]=2000 [count-2-cpython.py2-seq]=1000 [count-2-cpython.py2-threads]=1000)
        noisy_rows() { printf "group\texperiment\trel_spread\ncount-2-cpython\tcount-2-cpython.py2-threads\t0.11\ncount-10\tcount-10.seq\t0.35\n"; }'
    expect_eq "bench: the budget re-runs the widest spread first (count-10.seq at 35%), not the cheapest (11%)" \
        "$(cat "$last_out")" "re-ran count-10.seq count-10.gil"

    # A lesson family noisy after its first re-run gets its second before a
    # family no lesson reads gets its first (a full run's count-scaling
    # re-run took the budget of count-10's second round).
    # shellcheck disable=SC2016 # SETUP is for the inner bash
    stubbed_rerun "bench: re-runs, lessons' rounds first, exit 0" '
        SCRIPTS=scripts MAX_EXTRA_ROUNDS=2 RERUN_BUDGET_PCT=20 RERUN_BUDGET_MIN_S=9 ROUNDS=1 MATRIX_STARTED=$SECONDS
        PLAN_IDS=(count-10.seq count-10.gil count-scaling.seq count-scaling.gil.2)
        declare -A PLAN=([count-10.seq,kind]=timed [count-10.seq,baseline]=- [count-10.seq,group]=count-10
            [count-10.gil,kind]=timed [count-10.gil,baseline]=count-10.seq [count-10.gil,group]=count-10
            [count-scaling.seq,kind]=timed [count-scaling.seq,baseline]=- [count-scaling.seq,group]=count-scaling
            [count-scaling.gil.2,kind]=timed [count-scaling.gil.2,baseline]=count-scaling.seq [count-scaling.gil.2,group]=count-scaling)
        declare -A ROW_MS=([count-10.seq]=2000 [count-10.gil]=2000 [count-scaling.seq]=1000 [count-scaling.gil.2]=1000)
        noisy_rows() { printf "group\texperiment\trel_spread\ncount-10\tcount-10.seq\t0.30\ncount-scaling\tcount-scaling.seq\t0.30\n"; }
        run_round() { local id; echo "round $1: $2"; shift; for id; do CLOCK_MS=$((CLOCK_MS + ROW_MS[$id])); done; }'
    expect_eq "bench: both extra rounds of the lesson family before the other family's first" \
        "$(cat "$last_out")" "$(printf 'round 2: count-10.seq\nround 3: count-10.seq')"
    expect_err "bench: the other family, left out, is named" '^bench: noisy: count-scaling\.seq \(30%\); reported with its spread'

    # RERUN_UNREAD=0 (QUICK): a family whose times no lesson reads is not
    # re-run, however much budget is left; refcount's checks read its
    # reports, not its times, so it is such a family.
    # shellcheck disable=SC2016 # SETUP is for the inner bash
    stubbed_rerun "bench: RERUN_UNREAD=0 exits 0" '
        SCRIPTS=scripts MAX_EXTRA_ROUNDS=2 RERUN_BUDGET_PCT=20 RERUN_BUDGET_MIN_S=60 RERUN_UNREAD=0 ROUNDS=1 MATRIX_STARTED=$SECONDS
        PLAN_IDS=(refcount.seq-none refcount.threads-mutex fetch.seq fetch.gil)
        declare -A PLAN=([refcount.seq-none,kind]=timed [refcount.seq-none,baseline]=- [refcount.seq-none,group]=refcount
            [refcount.threads-mutex,kind]=timed [refcount.threads-mutex,baseline]=refcount.seq-none [refcount.threads-mutex,group]=refcount
            [fetch.seq,kind]=timed [fetch.seq,baseline]=- [fetch.seq,group]=fetch
            [fetch.gil,kind]=timed [fetch.gil,baseline]=fetch.seq [fetch.gil,group]=fetch)
        declare -A ROW_MS=([refcount.seq-none]=100 [refcount.threads-mutex]=1000 [fetch.seq]=400 [fetch.gil]=100)
        noisy_rows() { printf "group\texperiment\trel_spread\nrefcount\trefcount.seq-none\t0.33\nfetch\tfetch.gil\t0.12\n"; }
        run_round() { local id; echo "round $1: $2"; shift; for id; do CLOCK_MS=$((CLOCK_MS + ROW_MS[$id])); done; }'
    expect_eq "bench: RERUN_UNREAD=0 re-runs fetch (L4 reads its times), never refcount (its reports are read)" \
        "$(cat "$last_out")" "$(printf 'round 2: fetch.seq\nround 3: fetch.seq')"
}

# RUN_BUDGET_S: a re-run that would end the run past its own budget (less
# RUN_RESERVE_S) is left out and named, however much of the re-run budget is
# left; a cheaper family that still fits runs.  bash's SECONDS is set to the
# run's time so far.
test_rerun_run_budget() {
    # shellcheck disable=SC2016 # SETUP is for the inner bash
    stubbed_rerun "bench: RUN_BUDGET_S exits 0" '
        SCRIPTS=scripts MAX_EXTRA_ROUNDS=1 RERUN_BUDGET_PCT=20 RERUN_BUDGET_MIN_S=60 ROUNDS=1 MATRIX_STARTED=0
        RUN_BUDGET_S=113 RUN_RESERVE_S=10 SECONDS=101
        PLAN_IDS=(interleave.seq interleave.gil fetch.seq fetch.gil)
        declare -A PLAN=([interleave.seq,kind]=timed [interleave.seq,baseline]=- [interleave.seq,group]=fetch
            [interleave.gil,kind]=timed [interleave.gil,baseline]=interleave.seq [interleave.gil,group]=fetch
            [fetch.seq,kind]=timed [fetch.seq,baseline]=- [fetch.seq,group]=fetch
            [fetch.gil,kind]=timed [fetch.gil,baseline]=fetch.seq [fetch.gil,group]=fetch)
        declare -A ROW_MS=([interleave.seq]=1500 [interleave.gil]=1000 [fetch.seq]=400 [fetch.gil]=100)
        noisy_rows() { printf "group\texperiment\trel_spread\nfetch\tinterleave.gil\t0.40\nfetch\tfetch.gil\t0.12\n"; }'
    expect_eq "bench: RUN_BUDGET_S: the family that fits re-runs, the one that would end too late does not" \
        "$(cat "$last_out")" "re-ran fetch.seq fetch.gil"
    expect_err "bench: the family left out by RUN_BUDGET_S is named with the budget" \
        "^bench: noisy: interleave\.gil \(40%\); reported as measured: the run's time \(RUN_BUDGET_S=113 s, less RUN_RESERVE_S=10 s"
}

# MORE_SAMPLES: the convoy rows whose lesson cites a wide slowdown take
# CONVOY_SAMPLES samples, the others SAMPLES, each round its share, all of
# them alternated sample by sample (run_sampled_once stubbed: nothing runs).
test_more_samples() {
    # shellcheck disable=SC2016 # the script is for the inner bash
    expect_status "bench: run_sampled_group with MORE_SAMPLES exits 0" 0 bash -c '
        set -euo pipefail
        source scripts/schema.sh
        source scripts/experiments.sh
        ROUNDS=2 SAMPLES=3 CONVOY_SAMPLES=6 MORE_SAMPLES="convoy.gil convoy.py"
        PLAN_IDS=(convoy.gil convoy.threads convoy.py)
        declare -A PLAN=([convoy.gil,group]=convoy [convoy.gil,kind]=sampled [convoy.gil,command]=a [convoy.threads,command]=b [convoy.py,command]=c
            [convoy.threads,group]=convoy [convoy.threads,kind]=sampled
            [convoy.py,group]=convoy [convoy.py,kind]=sampled)
        declare -A FAILED=()
        run_sampled_once() { printf "%s " "$1"; }
        run_sampled_group convoy 1; echo; run_sampled_group convoy 2; echo; run_sampled_group convoy 3; echo'
    expect_eq "bench: round 1 of 2: 1 sample of every row, then 2 more of the MORE_SAMPLES rows, alternated; round 2: 2 and 3; no re-run round" \
        "$(cat "$last_out")" "$(printf '%s\n' \
            "convoy.gil convoy.threads convoy.py convoy.gil convoy.py convoy.gil convoy.py " \
            "convoy.gil convoy.threads convoy.py convoy.gil convoy.threads convoy.py convoy.gil convoy.py " "")"
}

# The cost blocks (run_cost_blocks, run_sampled_once stubbed): every row once a
# block, rotated then reversed; a row that fails in a block is named with its
# block, the blocks end, and the run goes on.
test_cost_blocks() {
    # shellcheck disable=SC2016 # the script is for the inner bash
    expect_status "bench: run_cost_blocks with a row failing in block 3 exits 0" 0 bash -c '
        set -euo pipefail
        source scripts/schema.sh
        source scripts/experiments.sh
        WORK=$(mktemp -d) REFCOUNT_RUNS=4 RESULTS_DIR=$WORK
        mkdir "$WORK/raw"
        declare -A PLAN=([a,command]=x [b,command]=y [c,command]=z) FAILED=()
        calls=0
        run_sampled_once() { calls=$((calls + 1)); printf "%s " "$1"; [ "$calls" -ne 8 ]; }
        failure_cause() { echo "its report said so"; }
        run_cost_blocks "a b c"; echo; echo "failed: ${!FAILED[*]}"
        cat "$WORK/raw/a.costs.jsonl"; rm -rf "$WORK"'
    expect_eq "bench: cost blocks rotate and reverse; the failing row ends them, named" "$(cat "$last_out")" \
        "$(printf '%s\n' "a b c c b a b c " "failed: c" '{"block":0,"order":["a","b","c"]}' '{"block":1,"order":["c","b","a"]}')"
    expect_err "bench: the row that failed in a cost block is named with the block" \
        '^bench: FAILED c \(cost block 3 of 4\): its report said so$'
}

# The stopping rule of the families timed in blocks (rerun_noisy stubbed as
# above): a family whose widest interval is wider than RATIO_TARGET gets
# another round of blocks, the widest first, until it is narrow (count-2
# after 3 extra rounds), up to MAX_BLOCK_ROUNDS, within BLOCK_BUDGET_S of
# its own (count-10, never narrow, stops when the 10 s are spent and is
# named); a family not timed in blocks keeps MAX_EXTRA_ROUNDS and the
# re-run budget (fetch-n: one round).
test_rerun_stopping_rule() {
    # shellcheck disable=SC2016 # SETUP is for the inner bash
    stubbed_rerun "bench: the stopping rule exits 0" '
        SCRIPTS=scripts MAX_EXTRA_ROUNDS=1 MAX_BLOCK_ROUNDS=6 BLOCK_BUDGET_S=10 RATIO_TARGET=0.03
        RERUN_BUDGET_PCT=20 RERUN_BUDGET_MIN_S=20 ROUNDS=1 MATRIX_STARTED=$SECONDS BLOCKED_GROUPS="count-2 count-10"
        PLAN_IDS=(count-2.seq count-2.gil count-10.seq fetch-n.seq.4 fetch-n.threads.4)
        declare -A PLAN=([count-2.seq,kind]=timed [count-2.seq,baseline]=- [count-2.seq,group]=count-2
            [count-2.gil,kind]=timed [count-2.gil,baseline]=count-2.seq [count-2.gil,group]=count-2
            [count-10.seq,kind]=timed [count-10.seq,baseline]=- [count-10.seq,group]=count-10
            [fetch-n.seq.4,kind]=timed [fetch-n.seq.4,baseline]=- [fetch-n.seq.4,group]=fetch-n
            [fetch-n.threads.4,kind]=timed [fetch-n.threads.4,baseline]=fetch-n.seq.4 [fetch-n.threads.4,group]=fetch-n)
        declare -A ROW_MS=([count-2.seq]=1000 [count-2.gil]=1000 [count-10.seq]=1000 [fetch-n.seq.4]=500 [fetch-n.threads.4]=500)
        noisy_rows() {
            printf "group\texperiment\trel_spread\n"
            [ "$1" -gt 3 ] || printf "count-2\tcount-2.seq\t0.09\n"
            printf "count-10\tcount-10.seq\t0.05\nfetch-n\tfetch-n.threads.4\t0.30\n"
        }
        run_round() { local id; echo "round $1: $2"; shift; for id; do CLOCK_MS=$((CLOCK_MS + ROW_MS[$id])); done; }'
    expect_eq "bench: blocks go on while an interval is wide, widest first, within the blocks' budget; the others keep their rounds" \
        "$(cat "$last_out")" "$(printf 'round %s\n' '2: count-2.seq' '2: count-10.seq' '3: count-2.seq' '3: count-10.seq' \
            '4: count-2.seq' '4: count-10.seq' '5: count-10.seq' '2: fetch-n.seq.4')"
    expect_err "bench: the stopping rule's re-runs say which round of how many" \
        '^bench: noisy: the ratios over count-2\.seq \(95% interval up to ±9%, wanted ±3%\); re-running the rows read against count-2\.seq: count-2\.seq count-2\.gil \(extra round 3 of 6\)$'
    expect_err "bench: a family still wide when the blocks' budget is spent is named, with its interval" \
        '^bench: noisy: the ratios over count-10\.seq \(95% interval up to ±5%, wanted ±3%\); reported with the intervals as measured: the blocks. budget \(BLOCK_BUDGET_S=10 s'
}

main() {
    setup
    test_closed_pipe
    test_usage
    test_whole_run
    test_noisy_rerun
    test_rerun_budget_spent
    test_rerun_lessons_first
    test_rerun_run_budget
    test_more_samples
    test_cost_blocks
    test_rerun_stopping_rule
    test_only_count_2
}

main "$@"
