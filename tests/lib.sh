# tests/lib.sh - assertions for command-line tests, sourced by tests/cli_*.sh.
# Each assertion prints "ok - NAME" or "not ok - NAME: why"; tests/run.sh
# counts those lines.  BIN is the folder of the binaries under test.
# shellcheck shell=bash

BIN=${BIN:-bin}
# ROOT: the checkout these tests belong to; FIXTURES: its fabricated runs.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck disable=SC2034 # FIXTURES is the callers'
FIXTURES="$ROOT/tests/fixtures"
# The results' schema (the column lists) and COLUMNS_AWK, the scripts' reader
# of a file by its column names, for every test to read results as they do.
# shellcheck source=scripts/schema.sh
source "$ROOT/scripts/schema.sh"
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

# expect_help NAME CMD... -- REGEX...: CMD --help exits 0 and its stdout
# matches every REGEX (an option, a word the user looks for).
expect_help() {
    local name=$1 cmd=() re
    shift
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        cmd+=("$1")
        shift
    done
    [ $# -eq 0 ] || shift
    expect_status "$name --help exits 0" 0 "${cmd[@]}" --help
    for re in "$@"; do
        expect_out "$name --help lists $re" "$re"
    done
}

# expect_version NAME REGEX CMD...: CMD --version exits 0 and its stdout
# matches REGEX (the program's name and the suite's version).
expect_version() {
    local name=$1 re=$2
    shift 2
    expect_status "$name --version exits 0" 0 "$@" --version
    expect_out "$name --version names suite and version" "$re"
}

# expect_out NAME REGEX: the last stdout matches an extended regex.
expect_out() {
    if grep -Eq -- "$2" "$last_out"; then pass "$1"; else fail "$1" "stdout lacks /$2/: $(head -c 300 "$last_out")"; fi
}

# expect_eq NAME GOT WANT
expect_eq() {
    if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', wanted '$3'"; fi
}

# expect_err NAME REGEX: the last stderr matches an extended regex.
expect_err() {
    if grep -Eq -- "$2" "$last_err"; then pass "$1"; else fail "$1" "stderr lacks /$2/: $(head -c 300 "$last_err")"; fi
}

# expect_exit NAME CODE REGEX: the last run exited CODE and its stderr
# matches an extended regex: one check, for a failure and the reason it gives.
expect_exit() {
    if [ "$last_status" -eq "$2" ] && grep -Eq -- "$3" "$last_err"; then
        pass "$1"
    else
        fail "$1" "exit $last_status (wanted $2), stderr lacks /$3/: $(tail -n 3 "$last_err" | head -c 400)"
    fi
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

# expect_closed_stdout NAME CMD...: CMD run with stdout closed (>&-) fails
# the run (exit 1) and says why (EBADF).
expect_closed_stdout() {
    local name=$1 status
    shift
    set +e
    "$@" >&- 2>"$last_err"
    status=$?
    set -e
    if [ "$status" -eq 1 ] && grep -q 'Bad file descriptor' "$last_err"; then
        pass "$name"
    else
        fail "$name" "exit $status: $(head -c 300 "$last_err")"
    fi
}

# have_tools NAME TOOL...: true when every TOOL is installed; else one
# skip line for NAME (make deps installs them) and false.
have_tools() {
    local name=$1 tool
    shift
    for tool in "$@"; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            skip "$name" "$tool is not installed (make deps installs it)"
            return 1
        fi
    done
}

# skip NAME WHY: a test that cannot run here says so (and counts as skipped).
skip() { printf 'skip - %s: %s\n' "$1" "$2"; }

# ---------------------------------------------------------------- children

# children_of PID: the pids of PID's children, one a line.
children_of() { pgrep -P "$1" || true; }

# wait_for_children PID N: until PID has N children; 1 when it never does
# (30 s at most: a loaded machine starts python and its workers slowly).
wait_for_children() {
    local _
    for _ in $(seq 300); do
        [ "$(children_of "$1" | wc -l)" -ge "$2" ] && return 0
        sleep 0.1
    done
    return 1
}

# expect_signal_reaps NAME SIGNAL PID N [PAUSE]: once PID (a background job
# of this shell) has N children (and PAUSE more seconds), send it SIGNAL;
# PID must kill and reap every child it had, then die of SIGNAL itself
# (status 128 + its number).  Leftovers are killed after a failure.
expect_signal_reaps() {
    local name=$1 sig=$2 pid=$3 n=$4 pause=${5:-0} kids status=0 k left=0 want
    want=$((128 + $(kill -l "$sig")))
    wait_for_children "$pid" "$n" || true
    sleep "$pause"
    kids=$(children_of "$pid")
    kill "-$sig" "$pid" 2>/dev/null || true
    wait "$pid" || status=$?
    sleep 0.2
    for k in $kids; do
        kill -0 "$k" 2>/dev/null && left=$((left + 1))
    done
    if [ "$status" -eq "$want" ] && [ -n "$kids" ] && [ "$left" -eq 0 ]; then
        pass "$name"
    else
        fail "$name" "exit $status (wanted $want), children '$kids', $left left"
        for k in $kids; do kill -KILL "$k" 2>/dev/null || true; done
    fi
}

# ---------------------------------------------------------------- delay server

# start_delayserver: start bin/delayserver --port=0 in the background, under
# `ulimit -n $SERVER_ULIMIT_N` when that is set (SERVER_ULIMIT_N=64
# start_delayserver), and wait (5 s at most) for its two lines; sets
# SERVER_PID, SERVER_URL and SERVER_OUT (its stdout: the URL, then
# max-connections=N).  Its stderr goes to $TEST_TMP/server.err.
# shellcheck disable=SC2034 # SERVER_URL is the callers'
start_delayserver() {
    SERVER_OUT=$(mktemp "$TEST_TMP/server.XXXXXX")
    local limit=()
    # shellcheck disable=SC2016 # the inner bash expands it
    [ -n "${SERVER_ULIMIT_N:-}" ] && limit=(bash -c 'ulimit -n "$0" && exec "$@"' "$SERVER_ULIMIT_N")
    "${limit[@]}" "$BIN/delayserver" --port=0 >"$SERVER_OUT" 2>"$TEST_TMP/server.err" &
    SERVER_PID=$!
    local _
    for _ in $(seq 100); do
        grep -q '^max-connections=' "$SERVER_OUT" && break
        sleep 0.05
    done
    SERVER_URL=$(head -n 1 "$SERVER_OUT")
}

# stop_delayserver SIGNAL: stop the server and reap it; sets SERVER_STATUS
# to its exit status.
# shellcheck disable=SC2034 # SERVER_STATUS is the callers'
stop_delayserver() {
    SERVER_STATUS=0
    if [ -n "${SERVER_PID:-}" ]; then
        kill "-$1" "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" || SERVER_STATUS=$?
        SERVER_PID=""
    fi
}

# python_of ROLE: the interpreter scripts/pythons.sh finds for ROLE (PYTHON,
# PYTHON2 or PYTHON_FT), its line on stderr when there is none; status 1 then.
python_of() {
    local path
    path=$(bash "$ROOT/scripts/pythons.sh" 2>"$TEST_TMP/python_of.err" | awk -F'\t' -v role="$1" "$COLUMNS_AWK"'
        FNR == 1 { header(); next }
        get("role") == role { print get("path") }')
    if [ -z "$path" ]; then
        grep -m 1 "$1" "$TEST_TMP/python_of.err" || echo "no $1 found"
        return 1
    fi
    echo "$path"
}

# real_python PY: the interpreter itself, not a wrapper such as a pyenv shim
# (a wrapper would be the parent of the workers the tests look for).
real_python() { "$1" -c 'import sys; print(sys.executable)'; }

# find_python2: a Python 2 that runs ($PYTHON2, the PATH, or pyenv's).
find_python2() {
    local c
    for c in "${PYTHON2:-}" python2.7 python2 "$HOME"/.pyenv/versions/2.7*/bin/python; do
        [ -n "$c" ] || continue
        if "$c" -c 'import sys; sys.exit(sys.version_info[0] != 2)' >/dev/null 2>&1; then
            real_python "$c"
            return 0
        fi
    done
    return 1
}

# set_field CSV EXPERIMENT COLUMN VALUE: one cell, found by column name
# (scripts/columns.awk, as the scripts read it); exit 3 when the file has no
# such column, 4 when no row is EXPERIMENT.
set_field() {
    awk -F, -v OFS=, -v id="$2" -v column="$3" -v val="$4" "$COLUMNS_AWK"'
        FNR == 1 { header(); if (!has(column)) exit 3; print; next }
        get("experiment") == id { set_field(column, val); hit = 1 }
        { print }
        END { if (!hit) exit 4 }' "$1" >"$1.new"
    mv "$1.new" "$1"
}

# csv_column FILE NAME [SEP]: the values of the column NAME (SEP-separated,
# default ","), one a line, the header left out; found by name as the
# scripts find it (scripts/columns.awk).  Exit 3 when the file has no such
# column, so that a renamed column fails a test instead of giving no values.
csv_column() {
    awk -F "${3:-,}" -v name="$2" "$COLUMNS_AWK"'
        FNR == 1 { header(); if (!has(name)) exit 3; next }
        { print get(name) }' "$1"
}

# rows_where CSV CONDITION [ARG]: the file's header, then its rows for which
# CONDITION, an awk expression over columns.awk's get("NAME") and the
# variable arg (ARG, as given), is true.
rows_where() {
    awk -F, -v arg="${3:-}" "$COLUMNS_AWK"'
        FNR == 1 { header(); print; next }
        '"$2" "$1"
}
