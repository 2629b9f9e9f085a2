#!/usr/bin/env bash
# tests/cli_orphans.sh - no process outlives the one that started it, even
# after SIGKILL (which no handler sees): the delay server started in its own
# session (as the bench starts it; its watchdog), and the children of the
# fork and pool modes (PR_SET_PDEATHSIG); and the server started from a
# Python worker thread outlives that thread, not the Python process.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

# gone PID: true when PID no longer runs (absent, or a zombie not yet reaped
# by its new parent).
gone() {
    local state
    state=$(ps -o stat= -p "$1" 2>/dev/null) || return 0
    [[ "$state" == Z* ]]
}

# gone_within PIDS...: true when every PID is gone within a second.
gone_within() {
    local _ pid alive
    for _ in $(seq 20); do
        alive=0
        for pid in "$@"; do
            if ! gone "$pid"; then alive=1; fi
        done
        if [ "$alive" -eq 0 ]; then return 0; fi
        sleep 0.05
    done
    return 1
}

test_server_dies_with_parent() {
    local out="$TEST_TMP/url" pidfile="$TEST_TMP/server.pid" _
    # The parent: a shell that starts the server with setsid, as the bench does.
    bash -c 'setsid "$1" --port=0 >"$2" 2>/dev/null & echo $! >"$3"; wait' _ \
        "$BIN/delayserver" "$out" "$pidfile" &
    local parent=$!
    for _ in $(seq 100); do
        if grep -q '^http' "$out" 2>/dev/null; then break; fi
        sleep 0.05
    done
    local server
    server=$(cat "$pidfile")
    if gone "$server" || ! grep -q '^http' "$out"; then
        fail "delayserver (setsid) dies with its parent" "the server did not start"
        kill -9 "$parent" 2>/dev/null || true
        return
    fi
    kill -9 "$parent"
    wait "$parent" 2>/dev/null || true
    if gone_within "$server"; then
        pass "delayserver (setsid) is gone within 1 s of kill -9 of its parent"
    else
        fail "delayserver (setsid) dies with its parent" "pid $server still runs"
        kill -TERM "$server" 2>/dev/null || true
    fi
}

# children_die_with PARENT NAME: kill -9 PARENT; its children must go.
children_die_with() {
    local parent=$1 name=$2 children _
    for _ in $(seq 40); do
        children=$(pgrep -P "$parent" || true)
        if [ "$(wc -w <<<"$children")" -ge 2 ]; then break; fi
        sleep 0.05
    done
    if [ "$(wc -w <<<"$children")" -lt 2 ]; then
        fail "$name: children die with the parent" "no children seen"
        kill -9 "$parent" 2>/dev/null || true
        return
    fi
    kill -9 "$parent"
    wait "$parent" 2>/dev/null || true
    # shellcheck disable=SC2086 # one pid per word
    if gone_within $children; then
        pass "$name: kill -9 of the parent, its $(wc -w <<<"$children") children gone within 1 s"
    else
        fail "$name: children die with the parent" "left: $children"
        # shellcheck disable=SC2086
        kill -9 $children 2>/dev/null || true
    fi
}

test_children_die_with_parent() {
    "$BIN/interleave" --mode=fork --tasks=3 --items=200 --sleep-ms=50 --quiet >/dev/null 2>&1 &
    children_die_with $! "interleave --mode=fork"
    "$BIN/count" --mode=pool --workers=2 --tasks=4 --iterations=1e12 >/dev/null 2>&1 &
    children_die_with $! "count --mode=pool"
    "$BIN/together" --copies=2 -- sleep 30 >/dev/null 2>&1 &
    children_die_with $! "together (the ceiling rows' launcher)"
}

# A Python program starts the server from a threading.Thread that ends at
# once (PR_SET_PDEATHSIG would stop the server then: it follows the thread),
# then fetches from it; the server must serve, and stop when Python exits.
test_server_outlives_thread() {
    local py out="$TEST_TMP/py.out" err="$TEST_TMP/py-server.err" server
    if ! py=$(command -v python3); then
        skip "delayserver started from a Python thread" "python3 is not installed"
        return 0
    fi
    run "$py" - "$BIN/delayserver" "$err" <<'EOF_PY'
import subprocess, sys, threading, time, urllib.request
box = {}
def start():
    p = subprocess.Popen([sys.argv[1], "--port=0"], stdout=subprocess.PIPE, stderr=open(sys.argv[2], "w"))
    box["pid"], box["url"] = p.pid, p.stdout.readline().decode().strip()
t = threading.Thread(target=start)
t.start()
t.join()
print(box["pid"], flush=True)
time.sleep(0.5)   # the thread is gone; a server tied to it would be too
with urllib.request.urlopen(box["url"] + "/status/200", timeout=10) as r:
    print(r.status, flush=True)
EOF_PY
    cp "$last_out" "$out"
    server=$(head -n 1 "$out")
    if [ "$last_status" -eq 0 ] && [ "$(sed -n 2p "$out")" = 200 ]; then
        pass "delayserver started from a Python thread that ended still serves the process"
    else
        fail "delayserver started from a Python thread still serves" \
            "exit $last_status: $(tail -n 1 "$last_err"); server: $(head -c 200 "$err")"
    fi
    if [[ "$server" =~ ^[0-9]+$ ]] && gone_within "$server"; then
        pass "delayserver started from a Python thread is gone within 1 s of Python's exit"
    else
        fail "delayserver started from a Python thread stops with Python" "pid '$server' still runs"
        [[ ! "$server" =~ ^[0-9]+$ ]] || kill -TERM "$server" 2>/dev/null || true
    fi
    if grep -q '^delayserver: the process that started it (pid [0-9]*) has ended: stopping$' "$err"; then
        pass "delayserver says why it stops when the process that started it ends"
    else
        fail "delayserver says why it stops" "stderr: $(head -c 200 "$err")"
    fi
}

main() {
    test_server_dies_with_parent
    test_server_outlives_thread
    test_children_die_with_parent
}

main "$@"
