#!/usr/bin/env bash
# scripts/pythons.sh - find the real CPython interpreters the bench puts
# beside its simulated GIL designs, one per role:
#   PYTHON     today's CPython 3 (the new GIL, bpo-7946) beside `gil`
#   PYTHON2    CPython 2.7 (the old GIL, ticks) beside `gil --gil=old`
#   PYTHON_FT  a free-threaded CPython (PEP 703) beside `threads`, and the
#              same binary with its GIL switched back on (-X gil=1)
#   PYTHON_INTERP  the newest CPython >= 3.12 with a GIL, whose isolated
#              interpreters have a GIL each (PEP 684) beside `interp`
# and print them as a TSV table read by column name (see usage).
#
# Every candidate is asked, by running it, what it is (describe): a name
# proves nothing (python3.13 may be either build; a pyenv shim may point
# anywhere), so a role takes only an interpreter whose answer fits it.
set -euo pipefail
# Versions are printed and compared with "." whatever the user's locale.
export LC_ALL=C

readonly PROG=pythons
readonly HEADER=$'role\tpath\timpl\tversion\tgil_enabled\tfree_threaded'
# What one interpreter says about itself, tab-separated, in Python 2.7 and
# 3.x alike: sys.executable (the real file behind a shim or a symlink),
# implementation, version, whether its GIL is on now, whether it is a
# free-threaded build (Py_GIL_DISABLED).  Run with PYTHON_GIL unset, so that
# gil_enabled is the build's default, not the caller's setting.
readonly DESCRIBE='
import platform, sys
try:
    import sysconfig
    ft = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
except ImportError:
    ft = False
gil = getattr(sys, "_is_gil_enabled", lambda: True)()
print("\t".join([sys.executable, platform.python_implementation().lower(),
                 platform.python_version(), str(gil).lower(), str(ft).lower()]))
'
CACHE_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/gilbench

usage() {
    cat <<EOF
Usage: scripts/pythons.sh [--help | --version]

Find the CPython interpreters of the reference rows and print one TSV row per
role found, under the header
  ${HEADER//$'\t'/ }
impl is as the tables name it (cpython-3.11.7; a free-threaded build ends in
t: cpython-3.13.5t); gil_enabled is the interpreter's default (PYTHON_GIL
unset): true or false.  A role not found has no row and one line on stderr
saying how to get it; a role set to none has neither.

Roles, each overridden by the environment variable of its name (a command on
PATH or a path; none leaves the role out):
  PYTHON     default python3
  PYTHON2    a Python 2.7: python2.7, python2 on PATH, then pyenv's 2.7.x
  PYTHON_FT  a free-threaded CPython whose GIL is off by default:
             python3.NNt on PATH (newest first), then the builds of
             scripts/build-cpython-ft.sh in $CACHE_DIR,
             pyenv's 3.NNt, uv's freethreaded installs.
             A CPython with the GIL on is never taken as PYTHON_FT.
  PYTHON_INTERP  the newest CPython 3.12 or later with a GIL (not a
             free-threaded build): its isolated interpreters have a GIL each
             (PEP 684).  python3.NN on PATH, the builds of
             scripts/build-cpython-ft.sh --gil in $CACHE_DIR,
             pyenv's 3.NN.x, uv's installs, then python3; newest version
             first.

Read it by column name, e.g. the path of PYTHON_FT:
  scripts/pythons.sh | awk -F'\\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[\$i] = i; next }
                                   \$c["role"] == "PYTHON_FT" { print \$c["path"] }'
Exit status: 0 (whatever was found); 2 bad usage.
EOF
}

# describe PY: the DESCRIBE line of interpreter PY, or status 1 when it does
# not run (a pyenv shim for a version not selected fails, for one).
describe() {
    local out
    out=$(env -u PYTHON_GIL timeout 20 "$1" -c "$DESCRIBE" 2>/dev/null) || return 1
    # One line of five fields, and a path without a tab or newline in it.
    [[ "$out" =~ ^[^$'\t\n']+($'\t'[^$'\t\n']+){4}$ ]] || return 1
    echo "$out"
}

# emit ROLE DESCRIPTION: the table row of an interpreter taken for ROLE.
emit() {
    local role=$1 exe impl version gil ft suffix=""
    IFS=$'\t' read -r exe impl version gil ft <<<"$2"
    [ "$ft" = true ] && suffix=t
    printf '%s\t%s\t%s-%s%s\t%s\t%s\t%s\n' "$role" "$exe" "$impl" "$version" "$suffix" \
        "$version" "$gil" "$ft"
}

# fits ROLE DESCRIPTION: whether that interpreter can play ROLE.
fits() {
    local exe impl version gil ft
    IFS=$'\t' read -r exe impl version gil ft <<<"$2"
    case "$1" in
        PYTHON) return 0 ;;
        PYTHON2) [ "$impl" = cpython ] && [[ "$version" == 2.7.* ]] ;;
        PYTHON_FT) [ "$impl" = cpython ] && [ "$gil" = false ] ;;
        PYTHON_INTERP) [ "$impl" = cpython ] && [ "$ft" = false ] && [[ "$version" =~ ^3\.([0-9]+)\. ]] &&
            [ "${BASH_REMATCH[1]}" -ge 12 ] ;;
    esac
}

# why_not ROLE DESCRIPTION: what the interpreter is, for a rejected override.
why_not() {
    local exe impl version gil ft
    IFS=$'\t' read -r exe impl version gil ft <<<"$2"
    case "$1" in
        PYTHON_FT) echo "$impl $version with its GIL on (free_threaded=$ft), not a free-threaded CPython" ;;
        PYTHON_INTERP) echo "$impl $version (free_threaded=$ft), not a CPython 3.12 or later with a GIL" ;;
        *) echo "$impl $version, not CPython 2.7" ;;
    esac
}

# how_to_get ROLE: the hint printed when no interpreter fits ROLE.
how_to_get() {
    case "$1" in
        PYTHON) echo "install python3 or set PYTHON=/path/to/python3" ;;
        PYTHON2) echo "get one with 'pyenv install 2.7.18', or set PYTHON2=/path/to/python2.7" ;;
        PYTHON_FT) echo "get one with 'uv python install 3.14t' or scripts/build-cpython-ft.sh (docs/pythons.md: Getting a free-threaded CPython), or set PYTHON_FT=/path/to/python3.14t" ;;
        PYTHON_INTERP) echo "get one with 'uv python install 3.14', 'pyenv install 3.14' or scripts/build-cpython-ft.sh --gil (docs/pythons.md: Getting a CPython 3.14), or set PYTHON_INTERP=/path/to/python3.12-or-later" ;;
    esac
}

# what_rows ROLE: the rows a role's interpreter stands beside, for messages.
what_rows() {
    case "$1" in
        PYTHON) echo "the CPython 3 rows" ;;
        PYTHON2) echo "the CPython 2.7 (old GIL) rows" ;;
        PYTHON_FT) echo "the free-threaded CPython rows" ;;
        PYTHON_INTERP) echo "the CPython interpreters rows (a GIL per interpreter)" ;;
    esac
}

# pyenv_root: pyenv's folder when there is one (pyenv itself may be absent).
pyenv_root() {
    local root=""
    if command -v pyenv >/dev/null 2>&1; then
        root=$(pyenv root 2>/dev/null) || root=""
    fi
    root=${root:-${PYENV_ROOT:-$HOME/.pyenv}}
    [ -d "$root/versions" ] && echo "$root"
    return 0
}

# newest_first: the paths on stdin, the highest version in the name first.
newest_first() { sort -V -r; }

# on_path GLOB: the files on PATH whose name matches GLOB, in PATH's order.
on_path() {
    local -a dirs
    local dir
    IFS=: read -r -a dirs <<<"$PATH"
    for dir in "${dirs[@]}"; do
        [ -n "$dir" ] || continue
        compgen -G "$dir/$1" || true
    done
}

# by_version: the paths on stdin but free-threaded installs' (pyenv's
# 3.13.0t, uv's ...freethreaded...), newest first by the version in the file's
# name (python3.13) or, for a .../bin/python3, in its install's folder name
# (pyenv's 3.13.1, uv's cpython-3.14.0-linux-...); the same version keeps its
# order (PATH before pyenv before uv).
by_version() {
    awk '/t\/bin\/python3$|freethreaded/ { next }
         { s = $0; sub(/\/bin\/python3$/, "", s); sub(/.*\//, "", s); v = ""
           if (match(s, /3\.[0-9]+(\.[0-9]+)?/)) v = substr(s, RSTART, RLENGTH)
           n = split(v, p, "."); printf "%05d%05d%05d\t%s\n", p[1], p[2], (n > 2 ? p[3] : 99999), $0 }' |
        sort -t$'\t' -k1,1r -s | cut -f2-
}

# candidates ROLE: the interpreters to try for ROLE, in order of preference.
candidates() {
    local root dir
    root=$(pyenv_root)
    case "$1" in
        PYTHON) echo python3 ;;
        PYTHON2)
            printf '%s\n' python2.7 python2
            [ -z "$root" ] || compgen -G "$root/versions/2.7*/bin/python2.7" | newest_first || true
            ;;
        PYTHON_FT)
            on_path 'python3.[0-9]*t' | awk -F/ '$NF ~ /^python3\.[0-9]+t$/ { v = $NF; gsub(/^python3\.|t$/, "", v); print v "\t" $0 }' |
                sort -t$'\t' -k1,1nr -s | cut -f2-
            compgen -G "$CACHE_DIR/*/bin/python3.[0-9]*t" | newest_first || true
            [ -z "$root" ] || compgen -G "$root/versions/*t/bin/python3.[0-9]*t" | newest_first || true
            compgen -G "${XDG_DATA_HOME:-$HOME/.local/share}/uv/python/*freethreaded*/bin/python3.[0-9]*t" |
                newest_first || true
            ;;
        PYTHON_INTERP)
            # python3.NN on PATH, the GIL builds of build-cpython-ft.sh --gil
            # in the cache, pyenv's and uv's 3.NN: all of them, newest first
            # (the check of each says whether it has a GIL per interpreter),
            # then python3 whatever it is.
            {
                on_path 'python3.[0-9][0-9]'
                compgen -G "$CACHE_DIR/cpython-3.[0-9][0-9]*/bin/python3" || true
                [ -z "$root" ] || compgen -G "$root/versions/3.[0-9][0-9]*/bin/python3" || true
                compgen -G "${XDG_DATA_HOME:-$HOME/.local/share}/uv/python/cpython-3.[0-9][0-9]*/bin/python3" || true
            } | by_version
            echo python3
            ;;
    esac
}

# find_role ROLE: print ROLE's row, or one line on stderr (none: nothing).
find_role() {
    local role=$1 given=${!1:-} desc c
    [ "$given" != none ] || return 0
    if [ -n "$given" ]; then
        if ! desc=$(describe "$given"); then
            echo "$PROG: $role=$given does not run: $(what_rows "$role") are left out; $(how_to_get "$role")" >&2
        elif ! fits "$role" "$desc"; then
            echo "$PROG: $role=$given is $(why_not "$role" "$desc"): $(what_rows "$role") are left out; $(how_to_get "$role")" >&2
        else
            emit "$role" "$desc"
        fi
        return 0
    fi
    while IFS= read -r c; do
        [ -n "$c" ] || continue
        command -v "$c" >/dev/null 2>&1 || continue
        if desc=$(describe "$c") && fits "$role" "$desc"; then
            emit "$role" "$desc"
            return 0
        fi
    done < <(candidates "$role")
    echo "$PROG: no $role found: $(what_rows "$role") are left out; $(how_to_get "$role")" >&2
}

main() {
    case "${1:-}" in
        "") ;;
        --help) usage; exit 0 ;;
        --version)
            # Sourced here only: the tests run the search with a PATH of
            # fake interpreters and nothing else (schema.sh needs dirname).
            # shellcheck source=scripts/schema.sh
            source "$(dirname "${BASH_SOURCE[0]}")/schema.sh"
            print_version "$PROG"; exit 0 ;;
        *) echo "$PROG: unknown argument '$1'" >&2
            echo "Try 'scripts/pythons.sh --help'." >&2
            exit 2 ;;
    esac
    [ $# -le 1 ] || { echo "$PROG: too many arguments" >&2; echo "Try 'scripts/pythons.sh --help'." >&2; exit 2; }
    echo "$HEADER"
    local role
    for role in PYTHON PYTHON2 PYTHON_FT PYTHON_INTERP; do
        find_role "$role"
    done
}

main "$@"
