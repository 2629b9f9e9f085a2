#!/usr/bin/env bash
# tests/cli_pythons.sh - scripts/pythons.sh finds the interpreter of each role
# (PYTHON, PYTHON2, PYTHON_FT, PYTHON_INTERP) by what the interpreter answers, not by its
# name: with fake interpreters on a PATH of our own (shell scripts answering
# its query), then with the real ones of this machine.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

SCRIPT="$ROOT/scripts/pythons.sh"
# Paths with a space and a non-ASCII letter, as a lab's home folders have.
FAKES="$TEST_TMP/fake pythons é"
TOOLS="$TEST_TMP/tools"
HOME_DIR="$TEST_TMP/home dir"

# make_tools: the commands pythons.sh needs, and nothing else (no python).
make_tools() {
    mkdir -p "$TOOLS"
    local t
    for t in bash env timeout sort awk cut; do
        ln -s "$(command -v "$t")" "$TOOLS/$t"
    done
}

# fake PATH VERSION GIL FREE_THREADED: an interpreter that answers only
# pythons.sh's query (its path, cpython, VERSION, its GIL, its build), and
# turns its GIL on under PYTHON_GIL=1 as a free-threaded build does.
fake() {
    mkdir -p "$(dirname "$1")"
    cat >"$1" <<EOF
#!/bin/sh
gil=$3
[ "\${PYTHON_GIL:-}" = 1 ] && gil=true
printf '%s\tcpython\t%s\t%s\t%s\n' "\$0" "$2" "\$gil" "$4"
EOF
    chmod +x "$1"
}

# broken PATH: an interpreter that does not run.
broken() {
    mkdir -p "$(dirname "$1")"
    printf '#!/bin/sh\necho "pyenv: python2.7: command not found" >&2\nexit 127\n' >"$1"
    chmod +x "$1"
}

# pythons [VAR=VALUE]...: run pythons.sh with PATH = fakes + tools, a home of
# our own and no role variable but those given.
pythons() {
    run env -u PYTHON -u PYTHON2 -u PYTHON_FT -u PYTHON_INTERP -u PYENV_ROOT -u PYTHON_GIL \
        PATH="$FAKES:$TOOLS" HOME="$HOME_DIR" XDG_CACHE_HOME="$HOME_DIR/.cache" \
        XDG_DATA_HOME="$HOME_DIR/.local/share" "$@" "$TOOLS/bash" "$SCRIPT"
}

# cell ROLE COLUMN: that cell of the last table, found by column name.
cell() {
    awk -F'\t' -v role="$1" -v column="$2" "$COLUMNS_AWK"'
        FNR == 1 { header(); next }
        get("role") == role { print get(column) }' "$last_out"
}

# expect_cell NAME ROLE COLUMN VALUE: the table has that value there.
expect_cell() {
    local got
    got=$(cell "$2" "$3")
    if [ "$last_status" -eq 0 ] && [ "$got" = "$4" ]; then
        pass "$1"
    else
        fail "$1" "exit $last_status, $2 $3 is '$got', wanted '$4'; stderr: $(head -c 300 "$last_err")"
    fi
}

# expect_no_row NAME ROLE: the table has no row for ROLE.
expect_no_row() {
    if [ "$last_status" -eq 0 ] && [ -z "$(cell "$2" role)" ] && head -n 1 "$last_out" | grep -q '^role	path	'; then
        pass "$1"
    else
        fail "$1" "exit $last_status, table: $(head -c 300 "$last_out")"
    fi
}

# expect_err_lines NAME N: stderr has exactly N lines.
expect_err_lines() {
    local n
    n=$(wc -l <"$last_err")
    if [ "$n" -eq "$2" ]; then pass "$1"; else fail "$1" "$n line(s) on stderr, wanted $2: $(head -c 400 "$last_err")"; fi
}

test_usage() {
    expect_help pythons.sh bash "$SCRIPT" -- PYTHON2 PYTHON_FT none gil_enabled build-cpython-ft.sh
    expect_version pythons.sh '^pythons \(gilbench\) [0-9]+\.[0-9]+' bash "$SCRIPT"
    expect_usage_error "unknown option" bash "$SCRIPT" --frobnicate
}

test_nothing_found() {
    pythons
    expect_no_row "nothing on PATH: no PYTHON row" PYTHON
    expect_no_row "nothing on PATH: no PYTHON_FT row" PYTHON_FT
    expect_err_lines "nothing on PATH: one line per role" 4
    expect_err "the missing PYTHON_INTERP line says how to get it" \
        "^pythons: no PYTHON_INTERP found: the CPython interpreters rows .* are left out; get one with 'uv python install 3\\.14'"
    expect_err "the missing PYTHON2 line says how to get it" '^pythons: no PYTHON2 found: .*pyenv install 2\.7\.18'
    expect_err "the missing PYTHON_FT line says how to get it" '^pythons: no PYTHON_FT found: .*uv python install 3\.14t.*build-cpython-ft\.sh'
}

test_fakes() {
    fake "$FAKES/python3" 3.11.7 true false
    fake "$FAKES/python2.7" 2.7.18 true false
    # A GIL build named like the free-threaded one, found first: never taken.
    fake "$FAKES/python3.14t" 3.14.0 true false
    fake "$FAKES/python3.13t" 3.13.5 false true
    pythons
    expect_cell "PYTHON is python3 on PATH" PYTHON path "$FAKES/python3"
    expect_cell "PYTHON impl as the tables name it" PYTHON impl cpython-3.11.7
    expect_cell "PYTHON2 is python2.7 on PATH (path with a space)" PYTHON2 path "$FAKES/python2.7"
    expect_cell "PYTHON_FT: a 3.x with its GIL on is not taken, whatever its name" PYTHON_FT path "$FAKES/python3.13t"
    expect_cell "PYTHON_FT: gil_enabled false" PYTHON_FT gil_enabled false
    expect_cell "PYTHON_FT: free_threaded true" PYTHON_FT free_threaded true
    expect_cell "PYTHON_FT: impl ends in t" PYTHON_FT impl cpython-3.13.5t
    expect_cell "PYTHON: gil_enabled true" PYTHON gil_enabled true
    expect_err_lines "all found but PYTHON_INTERP (a 3.11): one line" 1

    fake "$FAKES/python3.15t" 3.15.0 false true
    pythons
    expect_cell "PYTHON_FT: the newest free-threaded one on PATH" PYTHON_FT path "$FAKES/python3.15t"
    rm "$FAKES/python3.15t"
    # 3.14t (PEP 779: supported) over 3.13t (experimental), both free-threaded.
    fake "$FAKES/python3.14t" 3.14.0 false true
    pythons
    expect_cell "PYTHON_FT: python3.14t over python3.13t on PATH" PYTHON_FT path "$FAKES/python3.14t"
    fake "$FAKES/python3.14t" 3.14.0 true false

    pythons PYTHON_GIL=1
    expect_cell "PYTHON_GIL=1 in the caller's environment: the build's default is asked" PYTHON_FT path "$FAKES/python3.13t"

    pythons PYTHON2=none PYTHON_FT=none PYTHON_INTERP=none
    expect_no_row "PYTHON2=none: no row" PYTHON2
    expect_no_row "PYTHON_FT=none: no row" PYTHON_FT
    expect_cell "PYTHON=unset beside none: python3 still found" PYTHON path "$FAKES/python3"
    expect_err_lines "none: nothing on stderr" 0

    pythons PYTHON_FT="$FAKES/python3" PYTHON_INTERP=none
    expect_no_row "PYTHON_FT=a CPython 3.11: not taken" PYTHON_FT
    expect_err_lines "PYTHON_FT=a CPython 3.11: one line" 1
    expect_err "PYTHON_FT=a CPython 3.11: the line says why" '^pythons: PYTHON_FT=.* is cpython 3\.11\.7 with its GIL on'

    pythons PYTHON2="$FAKES/python3"
    expect_no_row "PYTHON2=a CPython 3: not taken" PYTHON2
    expect_err "PYTHON2=a CPython 3: the line says why" 'is cpython 3\.11\.7, not CPython 2\.7'

    fake "$TEST_TMP/my builds/ft python/python3.13t" 3.13.5 false true
    pythons PYTHON_FT="$TEST_TMP/my builds/ft python/python3.13t"
    expect_cell "PYTHON_FT given as a path with spaces" PYTHON_FT path "$TEST_TMP/my builds/ft python/python3.13t"

    pythons PYTHON_FT="$TEST_TMP/no such python"
    expect_no_row "PYTHON_FT that does not exist: no row" PYTHON_FT
    expect_err "PYTHON_FT that does not exist: one line saying so" '^pythons: PYTHON_FT=.* does not run'
    rm -f "$FAKES"/python*
}

test_other_places() {
    # A pyenv shim that fails (version not selected) before pyenv's own 2.7,
    # found without pyenv on PATH; the newest build in the cache.
    broken "$FAKES/python2.7"
    fake "$HOME_DIR/.pyenv/versions/2.7.18/bin/python2.7" 2.7.18 true false
    fake "$HOME_DIR/.cache/gilbench/cpython-3.13.5t/bin/python3.13t" 3.13.5 false true
    fake "$HOME_DIR/.cache/gilbench/cpython-3.14.0t/bin/python3.14t" 3.14.0 false true
    pythons
    expect_cell "PYTHON2: a failing shim skipped, pyenv's 2.7 taken" PYTHON2 path "$HOME_DIR/.pyenv/versions/2.7.18/bin/python2.7"
    expect_cell "PYTHON_FT: the newest build in the cache" PYTHON_FT path "$HOME_DIR/.cache/gilbench/cpython-3.14.0t/bin/python3.14t"
    expect_err_lines "only PYTHON and PYTHON_INTERP missing: two lines" 2
    rm -rf "$HOME_DIR/.cache/gilbench/cpython-3.14.0t"
    fake "$HOME_DIR/.local/share/uv/python/cpython-3.14.0+freethreaded-linux-x86_64-gnu/bin/python3.14t" 3.14.0 false true
    pythons
    expect_cell "PYTHON_FT: a build in the cache before uv's" PYTHON_FT path "$HOME_DIR/.cache/gilbench/cpython-3.13.5t/bin/python3.13t"
    rm -rf "$HOME_DIR/.cache/gilbench"
    fake "$HOME_DIR/.pyenv/versions/3.13.5t/bin/python3.13t" 3.13.5 false true
    fake "$HOME_DIR/.pyenv/versions/3.14.0t/bin/python3.14t" 3.14.0 false true
    pythons
    expect_cell "PYTHON_FT: pyenv's 3.14.0t over its 3.13.5t (before uv's)" PYTHON_FT path "$HOME_DIR/.pyenv/versions/3.14.0t/bin/python3.14t"
    rm -rf "$HOME_DIR/.pyenv/versions/3.13.5t" "$HOME_DIR/.pyenv/versions/3.14.0t"
    pythons
    expect_cell "PYTHON_FT: uv's freethreaded install" PYTHON_FT path "$HOME_DIR/.local/share/uv/python/cpython-3.14.0+freethreaded-linux-x86_64-gnu/bin/python3.14t"
}

# PYTHON_INTERP: the newest CPython 3.12+ with a GIL, from PATH, pyenv and
# uv alike; a free-threaded build or a 3.11 is never taken, whatever its name.
test_interp() {
    local pyenv="$HOME_DIR/.pyenv/versions" uv="$HOME_DIR/.local/share/uv/python"
    fake "$FAKES/python3" 3.11.7 true false
    fake "$FAKES/python3.12" 3.12.1 true false
    # named like a GIL build, but free-threaded: never taken
    fake "$FAKES/python3.13" 3.13.0 false true
    pythons PYTHON2=none PYTHON_FT=none
    expect_cell "PYTHON_INTERP: python3.12 on PATH (a 3.13 free-threaded one skipped)" PYTHON_INTERP path "$FAKES/python3.12"
    expect_cell "PYTHON_INTERP: impl as the tables name it" PYTHON_INTERP impl cpython-3.12.1
    expect_cell "PYTHON_INTERP: its GIL is on" PYTHON_INTERP gil_enabled true
    expect_cell "PYTHON is still python3 (3.11)" PYTHON path "$FAKES/python3"
    expect_err_lines "PYTHON_INTERP found: nothing on stderr" 0
    fake "$pyenv/3.13.1/bin/python3" 3.13.1 true false
    fake "$pyenv/3.14.0t/bin/python3" 3.14.0 false true
    fake "$pyenv/3.9.18/bin/python3" 3.9.18 true false
    pythons PYTHON2=none PYTHON_FT=none
    expect_cell "PYTHON_INTERP: pyenv's 3.13.1 is newer than PATH's 3.12 (its 3.14.0t is not taken)" \
        PYTHON_INTERP path "$pyenv/3.13.1/bin/python3"
    fake "$uv/cpython-3.14.0-linux-x86_64-gnu/bin/python3" 3.14.0 true false
    fake "$uv/cpython-3.15.0+freethreaded-linux-x86_64-gnu/bin/python3" 3.15.0 false true
    pythons PYTHON2=none PYTHON_FT=none
    expect_cell "PYTHON_INTERP: uv's 3.14.0, the newest with a GIL" PYTHON_INTERP path "$uv/cpython-3.14.0-linux-x86_64-gnu/bin/python3"
    # scripts/build-cpython-ft.sh --gil installs cpython-VERSION (its
    # free-threaded builds, cpython-VERSIONt, are never taken here).
    local cache="$HOME_DIR/.cache/gilbench"
    fake "$cache/cpython-3.14.2/bin/python3" 3.14.2 true false
    fake "$cache/cpython-3.14.2/bin/python3.14" 3.14.2 true false
    fake "$cache/cpython-3.15.0t/bin/python3" 3.15.0 false true
    pythons PYTHON2=none PYTHON_FT=none
    expect_cell "PYTHON_INTERP: a --gil build of 3.14 in the cache, the newest with a GIL" PYTHON_INTERP path "$cache/cpython-3.14.2/bin/python3"
    expect_cell "PYTHON_INTERP: the cache's 3.14 impl" PYTHON_INTERP impl cpython-3.14.2
    fake "$cache/cpython-3.14.0/bin/python3" 3.14.0 true false
    rm -rf "$cache/cpython-3.14.2"
    pythons PYTHON2=none PYTHON_FT=none
    expect_cell "PYTHON_INTERP: the same 3.14.0 in the cache and uv's: the cache's first (as PYTHON_FT's)" \
        PYTHON_INTERP path "$cache/cpython-3.14.0/bin/python3"
    rm -rf "$cache"
    pythons PYTHON2=none PYTHON_FT=none PYTHON_INTERP="$FAKES/python3.12"
    expect_cell "PYTHON_INTERP given: taken over the newest" PYTHON_INTERP path "$FAKES/python3.12"
    pythons PYTHON2=none PYTHON_FT=none PYTHON_INTERP=none
    expect_no_row "PYTHON_INTERP=none: no row" PYTHON_INTERP
    expect_err_lines "PYTHON_INTERP=none: nothing on stderr" 0
    pythons PYTHON2=none PYTHON_FT=none PYTHON_INTERP="$FAKES/python3"
    expect_no_row "PYTHON_INTERP=a CPython 3.11: not taken" PYTHON_INTERP
    expect_err "PYTHON_INTERP=a CPython 3.11: the line says why and how to get one" \
        '^pythons: PYTHON_INTERP=.* is cpython 3\.11\.7 .*not a CPython 3\.12 or later with a GIL.*uv python install 3\.14'
    pythons PYTHON2=none PYTHON_FT=none PYTHON_INTERP="$FAKES/python3.13"
    expect_no_row "PYTHON_INTERP=a free-threaded 3.13: not taken" PYTHON_INTERP
    rm -rf "$pyenv" "$uv" "$FAKES"/python3.1*
    pythons PYTHON2=none PYTHON_FT=none
    expect_no_row "only a 3.11 anywhere: no PYTHON_INTERP row" PYTHON_INTERP
    expect_err_lines "only a 3.11 anywhere: one line" 1
    fake "$FAKES/python3" 3.12.1 true false
    pythons PYTHON2=none PYTHON_FT=none
    expect_cell "PYTHON_INTERP: python3 itself when it is a 3.12" PYTHON_INTERP path "$FAKES/python3"
    rm -f "$FAKES"/python*
}

# The real interpreters of this machine: a CPython 3 with a GIL is never
# PYTHON_FT; a free-threaded one, where there is one, is.
test_real() {
    local py3 ft
    if ! py3=$(command -v python3); then
        skip "a real CPython 3 is not PYTHON_FT" "no python3 here"
    else
        run env PYTHON_FT="$py3" PYTHON2=none bash "$SCRIPT"
        expect_no_row "a real CPython 3 ($py3) is not PYTHON_FT" PYTHON_FT
        expect_err "a real CPython 3 given as PYTHON_FT: the line says its GIL is on" 'with its GIL on'
        expect_cell "the real python3 is PYTHON, GIL on" PYTHON gil_enabled true
    fi
    # pyenv's CPython 3.13+ (GIL builds unless their name ends in t).
    local root gil_build found=0
    root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
    for gil_build in "$root"/versions/3.1[3-9]*/bin/python3; do
        case "$gil_build" in *t/bin/python3 | *"*"*) continue ;; esac
        found=1
        run env PYTHON_FT="$gil_build" bash "$SCRIPT"
        expect_no_row "a real CPython 3.13+ with the GIL ($gil_build) is not PYTHON_FT" PYTHON_FT
    done
    [ "$found" -eq 1 ] || skip "a real CPython 3.13+ with the GIL is not PYTHON_FT" "none in $root/versions"
    run env -u PYTHON_FT -u PYTHON_INTERP bash "$SCRIPT"
    local interp
    interp=$(cell PYTHON_INTERP path)
    if [ -z "$interp" ]; then
        skip "a real PYTHON_INTERP is a CPython 3.12+ with a GIL" "none here ($(grep PYTHON_INTERP "$last_err"))"
    else
        run "$interp" -c 'import sys; print(sys.version_info >= (3, 12), getattr(sys, "_is_gil_enabled", lambda: True)())'
        expect_out "the real PYTHON_INTERP ($interp) is 3.12 or later, its GIL on" '^True True$'
    fi
    run env -u PYTHON_FT bash "$SCRIPT"
    ft=$(cell PYTHON_FT path)
    if [ -z "$ft" ]; then
        skip "a real free-threaded CPython runs with its GIL off" "none here ($(head -n 1 "$last_err"))"
    else
        run "$ft" -c 'import sys; print(sys._is_gil_enabled())'
        expect_out "the real PYTHON_FT ($ft) answers that its GIL is off" '^False$'
    fi
}

main() {
    make_tools
    test_usage
    test_nothing_found
    test_fakes
    test_other_places
    test_interp
    test_real
}

main "$@"
