#!/usr/bin/env bash
# tests/cli_delayserver.sh - bin/delayserver: command line, routes, many
# waiting connections at once, and a clean stop on SIGTERM/SIGINT.
# Only ever talks to 127.0.0.1.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

SERVER="$BIN/delayserver"
SERVER_PID=""
SERVER_URL=""

cleanup() {
    stop_delayserver TERM
    rm -rf "$TEST_TMP"
}
trap cleanup EXIT

# http_get PATH [CURL-ARGS...]: prints "CODE SIZE SECONDS"; the body goes to $TEST_TMP/body.
http_get() {
    local path=$1
    shift
    curl -s --max-time 20 -o "$TEST_TMP/body" -w '%{http_code} %{size_download} %{time_total}\n' \
        "$@" "$SERVER_URL$path" || true
}

test_command_line() {
    expect_help delayserver "$SERVER" -- --port --max-connections --verbose --help --version '/delay/MS.*'
    expect_version delayserver '^delayserver \(gilbench\) [0-9]+\.[0-9]+' "$SERVER"
    expect_usage_error "port not a number" "$SERVER" --port=abc
    expect_usage_error "port too big" "$SERVER" --port=70000
    expect_usage_error "port empty" "$SERVER" --port=
    expect_usage_error "port missing value" "$SERVER" --port
    expect_usage_error "max connections zero" "$SERVER" --max-connections=0
    expect_usage_error "unknown option" "$SERVER" --frobnicate
    expect_usage_error "stray argument" "$SERVER" extra
}

test_routes() {
    if [[ ! "$SERVER_URL" =~ ^http://127\.0\.0\.1:[0-9]+$ ]]; then
        fail "first stdout line is http://127.0.0.1:PORT" "got '$SERVER_URL'"
        return
    fi
    pass "first stdout line is http://127.0.0.1:PORT"
    local port=${SERVER_URL##*:}
    if command -v ss >/dev/null; then
        if ss -ltnH "sport = :$port" | awk '{print $4}' | grep -qx "127.0.0.1:$port"; then
            pass "listens on 127.0.0.1 only"
        else
            fail "listens on 127.0.0.1 only" "$(ss -ltnH "sport = :$port")"
        fi
    else
        skip "listens on 127.0.0.1 only" "ss (iproute2) is not installed"
    fi

    local code size secs
    read -r code size secs < <(http_get /delay/300)
    if [ "$code" = 200 ] && awk -v t="$secs" 'BEGIN { exit !(t >= 0.3 && t < 3) }'; then
        pass "/delay/300 answers 200 after 0.3 s"
    else
        fail "/delay/300 answers 200 after 0.3 s" "code $code after $secs s"
    fi
    read -r code size secs < <(http_get /delay/0)
    if [ "$code" = 200 ]; then pass "/delay/0 answers 200"; else fail "/delay/0 answers 200" "code $code"; fi
    read -r code size secs < <(http_get /bytes/100000)
    if [ "$code" = 200 ] && [ "$size" = 100000 ] && [ "$(head -c 28 "$TEST_TMP/body")" = abcdefghijklmnopqrstuvwxyzab ]; then
        pass "/bytes/100000 sends exactly 100000 bytes of the pattern"
    else
        fail "/bytes/100000 sends exactly 100000 bytes of the pattern" "code $code, $size bytes"
    fi
    read -r code size secs < <(http_get /bytes/0)
    if [ "$code" = 200 ] && [ "$size" = 0 ]; then pass "/bytes/0 is empty"; else fail "/bytes/0 is empty" "code $code, $size bytes"; fi
    local path want
    for path in /status/503:503 /status/204:204 /nope:404 /delay/abc:404 /delay/:404 \
        /delay/10001:400 /bytes/999999999999:400 /status/99:404; do
        want=${path##*:}
        path=${path%:*}
        read -r code size secs < <(http_get "$path")
        if [ "$code" = "$want" ]; then pass "$path answers $want"; else fail "$path answers $want" "got $code"; fi
    done
    read -r code size secs < <(http_get /delay/0 -X POST)
    if [ "$code" = 405 ]; then pass "POST answers 405"; else fail "POST answers 405" "got $code"; fi
}

# Many delayed requests at the same time must all wait together: a server
# that held a thread per delay would serialise them.
test_concurrent_delays() {
    local args=() _
    for _ in $(seq 200); do args+=(-o /dev/null "$SERVER_URL/delay/500"); done
    local t0 t1
    t0=$(date +%s.%N)
    # --parallel-immediate: open every connection at once instead of waiting
    # to learn whether the first one can multiplex (HTTP/2).
    curl -s --max-time 20 --parallel --parallel-immediate --parallel-max 200 \
        -w '%{http_code}\n' "${args[@]}" >"$TEST_TMP/codes" 2>/dev/null || true
    t1=$(date +%s.%N)
    local good
    good=$(grep -cx 200 "$TEST_TMP/codes" || true)
    if [ "$good" -eq 200 ] && awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a < 5) }'; then
        pass "200 concurrent /delay/500 all answered 200 together (< 5 s, not 100 s)"
    else
        fail "200 concurrent /delay/500 all answered 200 together" "$good good in $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }') s"
    fi
    if [ -x "$BIN/fetch" ]; then
        run "$BIN/fetch" --server="$SERVER_URL" --mode=async --requests=1000 --delay-ms=500 --json
        expect_json "1000 concurrent connections: all answered, no failure" \
            '.ok == true and .requests == 1000 and .failures == 0 and .measured_s < 5'
    else
        skip "1000 concurrent connections" "bin/fetch is not built"
    fi
}

test_port_in_use() {
    local port=${SERVER_URL##*:}
    expect_status "a port in use: exit 1" 1 "$SERVER" --port="$port"
    expect_err "a port in use says so" 'cannot listen on 127.0.0.1:'
}

# wait_for_client PORT: until a client is connected to PORT (at most 5 s).
wait_for_client() {
    local _
    for _ in $(seq 100); do
        if ! command -v ss >/dev/null; then sleep 0.5; return; fi
        if [ -n "$(ss -tnH state established "( sport = :$1 )")" ]; then
            sleep 0.1   # connected; give the request line time to arrive
            return
        fi
        sleep 0.05
    done
}

# SIGTERM/SIGINT while a request waits: it gets a 503 at once, the server
# stops and dies of the signal, and nothing is left behind.
test_clean_stop() {
    local sig want
    for sig in TERM:143 INT:130; do
        want=${sig#*:}
        sig=${sig%:*}
        start_delayserver
        local pid=$SERVER_PID
        curl -s --max-time 20 -o /dev/null -w '%{http_code}' "$SERVER_URL/delay/8000" >"$TEST_TMP/code" &
        local client=$!
        wait_for_client "${SERVER_URL##*:}"
        local t0 t1
        t0=$(date +%s.%N)
        stop_delayserver "$sig"
        wait "$client" || true
        t1=$(date +%s.%N)
        if [ "$SERVER_STATUS" -eq "$want" ] && [ "$(cat "$TEST_TMP/code")" = 503 ] \
            && awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a < 3) }'; then
            pass "SIG$sig: waiting request answered 503, server stopped (status $want)"
        else
            fail "SIG$sig: clean stop" "status $SERVER_STATUS, client got $(cat "$TEST_TMP/code")"
        fi
        if kill -0 "$pid" 2>/dev/null; then
            fail "SIG$sig: no server process left" "pid $pid still runs"
        else
            pass "SIG$sig: no server process left"
        fi
    done
}

# Under `ulimit -n 100` the server says how many connections it can hold
# (stderr, stdout's second line, every response's header) and serves more
# clients than that (they wait in the backlog) without an error; an explicit
# --max-connections that cannot fit is refused, and a ulimit -n too low for
# any connection is named as such, not as an option the user never gave.
test_low_open_file_limit() {
    expect_usage_error "ulimit -n 100 --max-connections=200: refused" \
        bash -c 'ulimit -n 100 && exec "$@"' _ "$SERVER" --max-connections=200
    expect_err "the refusal names ulimit -n" '^delayserver: --max-connections=200 needs [0-9]+ open files, but ulimit -n allows 100'
    expect_usage_error "ulimit -n 16: refused" bash -c 'ulimit -n 16 && exec "$@"' _ "$SERVER"
    if grep -Eq '^delayserver: ulimit -n 16 is too low for the delay server \(it needs at least 33 open files' "$last_err" \
        && ! grep -q -- '--max-connections' "$last_err" && [ "$(wc -l <"$last_err")" -eq 1 ]; then
        pass "ulimit -n 16: one line names ulimit -n and the minimum, not --max-connections"
    else
        fail "ulimit -n 16: names ulimit -n" "$(head -c 300 "$last_err")"
    fi
    SERVER_ULIMIT_N=100 start_delayserver
    local out=$SERVER_OUT err="$TEST_TMP/server.err" url=$SERVER_URL
    if grep -Eq '^delayserver: ulimit -n allows 100 open files: serving at most 68 connections' "$err" \
        && [ "$(wc -l <"$err")" -eq 1 ]; then
        pass "ulimit -n 100: one line says how many connections it serves at once"
    else
        fail "ulimit -n 100: says how many connections" "$(head -c 300 "$err")"
    fi
    if [ "$(sed -n 2p "$out")" = "max-connections=68" ]; then
        pass "ulimit -n 100: stdout's second line is max-connections=68"
    else
        fail "ulimit -n 100: stdout's second line" "'$(sed -n 2p "$out")'"
    fi
    if curl -s -D - -o /dev/null --max-time 10 "$url/delay/0" | grep -qi '^X-Gilbench-Max-Connections: 68'; then
        pass "ulimit -n 100: a response carries X-Gilbench-Max-Connections: 68"
    else
        fail "ulimit -n 100: X-Gilbench-Max-Connections" "$(curl -s -D - -o /dev/null "$url/delay/0" | head -c 300)"
    fi
    if [ -x "$BIN/fetch" ] && [[ "$url" =~ ^http:// ]]; then
        local urls=() _i
        for _i in $(seq 150); do urls+=("--url=$url/delay/100"); done
        expect_status "ulimit -n 100: fetch of 150 at once exits 0" 0 "$BIN/fetch" "${urls[@]}" --mode=async --json
        expect_json "ulimit -n 100: 150 concurrent clients all answered" '.ok==true and .failures==0'
        expect_json "ulimit -n 100: fetch reports the server's limit and that it was exceeded" \
            '.server_max_connections==68 and ([.notes[] | select(test("WARNING: the server serves at most 68"))] | length == 1)'
        if ! grep -q 'Too many open files' "$err"; then
            pass "ulimit -n 100: no 'Too many open files' in the server's log"
        else
            fail "ulimit -n 100: no 'Too many open files'" "$(grep -m2 'Too many' "$err")"
        fi
    else
        skip "ulimit -n 100: 150 concurrent clients all answered" "bin/fetch is not built or the server did not start"
    fi
    stop_delayserver TERM
}

# stdout: the URL, then max-connections=N, in one write, so a reader that
# takes the first line and goes away (bash read, head -n 1 of a FIFO) does
# not stop the server with EPIPE.
test_startup_lines() {
    local fifo="$TEST_TMP/startup.fifo" url="" limit pid code
    mkfifo "$fifo"
    "$SERVER" --port=0 --max-connections=77 >"$fifo" 2>"$TEST_TMP/startup.err" &
    pid=$!
    read -r -t 10 url <"$fifo" || url=""
    sleep 0.2
    code=$(curl -s -o /dev/null --max-time 10 -w '%{http_code}' "$url/delay/0" || true)
    if [[ "$url" =~ ^http://127\.0\.0\.1:[0-9]+$ ]] && [ "$code" = 200 ] && kill -0 "$pid" 2>/dev/null; then
        pass "a reader of the first line only: the URL, and the server still serves"
    else
        fail "a reader of the first line only" "url '$url', HTTP $code; $(head -c 300 "$TEST_TMP/startup.err")"
    fi
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" || true
    local out="$TEST_TMP/startup.out" _
    : >"$out"
    "$SERVER" --port=0 --max-connections=77 >"$out" 2>/dev/null &
    pid=$!
    for _ in $(seq 100); do
        if grep -q '^max-connections=' "$out"; then break; fi
        sleep 0.05
    done
    limit=$(sed -n 2p "$out")
    if [ "$limit" = "max-connections=77" ] && grep -q '^http://127' "$out" && [ "$(wc -l <"$out")" -eq 2 ]; then
        pass "stdout: the URL, then max-connections=77"
    else
        fail "stdout: the URL, then max-connections" "$(head -c 300 "$out")"
    fi
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" || true
}

main() {
    test_command_line
    test_low_open_file_limit
    test_startup_lines
    start_delayserver
    test_routes
    test_concurrent_delays
    test_port_in_use
    stop_delayserver TERM
    test_clean_stop
}

main "$@"
