#!/usr/bin/env bash
# tests/cli_bench_pythons.sh - the bench's CPython rows at the tiny size on a
# machine without CPython 2.7 or a free-threaded build (none; not found), and
# a "free-threaded" interpreter whose rows report the GIL on: those rows fail.
# Nothing here asserts a speed.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"


# expect_bench NAME STATUS VAR=VALUE...: a tiny run of the CPython groups
# with that environment exits with STATUS.
expect_bench() {
    local name=$1 status=$2
    shift 2
    rm -rf "$TEST_TMP/results"
    expect_status "$name" "$status" env "$@" BIN="$ROOT/$BIN" bash "$ROOT/scripts/bench.sh" --tiny --no-plots \
        "--results=$TEST_TMP/results" --only='count-2-cpython|convoy'
}

run_dir() { find "$TEST_TMP/results" -mindepth 1 -maxdepth 1 -name '*-*T*Z' -type d | head -n 1; }

# labels RUN: the labels of the run's summary.csv, one line.
labels() {
    awk -F, "$COLUMNS_AWK"'FNR == 1 { header(); next } { print get("label") }' "$1/summary.csv" | paste -sd ' '
}

test_none() {
    expect_bench "PYTHON2=none PYTHON_FT=none: exit 0" 0 PYTHON2=none PYTHON_FT=none
    local run
    run=$(run_dir)
    if [ -n "$run" ] && [[ " $(labels "$run") " != *" py2"* ]] && [[ " $(labels "$run") " != *" pyft"* ]] &&
        [[ " $(labels "$run") " == *" py-threads "* ]]; then
        pass "none: no 2.7 or free-threaded row, the CPython 3 rows kept"
    else
        fail "none: no 2.7 or free-threaded row" "labels: $(labels "$run" 2>&1)"
    fi
    if ! grep -q 'PYTHON2\|PYTHON_FT' "$last_err"; then pass "none: not a word about them"; else
        fail "none: not a word about them" "$(grep 'PYTHON2\|PYTHON_FT' "$last_err")"; fi
    if jq -e '.pythons | has("PYTHON") and (has("PYTHON2") | not) and (has("PYTHON_FT") | not)
              and (.PYTHON.gil_enabled | type == "boolean") and (.PYTHON.version | length > 0)' \
        "$run/machine.json" >/dev/null; then
        pass "machine.json records the CPython found, with its version and GIL"
    else
        fail "machine.json records the CPython found" "$(jq -c .pythons "$run/machine.json" 2>&1)"
    fi
}

test_not_found() {
    expect_bench "not found: exit 0" 0 "PYTHON2=$TEST_TMP/no python2.7" PYTHON_FT=python3
    if [ "$(grep -c 'PYTHON2' "$last_err")" -eq 1 ] && [ "$(grep -c 'PYTHON_FT' "$last_err")" -eq 1 ]; then
        pass "not found: one line each"
    else
        fail "not found: one line each" "$(grep 'PYTHON' "$last_err")"
    fi
    expect_err "a CPython with its GIL on is not taken as PYTHON_FT, and the line says so" \
        'PYTHON_FT=python3 is .*GIL on.*free-threaded CPython rows are left out'
    local run
    run=$(run_dir)
    if [[ " $(labels "$run") " != *" py2"* ]] && [[ " $(labels "$run") " != *" pyft"* ]]; then
        pass "not found: their rows are left out"
    else
        fail "not found: their rows are left out" "labels: $(labels "$run")"
    fi
}

# A "free-threaded" interpreter that says its GIL is off when asked what it
# is, but runs the cases in a CPython 3 with the GIL on: the -X gil=0 rows
# must fail, and say why; the -X gil=1 rows pass.
test_gil_check() {
    local fake="$TEST_TMP/fake ft/python3.13t" py3
    py3=$(command -v python3)
    mkdir -p "${fake%/*}"
    cat >"$fake" <<EOF
#!/usr/bin/env bash
if [ "\${1:-}" = -c ]; then printf '%s\tcpython\t3.13.5\tfalse\ttrue\n' "\$0"; exit 0; fi
exec "$py3" "\$@"
EOF
    chmod +x "$fake"
    expect_bench "a free-threaded row that ran with the GIL on: exit 1" 1 PYTHON2=none "PYTHON_FT=$fake"
    expect_err "the row fails, and says what it wanted and what its report says" \
        'FAILED count-2-cpython\.pyft-seq.*asked for gil_enabled=false, its --json report says gil_enabled=true'
    local run
    run=$(run_dir)
    local status
    status=$(awk -F, "$COLUMNS_AWK"'FNR == 1 { header(); next } { print get("experiment") "=" get("status") }' \
        "$run/summary.csv" | grep -E 'pyft' | sort | paste -sd ' ')
    if [ "$status" = "convoy.pyft=failed count-2-cpython.pyft-gil-seq=ok count-2-cpython.pyft-gil-threads=ok count-2-cpython.pyft-seq=failed count-2-cpython.pyft-threads=failed" ]; then
        pass "the -X gil=0 rows failed, the -X gil=1 rows did not"
    else
        fail "the -X gil=0 rows failed, the -X gil=1 rows did not" "$status"
    fi
}

main() {
    have_tools "bench with CPython rows" hyperfine jq python3 || return 0
    test_none
    test_not_found
    test_gil_check
}

main "$@"
