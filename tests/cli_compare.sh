#!/usr/bin/env bash
# tests/cli_compare.sh - scripts/compare.sh on two fabricated run folders (tests/fixtures/
# run-lab-b, 2 CPUs, and run-lab-c, 4 CPUs): the files, the joined ratios, the agreement line,
# the same run twice, and bad usage.
#
# What the fixtures imply: lab-b has 57 rows; lab-c lacks count-10 pool, its interleave async
# failed, and it has 16 count-scaling rows for 5..8 workers that lab-b (2 cores) has not.
# So 55 rows ran in both.  Of those, the 19 I/O-bound and convoy rows (fetch 8, interleave 6,
# convoy 5) are within 10%; every CPU-bound row differs by 14% or more (0.70 s vs 0.80 s per
# core), the worst being 4-worker count-scaling (0.57x: 2 cores against 4).
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

COMPARE="$ROOT/scripts/compare.sh"
B="$FIXTURES/run-lab-b"
C="$FIXTURES/run-lab-c"
GROUPS_DRAWN="count-2 count-10 count-scaling fetch interleave refcount convoy"

# expect_file NAME FILE HEAD: FILE exists, is non-empty and starts with (or, for svg,
# contains) HEAD.
expect_file() {
    local name=$1 file=$2 head=$3
    if [ ! -s "$file" ]; then
        fail "$name" "$file is missing or empty"
    elif head -c 400 "$file" | grep -aqF -- "$head"; then
        pass "$name"
    else
        fail "$name" "$file does not start with '$head'"
    fi
}

# expect_line NAME FILE LINE: FILE holds LINE exactly.
expect_line() {
    if grep -qxF -- "$3" "$2"; then pass "$1"; else fail "$1" "$2 lacks line '$3'"; fi
}

test_two_machines() {
    local out="$TEST_TMP/bc" g
    run bash "$COMPARE" --out "$out" "$B" "$C"
    if [ "$last_status" -eq 0 ] && [ ! -s "$last_err" ]; then
        pass "compare: two machines, exit 0 and nothing on stderr (no gnuplot warning)"
    else
        fail "compare: two machines, exit 0 and nothing on stderr (no gnuplot warning)" \
            "exit $last_status; stderr: $(head -c 300 "$last_err")"
    fi
    for g in $GROUPS_DRAWN; do
        expect_file "compare: compare-$g.png is a PNG" "$out/compare-$g.png" $'\x89PNG'
        expect_file "compare: compare-$g.svg is an SVG" "$out/compare-$g.svg" "<svg"
        expect_file "compare: compare-$g.pdf is a PDF" "$out/compare-$g.pdf" "%PDF"
    done
    expect_line "compare: ratios.csv has one line per row and machine, with its details" "$out/ratios.csv" \
        "group,case,impl,label,mode,tasks,param,machine,run,workers,median_s,speedup,slowdown,ratio,host,cpu_model,online_cpus,usable_cpus,cpu_quota,governor,compiler,python,date_utc,fabricated,size"
    expect_line "compare: count-2 seq ratio is 0.80/0.70, beside lab-c's CPU and compiler" "$out/ratios.csv" \
        "count-2,count,gilbench,seq,seq,2,,lab-c,run-lab-c,1,0.8,1.000,,1.143,lab-c,Intel(R) Xeon(R) CPU E3-1220 v3 @ 3.10GHz,4,4,none,unknown,gcc (Debian 12.2.0-14) 12.2.0,3.11.2 · rows: cpython-3.11.7,2024-11-20T10:02:47Z,false,full"
    expect_row() { # NAME PREFIX: a line of ratios.csv starts with PREFIX
        if grep -qF -- "$2" <(cut -d, -f 1-14 "$out/ratios.csv"); then pass "$1"; else fail "$1" "no line starts '$2'"; fi
    }
    expect_row "compare: a row missing in lab-c has empty numbers" \
        "count-10,count,gilbench,pool,pool,10,,lab-c,run-lab-c,,,,,"
    expect_row "compare: a row failed in lab-c has empty numbers" \
        "interleave,interleave,gilbench,async,async,2,,lab-c,run-lab-c,2,,,,"
    expect_row "compare: a row only lab-c has has no ratio" \
        "count-scaling,count,gilbench,threads,threads,8,8,lab-c,run-lab-c,8,0.216,3.704,,"
    expect_row "compare: a pool (one worker per core) joins across core counts" \
        "count-2,count,gilbench,pool,pool,2,,lab-c,run-lab-c,4,0.44,1.818,,1.158"
    expect_row "compare: convoy rows are compared on their slowdown (45 / 60)" \
        "convoy,convoy,gilbench,gil,gil,2,,lab-c,run-lab-c,2,2.04,,45.00,0.750"
    expect_line "compare: ratios.md names each machine with its CPUs, quota, governor, compiler, Pythons (machine.json's, the rows')" "$out/ratios.md" \
        "| lab-c · Xeon E3-1220 v3 · 4 CPUs | lab-c | \`$C\` | Intel(R) Xeon(R) CPU E3-1220 v3 @ 3.10GHz | 4 | 4 | none | unknown | gcc (Debian 12.2.0-14) 12.2.0 | 3.11.2 · rows: cpython-3.11.7 | 2024-11-20T10:02:47Z | full |  |"
    # The values over the bars are rounded as the tables round them: lab-b's gil-old 0.700
    # and seq 1.000 were "0.7" and "1.0" beside "0.71": never fewer decimals than the lessons'
    # fmt (2 below 10, 1 below 100, none above).
    local values
    values=$(grep -oE '<text>[0-9.]+</text>' "$out/compare-count-2.svg" | sed 's/<[^>]*>//g' | tr '\n' ' ')
    if [[ " $values " == *" 0.70 "* && " $values " == *" 1.00 "* ]] && ! [[ " $values " =~ \ [0-9]\.[0-9]\  ]]; then
        pass "compare: bar values with 2 decimals below 10 (0.70, 1.00, 1.94)"
    else
        fail "compare: bar values with 2 decimals below 10 (0.70, 1.00, 1.94)" "values: '$values'"
    fi
    values=$(grep -oE '<text>[0-9.]+</text>' "$out/compare-convoy.svg" | sed 's/<[^>]*>//g' | tr '\n' ' ')
    if [[ " $values " == *" 60.0 "* && " $values " == *" 1.50 "* && " $values " == *" 45.0 "* ]]; then
        pass "compare: convoy slowdowns as the lessons print them (60.0, 1.50, 45.0)"
    else
        fail "compare: convoy slowdowns as the lessons print them (60.0, 1.50, 45.0)" "values: '$values'"
    fi
    # Worker counts are whole numbers: the x tick labels of the sweep (centred texts).
    local ticks
    ticks=$(grep -A1 'text-anchor="middle"' "$out/compare-count-scaling.svg" | grep -oE '<text>[0-9.]+</text>' | sed 's/<[^>]*>//g' | tr '\n' ' ')
    if [ -n "$ticks" ] && ! [[ $ticks == *.* ]]; then
        pass "compare: count-scaling's worker ticks are whole numbers ($ticks)"
    else
        fail "compare: count-scaling's worker ticks are whole numbers" "ticks: '$ticks'"
    fi
    expect_out "compare: agreement line counts what the fixtures imply" \
        "^agreement: 16 of 55 rows within ±10% of $B \(worst: count-scaling [a-z]+ \(4\) 0\.57x\)$"
    expect_out "compare: stdout names each run's size" '^# run sizes: lab-b full, lab-c full$'
    expect_out "compare: stdout shows the count-2 headline ratio" '^count-2 +seq +0\.700 +0\.800 +1\.14$'
    expect_out "compare: stdout shows the fetch headline rows" '^fetch +gil-hold '
    expect_out "compare: stdout lists the files written" "^$out/compare-fetch\.png$"
    expect_line "compare: ratios.md has the row with 2-decimal ratio" "$out/ratios.md" \
        "| count-2 | seq | 2 | 1 |  | 0.700 | 0.800 | 1.14 |"
    expect_line "compare: ratios.md has the key's machine names as column heads" "$out/ratios.md" \
        "| group | label | tasks | workers | param | lab-b · Core i5-8250U · 2 CPUs (s) | lab-c · Xeon E3-1220 v3 · 4 CPUs (s) | lab-c / lab-b |"
    expect_line "compare: ratios.md has convoy's slowdowns as the lessons print them (1.50x, not 1.5x)" "$out/ratios.md" \
        "| convoy | gil-old | 2 | 2 |  | 1.50x | 2.10x | 1.40 |"
    expect_line "compare: ratios.md shows the missing row as -" "$out/ratios.md" \
        "| count-10 | pool | 10 | 2 |  | 1.820 | - | - |"
    if [ -e "$out/compare-fetch-n.png" ]; then
        fail "compare: no figure for a group without data" "compare-fetch-n.png was written"
    else
        pass "compare: no figure for a group without data"
    fi

    run bash "$COMPARE" --tolerance 50 --out "$TEST_TMP/bc50" "$B" "$C"
    expect_out "compare: --tolerance 50 lets every joined row agree" '^agreement: 55 of 55 rows within ±50% '
}

test_same_run_twice() {
    local out="$TEST_TMP/bb"
    run bash "$COMPARE" --out "$out" "$B" "$B"
    expect_out "compare: the same run twice agrees on every row" \
        "^agreement: 57 of 57 rows within ±10% of $B \(worst: .* 1\.00x\)$"
    local ratios
    if ratios=$(csv_column "$out/ratios.csv" ratio) && [ "$(grep -cvx '1\.000' <<<"$ratios")" -eq 0 ] &&
        [ "$(wc -l <<<"$ratios")" -eq 114 ]; then
        pass "compare: the same run twice gives every ratio 1.000"
    else
        fail "compare: the same run twice gives every ratio 1.000" "$(head -c 300 "$out/ratios.csv")"
    fi
    if [ "$(cut -d, -f 8 "$out/ratios.csv" | sort -u | tr '\n' ' ')" = "lab-b#1 lab-b#2 machine " ] &&
        grep -qF '| lab-b #1 · Core i5-8250U · 2 CPUs | lab-b |' "$out/ratios.md" &&
        grep -qF '| lab-b #2 · Core i5-8250U · 2 CPUs | lab-b |' "$out/ratios.md"; then
        pass "compare: the same host twice gets a run number, in ratios.csv and in the labels"
    else
        fail "compare: the same host twice gets a run number" "$(cut -d, -f 8 "$out/ratios.csv" | sort -u | tr '\n' ' ')"
    fi
}

# count_compare_folders: how many plots/compare-* folders exist (plots/ may not).
count_compare_folders() {
    local d n=0
    for d in "$ROOT"/plots/compare-*; do [ ! -e "$d" ] || n=$((n + 1)); done
    echo "$n"
}

# expect_rejected NAME OUT CMD...: a usage error (exit 2, one line) that writes nothing at OUT.
expect_rejected() {
    local name=$1 out=$2
    shift 2
    expect_usage_error "$name" "$@"
    if [ -e "$out" ]; then fail "$name: nothing written" "$out exists"; else pass "$name: nothing written"; fi
}

# Runs of different sizes (bench.sh --quick and --tiny, machine.json's "size"; an older
# run only has "quick"): compared all the same, with one warning on stderr and at the top of
# compare.html, and each run's size in every output.
test_different_sizes() {
    local q="$TEST_TMP/sizes/quick run" t="$TEST_TMP/sizes/tiny run" out="$TEST_TMP/sizes/out"
    local warning="these runs are of different sizes (quick, tiny): their rows differ by design; compare runs of one size"
    mkdir -p "$TEST_TMP/sizes"
    cp -r "$B" "$q"
    cp -r "$C" "$t"
    jq '.size = "quick" | .quick = true' "$B/machine.json" >"$q/machine.json"
    jq '.size = "tiny" | .quick = true' "$C/machine.json" >"$t/machine.json"
    run bash "$COMPARE" --out "$out" "$q" "$t"
    if [ "$last_status" -eq 0 ] && [ "$(cat "$last_err")" = "compare: warning: $warning" ]; then
        pass "compare: runs of different sizes: exit 0, one warning line naming the sizes"
    else
        fail "compare: runs of different sizes: exit 0, one warning line naming the sizes" \
            "exit $last_status; stderr: $(head -c 300 "$last_err")"
    fi
    expect_out "compare: different sizes: stdout names each run's size" '^# run sizes: lab-b quick, lab-c tiny$'
    if grep -q '| 2024-11-20T10:02:47Z | tiny |  |$' "$out/ratios.md" && ! grep -q ' quick |  |$' <(grep 'lab-c' "$out/ratios.md"); then
        pass "compare: ratios.md names the tiny run tiny, not quick"
    else
        fail "compare: ratios.md names the tiny run tiny, not quick" "$(grep -F '| lab-' "$out/ratios.md" | head -n 2)"
    fi
    if grep -q '^count-2,count,gilbench,seq,seq,2,,lab-c,.*,tiny$' "$out/ratios.csv"; then
        pass "compare: ratios.csv has each row's run size"
    else
        fail "compare: ratios.csv has each row's run size" "$(sed -n 2p "$out/ratios.csv")"
    fi
    if grep -qF "<b>These runs are of different sizes (quick, tiny)" "$out/compare.html" &&
        grep -q '<td>tiny</td>' "$out/compare.html"; then
        pass "compare: compare.html warns at the top and names each run's size"
    else
        fail "compare: compare.html warns at the top and names each run's size" "no warning or size in compare.html"
    fi
    # An older run has only "quick": false is full; the same size twice, no warning.
    run bash "$COMPARE" --out "$TEST_TMP/sizes/same" "$B" "$C"
    if [ "$last_status" -eq 0 ] && ! grep -q 'different sizes' "$last_err" && ! grep -q 'different sizes' "$TEST_TMP/sizes/same/compare.html"; then
        pass "compare: runs of one size: no warning"
    else
        fail "compare: runs of one size: no warning" "exit $last_status; stderr: $(head -c 300 "$last_err")"
    fi
}

test_bad_usage() {
    local before after
    mkdir -p "$TEST_TMP/no-summary"
    cp "$B/machine.json" "$TEST_TMP/no-summary/"
    before=$(count_compare_folders)
    expect_usage_error "compare: no run folders" bash "$COMPARE"
    expect_err "compare: no run folders says how to call make" \
        '^compare: RUNS= needs two or more run folders: make compare RUNS="results/A results/B"$'
    expect_usage_error "compare: one run folder" bash "$COMPARE" "$B"
    after=$(count_compare_folders)
    if [ "$before" -eq "$after" ]; then
        pass "compare: a usage error writes nothing under plots/"
    else
        fail "compare: a usage error writes nothing under plots/" "$before -> $after compare-* folders"
    fi
    expect_rejected "compare: a folder without summary.csv" "$TEST_TMP/u1" \
        bash "$COMPARE" --out "$TEST_TMP/u1" "$B" "$TEST_TMP/no-summary"
    expect_err "compare: the message names the folder and the missing file" "no-summary: .*summary\.csv"
    expect_rejected "compare: a folder that does not exist" "$TEST_TMP/u2" \
        bash "$COMPARE" --out "$TEST_TMP/u2" "$B" "$TEST_TMP/nowhere"
    expect_rejected "compare: --tolerance abc" "$TEST_TMP/u3" \
        bash "$COMPARE" --tolerance abc --out "$TEST_TMP/u3" "$B" "$C"
    expect_rejected "compare: an unknown option" "$TEST_TMP/u4" \
        bash "$COMPARE" --colour --out "$TEST_TMP/u4" "$B" "$C"
    expect_rejected "compare: --layout sideways" "$TEST_TMP/u5" \
        bash "$COMPARE" --layout sideways --out "$TEST_TMP/u5" "$B" "$C"
    expect_rejected "compare: a file that is not a bundle" "$TEST_TMP/u6" \
        bash "$COMPARE" --out "$TEST_TMP/u6" "$B" "$B/summary.csv"
    expect_help compare bash "$COMPARE" -- '^Usage: scripts/compare.sh '
}

main() {
    have_tools "compare" gnuplot jq || return 0
    test_two_machines
    test_same_run_twice
    test_different_sizes
    test_bad_usage
}

main "$@"
