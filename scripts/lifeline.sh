#!/usr/bin/env bash
# scripts/lifeline.sh - the bench's watcher (see start_lifeline in bench.sh).
# Reads "+PID" (a process group started) and "-PID" (that group is done) from
# stdin, a pipe only the bench writes to.  When the pipe ends, the bench has
# ended, however it ended: a kill -9 of make's process group included, which
# no trap sees.  The groups still listed are then stopped (TERM, then KILL),
# so no delay server, hyperfine or timed binary outlives the bench.
set -uo pipefail

main() {
    local line pid
    declare -A live=()
    while IFS= read -r line; do
        pid=${line#[+-]}
        [[ "$pid" =~ ^[0-9]+$ ]] || continue
        case "$line" in
            +*) live[$pid]=1 ;;
            -*) unset "live[$pid]" ;;
        esac
    done
    [ "${#live[@]}" -gt 0 ] || exit 0
    for pid in "${!live[@]}"; do kill -TERM -- "-$pid" 2>/dev/null; done
    sleep 0.5
    for pid in "${!live[@]}"; do kill -KILL -- "-$pid" 2>/dev/null; done
    exit 0
}

main "$@"
