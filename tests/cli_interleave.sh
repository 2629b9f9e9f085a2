#!/usr/bin/env bash
# tests/cli_interleave.sh - bin/interleave: command line, the lines of every
# mode (complete, in order per task, interleaved when concurrent), where the
# lines go, and the timing that follows from sleeping.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

INTERLEAVE="$BIN/interleave"
LINE_RE='^(Number: [0-9]+|Letter: [a-z]+)( \(task [0-9]+\))?$'

test_command_line() {
    expect_help interleave "$INTERLEAVE" -- --mode --tasks --workers --json --items --sleep-ms --quiet
    expect_version interleave '^interleave \(gilbench\) [0-9]+\.[0-9]+' "$INTERLEAVE"
    expect_usage_error "items zero" "$INTERLEAVE" --items=0
    expect_usage_error "items not a number" "$INTERLEAVE" --items=abc
    expect_usage_error "sleep negative" "$INTERLEAVE" --sleep-ms=-1
    expect_usage_error "sleep above a minute" "$INTERLEAVE" --sleep-ms=60001
    expect_usage_error "quiet given a value" "$INTERLEAVE" --quiet=yes
}

# lines_of FILE: the demo's lines in FILE (the report lines left out).
lines_of() { grep -E '^(Number|Letter): ' "$1" || true; }

# check_lines NAME FILE ITEMS: every line whole, ITEMS of each kind, each
# kind in order.
check_lines() {
    local name=$1 file=$2 items=$3
    local all numbers letters want_numbers want_letters
    all=$(lines_of "$file")
    numbers=$(grep '^Number' <<<"$all" | sed 's/^Number: //' | tr '\n' ' ' || true)
    letters=$(grep '^Letter' <<<"$all" | sed 's/^Letter: //' | tr '\n' ' ' || true)
    want_numbers=$(seq 0 $((items - 1)) | tr '\n' ' ')
    # No "| head": under pipefail, printf killed by SIGPIPE when head is done
    # early (a loaded CI machine) failed the test with 141.
    local -a alphabet=({a..z})
    want_letters=$(printf '%s ' "${alphabet[@]:0:items}")
    if [ -n "$all" ] && ! grep -Evq "$LINE_RE" <<<"$all" && [ "$numbers" = "$want_numbers" ] \
        && [ "$letters" = "$want_letters" ]; then
        pass "$name: $items numbers and $items letters, whole and in order"
    else
        fail "$name: lines" "numbers '$numbers', letters '$letters'"
    fi
}

# Sleep 100 ms after each of 5 lines: seq cannot take less than 2 x 0.5 s;
# a concurrent mode taking 0.9 s or more did not overlap the sleeps.
test_modes() {
    run "$INTERLEAVE" --items=5 --sleep-ms=100
    check_lines "seq" "$last_out" 5
    local order
    order=$(lines_of "$last_out" | cut -c1 | tr -d '\n')
    if [ "$order" = NNNNNLLLLL ]; then pass "seq: all numbers, then all letters"; else fail "seq: order" "$order"; fi
    expect_out "seq: not interleaved" '^interleaved +no$'
    expect_out "seq: result beside expected" '^result +10$'
    if awk '/^measured/ { exit !($2 >= 1.0) }' "$last_out"; then
        pass "seq: 2 x 5 x 100 ms one after another (>= 1.0 s)"
    else
        fail "seq: >= 1.0 s" "$(grep '^measured' "$last_out")"
    fi

    local mode extra
    for mode in threads gil interp fork pool threadpool async; do
        extra=()
        if [ "$mode" = pool ] || [ "$mode" = threadpool ]; then extra=(--workers=2); fi
        run "$INTERLEAVE" --mode="$mode" "${extra[@]}" --items=5 --sleep-ms=100
        check_lines "$mode" "$last_out" 5
        order=$(lines_of "$last_out" | cut -c1 | tr -d '\n')
        if [[ "$order" == *L*N* ]]; then
            pass "$mode: the lines interleave ($order)"
        else
            fail "$mode: the lines interleave" "$order"
        fi
        expect_out "$mode: reports interleaved" '^interleaved +yes$'
        if [ "$last_status" -eq 0 ] && awk '/^measured/ { exit !($2 >= 0.5 && $2 < 0.9) }' "$last_out"; then
            pass "$mode: the sleeps overlap (0.5 s <= measured < 0.9 s)"
        else
            fail "$mode: the sleeps overlap" "exit $last_status, $(grep '^measured' "$last_out")"
        fi
    done
    run "$INTERLEAVE" --mode=gil --items=3 --sleep-ms=20 --json
    expect_json "gil: sleeping and printing release the GIL" \
        '.ok==true and .interleaved==true and .gil.acquisitions >= 12'
}

test_output_streams() {
    run "$INTERLEAVE" --mode=threads --items=3 --sleep-ms=10 --json
    expect_json "--json: stdout is one JSON object" \
        '.case=="interleave" and .ok==true and .result==6 and .expected==6 and .lines_to=="stderr"'
    check_lines "--json: lines on stderr" "$last_err" 3
    run "$INTERLEAVE" --mode=threads --items=3 --sleep-ms=10 --quiet
    if [ "$last_status" -eq 0 ] && [ -z "$(lines_of "$last_out")" ] && [ -z "$(lines_of "$last_err")" ]; then
        pass "--quiet: no lines, only the report"
    else
        fail "--quiet" "exit $last_status"
    fi
    expect_out "--quiet: the report says so" '^lines to +none$'
    run "$INTERLEAVE" --items=28 --sleep-ms=0
    expect_out "letters go on after z: aa, ab" '^Letter: ab$'
    run "$INTERLEAVE" --mode=threads --tasks=3 --items=2 --sleep-ms=0
    expect_out "more than two tasks: lines say which task" '^Number: 1 \(task 2\)$'
}

# Many processes and threads writing at once into one pipe: no torn lines.
test_no_torn_lines() {
    local mode
    for mode in fork threads; do
        run "$INTERLEAVE" --mode="$mode" --tasks=8 --items=2000 --sleep-ms=0 --json
        local total bad
        total=$(lines_of "$last_err" | wc -l)
        bad=$(lines_of "$last_err" | grep -Evc "$LINE_RE" || true)
        if [ "$last_status" -eq 0 ] && [ "$total" -eq 16000 ] && [ "$bad" -eq 0 ] \
            && [ "$(wc -l <"$last_err")" -eq 16000 ]; then
            pass "$mode: 8 tasks x 2000 lines into one pipe, none torn"
        else
            fail "$mode: torn lines" "exit $last_status, $total lines, $bad bad"
        fi
    done
}

# A closed stdout (>&-) is a failed write: exit 1.  A reader that goes away
# (| head -1) is not: tests/cli_output.sh checks that quiet stop (141).
test_write_failure() {
    expect_closed_stdout "a closed stdout fd (>&-) fails the run (exit 1) and says why" \
        "$INTERLEAVE" --items=2 --sleep-ms=0
}

test_no_orphans() {
    "$INTERLEAVE" --mode=fork --items=50 --sleep-ms=100 --quiet >/dev/null 2>&1 &
    expect_signal_reaps "fork mode + SIGINT: exit 130, every child killed and reaped" INT $! 2
}

main() {
    test_command_line
    test_modes
    test_output_streams
    test_no_torn_lines
    test_write_failure
    test_no_orphans
}

main "$@"
