#!/usr/bin/env bash
# tests/cli_sanitize.sh - build with ASan+UBSan and with ThreadSanitizer, then
# run every case in every mode it accepts, at small sizes, and the unit tests.
# Any sanitizer report fails the test.  (The deliberately racy refcount
# combination is tested apart, in tests/cli_refcount.sh: TSan must flag it.)
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=66"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=66"
export TSAN_OPTIONS="halt_on_error=1:exitcode=66:second_deadlock_stack=1"

# small_runs CASE: one line per run, the arguments for that run.
small_runs() {
    case "$1" in
        count)
            local m
            for m in seq threads gil interp fork; do
                echo "--mode=$m --tasks=3 --iterations=1e6"
            done
            echo "--mode=interp --gil=old --tasks=3 --iterations=1e6"
            echo "--mode=pool --tasks=3 --workers=2 --iterations=1e6"
            echo "--mode=threadpool --tasks=3 --workers=2 --iterations=1e6"
            echo "--mode=gil --gil=old --tasks=3 --iterations=1e6"
            echo "--mode=gil --tasks=2 --iterations=1e7 --switch-interval-us=100"
            ;;
        interleave)
            for m in seq threads gil interp fork async; do
                echo "--mode=$m --items=3 --sleep-ms=5 --quiet"
            done
            echo "--mode=pool --workers=2 --items=3 --sleep-ms=5 --quiet"
            echo "--mode=threadpool --workers=2 --items=3 --sleep-ms=5 --quiet"
            ;;
        fetch)
            for m in seq threads gil interp fork async; do
                echo "--mode=$m --server=$SERVER_URL --requests=8 --delay-ms=20"
            done
            echo "--mode=interp --gil-io=hold --server=$SERVER_URL --requests=4 --delay-ms=5"
            echo "--mode=gil --gil-io=hold --server=$SERVER_URL --requests=4 --delay-ms=5"
            echo "--mode=pool --workers=4 --server=$SERVER_URL --requests=8 --delay-ms=20"
            echo "--mode=threadpool --workers=4 --server=$SERVER_URL --requests=8 --delay-ms=20"
            ;;
        refcount)
            # --sync=none with threads is the deliberate race: tested apart.
            for m in seq gil fork; do echo "--mode=$m --ops=2e5"; done
            echo "--mode=gil --gil=old --ops=2e5"
            echo "--mode=pool --workers=2 --tasks=3 --ops=2e5"
            local s
            for s in atomic mutex biased; do
                echo "--mode=threads --sync=$s --ops=2e5"
                echo "--mode=threadpool --workers=2 --sync=$s --ops=2e5"
            done
            ;;
        convoy)
            for m in threads gil interp fork; do echo "--mode=$m --seconds=0.1"; done
            echo "--mode=gil --gil=old --seconds=0.1"
            ;;
        *)
            # A case the table does not know yet still gets its help checked.
            echo "--help"
            ;;
    esac
}

# sanitizer_report FILE: true when FILE holds a sanitizer report.
sanitizer_report() {
    grep -qE 'ERROR: (Address|Leak|Undefined)Sanitizer|WARNING: ThreadSanitizer|runtime error:' "$1"
}

run_case_under() {
    local flavour=$1 name=$2 args line
    while IFS= read -r line; do
        read -r -a args <<<"$line"
        run "bin/$flavour/$name" "${args[@]}" --json
        if [ "$last_status" -eq 0 ] && ! sanitizer_report "$last_err"; then
            pass "$flavour: $name $line"
        else
            fail "$flavour: $name $line" "exit $last_status; $(grep -m3 -E 'Sanitizer|runtime error' "$last_err" || head -c 300 "$last_err")"
        fi
    done < <(small_runs "$name")
}

run_units_under() {
    local flavour=$1 t
    for t in "bin/$flavour"/tests/unit_*; do
        [ -x "$t" ] || continue
        run "$t"
        if [ "$last_status" -eq 0 ] && ! sanitizer_report "$last_err"; then
            pass "$flavour: $(basename "$t")"
        else
            fail "$flavour: $(basename "$t")" "exit $last_status; $(grep -m3 -E 'Sanitizer|runtime error|not ok' "$last_err" "$last_out" || true)"
        fi
    done
}

# run_lab_edges_under FLAVOUR: bin/cpus, a full disk and a reader that goes
# away, each with the exit status it documents and no sanitizer report.
run_lab_edges_under() {
    local flavour=$1 status
    run "bin/$flavour/cpus" --json
    if [ "$last_status" -eq 0 ] && ! sanitizer_report "$last_err"; then
        pass "$flavour: cpus --json"
    else
        fail "$flavour: cpus --json" "exit $last_status; $(head -c 300 "$last_err")"
    fi
    set +e
    "bin/$flavour/count" --mode=pool --workers=2 --iterations=1e5 --json >/dev/full 2>"$last_err"
    status=$?
    set -e
    if [ "$status" -eq 1 ] && ! sanitizer_report "$last_err"; then
        pass "$flavour: count --json >/dev/full exits 1, clean"
    else
        fail "$flavour: count >/dev/full" "exit $status; $(head -c 300 "$last_err")"
    fi
    local mode
    for mode in threads fork; do
        set +e
        "bin/$flavour/interleave" --mode="$mode" --items=20 --sleep-ms=10 2>"$last_err" | head -1 >/dev/null
        status=${PIPESTATUS[0]}
        set -e
        if [ "$status" -eq 141 ] && ! sanitizer_report "$last_err"; then
            pass "$flavour: interleave --mode=$mode | head -1 stops by SIGPIPE, clean"
        else
            fail "$flavour: interleave --mode=$mode | head -1" "exit $status; $(head -c 300 "$last_err")"
        fi
    done
}

SERVER_URL=""
SERVER_PID=""

# start_server FLAVOUR: the sanitized delay server, its URL in SERVER_URL.
start_server() {
    local log="$TEST_TMP/server-$1.log" fifo="$TEST_TMP/server-$1.url"
    mkfifo "$fifo"
    "bin/$1/delayserver" --port=0 >"$fifo" 2>"$log" &
    SERVER_PID=$!
    read -r -t 10 SERVER_URL <"$fifo" || SERVER_URL=""
    [ -n "$SERVER_URL" ]
}

# stop_server FLAVOUR: stop it as Ctrl-C would; its own report must be clean.
stop_server() {
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    if sanitizer_report "$TEST_TMP/server-$1.log"; then
        fail "$1: delayserver" "$(grep -m3 -E 'Sanitizer|runtime error' "$TEST_TMP/server-$1.log")"
    else
        pass "$1: delayserver serves and stops without a sanitizer report"
    fi
}

main() {
    # Under `make -j test` the jobserver of the outer make is not ours to
    # join (its pipe is closed to a plain recipe): a make of our own.
    if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s asan tsan >"$TEST_TMP/build.log" 2>&1; then
        fail "sanitizer builds" "$(tail -5 "$TEST_TMP/build.log")"
        return
    fi
    if grep -q 'warning:' "$TEST_TMP/build.log"; then
        fail "sanitizer builds print no warnings" "$(grep -m3 'warning:' "$TEST_TMP/build.log")"
    else
        pass "sanitizer builds print no warnings"
    fi
    local flavour src name
    for flavour in asan tsan; do
        if ! start_server "$flavour"; then
            fail "$flavour: delayserver starts" "$(head -c 300 "$TEST_TMP/server-$flavour.log")"
        fi
        for src in cases/*.c; do
            name=$(basename "$src" .c)
            run_case_under "$flavour" "$name"
        done
        stop_server "$flavour"
        run_lab_edges_under "$flavour"
        run_units_under "$flavour"
    done
}

main "$@"
