#!/usr/bin/env bash
# scripts/lifeline.sh - the bench's watcher (see start_lifeline in bench.sh).
# Reads "+PID" (a process group started) and "-PID" (that group is done) from
# stdin, a pipe only the bench writes to.  When the pipe ends, the bench has
# ended, however it ended: a kill -9 of make's process group included, which
# no trap sees.  The groups still listed are then stopped (TERM, then KILL),
# so no delay server, hyperfine or timed binary outlives the bench.
# "@PATH" names the partial run folder (results/.NAME.partial), removed then
# too, as the bench's own trap would have; "@" alone: the run is in place.
set -uo pipefail

usage() {
    cat <<'EOF'
Usage: scripts/lifeline.sh < PIPE      (started by scripts/bench.sh; not for a user)

Reads "+PID" / "-PID" (a process group started / done) and "@PATH" (the
partial run folder) from stdin; when stdin ends, stops the groups still
listed (TERM, then KILL) and removes the partial run.

Options:
  --help      print this help and exit
  --version   print the version and exit
EOF
}

main() {
    case "${1:-}" in
        "") ;;
        --help) usage; exit 0 ;;
        --version)
            # shellcheck source=scripts/schema.sh
            source "$(dirname "${BASH_SOURCE[0]}")/schema.sh"
            print_version lifeline; exit 0 ;;
        *) printf "lifeline: takes no argument, got '%s' (it reads its pipe)\n" "$1" >&2; exit 2 ;;
    esac
    local line pid partial=""
    declare -A live=()
    while IFS= read -r line; do
        case "$line" in
            @*) partial=${line#@}; continue ;;
        esac
        pid=${line#[+-]}
        [[ "$pid" =~ ^[0-9]+$ ]] || continue
        case "$line" in
            +*) live[$pid]=1 ;;
            -*) unset "live[$pid]" ;;
        esac
    done
    if [ "${#live[@]}" -gt 0 ]; then
        for pid in "${!live[@]}"; do kill -TERM -- "-$pid" 2>/dev/null; done
        sleep 0.5
        for pid in "${!live[@]}"; do kill -KILL -- "-$pid" 2>/dev/null; done
    fi
    # Only a folder of the bench's own naming, never anything else.
    if [[ "$partial" == */.*.partial ]] && [ -d "$partial" ]; then
        rm -rf -- "$partial"
    fi
    exit 0
}

main "$@"
