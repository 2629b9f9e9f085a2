# scripts/probes.sh - what bench.sh tries once before the matrix, so that a
# sandbox which refuses what every row needs stops the run with one line
# naming the cause, instead of failing every row and letting the lessons
# blame the load.  Sourced by bench.sh; under 0.2 s in all
# (docs/running-in-a-lab.md, "A loopback interface that is down").
# shellcheck shell=bash

# The advice of the seccomp lines: moby#42680, Docker's default profile
# before 20.10.10 (libseccomp before 2.5.2) answers clone3 EPERM, and glibc
# 2.34 and later try clone3 first for threads and posix_spawn, falling back
# to clone only on ENOSYS.
readonly SECCOMP_ADVICE="a container's seccomp profile blocks it (Docker before 20.10.10 with glibc >= 2.34); run with --security-opt seccomp=unconfined or a newer Docker"

# probe_start: one thread started as the rows start them ($BIN/count
# --mode=threads), one process spawned as hyperfine spawns them (hyperfine
# timing `true`); exit 1 with one line when either is refused.
probe_start() {
    local err reason
    if ! err=$("$BIN/count" --mode=threads --tasks=2 --iterations=1000 2>&1 >/dev/null); then
        # "count: pthread_create failed at FILE:LINE: Operation not permitted"
        reason=$(head -n 1 <<<"$err")
        probe_refused "this machine refuses to start threads" "pthread_create: ${reason##*: }" "$reason"
    fi
    if ! err=$(hyperfine -N --runs=2 --style=none --output=null true 2>&1 >/dev/null); then
        # A panic's 'message: "Operation not permitted"', or an error's last words.
        reason=$(grep -oE 'message: "[^"]*"' <<<"$err" | head -n 1 | cut -d'"' -f2) || true
        [ -n "$reason" ] || reason=$(grep -m 1 . <<<"$err" | sed 's/.*: //')
        # Only what the sandbox refuses stops the run here; any other error
        # (an old hyperfine without -N) is the rows' to report, with its cause.
        case "$reason" in
            *"Operation not permitted"* | *"Function not implemented"* | *"Resource temporarily unavailable"*)
                probe_refused "hyperfine cannot start the processes it times" "$reason" "$(grep -m 1 . <<<"$err")" ;;
        esac
    fi
    return 0
}

# probe_refused WHAT REASON LINE: the one line for a thread or a process
# refused (REASON, the OS error; LINE, what the program said), exit 1.
probe_refused() {
    local cause
    case "$2" in
        *"Operation not permitted"* | *"Function not implemented"*) cause=$SECCOMP_ADVICE ;;
        *"Resource temporarily unavailable"*) cause="a limit on processes is reached (ulimit -u, a cgroup's pids.max); raise it or stop other programs" ;;
        *) cause="it said: $3" ;;
    esac
    echo "bench: $1 (${2:-unknown error}): $cause" >&2
    exit 1
}

# probe_server URL: one connection to the run's delay server (URL, as it
# printed it: http://127.0.0.1:PORT/), before the fetch rows need it.  A
# loopback interface that is down (unshare -n, systemd PrivateNetwork=,
# isolate) lets the server start but no one reach it: one line, the partial
# run removed, exit 1.
probe_server() {
    local hostport host port err
    hostport=${1#*://}
    hostport=${hostport%%/*}
    host=${hostport%:*} port=${hostport##*:}
    # bash's own connect (no tool needed); a shell built without /dev/tcp says
    # "No such file or directory", and the rows will tell.
    # shellcheck disable=SC2016 # the inner bash expands them
    err=$(timeout 5 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$host" "$port" 2>&1) && return 0
    err=${err##*: }
    case "$err" in
        *"No such file or directory"*) return 0 ;;
        *"Network is unreachable"*) loopback_down ;;
        *"Connection refused"*) ! lo_is_down || loopback_down ;;
    esac
    probe_stop "bench: the delay server at $1 cannot be reached (connect: ${err:-timed out}); its log: $WORK/server.log"
}

# lo_is_down: `ip` shows the loopback interface without UP (sysfs cannot
# tell: it shows the namespace it was mounted in).  False when ip is missing.
lo_is_down() {
    local line flags
    line=$(ip -o link show lo 2>/dev/null) || return 1
    flags=${line#*<} flags=${flags%%>*}
    [[ ",$flags," != *",UP,"* ]]
}

loopback_down() {
    probe_stop "bench: the loopback interface is down in this network namespace (unshare -n, systemd PrivateNetwork=, isolate): the fetch rows cannot reach their server on 127.0.0.1; bring it up with 'ip link set lo up' or run outside the sandbox"
}

# probe_stop LINE: LINE on stderr, the server stopped and the partial run
# removed without another word (bench.sh cleanup would say it stopped
# early), exit 1.
probe_stop() {
    echo "$1" >&2
    stop_server
    rm -rf "$WORK"
    WORK=""
    exit 1
}
