#!/usr/bin/env bash
# tests/cli_runs_together.sh - a run owns its folder: two and ten runs
# started at once in one checkout (students sharing a demo copy), and a clock
# that repeats a second (a restored VM), each publish a separate, whole run
# with its own samples; no folder is shared, none is lost.  The interleave
# group at the tiny size: seconds a run.  Nothing here asserts a speed.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

# start_runs N RESULTS: N tiny runs in the background, together; their
# statuses in STATUSES.
start_runs() {
    local n=$1 results=$2 i
    local -a pids=()
    STATUSES=()
    for i in $(seq "$n"); do
        env PYTHON=none BIN="$ROOT/$BIN" timeout 300 bash "$ROOT/scripts/bench.sh" --tiny --only=interleave --no-plots \
            "--results=$results" >"$TEST_TMP/out.$i" 2>"$TEST_TMP/err.$i" &
        pids+=($!)
    done
    for i in "${!pids[@]}"; do
        set +e
        wait "${pids[i]}"
        STATUSES+=($?)
        set -e
    done
}

# expect_separate NAME N RESULTS: N finished runs in RESULTS, no partial
# one, each whole (lessons, summary) with its own samples: every row has the
# tiny size's runs (RUNS = 2 a round: one round, at most two re-runs), each
# one a time of its own raw/ files.
expect_separate() {
    local name=$1 n=$2 results=$3 runs bad=""
    runs=$(find "$results" -mindepth 1 -maxdepth 1 -type d -name '*-*T*Z' | sort)
    [ "$(grep -c . <<<"$runs")" -eq "$n" ] || bad="$(grep -c . <<<"$runs") runs, wanted $n"
    [ -z "$(find "$results" -mindepth 1 -maxdepth 1 -name '.*')" ] || bad+=" partial: $(find "$results" -mindepth 1 -maxdepth 1 -name '.*' | head -n 3)"
    local r
    while IFS= read -r r; do
        [ -n "$r" ] || continue
        [ -s "$r/lessons.md" ] || bad+=" $r: no lessons.md"
        # each row's runs: 2 a round (RUNS), 1 round and at most 2 extra, and
        # exactly the times of its own hyperfine files
        local id want got
        while IFS=, read -r id got; do
            want=$(cat "$r/raw/$id".r*.hyperfine.json | jq -s '[.[].results[0].times[]] | length')
            [[ " 2 4 6 " == *" $got "* ]] && [ "$got" = "$want" ] || bad+=" $(basename "$r") $id: $got runs, $want times"
        done < <(awk -F, -v OFS=, "$COLUMNS_AWK"'FNR == 1 { header(); next } { print get("experiment"), get("runs") }' "$r/summary.csv")
        grep -q '^L5 \(holds\|DOES NOT HOLD\|not shown\)' "$r/lessons.md" 2>/dev/null ||
            grep -q 'L5 ' "$r/lessons.md" || bad+=" $(basename "$r"): no L5"
    done <<<"$runs"
    if [ -z "$bad" ]; then pass "$name"; else fail "$name" "$bad"; fi
}

test_two_together() {
    start_runs 2 "$TEST_TMP/two"
    expect_eq "two runs started together: both exit 0" "${STATUSES[*]}" "0 0"
    expect_separate "two runs started together publish two whole runs, each with its own samples" 2 "$TEST_TMP/two"
}

test_ten_together() {
    start_runs 10 "$TEST_TMP/ten"
    expect_eq "ten runs started together: all exit 0" "${STATUSES[*]}" "0 0 0 0 0 0 0 0 0 0"
    expect_separate "ten runs started together publish ten whole runs" 10 "$TEST_TMP/ten"
}

# A clock that says the same second every time: the second run takes the
# next second's name and publishes a run of its own (it hid inside the first).
test_clock_repeats() {
    local fake="$TEST_TMP/frozen clock"
    mkdir -p "$fake"
    cat >"$fake/date" <<EOF2
#!/bin/sh
# a clock stuck at one second: +%s and formats of "now"; -d asks for a given second
case "\$*" in
    *-d*) exec $(command -v date) "\$@" ;;
    *+%s*) echo 1796641728 ;;
    *) exec $(command -v date) -d @1796641728 "\$@" ;;
esac
EOF2
    chmod +x "$fake/date"
    local i
    for i in 1 2; do
        run env PATH="$fake:$PATH" PYTHON=none BIN="$ROOT/$BIN" bash "$ROOT/scripts/bench.sh" --tiny --only=interleave \
            --no-plots "--results=$TEST_TMP/frozen"
        expect_eq "a clock that repeats a second: run $i exits 0" "$last_status" 0
    done
    expect_separate "a clock that repeats a second: two runs, two folders" 2 "$TEST_TMP/frozen"
    expect_eq "a clock that repeats a second: the second run takes the next second's name" \
        "$(find "$TEST_TMP/frozen" -mindepth 1 -maxdepth 1 -type d | sed 's/.*-//' | sort | paste -sd ' ')" \
        "20261207T110848Z 20261207T110849Z"
}

main() {
    have_tools "runs together" hyperfine jq || return 0
    test_two_together
    test_ten_together
    test_clock_repeats
}

main "$@"
