#!/usr/bin/env bash
# tests/cli_pyunit.sh - the bench program's unit tests (tests/py, unittest)
# under the oldest and the newest CPython >= 3.9 found here: python3 and
# python3.N on PATH, and pyenv's versions where pyenv is.  One found: it
# runs once, and the other end is skipped with the reason.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

# candidates: interpreter paths, one a line.
candidates() {
    local c root
    for c in python3 python3.9 python3.10 python3.11 python3.12 python3.13 python3.14; do
        command -v "$c" 2>/dev/null || true
    done
    root=${PYENV_ROOT:-$HOME/.pyenv}
    compgen -G "$root/versions/3.*/bin/python3" || true
}

# versions: "MAJOR.MINOR PATH" of each candidate that runs, is a GIL build's
# or free-threaded CPython >= 3.9, sorted by version, one per version.
versions() {
    local p v
    while IFS= read -r p; do
        v=$(env -u PYTHONPATH "$p" -c 'import sys; print("%d.%d" % sys.version_info[:2]) if sys.version_info >= (3, 9) else None' 2>/dev/null) || continue
        [ -n "$v" ] && [ "$v" != None ] && printf '%s %s\n' "$v" "$p"
    done < <(candidates) | sort -t. -k1,1n -k2,2n -u -s | awk '!seen[$1]++'
}

main() {
    local found oldest newest
    found=$(versions)
    if [ -z "$found" ]; then
        skip "the bench program's unit tests" "no CPython >= 3.9 found (python3 on PATH, pyenv)"
        return 0
    fi
    oldest=$(head -n 1 <<<"$found")
    newest=$(tail -n 1 <<<"$found")
    env -u PYTHONPATH "${oldest#* }" "$ROOT/tests/py/run.py" || true
    if [ "$oldest" = "$newest" ]; then
        skip "the bench program's unit tests under a second CPython" "only CPython ${oldest%% *} (>= 3.9) is here"
    else
        env -u PYTHONPATH "${newest#* }" "$ROOT/tests/py/run.py" || true
    fi
}

main
