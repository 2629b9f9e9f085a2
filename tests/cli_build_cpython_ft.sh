#!/usr/bin/env bash
# tests/cli_build_cpython_ft.sh - scripts/build-cpython-ft.sh's command line
# and the checks it makes before building, on fake source trees (a real build
# takes half an hour on 2 cores: docs/pythons.md, Getting a free-threaded
# CPython).
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

# buildable_tree DIR MAJOR MINOR ANSWER: a fake tree whose configure (its
# arguments kept in DIR/configure.args) writes a Makefile that builds nothing
# and installs bin/pythonMAJOR.MINOR, a script printing ANSWER to any query
# (the build's check: "GIL MODULE", e.g. "True _interpreters").
buildable_tree() {
    fake_tree "$1" "$2" "$3"
    printf '#!/bin/sh\necho "%s"\n' "$4" >"$1/fake python"
    chmod +x "$1/fake python"
    cat >"$1/configure" <<'EOF_CONFIGURE'
#!/bin/sh
tree=$(cd "$(dirname "$0")" && pwd)
printf '%s\n' "$@" >"$tree/configure.args"
for a; do case $a in --prefix=*) prefix=${a#--prefix=} ;; esac; done
exe=$(sed -n 's/^exe=//p' "$tree/exe")
printf 'all:\n\t@true\ninstall:\n\tmkdir -p "$(DESTDIR)%s/bin"\n\tcp "%s/fake python" "$(DESTDIR)%s/bin/%s"\n' \
    "$prefix" "$tree" "$prefix" "$exe" >Makefile
EOF_CONFIGURE
    chmod +x "$1/configure"
    echo "exe=python$2.$3" >"$1/exe"
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

# expect_late_failure NAME REGEX: exit 1 after the build ran: its progress
# lines ([k/5]), then one line matching REGEX.
expect_late_failure() {
    local others
    others=$(grep -vc '^build-cpython-ft: \[[1-5]/5\] ' "$last_err" || true)
    if [ "$last_status" -eq 1 ] && [ "$others" -eq 1 ] && tail -n 1 "$last_err" | grep -Eq -- "$2"; then
        pass "$1"
    else
        fail "$1" "exit $last_status (wanted 1), $others line(s) but progress; stderr: $(tail -c 300 "$last_err")"
    fi
}

test_usage() {
    expect_help build-cpython-ft.sh bash "$SCRIPT" -- --gil --jobs --force --disable-gil PGO LTO .cache/gilbench
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

    # A download that is not an archive at all: one line, the decompressor's
    # last words in it, not tar's and xz's own lines before it.
    echo junk >"$TEST_TMP/Python-3.14.0.tar.xz"
    build "$TEST_TMP/Python-3.14.0.tar.xz"
    if [ "$last_status" -eq 1 ] && [ "$(grep -vc 'unpacking' "$last_err")" -eq 1 ] \
        && grep -q '^build-cpython-ft: cannot unpack .*Python-3\.14\.0\.tar\.xz: not a whole .*xz: ' "$last_err"; then
        pass "a file that is not an archive: exit 1, one line with the decompressor's words"
    else
        fail "a file that is not an archive: exit 1, one line" "exit $last_status; $(head -c 400 "$last_err")"
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

# --gil: the default build (a GIL) of a 3.12+ source, into the cache's
# cpython-VERSION where pythons.sh looks for PYTHON_INTERP; checked to have
# its GIL on and a module that creates isolated interpreters.
test_gil() {
    local cache="$TEST_TMP/cache dir/gilbench"
    fake_tree "$TEST_TMP/src 3.11/Python-3.11.9" 3 11
    build --gil "$TEST_TMP/src 3.11/Python-3.11.9"
    expect_failure "--gil, CPython 3.11: a GIL per interpreter needs 3.12" 'CPython 3\.11\.1: a GIL per interpreter \(--gil\) needs 3\.12'

    buildable_tree "$TEST_TMP/src 3.14/Python-3.14.0" 3 14 "True concurrent.interpreters"
    tar -cJf "$TEST_TMP/Python-3.14.0.tar.xz" -C "$TEST_TMP/src 3.14" Python-3.14.0
    build --gil "$TEST_TMP/Python-3.14.0.tar.xz"
    if [ "$last_status" -eq 0 ] && [ "$(cat "$last_out")" = "$cache/cpython-3.14.1/bin/python3.14" ] \
        && [ -x "$cache/cpython-3.14.1/bin/python3.14" ] && [ -s "$cache/cpython-3.14.1.log" ] \
        && grep -q 'has a GIL, and a GIL per isolated interpreter' "$last_err"; then
        pass "--gil, a 3.14 tarball: built into the cache's cpython-VERSION (no t), checked, its path printed"
    else
        fail "--gil, a 3.14 tarball: built into the cache's cpython-VERSION (no t), checked, its path printed" \
            "exit $last_status; out: $(cat "$last_out"); err: $(head -c 400 "$last_err")"
    fi
    rm -rf "$cache"
    # A source folder: the configure it runs gets no --disable-gil.
    build --gil "$TEST_TMP/src 3.14/Python-3.14.0"
    expect_eq "--gil: configure without --disable-gil, with --prefix and --without-ensurepip" \
        "$(grep -c -- '--disable-gil' "$TEST_TMP/src 3.14/Python-3.14.0/configure.args" || true) $(grep -c -- '^--prefix=\|^--without-ensurepip$' "$TEST_TMP/src 3.14/Python-3.14.0/configure.args")" "0 2"
    rm -rf "$cache"

    buildable_tree "$TEST_TMP/src ft/Python-3.14.0" 3 14 "False concurrent.interpreters"
    build --gil "$TEST_TMP/src ft/Python-3.14.0"
    expect_late_failure "--gil, a build whose GIL is off: exit 1, one line" 'has no GIL .*not a default build'
    buildable_tree "$TEST_TMP/src nosub/Python-3.12.0" 3 12 "True none"
    build --gil "$TEST_TMP/src nosub/Python-3.12.0"
    expect_late_failure "--gil, no per-interpreter GIL module: exit 1, one line" 'no per-interpreter GIL module'
    if [ ! -e "$cache/cpython-3.12.1" ] && [ ! -e "$cache/cpython-3.14.1" ] \
        && [ -z "$(find "$cache" -maxdepth 1 -name '.build-cpython-ft.*')" ]; then
        pass "--gil, a build that fails its check: no PREFIX, no work folder left"
    else
        fail "--gil, a build that fails its check: no PREFIX, no work folder left" "$(ls -a "$cache")"
    fi
}

main() {
    test_usage
    test_checks
    test_gil
}

main "$@"
