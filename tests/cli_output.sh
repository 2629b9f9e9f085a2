#!/usr/bin/env bash
# tests/cli_output.sh - what every binary does when its output cannot go
# out: a full disk (/dev/full) or a closed stdout is a failed write (exit 1,
# one line on stderr); a reader that goes away (| head -1) is not a failed
# run: the binary stops quietly by SIGPIPE (141), its children reaped.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

# expect_write_error NAME CMD...: CMD >/dev/full exits 1 with one line on
# stderr that names stdout and the reason.
expect_write_error() {
    local name=$1
    shift
    set +e
    timeout --kill-after=5 60 "$@" >/dev/full 2>"$last_err"
    local status=$?
    set -e
    if [ "$status" -eq 1 ] && [ "$(wc -l <"$last_err")" -eq 1 ] \
        && grep -q 'No space left on device' "$last_err"; then
        pass "$name >/dev/full: exit 1, one line"
    else
        fail "$name >/dev/full: exit 1, one line" "exit $status: $(head -c 300 "$last_err")"
    fi
}

test_full_disk() {
    local name
    for name in count refcount interleave convoy fetch delayserver cpus together; do
        expect_write_error "$name --help" "$BIN/$name" --help
        expect_write_error "$name --version" "$BIN/$name" --version
    done
    expect_write_error "count --json" "$BIN/count" --iterations=1e6 --json
    expect_write_error "count (table)" "$BIN/count" --iterations=1e6
    expect_write_error "count --mode=pool" "$BIN/count" --mode=pool --iterations=1e5
    expect_write_error "refcount" "$BIN/refcount" --ops=2e5
    expect_write_error "refcount --mode=fork --json" "$BIN/refcount" --mode=fork --ops=2e5 --json
    expect_write_error "interleave --quiet" "$BIN/interleave" --quiet --sleep-ms=0
    expect_write_error "interleave (lines)" "$BIN/interleave" --sleep-ms=0
    expect_write_error "convoy --json" "$BIN/convoy" --mode=threads --seconds=0.2 --json
    expect_write_error "cpus" "$BIN/cpus"
    expect_write_error "cpus --json" "$BIN/cpus" --json
    expect_write_error "delayserver (its URL)" "$BIN/delayserver" --port=0
    run "$BIN/count" --mode=gil --iterations=1e6 --trace=/dev/full --json
    expect_exit "--trace=/dev/full: exit 1, says why" 1 "cannot write the trace to '/dev/full'"
}

test_closed_stdout() {
    expect_closed_stdout "count --json with stdout closed (>&-): exit 1, says why" \
        "$BIN/count" --iterations=1e5 --json
}

# Every mode of interleave into `head -1`; the odd --items value marks the
# run for pgrep, which looks for a process left behind.
test_reader_gone() {
    local mode status lines left
    for mode in seq threads gil interp fork pool threadpool async; do
        set +e
        "$BIN/interleave" --mode="$mode" --items=37 --sleep-ms=23 2>"$last_err" | head -1 >"$last_out"
        status=${PIPESTATUS[0]}
        set -e
        lines=$(wc -l <"$last_out")
        sleep 0.1
        left=$(pgrep -f -- "interleave --mode=$mode --items=37 --sleep-ms=23" || true)
        if [ "$status" -eq 141 ] && [ "$lines" -eq 1 ] && [ ! -s "$last_err" ] && [ -z "$left" ]; then
            pass "interleave --mode=$mode | head -1: quiet stop by SIGPIPE (141), nothing left"
        else
            fail "interleave --mode=$mode | head -1" "exit $status, $lines line(s), left '$left', stderr: $(head -c 300 "$last_err")"
        fi
    done
    # A reader that is gone before the report is written.
    local st="$TEST_TMP/status"
    for mode in seq pool; do
        { sleep 0.3; set +e; "$BIN/count" --mode="$mode" --iterations=1e5 --json 2>"$last_err"; echo $? >"$st"; } | true
        status=$(cat "$st")
        if [ "$status" -eq 141 ] && [ ! -s "$last_err" ]; then
            pass "count --mode=$mode --json into a closed pipe: quiet stop by SIGPIPE (141)"
        else
            fail "count --mode=$mode --json into a closed pipe" "exit $status: $(head -c 300 "$last_err")"
        fi
    done
}

# The CPython reference cases (cases/*.py, by cases/pyref.py's run()) treat
# stdout as the C ones do: a reader gone is a quiet SIGPIPE (141), a full
# disk or a closed stdout one line and exit 1; no traceback.  Python 3 and,
# for the cases that run there, 2.7.
test_python_cases() {
    local py3 py2 py tag status
    local -a cases=(
        "count.py --mode=seq --tasks=2 --iterations=1000"
        "count.py --mode=processes --tasks=2 --iterations=1000 --json"
        "count.py --help"
        "convoy.py --seconds=0.1"
        "convoy.py --version"
    )
    if ! py3=$(command -v python3); then
        skip "cases/*.py on a closed stdout" "python3 is not installed (make deps installs it)"
        return
    fi
    local -a pythons=("$py3")
    if py2=$(find_python2); then
        pythons+=("$py2")
    else
        skip "cases/*.py on a closed stdout, Python 2" "no Python 2 found (set PYTHON2=/path/to/python2.7)"
    fi
    local c
    local -a argv
    for py in "${pythons[@]}"; do
        tag=$("$py" -c 'import platform; print("python" + platform.python_version())')
        for c in "${cases[@]}"; do
            read -ra argv <<<"$c"
            argv[0]="$ROOT/cases/${argv[0]}"
            set +e
            timeout --kill-after=5 60 "$py" "${argv[@]}" 2>"$last_err" | head -c0
            status=${PIPESTATUS[0]}
            set -e
            if [ "$status" -eq 141 ] && [ ! -s "$last_err" ]; then
                pass "$tag $c | head -c0: quiet stop by SIGPIPE (141)"
            else
                fail "$tag $c | head -c0: quiet stop by SIGPIPE (141)" "exit $status: $(head -c 300 "$last_err")"
            fi
            expect_write_error "$tag $c" "$py" "${argv[@]}"
            expect_closed_stdout "$tag $c with stdout closed (>&-): exit 1, says why" "$py" "${argv[@]}"
        done
    done
}

# Every case run with no arguments at all: it runs (exit 0) in the mode its
# --help calls the default; fetch, which needs somewhere to fetch from, is a
# usage error that says what to give.
test_no_arguments() {
    local name default
    for name in count interleave refcount convoy; do
        default=$("$BIN/$name" --help | sed -n 's/^ *--mode=MODE .*(default \([a-z]*\))$/\1/p')
        run "$BIN/$name"
        if [ "$last_status" -eq 0 ] && [ -n "$default" ] \
            && grep -Eq "^# $name: .*mode $default([ ,]|$)" "$last_out"; then
            pass "$name with no arguments runs, in the mode --help names ($default)"
        else
            fail "$name with no arguments runs" "--help default '$default', exit $last_status: $(head -c 300 "$last_err")"
        fi
    done
    expect_usage_error "fetch with no arguments: a usage error" "$BIN/fetch"
    expect_err "fetch with no arguments says what to give" '^fetch: no URLs: give --server=URL \(start bin/delayserver\)'
}

main() {
    test_no_arguments
    test_full_disk
    test_closed_stdout
    test_reader_gone
    test_python_cases
}

main "$@"
