#!/usr/bin/env bash
# tests/cli_build_cpython_ft.sh - scripts/build-cpython-ft.sh's command line
# and the checks it makes before building, on fake source trees (a real build
# takes half an hour on 2 cores: README, Getting a free-threaded CPython).
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

SCRIPT="$ROOT/scripts/build-cpython-ft.sh"

# fake_tree DIR MAJOR MINOR: a folder that looks like a CPython source tree
# of that version (a configure and Include/patchlevel.h, nothing to build).
fake_tree() {
    mkdir -p "$1/Include"
    printf '#!/bin/sh\necho "fake configure: cannot build" >&2\nexit 1\n' >"$1/configure"
    chmod +x "$1/configure"
    cat >"$1/Include/patchlevel.h" <<EOF
#define PY_MAJOR_VERSION        $2
#define PY_MINOR_VERSION        $3
#define PY_VERSION              "$2.$3.1"
EOF
}

# build ARGS...: the script with a cache of our own.
build() { run env XDG_CACHE_HOME="$TEST_TMP/cache dir" bash "$SCRIPT" "$@"; }

# expect_failure NAME REGEX: exit 1, one line on stderr matching REGEX.
expect_failure() {
    local lines
    lines=$(wc -l <"$last_err")
    if [ "$last_status" -eq 1 ] && [ "$lines" -eq 1 ] && grep -Eq -- "$2" "$last_err"; then
        pass "$1"
    else
        fail "$1" "exit $last_status (wanted 1), $lines line(s); stderr: $(head -c 300 "$last_err")"
    fi
}

test_usage() {
    expect_help build-cpython-ft.sh bash "$SCRIPT" -- --jobs --force --disable-gil PGO LTO .cache/gilbench
    expect_version build-cpython-ft.sh '^build-cpython-ft \(gilbench\) [0-9]+\.[0-9]+' bash "$SCRIPT"
    expect_usage_error "no source" bash "$SCRIPT"
    expect_usage_error "too many arguments" bash "$SCRIPT" a b c
    expect_usage_error "--jobs not a number" bash "$SCRIPT" --jobs=many "$TEST_TMP"
    expect_usage_error "unknown option" bash "$SCRIPT" --fast "$TEST_TMP"
    expect_usage_error "a source that does not exist" bash "$SCRIPT" "$TEST_TMP/no such source"
}

test_checks() {
    mkdir -p "$TEST_TMP/not python"
    build "$TEST_TMP/not python"
    expect_failure "a folder that is not a CPython tree: exit 1, one line" 'not a CPython source tree'

    fake_tree "$TEST_TMP/src 3.12/Python-3.12.1" 3 12
    build "$TEST_TMP/src 3.12/Python-3.12.1"
    expect_failure "CPython 3.12: free-threading needs 3.13" 'CPython 3\.12\.1: free-threading .* needs 3\.13'
    tar -cJf "$TEST_TMP/Python-3.12.1.tar.xz" -C "$TEST_TMP/src 3.12" Python-3.12.1
    build "$TEST_TMP/Python-3.12.1.tar.xz"
    if [ "$last_status" -eq 1 ] && grep -q 'needs 3\.13' "$last_err" && grep -q 'unpacking' "$last_err"; then
        pass "a tarball is unpacked, then its version checked"
    else
        fail "a tarball is unpacked, then its version checked" "exit $last_status; $(head -c 300 "$last_err")"
    fi

    fake_tree "$TEST_TMP/src é/Python-3.13.1" 3 13
    run env CC="$TEST_TMP/no such cc" bash "$SCRIPT" "$TEST_TMP/src é/Python-3.13.1"
    expect_failure "no C compiler: exit 1, one line naming it" 'missing build tools: a C compiler'

    mkdir -p "$TEST_TMP/taken"
    build "$TEST_TMP/src é/Python-3.13.1" "$TEST_TMP/taken"
    expect_failure "an existing PREFIX is not replaced without --force" 'already exists'

    build "$TEST_TMP/src é/Python-3.13.1" "$TEST_TMP/new prefix"
    if [ "$last_status" -eq 1 ] && grep -q '^build-cpython-ft: configure failed' "$last_err" \
        && [ ! -e "$TEST_TMP/new prefix" ] && [ -s "$TEST_TMP/new prefix.log" ] \
        && [ -z "$(find "$TEST_TMP" -maxdepth 1 -name '.build-cpython-ft.*')" ]; then
        pass "a failed build: exit 1, no PREFIX, a log, no work folder left"
    else
        fail "a failed build: exit 1, no PREFIX, a log, no work folder left" \
            "exit $last_status; $(head -c 300 "$last_err"); $(ls -a "$TEST_TMP")"
    fi
    build "$TEST_TMP/src é/Python-3.13.1"
    expect_err "the default PREFIX is in the cache" "cache dir/gilbench/cpython-3\\.13\\.1t\\.log"
}

main() {
    test_usage
    test_checks
}

main "$@"
