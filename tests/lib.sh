# tests/lib.sh - assertions for command-line tests, sourced by tests/cli_*.sh.
# Each assertion prints "ok - NAME" or "not ok - NAME: why"; tests/run.sh
# counts those lines.  BIN is the folder of the binaries under test.
# shellcheck shell=bash

BIN=${BIN:-bin}
TEST_TMP=$(mktemp -d)
trap 'rm -rf "$TEST_TMP"' EXIT
last_out="$TEST_TMP/out"
last_err="$TEST_TMP/err"
last_status=0

pass() { printf 'ok - %s\n' "$1"; }
fail() { printf 'not ok - %s: %s\n' "$1" "$2"; }

# run CMD...: run a command with a time limit, keeping stdout, stderr, status.
run() {
    set +e
    timeout --kill-after=5 60 "$@" >"$last_out" 2>"$last_err"
    last_status=$?
    set -e
}

# expect_status NAME CODE CMD...: CMD exits with CODE.
expect_status() {
    local name=$1 code=$2
    shift 2
    run "$@"
    if [ "$last_status" -eq "$code" ]; then
        pass "$name"
    else
        fail "$name" "exit $last_status, wanted $code; stderr: $(head -c 300 "$last_err")"
    fi
}

# expect_usage_error NAME CMD...: exit 2, one line on stderr naming the problem, nothing on stdout.
expect_usage_error() {
    local name=$1
    shift
    run "$@"
    local lines
    lines=$(grep -vc '^Try ' "$last_err" || true)
    if [ "$last_status" -eq 2 ] && [ "$lines" -eq 1 ] && [ ! -s "$last_out" ]; then
        pass "$name"
    else
        fail "$name" "exit $last_status (wanted 2), $lines reason line(s), stdout $(wc -c <"$last_out") bytes; stderr: $(head -c 300 "$last_err")"
    fi
}

# expect_out NAME REGEX: the last stdout matches an extended regex.
expect_out() {
    if grep -Eq -- "$2" "$last_out"; then pass "$1"; else fail "$1" "stdout lacks /$2/: $(head -c 300 "$last_out")"; fi
}

# expect_err NAME REGEX: the last stderr matches an extended regex.
expect_err() {
    if grep -Eq -- "$2" "$last_err"; then pass "$1"; else fail "$1" "stderr lacks /$2/: $(head -c 300 "$last_err")"; fi
}

# json_field KEY: a top-level scalar of the last stdout JSON object (needs jq).
json_field() { jq -r --arg k "$1" '.[$k]' <"$last_out"; }

# jq_true JQ-EXPR [FILE]: the input is exactly one JSON value and the
# expression is true of it.  Not plain jq -e, which exits 0 on empty input
# (jq 1.6): a check of an empty report would pass.
jq_true() {
    local expr=$1
    shift
    jq -s -e "length == 1 and (.[0] | ($expr))" "$@"
}

# expect_json NAME JQ-EXPR: the jq expression is true of the last stdout.
expect_json() {
    if jq_true "$2" "$last_out" >/dev/null 2>&1; then
        pass "$1"
    else
        fail "$1" "jq '$2' is not true of: $(head -c 300 "$last_out")"
    fi
}

# skip NAME WHY: a test that cannot run here says so (and counts as skipped).
skip() { printf 'skip - %s: %s\n' "$1" "$2"; }

# python_of ROLE: the interpreter scripts/pythons.sh finds for ROLE (PYTHON,
# PYTHON2 or PYTHON_FT), its line on stderr when there is none; status 1 then.
python_of() {
    local root path
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    path=$(bash "$root/scripts/pythons.sh" 2>"$TEST_TMP/python_of.err" | awk -F'\t' -v role="$1" '
        NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        $c["role"] == role { print $c["path"] }')
    if [ -z "$path" ]; then
        grep -m 1 "$1" "$TEST_TMP/python_of.err" || echo "no $1 found"
        return 1
    fi
    echo "$path"
}
