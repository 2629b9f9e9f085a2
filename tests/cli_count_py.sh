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

# pyenv_python X.Y: pyenv's CPython X.Y (the interpreter itself), or a
# reason on stdout and 1.  PYTHON_X_Y (PYTHON_3_12) names another one.
pyenv_python() {
    local var="PYTHON_${1//./_}" c
    for c in "${!var:-}" "$HOME"/.pyenv/versions/"$1".*/bin/python"$1"; do
        [ -n "$c" ] || continue
        if [ -x "$c" ] && "$c" -c 'import sys; sys.exit(sys.version_info[:2] != ('"${1/./, }"'))' >/dev/null 2>&1; then
            real_python "$c"
            return 0
        fi
    done
    echo "no CPython $1 (pyenv's ~/.pyenv/versions/$1.*, or set $var=/path/to/python$1)"
    return 1
}

# interpreters mode (PEP 684/734): one isolated interpreter per task, each
# in a thread, on 3.12 (_xxsubinterpreters) and 3.13 (_interpreters).
test_interpreters() {
    local version api py tasks
    for version in 3.12 3.13; do
        case "$version" in 3.12) api=_xxsubinterpreters ;; *) api=_interpreters ;; esac
        if ! py=$(pyenv_python "$version"); then
            skip "interpreters mode on CPython $version" "$py"
            continue
        fi
        for tasks in 1 3; do
            run "$py" "$SCRIPT" --mode=interpreters --tasks="$tasks" "${SMALL[@]}" --json
            expect_json "$version interpreters tasks=$tasks: ok and exact, through $api" \
                '.mode=="interpreters" and .tasks=='"$tasks"' and .workers=='"$tasks"'
                 and .result=='"$tasks"'00000 and .expected=='"$tasks"'00000 and .ok==true
                 and .interpreters_api=="'"$api"'" and .failed_tasks==0
                 and (.create_s|type)=="number" and .create_s >= 0 and .create_s <= .wall_s
                 and .tasks_in_main_thread==0'
        done
        run "$py" "$SCRIPT" --mode=interpreters --tasks=2 "${SMALL[@]}"
        expect_out "$version interpreters table: the API" "^interpreters api +$api\$"
        expect_out "$version interpreters table: the time to create them" '^create +[0-9.]+ s$'
        expect_out "$version interpreters table: result beside expected" '^result +200000$'
        run "$py" "$SCRIPT" --mode=threads "${SMALL[@]}" --json
        expect_json "$version threads: no interpreters_api, no create_s" \
            '(has("interpreters_api") or has("create_s")) | not'
        expect_usage_error "$version interpreters: --workers refused" \
            "$py" "$SCRIPT" --mode=interpreters --workers=2
    done
}

# Before 3.12 (no GIL per interpreter) the mode is a one-line usage error.
test_interpreters_refused() {
    local py py2
    if py=$(pyenv_python 3.11); then
        expect_usage_error "3.11: --mode=interpreters refused" "$py" "$SCRIPT" --mode=interpreters
        expect_err "3.11: the refusal names the version it needs and this one" \
            '^count\.py: --mode=interpreters: needs CPython 3\.12 or later .*this is CPython 3\.11\.'
        if [ "$(wc -l <"$last_err")" -eq 2 ]; then
            pass "3.11: the refusal is one line and the Try line"
        else
            fail "3.11: the refusal is one line and the Try line" "$(head -c 300 "$last_err")"
        fi
    else
        skip "--mode=interpreters refused on CPython 3.11" "$py"
    fi
    if py2=$(find_python2); then
        expect_usage_error "python2: --mode=interpreters refused" "$py2" "$SCRIPT" --mode=interpreters
        expect_err "python2: the refusal names the version it needs" 'needs CPython 3\.12 or later'
    else
        skip "--mode=interpreters refused on Python 2" "no Python 2 found (set PYTHON2=/path/to/python2.7)"
    fi
}

# concurrent.interpreters (3.14+) comes first when present.  Where no 3.14
# is installed, a stand-in on PYTHONPATH provides the few calls count.py
# makes (create, Interpreter.exec, Interpreter.close) on the private module,
# and logs them, so that the public path runs and is seen to run.
test_interpreters_public_api() {
    local py version
    for version in 3.13 3.12; do
        py=$(pyenv_python "$version") && break
    done
    if [ -z "$py" ] || [ ! -x "$py" ]; then
        skip "--mode=interpreters through concurrent.interpreters (a stand-in)" "no CPython 3.12 or 3.13: $py"
        return 0
    fi
    local fake="$TEST_TMP/fake-interpreters" log="$TEST_TMP/fake-interpreters.log"
    mkdir -p "$fake/concurrent"
    # the stand-in's package extends the real concurrent package (concurrent.futures stays)
    printf '%s\n' "__path__ = __import__('pkgutil').extend_path(__path__, __name__)" \
        >"$fake/concurrent/__init__.py"
    cat >"$fake/concurrent/interpreters.py" <<'PY'
"""A stand-in for Python 3.14's concurrent.interpreters, for tests only:
create(), Interpreter.exec() and Interpreter.close(), on 3.13's or 3.12's
private module.  Every call is logged to $FAKE_INTERPRETERS_LOG."""
import os
try:
    import _interpreters as _low
    def _create():
        return _low.create("isolated")
    def _exec(i, code):
        failure = _low.exec(i, code)
        if failure is not None:
            raise RuntimeError(failure)
except ImportError:
    import _xxsubinterpreters as _low
    def _create():
        return _low.create(isolated=True)
    _exec = _low.run_string

def _log(what):
    with open(os.environ["FAKE_INTERPRETERS_LOG"], "a") as f:
        f.write(what + "\n")

class Interpreter:
    def __init__(self, id):
        self.id = id
    def exec(self, code):
        _log("exec")
        _exec(self.id, code)
    def close(self):
        _log("close")
        _low.destroy(self.id)

def create():
    _log("create")
    return Interpreter(_create())
PY
    : >"$log"
    run env PYTHONPATH="$fake" FAKE_INTERPRETERS_LOG="$log" "$py" "$SCRIPT" \
        --mode=interpreters --tasks=3 "${SMALL[@]}" --json
    expect_json "stand-in concurrent.interpreters on $version: preferred, ok and exact" \
        '.interpreters_api=="concurrent.interpreters" and .ok==true and .result==300000'
    if [ "$(sort "$log" | uniq -c | awk '{ printf "%s %s;", $2, $1 }')" = "close 3;create 3;exec 3;" ]; then
        pass "stand-in: 3 interpreters created, each ran its task once and was closed"
    else
        fail "stand-in: 3 created, 3 ran, 3 closed" "log: $(sort "$log" | uniq -c | paste -sd' ')"
    fi
}

# Ctrl-C while the interpreters count: the process dies of SIGINT, quietly.
test_interpreters_interrupt() {
    local py
    if ! py=$(pyenv_python 3.13) && ! py=$(pyenv_python 3.12); then
        skip "interpreters: Ctrl-C" "no CPython 3.12 or 3.13"
        return 0
    fi
    with_sigint "$py" "$SCRIPT" --mode=interpreters --tasks=2 --iterations=1e11 \
        >/dev/null 2>"$last_err" &
    local pid=$! status=0
    sleep 1.5   # created and counting
    kill -INT "$pid" 2>/dev/null || true
    wait "$pid" || status=$?
    if [ "$status" -eq 130 ] && [ ! -s "$last_err" ]; then
        pass "interpreters: Ctrl-C while they count: dies of SIGINT, nothing on stderr"
    else
        fail "interpreters: Ctrl-C dies of SIGINT" "exit $status; stderr: $(head -c 300 "$last_err")"
    fi
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
    test_interpreters
    test_interpreters_refused
    test_interpreters_public_api
    test_interpreters_interrupt
    test_no_orphans
    test_interrupt
    test_stop_unstoppable
    test_killed_worker
}

main "$@"
