#!/usr/bin/env bash
# scripts/with-args.sh VAR CMD [ARG]... - run CMD ARG... with the words of the
# environment variable VAR appended.  The Makefile's recipes call it, so that
# what a user writes in `make bench BENCH_ARGS='--only=count-2|fetch'` reaches
# the script as written: make puts the value in the environment instead of
# pasting it into a shell command line, where `|` would start a pipe.
#
# The words are split as xargs splits them: blanks separate words, '...' and
# "..." group a word with spaces, a backslash quotes the next character;
# nothing else (| ; & $ ` * < >) means anything.  Unbalanced quotes: exit 2.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: scripts/with-args.sh VAR CMD [ARG]...

Run CMD ARG... with the words of the environment variable VAR appended, split
as xargs splits them (blanks; '...', "..." and a backslash quote): how make
hands BENCH_ARGS, RUNS and the like to the scripts.
  --help, --version
Exit status: CMD's; 2 on bad usage or when VAR cannot be split (unbalanced
quotes).
EOF
}

usage_error() {
    echo "with-args: $1" >&2
    echo "Try 'scripts/with-args.sh --help'." >&2
    exit 2
}

main() {
    case ${1:-} in
        --help) usage; exit 0 ;;
        --version)
            # shellcheck source=scripts/schema.sh
            source "$(dirname "${BASH_SOURCE[0]}")/schema.sh"
            print_version with-args; exit 0 ;;
    esac
    [ $# -ge 2 ] || usage_error "expected VAR CMD [ARG]..."
    [[ $1 =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || usage_error "expected an environment variable's name, got '$1'"
    local var=$1 words=() err
    shift
    if [ -n "${!var:-}" ]; then
        err=$(mktemp)
        # xargs -0 would not split; plain xargs parses quotes, then printf
        # gives each word back NUL-terminated, so no word can be re-split.
        if ! mapfile -d '' words < <(printf '%s\n' "${!var}" | xargs printf '%s\0' 2>"$err") ||
            [ -s "$err" ]; then
            echo "make: ${var#GILBENCH_}: cannot split into words ($(head -n 1 "$err")); quote a value with spaces as 'a b' or \"a b\"" >&2
            rm -f "$err"
            exit 2
        fi
        rm -f "$err"
    fi
    exec "$@" "${words[@]}"
}

main "$@"
