#!/usr/bin/env bash
# tests/cli_compare_class.sh - compare at class scale: 3, 10 and 40 runs made by
# tests/fixtures/make-class.sh from a real run (tests/fixtures/class-base), marked fabricated,
# with FQDNs, a host that repeats, a long name and 2 to 64 CPUs.  Checks what a reader needs:
# every figure written without a gnuplot warning, one row per machine past 4 runs, labels
# short and unique, every machine's details in ratios.csv.  No speed is asserted.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

COMPARE="$ROOT/scripts/compare.sh"
# shellcheck source=scripts/files.sh
source "$ROOT/scripts/files.sh"
GROUPS_DRAWN="count-2 count-10 count-scaling count-2-cpython fetch fetch-n interleave refcount convoy convoy-interval"

# compare_class N: compare the first N runs of the class into $TEST_TMP/cN.
compare_class() {
    local runs=()
    mapfile -t runs < <(find "$TEST_TMP/class" -mindepth 1 -maxdepth 1 -type d | sort | head -n "$1")
    run bash "$COMPARE" --out "$TEST_TMP/c$1" "${runs[@]}"
}

# expect_figures N: exit 0, nothing on stderr, every group's figure whole in three formats.
expect_figures() {
    local n=$1 out="$TEST_TMP/c$1" g f missing=""
    for g in $GROUPS_DRAWN; do
        for f in png svg pdf; do is_complete "$out/compare-$g.$f" || missing+=" compare-$g.$f"; done
    done
    if [ "$last_status" -eq 0 ] && [ ! -s "$last_err" ] && [ -z "$missing" ]; then
        pass "class: $n runs, exit 0, no gnuplot warning, every figure whole"
    else
        fail "class: $n runs" "exit $last_status, missing:${missing:-none}; stderr: $(head -c 300 "$last_err")"
    fi
}

# labels N: the machine labels of ratios.md's machine table, one per line.
# (its rows name the run folder in backquotes; the group tables' rows do not).
labels() { awk -F ' \\| ' '/^\| .* · [0-9?]+ CPUs? \| .*`/ { sub(/^\| /, "", $1); print $1 }' "$TEST_TMP/c$1/ratios.md"; }

test_class() {
    local n labs
    if ! nice -n 10 bash "$FIXTURES/make-class.sh" "$FIXTURES/class-base" "$TEST_TMP/class" 40; then
        fail "class: the fixtures are made" "make-class.sh failed"
        return
    fi
    for n in 3 10 40; do
        compare_class "$n"
        expect_figures "$n"
        labs=$(labels "$n")
        if [ "$(printf '%s\n' "$labs" | grep -c .)" -eq "$n" ] && [ "$(printf '%s\n' "$labs" | sort -u | grep -c .)" -eq "$n" ] &&
            [ "$(printf '%s\n' "$labs" | awk '{ sub(/ · .*/, "") } length > 19' | wc -l)" -eq 0 ]; then
            pass "class: $n runs, $n machine labels, unique, short host names"
        else
            fail "class: $n runs, unique short labels" "$(printf '%s\n' "$labs" | tr '\n' ';' | head -c 400)"
        fi
    done
    # A title wider than the figure is cut at both ends: at font 28 on 1600 pixels, 62
    # characters fit (the SVG's title texts are the only ones in that size).
    local long
    long=$(for n in 3 10 40; do grep -h -A1 'font-size="28.00"' "$TEST_TMP/c$n"/*.svg; done |
        grep -o '<text>.*</text>' | sed 's/<[^>]*>//g' | awk 'length > 62')
    if [ -z "$long" ]; then pass "class: every title fits its figure"; else fail "class: every title fits its figure" "$long"; fi
    labs=$(labels 40)
    if grep -qx 'pc017.cs · Core i5-8250U · 4 CPUs' <<<"$labs" && grep -qx 'pc017.math · Core i7-1165G7 · 12 CPUs' <<<"$labs" &&
        grep -qx 'pc005 #1 · Core i5-9500 · 6 CPUs' <<<"$labs" && grep -qx 'pc005 #2 · Core i5-9500 · 6 CPUs' <<<"$labs" &&
        grep -qx 'ws-phys…tion-07 · Ryzen 7 5800X · 8 CPUs' <<<"$labs" && grep -qx 'node12 · EPYC 7763 · 64 CPUs' <<<"$labs"; then
        pass "class: FQDNs shortened but apart (pc017.cs, pc017.math), a repeated host numbered, a long name elided"
    else
        fail "class: FQDNs, repeats, long names" "$(printf '%s\n' "$labs" | head -n 12 | tr '\n' ';')"
    fi
    # 3 runs are overlaid (one column per machine in ratios.md), 10 and 40 get one row each.
    if grep -q '^| group | label | tasks | workers | param |' "$TEST_TMP/c3/ratios.md" &&
        [ "$(awk '/^### count-2: /, /^$/' "$TEST_TMP/c40/ratios.md" | grep -c '^| [a-z]')" -eq 0 ] &&
        [ "$(sed -n '/^### count-2: /,/^### /p' "$TEST_TMP/c40/ratios.md" | grep -c '^| .* CPUs |')" -eq 40 ]; then
        pass "class: 3 runs side by side, 40 runs one table row (and figure row) per machine"
    else
        fail "class: the layout follows the number of runs" "$(grep -c '^### ' "$TEST_TMP/c40/ratios.md") group tables"
    fi
    if [ "$(awk -F, "$COLUMNS_AWK"'FNR == 1 { header(); next } { m[get("machine")] = get("fabricated") "," get("usable_cpus") }
            END { for (k in m) print k, m[k] }' "$TEST_TMP/c40/ratios.csv" | grep -c ' true,[0-9]')" -eq 40 ]; then
        pass "class: ratios.csv carries 40 machines, each marked fabricated, with its usable CPUs"
    else
        fail "class: ratios.csv carries 40 machines" "$(cut -d, -f 8 "$TEST_TMP/c40/ratios.csv" | sort -u | wc -l) machines"
    fi
    if grep -q 'FABRICATED' "$TEST_TMP/c40/compare-count-2.svg"; then
        pass "class: a figure of fabricated runs says so"
    else
        fail "class: a figure of fabricated runs says so" "no FABRICATED in compare-count-2.svg"
    fi
}

main() {
    have_tools "class" gnuplot jq || return 0
    test_class
}

main "$@"
