#!/usr/bin/env bash
# tests/cli_count_py.sh - the command-line contract of cases/count.py, the
# CPython reference of bin/count: usage errors, a checked result in every
# mode, one JSON object, Python 2.7 too, and no child left behind.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

SCRIPT="$ROOT/cases/count.py"
SMALL=(--iterations=1e5)

# A copy with a unique path: its workers carry that path in their command
# line (fork keeps argv), so pgrep -f finds every one of them.
MARKED="$TEST_TMP/cases/count-marker-$$.py"

test_usage() {
    local py=$1
    expect_help count.py "$py" "$SCRIPT" -- --mode --tasks --workers --iterations --json --version
    expect_version count.py '^count\.py \(gilbench\) [0-9]+\.[0-9]+' "$py" "$SCRIPT"
    expect_usage_error "bad mode" "$py" "$SCRIPT" --mode=turbo
    expect_usage_error "tasks zero" "$py" "$SCRIPT" --tasks=0
    expect_usage_error "tasks not a number" "$py" "$SCRIPT" --tasks=abc
    expect_usage_error "iterations fraction" "$py" "$SCRIPT" --iterations=1.5
    expect_usage_error "iterations overflow" "$py" "$SCRIPT" --iterations=1e30
    expect_usage_error "workers outside pool mode" "$py" "$SCRIPT" --mode=threads --workers=2
    expect_usage_error "stray argument" "$py" "$SCRIPT" extra
    expect_usage_error "flag given a value" "$py" "$SCRIPT" --json=yes
}

# check_modes PY TAG: every mode, tasks 1 and 3, gives ok and the exact count.
check_modes() {
    local py=$1 tag=$2 mode tasks extra in_main
    for mode in seq threads processes pool; do
        for tasks in 1 3; do
            extra=()
            [ "$mode" = pool ] && extra=(--workers=2)
            run "$py" "$SCRIPT" --mode="$mode" --tasks="$tasks" "${extra[@]}" "${SMALL[@]}" --json
            expect_json "$tag $mode tasks=$tasks: ok and exact" \
                '.case=="count" and .mode=="'"$mode"'" and .tasks=='"$tasks"'
                 and .iterations==100000 and .result=='"$tasks"'00000
                 and .expected=='"$tasks"'00000 and .ok==true'
            # seq runs its tasks in one worker thread, as threads does, so
            # that threads / seq compares like with like (the main thread
            # runs the loop slower); a child process's tasks run in its own
            # main thread.
            case "$mode" in seq | threads) in_main=0 ;; *) in_main=$tasks ;; esac
            expect_json "$tag $mode tasks=$tasks: $in_main task(s) in a main thread" \
                ".tasks_in_main_thread==$in_main"
        done
    done
    run "$py" "$SCRIPT" --mode=pool --tasks=3 --workers=2 "${SMALL[@]}" --json
    expect_json "$tag pool: --workers is the pool size" '.workers==2'
}

test_json() {
    local py=$1
    run "$py" "$SCRIPT" --mode=threads "${SMALL[@]}" --json
    if [ "$last_status" -eq 0 ] && [ "$(jq -s 'length' <"$last_out")" = 1 ]; then
        pass "--json prints one JSON object"
    else
        fail "--json prints one JSON object" "exit $last_status: $(head -c 300 "$last_out")"
    fi
    expect_json "--json has the contract fields and types" \
        '(.impl|test("^[a-z]+-[0-9]+\\.[0-9]+")) and (.workers|type)=="number"
         and (.wall_s|type)=="number" and (.measured_s|type)=="number"
         and .measured_s <= .wall_s and (.ok|type)=="boolean"'
    local gil
    gil=$("$py" -c 'import sys; print(str(getattr(sys, "_is_gil_enabled", lambda: True)()).lower())')
    expect_json "--json: gil_enabled as the interpreter says ($gil), free_threaded a boolean" \
        ".gil_enabled == $gil and (.free_threaded|type) == \"boolean\""
    # startup_s counts from the process's start: a shell that waits 0.3 s and
    # then execs the interpreter is the same process, so at least 0.3 s.
    run sh -c 'sleep 0.3; exec "$@"' sh "$py" "$SCRIPT" --mode=seq "${SMALL[@]}" --json
    expect_json "--json: startup_s counts from the process's start (a 0.3 s wait before exec)" \
        '(.startup_s|type)=="number" and .startup_s >= 0.28 and .startup_s < 30'
    run "$py" "$SCRIPT" --mode=processes --tasks=2 "${SMALL[@]}"
    expect_out "table: the GIL's state" '^gil +(on|off)$'
    expect_out "table: result beside expected" '^result +200000$'
    expect_out "table: expected" '^expected +200000$'
    expect_out "table: wall in seconds" '^wall +[0-9.]+ s$'
    expect_out "table: # context lines first" '^# count\.py: 2 task'
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

test_python2() {
    local py2
    if ! py2=$(find_python2); then
        skip "python2.7 runs count.py" "no Python 2 found (set PYTHON2=/path/to/python2.7)"
        return 0
    fi
    check_modes "$py2" "python2"
    run "$py2" "$SCRIPT" --mode=threads "${SMALL[@]}" --json
    expect_json "python2: impl names CPython 2" '.impl|startswith("cpython-2.")'
    expect_json "python2: GIL on, not a free-threaded build" '.gil_enabled == true and .free_threaded == false'
    expect_json "python2: startup_s a number" '(.startup_s|type)=="number" and .startup_s >= 0'
    expect_usage_error "python2: bad mode" "$py2" "$SCRIPT" --mode=turbo
}

# The free-threaded build runs count.py unchanged, with its GIL off, and the
# same binary with the GIL switched back on says so.  A run that switched the
# GIL back on by importing an extension without free-threading support would
# say gil_enabled true, and warn on stderr.
test_free_threaded() {
    local ft
    if ! ft=$(python_of PYTHON_FT); then
        skip "count.py on a free-threaded CPython" "$ft"
        return 0
    fi
    check_modes "$ft" "free-threaded"
    run "$ft" "$SCRIPT" --mode=threads "${SMALL[@]}" --json
    expect_json "free-threaded: GIL off, impl ends in t" \
        '.gil_enabled == false and .free_threaded == true and (.impl | test("^cpython-3\\.[0-9]+\\.[0-9]+t$"))'
    if [ -s "$last_err" ]; then
        fail "free-threaded: nothing on stderr (no module switched the GIL on)" "$(head -c 300 "$last_err")"
    else
        pass "free-threaded: nothing on stderr (no module switched the GIL on)"
    fi
    run "$ft" -X gil=1 "$SCRIPT" --mode=threads "${SMALL[@]}" --json
    expect_json "free-threaded -X gil=1: gil_enabled true, same build" '.gil_enabled == true and .free_threaded == true and .ok'
    run env PYTHON_GIL=1 "$ft" "$SCRIPT" --mode=threads "${SMALL[@]}" --json
    expect_json "free-threaded PYTHON_GIL=1: gil_enabled true" '.gil_enabled == true and .ok'
    run "$ft" "$SCRIPT" --mode=threads --tasks=2 "${SMALL[@]}"
    expect_out "free-threaded table: gil off" '^gil +off$'
}

leftovers() { pgrep -f "$MARKED" || true; }

# copy_marked: the marked copy, beside the pyref.py it imports.
copy_marked() {
    mkdir -p "$TEST_TMP/cases"
    cp "$SCRIPT" "$MARKED"
    cp "$(dirname "$0")/../cases/pyref.py" "$(dirname "$MARKED")/"
}

test_no_orphans() {
    copy_marked
    run "$PY3" "$MARKED" --mode=pool --tasks=4 --workers=2 "${SMALL[@]}" --json
    sleep 0.2
    if [ "$last_status" -eq 0 ] && [ -z "$(leftovers)" ]; then
        pass "pool: no worker left after the run"
    else
        fail "pool: no worker left after the run" "exit $last_status, left: $(leftovers | paste -sd' ')"
    fi
}

# Background jobs of a script ignore SIGINT, and Python keeps an ignored
# SIGINT ignored; so restore the default before exec (the pid stays).
with_sigint() {
    exec "$PY3" -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])' "$@"
}

test_interrupt() {
    copy_marked
    local mode extra
    for mode in processes pool; do
        extra=()
        [ "$mode" = pool ] && extra=(--workers=2)
        with_sigint "$PY3" "$MARKED" --mode="$mode" --tasks=2 "${extra[@]}" --iterations=1e11 \
            >/dev/null 2>"$last_err" &
        local pid=$! status=0
        wait_for_children "$pid" 2 || true
        kill -INT "$pid" 2>/dev/null || true
        wait "$pid" || status=$?
        sleep 0.2
        if [ "$status" -eq 130 ] && [ -z "$(leftovers)" ] && [ ! -s "$last_err" ]; then
            pass "$mode: Ctrl-C terminates and reaps every child, then dies of SIGINT"
        else
            fail "$mode: Ctrl-C terminates and reaps every child" \
                "exit $status, left: $(leftovers | paste -sd' '); stderr: $(head -c 200 "$last_err")"
            leftovers | xargs -r kill -KILL 2>/dev/null || true
        fi
    done
}

test_killed_worker() {
    local mode extra
    for mode in processes pool; do
        extra=()
        [ "$mode" = pool ] && extra=(--workers=2)
        "$PY3" "$SCRIPT" --mode="$mode" --tasks=2 "${extra[@]}" --iterations=1e11 \
            >"$last_out" 2>"$last_err" &
        local pid=$! status=0 victim
        wait_for_children "$pid" 2 || true
        sleep 0.5   # until the tasks are handed out (a pool replaces an idle worker)
        victim=$(pgrep -P "$pid" | head -1)
        kill -KILL "$victim" 2>/dev/null || true
        # the other worker would count for minutes: a lost task must end the run
        sleep 0.5
        kill -0 "$pid" 2>/dev/null && sleep 2
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null || true
            wait "$pid" || true
            fail "$mode: a worker killed: exit 1 at once" "still running 2.5 s later"
            continue
        fi
        wait "$pid" || status=$?
        if [ "$status" -eq 1 ] && grep -q 'killed by signal 9' "$last_err"; then
            pass "$mode: a worker killed by a signal: exit 1 and a message"
        else
            fail "$mode: a worker killed by a signal: exit 1 and a message" "exit $status; $(head -c 300 "$last_err")"
        fi
    done
}

# The reference rows run under the bench's pinned locale, but a user may run
# count.py under any: its figures keep "." (no locale-aware formatting).
test_locale() {
    if ! locale -a 2>/dev/null | grep -qix 'de_DE.utf8'; then
        skip "count.py under de_DE.UTF-8" "the locale is not generated (scripts/install-deps.sh test generates it)"
        return
    fi
    local var
    for var in LANG LC_ALL LC_NUMERIC; do
        run env "$var=de_DE.UTF-8" "$PY3" "$SCRIPT" --mode=threads --tasks=2 "${SMALL[@]}"
        expect_out "count.py under $var=de_DE.UTF-8: wall time with a decimal point" '^wall +[0-9]+\.[0-9]+ s$'
        run env "$var=de_DE.UTF-8" "$PY3" "$SCRIPT" --mode=threads "${SMALL[@]}" --json
        expect_json "count.py --json under $var=de_DE.UTF-8: numbers, ok" '(.wall_s | type) == "number" and .ok'
    done
}

# A worker that a SIGTERM does not stop (one lost in the instant after fork,
# when CPython clears a new child's pending signals) is killed after a
# second, so that stop_children never waits for it forever.
test_stop_unstoppable() {
    run "$PY3" - "$(dirname "$SCRIPT")" <<'PY'
import os, signal, sys, time
sys.path.insert(0, sys.argv[1])
import count
def deaf():
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    time.sleep(120)
p = count.MP.Process(target=deaf)
p.start()
time.sleep(0.5)
t0 = time.time()
count.stop_children([p])
print("exitcode=%s after=%.1f" % (p.exitcode, time.time() - t0))
PY
    if [ "$last_status" -eq 0 ] && grep -Eq '^exitcode=-9 after=(0|1|2|3|4)\.' "$last_out"; then
        pass "stop_children kills a worker that ignores SIGTERM ($(cat "$last_out"))"
    else
        fail "stop_children kills a worker that ignores SIGTERM" "exit $last_status: $(head -c 200 "$last_out") $(head -c 300 "$last_err")"
    fi
}

main() {
    if ! command -v python3 >/dev/null 2>&1; then
        skip "count.py" "python3 is not installed"
        return 0
    fi
    PY3=$(real_python python3)
    test_usage "$PY3"
    check_modes "$PY3" "python3"
    test_json "$PY3"
    test_locale
    test_python2
    test_free_threaded
    test_no_orphans
    test_interrupt
    test_stop_unstoppable
    test_killed_worker
}

main "$@"
