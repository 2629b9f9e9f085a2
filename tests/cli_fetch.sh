#!/usr/bin/env bash
# tests/cli_fetch.sh - bin/fetch against a bin/delayserver on 127.0.0.1 (never
# the internet): command line, every mode, the GIL held or released around
# the transfer, failures reported, no process left behind.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

FETCH="$BIN/fetch"

cleanup() {
    stop_delayserver TERM
    rm -rf "$TEST_TMP"
}
trap cleanup EXIT

# timed_run CMD...: run, and set ELAPSED to the seconds it took.
timed_run() {
    local t0 t1
    t0=$(date +%s.%N)
    run "$@"
    t1=$(date +%s.%N)
    ELAPSED=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
}

test_command_line() {
    expect_help fetch "$FETCH" -- --mode --tasks --workers --json --url --urls --server --requests \
        --delay-ms --timeout-ms --gil-io --verbose
    expect_version fetch '^fetch \(gilbench\) [0-9]+\.[0-9]+' "$FETCH"

    printf '# nothing here\n\n' >"$TEST_TMP/empty.txt"
    printf 'http://127.0.0.1:1/\nnot-a-url\n' >"$TEST_TMP/bad.txt"
    expect_usage_error "no URL source" "$FETCH"
    expect_err "no URL source says what to give" 'give --server=URL'
    expect_usage_error "not an http URL" "$FETCH" --url=ftp://127.0.0.1/x
    expect_usage_error "URL file missing" "$FETCH" --urls="$TEST_TMP/missing.txt"
    expect_usage_error "URL file without URLs" "$FETCH" --urls="$TEST_TMP/empty.txt"
    expect_usage_error "URL file with a bad line" "$FETCH" --urls="$TEST_TMP/bad.txt"
    expect_err "bad line is named" 'bad.txt line 2'
    expect_usage_error "server not a URL" "$FETCH" --server=localhost:8080
    expect_usage_error "server and url together" "$FETCH" --server=http://127.0.0.1:1 --url=http://127.0.0.1:1/
    expect_usage_error "requests without server" "$FETCH" --url=http://127.0.0.1:1/ --requests=3
    expect_usage_error "delay without server" "$FETCH" --url=http://127.0.0.1:1/ --delay-ms=3
    expect_usage_error "delay above the cap" "$FETCH" --server=http://127.0.0.1:1 --delay-ms=10001
    expect_usage_error "delay negative" "$FETCH" --server=http://127.0.0.1:1 --delay-ms=-1
    expect_usage_error "requests zero" "$FETCH" --server=http://127.0.0.1:1 --requests=0
    expect_usage_error "timeout zero" "$FETCH" --server=http://127.0.0.1:1 --timeout-ms=0
    expect_usage_error "gil-io without gil mode" "$FETCH" --server=http://127.0.0.1:1 --gil-io=hold
    expect_usage_error "gil-io bad value" "$FETCH" --server=http://127.0.0.1:1 --mode=gil --gil-io=maybe
    expect_usage_error "fork bomb refused" "$FETCH" --server=http://127.0.0.1:1 --mode=fork --requests=2000
}

# The acceptance run: 16 x 100 ms.  Sequential work cannot beat 1.6 s; a
# concurrent mode that takes more than 1 s did not overlap the waits.
test_every_mode() {
    local mode extra
    timed_run "$FETCH" --server="$SERVER_URL" --json
    expect_json "seq: 16 requests, all good, one after another (>= 1.6 s)" \
        '.case=="fetch" and .mode=="seq" and .tasks==16 and .ok==true and .result==16
         and .expected==16 and .requests==16 and .failures==0 and .measured_s >= 1.6
         and .latency_median_s >= 0.1 and .latency_max_s >= .latency_median_s'
    for mode in threads gil interp fork pool threadpool async; do
        extra=()
        if [ "$mode" = pool ] || [ "$mode" = threadpool ]; then extra=(--workers=16); fi
        run "$FETCH" --server="$SERVER_URL" --mode="$mode" "${extra[@]}" --json
        expect_json "$mode: 16 requests overlap (< 1.0 s), all good" \
            '.mode=="'"$mode"'" and .ok==true and .requests==16 and .failures==0
             and .measured_s >= 0.1 and .measured_s < 1.0'
    done
    run "$FETCH" --server="$SERVER_URL" --mode=gil --json
    expect_json "gil: the GIL is released around the transfer" \
        '.gil_io=="release" and .gil.policy=="new" and .gil.acquisitions >= 32'
    run "$FETCH" --server="$SERVER_URL" --mode=gil --gil-io=hold --json
    expect_json "gil --gil-io=hold: transfers queue behind the GIL (>= 1.6 s)" \
        '.gil_io=="hold" and .ok==true and .measured_s >= 1.6'
    run "$FETCH" --server="$SERVER_URL" --mode=interp --gil-io=hold --json
    expect_json "interp --gil-io=hold: each task holds only its own GIL, so the waits overlap (< 1.0 s)" \
        '.gil_io=="hold" and .ok==true and .gil.gils==16 and .gil.wait_s==0 and .measured_s < 1.0'
    run "$FETCH" --server="$SERVER_URL" --mode=gil --gil=old --json
    expect_json "gil --gil=old: released around the transfer too" \
        '.ok==true and .gil.policy=="old" and .measured_s < 1.0'
    run "$FETCH" --server="$SERVER_URL" --mode=async --requests=500 --delay-ms=200 --json
    expect_json "async: 500 x 200 ms at once, zero failures, about one delay (< 2 s)" \
        '.ok==true and .requests==500 and .failures==0 and .measured_s >= 0.2 and .measured_s < 2'
}

test_urls_and_sizes() {
    run "$FETCH" --url="$SERVER_URL/bytes/100000" --url="$SERVER_URL/bytes/0" --mode=threads --json
    expect_json "/bytes/N: sizes checked and summed" \
        '.ok==true and .requests==2 and .bytes==100000 and .tasks==2 and .workers==2'
    printf '# the list\n\n  %s/delay/10  \n%s/bytes/7 # a comment\n%s/status/204\n' \
        "$SERVER_URL" "$SERVER_URL" "$SERVER_URL" >"$TEST_TMP/urls.txt"
    run "$FETCH" --urls="$TEST_TMP/urls.txt" --mode=async --json
    expect_json "--urls: comments and blank lines skipped, 3 URLs" \
        '.ok==true and .urls==3 and .requests==3 and .bytes >= 7'
    printf '\xEF\xBB\xBF%s/bytes/5\r\n%s/bytes/6\r\n' "$SERVER_URL" "$SERVER_URL" >"$TEST_TMP/bom.txt"
    run "$FETCH" --urls="$TEST_TMP/bom.txt" --json
    expect_json "--urls saved with a UTF-8 BOM and CRLF: both URLs read" \
        '.ok==true and .urls==2 and .bytes==11'
    run "$FETCH" --url="$SERVER_URL/bytes/10" --url="$SERVER_URL/bytes/20" --tasks=5 --mode=threadpool --workers=2 --json
    expect_json "--tasks=5 over 2 URLs takes them in turn" \
        '.ok==true and .tasks==5 and .urls==2 and .bytes==70'
    run "$FETCH" --server="$SERVER_URL/" --requests=3 --delay-ms=0 --verbose
    if [ "$last_status" -eq 0 ]; then pass "human run exits 0"; else fail "human run exits 0" "exit $last_status"; fi
    expect_out "human output shows result beside expected" '^result +3$'
    expect_out "human output shows expected" '^expected +3$'
    expect_err "--verbose: one line per response" 'fetched http://127\.0\.0\.1:[0-9]+/delay/0: ok'
    if [ "$(grep -c '^fetched ' "$last_err")" -eq 3 ]; then pass "--verbose: 3 lines"; else fail "--verbose: 3 lines" "$(cat "$last_err")"; fi
    if grep -Eq '^https?://' "cases/urls-example.txt" && ! grep -Ev '^(#|$|https?://)' "cases/urls-example.txt" | grep -q .; then
        pass "cases/urls-example.txt holds only URLs and comments"
    else
        fail "cases/urls-example.txt holds only URLs and comments" "see the file"
    fi
}

# find_dead_port: a port a server just left, so nothing listens there.
find_dead_port() {
    local out="$TEST_TMP/dead.out" pid _
    "$BIN/delayserver" --port=0 >"$out" 2>/dev/null &
    pid=$!
    for _ in $(seq 100); do
        if grep -q '^http' "$out"; then break; fi
        sleep 0.05
    done
    kill -TERM "$pid"
    wait "$pid" || true
    local url
    url=$(head -n 1 "$out")
    echo "${url##*:}"
}

# A dead port, a missing page, an HTTP error and a timeout: exit 1, ok false,
# every failure listed, and all within the timeout.
test_failures() {
    local dead_port mode
    dead_port=$(find_dead_port)
    for mode in seq threads fork async; do
        timed_run "$FETCH" --url="http://127.0.0.1:$dead_port/" --url="$SERVER_URL/nope" \
            --url="$SERVER_URL/status/500" --url="$SERVER_URL/delay/10" --mode="$mode" --timeout-ms=2000 --json
        if [ "$last_status" -eq 1 ] && jq_true '.ok==false and .failures==3 and .result==1 and .expected==4' "$last_out" >/dev/null \
            && grep -q "failed: http://127.0.0.1:$dead_port/: .*" "$last_err" \
            && grep -q 'nope: HTTP status 404' "$last_err" && grep -q 'status/500: HTTP status 500' "$last_err"; then
            pass "$mode: dead port, 404 and 500 fail the run (exit 1), each listed"
        else
            fail "$mode: failures reported" "exit $last_status; $(head -c 300 "$last_out"); $(head -c 300 "$last_err")"
        fi
    done
    for mode in threads async; do
        timed_run "$FETCH" --server="$SERVER_URL" --requests=2 --delay-ms=5000 --timeout-ms=300 --mode="$mode" --json
        if [ "$last_status" -eq 1 ] && jq_true '.ok==false and .failures==2' "$last_out" >/dev/null \
            && grep -qi 'timed out\|timeout' "$last_err" && awk -v t="$ELAPSED" 'BEGIN { exit !(t < 3) }'; then
            pass "$mode: --timeout-ms=300 ends a 5 s request early, listed as a failure"
        else
            fail "$mode: timeout" "exit $last_status after $ELAPSED s; $(head -c 300 "$last_err")"
        fi
    done
}

# Files from other editors: a second byte-order mark is shown, escaped, in
# the refusal (not as an invisible character); a UTF-16 or UTF-32 file,
# with or without its mark, is named as such with a hint; control bytes
# in a URL are escaped too.
test_url_file_encodings() {
    local url="$SERVER_URL/bytes/5"
    printf '\xEF\xBB\xBF\xEF\xBB\xBF%s\n' "$url" >"$TEST_TMP/bom2.txt"
    expect_usage_error "--urls with two BOMs: refused" "$FETCH" --urls="$TEST_TMP/bom2.txt"
    if grep -qF "bom2.txt line 1: expected an http:// or https:// URL, got '\xEF\xBB\xBF$url' (a byte-order mark before it)" "$last_err" \
        && ! LC_ALL=C grep -q $'\xEF' "$last_err"; then
        pass "--urls with two BOMs: the message shows the second as \\xEF\\xBB\\xBF"
    else
        fail "--urls with two BOMs: escaped" "$(head -c 300 "$last_err")"
    fi
    printf '\xFF\xFEh\0t\0t\0p\0:\0/\0/\0x\0\n\0' >"$TEST_TMP/utf16le.txt"
    printf '\0h\0t\0t\0p\0:\0/\0/\0x\0\n' >"$TEST_TMP/utf16be-nobom.txt"
    printf '\xFF\xFE\0\0h\0\0\0\n\0\0\0' >"$TEST_TMP/utf32le.txt"
    local f enc
    for f in utf16le:UTF-16 utf16be-nobom:NUL utf32le:UTF-32; do
        enc=${f#*:}
        f=${f%%:*}
        expect_usage_error "--urls $f: refused" "$FETCH" --urls="$TEST_TMP/$f.txt"
        if grep -q "$f.txt' is .*$enc.*save it as UTF-8" "$last_err" && ! LC_ALL=C grep -q $'\xFF' "$last_err"; then
            pass "--urls $f: says it is $enc and to save it as UTF-8"
        else
            fail "--urls $f: the hint" "$(head -c 300 "$last_err")"
        fi
    done
    printf 'http://127.0.0.1:1/\n\x01%s\n' "$url" >"$TEST_TMP/ctl.txt"
    expect_usage_error "--urls with a control byte: refused" "$FETCH" --urls="$TEST_TMP/ctl.txt"
    expect_err "the control byte shows as \\x01, on line 2" "ctl\.txt line 2: .*got '\\\\x01http://"
}

# A delay server under `ulimit -n 64` serves 32 connections at once: a run
# that opens more is refused before it starts (it would time the server's
# queue: 300 x 50 ms took 0.55-0.71 s with ok true), naming the number to
# give; a run within the limit reports the limit; --url runs past it warn.
test_server_limit() {
    local url mode main_pid=$SERVER_PID main_url=$SERVER_URL main_out=$SERVER_OUT
    SERVER_ULIMIT_N=64 start_delayserver
    url=$SERVER_URL
    if [ "$(sed -n 2p "$SERVER_OUT")" != "max-connections=32" ]; then
        fail "server under ulimit -n 64 says max-connections=32" "$(head -c 300 "$SERVER_OUT")"
        stop_delayserver TERM
        SERVER_PID=$main_pid SERVER_URL=$main_url SERVER_OUT=$main_out
        return
    fi
    for mode in threads gil fork async; do
        expect_usage_error "server limit 32, $mode 300 x 50 ms: refused before it starts" \
            "$FETCH" --server="$url" --mode="$mode" --requests=300 --delay-ms=50
        expect_err "$mode: the reason names the server's 32 and what to give" \
            "^fetch: --requests: $mode mode opens 300 connections at once, but the server serves at most 32 .*give --requests=32 or less"
    done
    expect_usage_error "server limit 32, threadpool --workers=40: refused, naming --workers" \
        "$FETCH" --server="$url" --mode=threadpool --workers=40 --requests=300 --delay-ms=0
    expect_err "threadpool: the reason names --workers" '^fetch: --workers: threadpool mode opens 40 connections'
    expect_status "server limit 32, threads 32 x 50 ms: exit 0" 0 \
        "$FETCH" --server="$url" --mode=threads --requests=32 --delay-ms=50 --json
    expect_json "server limit 32, threads 32 x 50 ms: runs and reports the limit" \
        '.ok==true and .failures==0 and .server_max_connections==32'
    expect_status "server limit 32, pool of 4 over 300 requests: exit 0" 0 \
        "$FETCH" --server="$url" --mode=pool --workers=4 --requests=300 --delay-ms=0 --json
    expect_json "server limit 32, pool of 4 over 300 requests: runs" \
        '.ok==true and .failures==0 and .server_max_connections==32'
    local urls=() _i
    for _i in $(seq 40); do urls+=("--url=$url/delay/20"); done
    expect_status "server limit 32, 40 --url at once: exit 0" 0 "$FETCH" "${urls[@]}" --mode=threads --json
    expect_json "server limit 32, 40 --url at once: runs, a note warns it timed the server" \
        '.ok==true and .server_max_connections==32
         and ([.notes[] | select(test("WARNING: the server serves at most 32 connections at once and this run opened 40"))] | length == 1)'
    expect_err "the warning is on stderr too" "^fetch: warning: threads mode opened 40 connections at once, but the server serves at most 32"
    stop_delayserver TERM
    SERVER_PID=$main_pid SERVER_URL=$main_url SERVER_OUT=$main_out
    expect_status "the test server, 2 requests: exit 0" 0 "$FETCH" --server="$SERVER_URL" --requests=2 --delay-ms=0 --json
    expect_json "the test server's own limit is reported (its stdout's second line)" \
        ".server_max_connections == $(sed -n 's/^max-connections=//p' "$SERVER_OUT")"
}

# Under `ulimit -n 256` every request completes, or the run is refused before
# it starts with a reason naming ulimit -n: never "Couldn't connect".
test_open_files() {
    local mode
    run bash -c 'ulimit -n 256 && exec "$@"' _ "$FETCH" --server="$SERVER_URL" --mode=async \
        --requests=400 --delay-ms=50 --json
    expect_json "ulimit -n 256, async 400 x 50 ms: all 400 complete, connections capped" \
        '.ok==true and .requests==400 and .failures==0 and .max_connections < 256
         and .max_connections >= 100'
    expect_json "ulimit -n 256, async: the report says why it waited" \
        '[.notes[] | select(test("ulimit -n"))] | length == 1'
    run bash -c 'ulimit -n 256 && exec "$@"' _ "$FETCH" --server="$SERVER_URL" --mode=fork \
        --requests=400 --delay-ms=50 --json
    expect_json "ulimit -n 256, fork 400 x 50 ms: all 400 complete" '.ok==true and .failures==0'
    for mode in seq pool threadpool; do
        run bash -c 'ulimit -n 256 && exec "$@"' _ "$FETCH" --server="$SERVER_URL" --mode="$mode" \
            --requests=400 --delay-ms=0 --json
        expect_json "ulimit -n 256, $mode 400 requests: all complete" '.ok==true and .failures==0'
    done
    for mode in threads gil; do
        expect_usage_error "ulimit -n 256, $mode --requests=400: refused before it starts" \
            bash -c 'ulimit -n 256 && exec "$@"' _ "$FETCH" --server="$SERVER_URL" --mode="$mode" \
            --requests=400 --delay-ms=50
        if grep -q 'ulimit -n allows 256' "$last_err" && ! grep -Eqi "couldn't connect|failed to connect" "$last_err"; then
            pass "$mode: the reason names ulimit -n, not the server"
        else
            fail "$mode: the reason names ulimit -n" "$(head -c 300 "$last_err")"
        fi
    done
    expect_usage_error "ulimit -n 256, threadpool --workers=100: refused" \
        bash -c 'ulimit -n 256 && exec "$@"' _ "$FETCH" --server="$SERVER_URL" --mode=threadpool \
        --workers=100 --requests=400
    expect_err "threadpool: the reason names --workers" '^fetch: --workers: .*ulimit -n'
    run bash -c 'ulimit -n 256 && exec "$@"' _ "$FETCH" --server="$SERVER_URL" --mode=threads \
        --requests=60 --delay-ms=50 --json
    expect_json "ulimit -n 256, threads 60 requests (fits): all complete" '.ok==true and .failures==0'
    # Files inherited from the parent count against the limit too.
    # shellcheck disable=SC2016 # the inner bash expands them
    run bash -c 'ulimit -n 256 && for fd in $(seq 10 150); do eval "exec $fd</dev/null"; done && exec "$@"' \
        _ "$FETCH" --server="$SERVER_URL" --mode=async --requests=200 --delay-ms=20 --json
    expect_json "ulimit -n 256 with 141 files inherited, async 200: all complete, fewer connections" \
        '.ok==true and .failures==0 and .max_connections < 100'
    # shellcheck disable=SC2016 # the inner bash expands them
    expect_usage_error "ulimit -n 256 with 141 files inherited, threads 60: refused" \
        bash -c 'ulimit -n 256 && for fd in $(seq 10 150); do eval "exec $fd</dev/null"; done && exec "$@"' \
        _ "$FETCH" --server="$SERVER_URL" --mode=threads --requests=60 --delay-ms=20
    expect_err "the refusal counts the files already open" '\(14[0-9] open already\), but ulimit -n allows 256'
    set +e
    "$FETCH" --server="$SERVER_URL" --requests=2 --delay-ms=0 --json >/dev/full 2>"$last_err"
    last_status=$?
    set -e
    if [ "$last_status" -eq 1 ] && [ "$(wc -l <"$last_err")" -eq 1 ]; then
        pass "fetch --json >/dev/full: exit 1, one line"
    else
        fail "fetch --json >/dev/full" "exit $last_status: $(head -c 300 "$last_err")"
    fi
}

# Ctrl-C during a fork-mode run: the parent kills and reaps its children.
test_no_orphans() {
    "$FETCH" --url="$SERVER_URL/delay/5000" --tasks=4 --mode=fork --timeout-ms=20000 >/dev/null 2>&1 &
    expect_signal_reaps "fork mode + SIGINT: exit 130, every child killed and reaped" INT $! 4
}

main() {
    test_command_line
    start_delayserver
    if [[ ! "$SERVER_URL" =~ ^http://127\.0\.0\.1:[0-9]+$ ]]; then
        fail "delayserver started" "first line '$SERVER_URL'; $(head -c 300 "$TEST_TMP/server.err")"
        return
    fi
    test_every_mode
    test_urls_and_sizes
    test_failures
    test_open_files
    test_url_file_encodings
    test_server_limit
    test_no_orphans
}

main "$@"
