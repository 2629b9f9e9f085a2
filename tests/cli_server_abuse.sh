#!/usr/bin/env bash
# tests/cli_server_abuse.sh - bin/delayserver survives what a lab network may
# throw at it: random bytes, oversized headers and paths, half-sent requests,
# and thousands of connections at once.  After each, it must still answer.
# Only 127.0.0.1 is ever contacted; every client is bounded in time.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

PORT=""

# still_serves WHAT: the server process lives and answers a normal request.
still_serves() {
    local code
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$SERVER_URL/delay/0" || true)
    if kill -0 "$SERVER_PID" 2>/dev/null && [ "$code" = 200 ]; then
        pass "after $1: the server still answers"
    else
        fail "after $1: the server still answers" "code '$code'; $(tail -3 "$TEST_TMP/server.err")"
    fi
}

# tcp_exchange FILE BYTES: send FILE to the server's port, print at most
# BYTES of the answer (read for 2 s at most; 5 s in all).
tcp_exchange() {
    # shellcheck disable=SC2016 # $1..$3 belong to the inner shell
    timeout 5 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"; cat "$2" >&3 || true; timeout 2 head -c "$3" <&3 || true' \
        _ "$PORT" "$1" "$2" 2>/dev/null || true
}

# send_raw FILE: send FILE, discard the answer.
send_raw() { tcp_exchange "$1" 1000000 >/dev/null; }

test_random_bytes() {
    local i
    for i in 1 2 3 4 5; do
        head -c $((i * 20000)) /dev/urandom >"$TEST_TMP/noise"
        send_raw "$TEST_TMP/noise"
    done
    still_serves "5 connections of random bytes"
}

test_oversized() {
    # (sent raw: one argument of 200 kB is more than exec allows curl)
    printf 'GET /%s HTTP/1.1\r\nHost: x\r\n\r\n' "$(head -c 200000 /dev/zero | tr '\0' 'a')" >"$TEST_TMP/long"
    local answer
    answer=$(tcp_exchange "$TEST_TMP/long" 12)
    case "$answer" in
        "HTTP/1.1 4"* | "") pass "a 200 kB path is refused or dropped, not served (${answer:-closed})" ;;
        *) fail "a 200 kB path is refused" "answer '$answer'" ;;
    esac
    still_serves "a 200 kB path"
    printf 'GET /delay/0 HTTP/1.1\r\nHost: x\r\nX-Big: %s\r\n\r\n' "$(head -c 500000 /dev/zero | tr '\0' 'b')" >"$TEST_TMP/bighdr"
    send_raw "$TEST_TMP/bighdr"
    still_serves "a 500 kB header"
    local n
    printf 'GET /delay/0 HTTP/1.1\r\nHost: x\r\n' >"$TEST_TMP/manyhdr"
    for n in $(seq 5000); do printf 'X-%d: y\r\n' "$n"; done >>"$TEST_TMP/manyhdr"
    printf '\r\n' >>"$TEST_TMP/manyhdr"
    send_raw "$TEST_TMP/manyhdr"
    still_serves "5000 headers in one request"
}

test_half_requests() {
    printf 'GET /delay/10 HTTP/1.1\r\nHost: x\r\n' >"$TEST_TMP/half"
    local i pids=()
    for i in $(seq 20); do
        send_raw "$TEST_TMP/half" &
        pids+=("$!")
    done
    wait "${pids[@]}"   # not a bare wait: that would wait for the server too
    printf 'NOTAMETHOD \x01\x02 HTTP/9.9\r\n\r\n' >"$TEST_TMP/bad"
    send_raw "$TEST_TMP/bad"
    still_serves "20 half-sent requests and a garbage request line"
}

# Thousands of connections at once, through a real client (curl multi in
# bin/fetch --mode=async): every one must be answered.
test_many_connections() {
    run "$BIN/fetch" --mode=async --server="$SERVER_URL" --requests=2000 --delay-ms=200 --timeout-ms=20000 --json
    expect_json "2000 concurrent connections: every request answered" '.ok == true and .failures == 0 and .requests == 2000'
    still_serves "2000 concurrent connections"
}

main() {
    trap 'stop_delayserver TERM; rm -rf "$TEST_TMP"' EXIT
    start_delayserver
    PORT=${SERVER_URL##*:}
    if [ -z "$SERVER_URL" ]; then
        fail "delay server starts" "$(cat "$TEST_TMP/server.err")"
        return
    fi
    test_random_bytes
    test_oversized
    test_half_requests
    test_many_connections
    stop_delayserver TERM
}

main "$@"
