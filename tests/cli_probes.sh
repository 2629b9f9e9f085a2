#!/usr/bin/env bash
# tests/cli_probes.sh - a sandbox that refuses what every row needs stops the
# bench before the matrix with one line naming the cause (issue 25, kind 2;
# scripts/probes.sh): a seccomp profile that answers clone3 EPERM (Docker
# before 20.10.10 with glibc >= 2.34: no thread starts), a hyperfine that
# cannot start processes, a loopback interface that is down (unshare -n), and
# fetch naming the OS error beside curl's text.  The sandbox ones skip, with
# the reason, where seccomp filters or unshare are not allowed.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

BENCH="$ROOT/scripts/bench.sh"
HELPER="$ROOT/$BIN/tests/helper_seccomp"
SECCOMP_LINE="^bench: this machine refuses to start threads \(pthread_create: Operation not permitted\): a container's seccomp profile blocks it \(Docker before 20.10.10 with glibc >= 2.34\); run with --security-opt seccomp=unconfined or a newer Docker$"
LOOPBACK_LINE="^bench: the loopback interface is down in this network namespace \(unshare -n, systemd PrivateNetwork=, isolate\): the fetch rows cannot reach their server on 127.0.0.1; bring it up with 'ip link set lo up' or run outside the sandbox$"

# tiny_bench RESULTS CMD_PREFIX... -- BENCH_ARG...: the tiny bench of this
# checkout under CMD_PREFIX (a sandbox), PYTHON=none, no plots.
tiny_bench() {
    local results=$1 prefix=()
    shift
    while [ "$1" != -- ]; do prefix+=("$1"); shift; done
    shift
    set +e
    PYTHON=none BIN="$ROOT/$BIN" timeout --kill-after=5 300 "${prefix[@]}" \
        bash "$BENCH" --tiny --no-plots "--results=$results" "$@" >"$last_out" 2>"$last_err"
    last_status=$?
    set -e
}

# runs_in RESULTS: the run folders (published or partial) in RESULTS.
runs_in() { find "$1" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | wc -l; }

# ------------------------------------------------------------------ seccomp
# moby#42680: every row failed with "Operation not permitted" and the
# lessons blamed the load.  Now: one line, exit 1, before any row runs.
test_seccomp_clone3() {
    local name="seccomp blocking clone3"
    if [ ! -x "$HELPER" ]; then
        skip "$name" "$HELPER is not built (make $BIN/tests/helper_seccomp)"
        return 0
    fi
    run "$HELPER" true
    if [ "$last_status" -eq 77 ]; then
        skip "$name" "no seccomp filter can be installed here: $(head -n 1 "$last_err")"
        return 0
    fi
    # The filter does what an old Docker's did: no thread starts, fork works.
    run "$HELPER" "$BIN/count" --mode=threads --tasks=2 --iterations=1000
    expect_exit "$name: under the filter, count's threads are refused (EPERM)" 1 'pthread_create.*Operation not permitted'
    expect_status "$name: under the filter, fork still works" 0 "$HELPER" "$BIN/count" --mode=fork --tasks=2 --iterations=1000

    tiny_bench "$TEST_TMP/seccomp" "$HELPER" -- --only=count-2
    if [ "$last_status" -eq 1 ] && [ "$(wc -l <"$last_err")" -eq 1 ] && grep -Eq "$SECCOMP_LINE" "$last_err"; then
        pass "$name: the bench stops with one line naming the seccomp profile, exit 1"
    else
        fail "$name: one line naming the seccomp profile, exit 1" "exit $last_status: $(head -c 400 "$last_err")"
    fi
    if [ ! -s "$last_out" ] && [ "$(runs_in "$TEST_TMP/seccomp")" -eq 0 ] && ! grep -q 'FAILED\|load:' "$last_err"; then
        pass "$name: no row ran, no run folder, no lesson blaming the load"
    else
        fail "$name: nothing run" "$(runs_in "$TEST_TMP/seccomp") run folder(s); stdout: $(head -c 200 "$last_out")"
    fi
}

# A hyperfine that cannot start what it times (its own thread, or the
# process: posix_spawn uses clone3 too) says so in a panic; one line names it.
test_hyperfine_refused() {
    local fake="$TEST_TMP/refused-hyperfine"
    mkdir -p "$fake"
    cat >"$fake/hyperfine" <<'EOF'
#!/bin/sh
[ "$1" = --version ] && { echo "hyperfine 1.15.0"; exit 0; }
echo "thread 'main' panicked at 'failed to spawn thread: Os { code: 1, kind: PermissionDenied, message: \"Operation not permitted\" }', library/std/src/thread/mod.rs:656:29" >&2
echo "note: run with \`RUST_BACKTRACE=1\` environment variable to display a backtrace" >&2
exit 101
EOF
    chmod +x "$fake/hyperfine"
    tiny_bench "$TEST_TMP/hf" env "PATH=$fake:$PATH" -- --only=count-2
    if [ "$last_status" -eq 1 ] && [ "$(wc -l <"$last_err")" -eq 1 ] &&
        grep -q "^bench: hyperfine cannot start the processes it times (Operation not permitted): a container's seccomp profile blocks it" "$last_err" &&
        [ "$(runs_in "$TEST_TMP/hf")" -eq 0 ]; then
        pass "hyperfine refused a spawn (EPERM): one line naming the seccomp profile, exit 1, nothing run"
    else
        fail "hyperfine refused a spawn: one line" "exit $last_status: $(head -c 400 "$last_err")"
    fi
}

# ------------------------------------------------------------------ loopback
# systemd#27292, isolate#106: in a network namespace whose lo is down the
# delay server starts, every fetch row failed with "Couldn't connect to
# server" and L4 blamed the load.  Now: one line, exit 1, no row, no run.
test_loopback_down() {
    local name="loopback down (unshare -n)"
    if ! unshare -n true 2>"$TEST_TMP/unshare.err"; then
        skip "$name" "unshare -n is not allowed here: $(head -n 1 "$TEST_TMP/unshare.err")"
        return 0
    fi
    tiny_bench "$TEST_TMP/lo" unshare -n -- --only=fetch
    if [ "$last_status" -eq 1 ] && [ "$(grep -c . "$last_err")" -le 3 ] && grep -Eq "$LOOPBACK_LINE" "$last_err" &&
        [ "$(grep -c 'loopback' "$last_err")" -eq 1 ]; then
        pass "$name: the bench stops with one line naming the loopback interface, exit 1"
    else
        fail "$name: one line naming the loopback interface, exit 1" "exit $last_status: $(head -c 600 "$last_err")"
    fi
    # The run never starts, so it is not announced: "bench: tiny run into
    # DIR" came first, naming a folder then removed, ahead of the cause.
    if grep -q '^bench: .* run into ' "$last_err"; then
        fail "$name: a run that never starts is not announced (no 'run into' line)" "$(head -c 600 "$last_err")"
    else
        pass "$name: a run that never starts is not announced (no 'run into' line)"
    fi
    if [ ! -s "$last_out" ] && [ "$(runs_in "$TEST_TMP/lo")" -eq 0 ] &&
        ! grep -q "FAILED\|load:\|Couldn't connect\|stopped before the end" "$last_err"; then
        pass "$name: no row ran, the partial run is removed without another word"
    else
        fail "$name: nothing run" "$(runs_in "$TEST_TMP/lo") run folder(s): $(head -c 300 "$last_err")"
    fi
    # fetch itself says what the OS said, beside curl's words.
    run unshare -n "$BIN/fetch" --mode=seq --tasks=1 --server=http://127.0.0.1:8080/ \
        --timeout-ms=2000 --requests=1 --delay-ms=1
    expect_exit "$name: fetch prints the OS error beside curl's text" 1 \
        "^fetch: failed: http://127.0.0.1:8080/delay/1: Couldn't connect to server \(connect: Network is unreachable\)$"
    # With lo brought up in that namespace, the probe lets the rows run.
    if command -v ip >/dev/null; then
        # shellcheck disable=SC2016 # the inner shell expands them
        tiny_bench "$TEST_TMP/lo-up" unshare -n sh -c 'ip link set lo up && exec "$@"' sh -- --only=fetch
        if [ "$last_status" -eq 0 ] && [ "$(runs_in "$TEST_TMP/lo-up")" -eq 1 ] && ! grep -q loopback "$last_err"; then
            pass "$name: after 'ip link set lo up' the fetch rows run"
        else
            fail "$name: after 'ip link set lo up' the fetch rows run" "exit $last_status: $(grep -m 3 'bench:' "$last_err")"
        fi
    else
        skip "$name: after 'ip link set lo up'" "ip (iproute2) is not installed"
    fi
}

# A refused connection names the OS error too (no sandbox needed): a port
# nobody listens on.
test_fetch_refused() {
    local port
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null) || port=9
    run "$BIN/fetch" --mode=seq --tasks=1 "--server=http://127.0.0.1:$port/" --timeout-ms=2000 --requests=1 --delay-ms=1
    expect_exit "fetch: a refused connection names the OS error (connect: Connection refused)" 1 \
        "Couldn't connect to server \(connect: Connection refused\)$"
}

main() {
    have_tools "probes" hyperfine jq || return 0
    cd "$ROOT"
    test_seccomp_clone3
    test_hyperfine_refused
    test_loopback_down
    test_fetch_refused
}

main "$@"
