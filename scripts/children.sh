# scripts/children.sh - the processes scripts/bench.sh starts, and how they
# stop.  Sourced by bench.sh.
# shellcheck shell=bash
#
# Every command we start runs in a process group of its own (setsid), so that
# Ctrl-C, SIGTERM or a failure can stop it and everything it started at once.
# A kill -9 of the bench cannot be trapped: a lifeline (see start_lifeline)
# stops those groups then, and each child gets PR_SET_PDEATHSIG (setpriv).
CHILD_PID=""
SERVER_PID=""
SERVER_URL="" # read by the fetch rows of matrix.sh

LIFELINE=""   # the write end of the lifeline pipe
PDEATHSIG=()  # setpriv --pdeathsig KILL --, where util-linux has it (2.33+)

# start_lifeline: a watcher in a session of its own reads the process groups
# we start ("+PID", "-PID" when done) from a pipe only this script writes to.
# The pipe ends when this script ends, however it ends (kill -9 included);
# the watcher then kills the groups still listed, and exits.  Children get
# the pipe closed (child_start), so that only our death ends it.
start_lifeline() {
    exec {LIFELINE}> >(exec setsid bash "$SCRIPTS/lifeline.sh" >/dev/null 2>&1)
    if setpriv --pdeathsig KILL -- true 2>/dev/null; then PDEATHSIG=(setpriv --pdeathsig KILL --); fi
}

# child_start CMD...: start CMD in a process group of its own, dying with us;
# CHILD_STARTED is its pid (and group id).
child_start() {
    if [ -n "$LIFELINE" ]; then
        setsid "${PDEATHSIG[@]}" "$@" {LIFELINE}>&- &
        CHILD_STARTED=$!
        echo "+$CHILD_STARTED" >&"$LIFELINE" || true
    else
        setsid "$@" &
        CHILD_STARTED=$!
    fi
}

# child_done PID: the group of PID needs no killing any more.
child_done() { [ -z "$LIFELINE" ] || echo "-$1" >&"$LIFELINE" || true; }

# run_child CMD...: run CMD in its own process group and wait for it, so that
# a signal to this script interrupts the wait at once (see on_signal).
run_child() {
    child_start "$@"
    CHILD_PID=$CHILD_STARTED
    local rc=0
    wait "$CHILD_PID" || rc=$?
    child_done "$CHILD_PID"
    CHILD_PID=""
    return "$rc"
}

# stop_group PID: TERM the process group PID leads, then KILL what is left.
stop_group() {
    local pid=$1
    kill -TERM -- "-$pid" 2>/dev/null || return 0
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        kill -0 -- "-$pid" 2>/dev/null || break
        sleep 0.2
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    child_done "$pid"
}

start_server() {
    local out="$WORK/server.url"
    child_start "$BIN/delayserver" --port=0 >"$out" 2>"$WORK/server.log"
    SERVER_PID=$CHILD_STARTED
    for _ in $(seq 50); do
        if [ -s "$out" ]; then
            # shellcheck disable=SC2034 # read by the fetch rows of matrix.sh
            SERVER_URL=$(head -n 1 "$out")
            # Its warnings (a connection limit lowered to fit ulimit -n) bound
            # what the fetch rows can show: the user must see them.  They are
            # on stderr before it prints its URL, so they are all there now.
            if [ -s "$WORK/server.log" ]; then
                sed 's/^/bench: the delay server says: /' "$WORK/server.log" >&2
            fi
            return 0
        fi
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "bench: the delay server did not start: $(head -c 300 "$WORK/server.log")" >&2
    exit 1
}

stop_server() {
    if [ -n "$SERVER_PID" ]; then
        stop_group "$SERVER_PID"
        child_done "$SERVER_PID"
        SERVER_PID=""
    fi
}

