#!/usr/bin/env bash
# scripts/build-cpython-ft.sh - build a free-threaded CPython (PEP 703,
# ./configure --disable-gil) from a CPython 3.13+ source tree or tarball into
# a per-user cache, where scripts/pythons.sh finds it as PYTHON_FT; with
# --gil, the default build (a GIL) of a 3.12+ source, found as PYTHON_INTERP
# (a GIL per isolated interpreter, PEP 684: a 3.14 where no package has one).
#
# The build runs in a temporary folder beside PREFIX and is installed with
# DESTDIR into that folder; PREFIX appears only when the interpreter has
# been installed and has answered that its GIL is off (--gil: on, with a
# per-interpreter GIL module), so a half-built prefix is never taken for an
# interpreter.
set -euo pipefail
# Nothing here prints the user's language; versions are compared as numbers.
export LC_ALL=C

readonly PROG=build-cpython-ft
# shellcheck source=scripts/schema.sh
source "$(dirname "${BASH_SOURCE[0]}")/schema.sh"
CACHE_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/gilbench
WORK=""

usage() {
    cat <<EOF
Usage: scripts/build-cpython-ft.sh [OPTION]... SOURCE_DIR_OR_TARBALL [PREFIX] [-- CONFIGURE_ARG...]

Build a free-threaded CPython (3.13 or later, ./configure --disable-gil) from a
CPython source folder or tarball (.tar.xz, .tar.gz, .tgz) and install it into
PREFIX, by default $CACHE_DIR/cpython-VERSIONt
(\$XDG_CACHE_HOME/gilbench, else ~/.cache/gilbench), where the bench finds it
(PYTHON_FT).  With --gil, the default build instead, with its GIL (3.12 or
later), into $CACHE_DIR/cpython-VERSION, where the bench finds it
for the interpreters rows (PYTHON_INTERP: isolated interpreters with a GIL
each, PEP 684), e.g. from Python-3.14.0.tar.xz.
Prints the installed interpreter's path on stdout; progress goes to stderr and
the compiler's output to PREFIX.log.

Options:
  --gil       build with the GIL (no --disable-gil), from 3.12 on; checked to
              have its GIL on and a per-interpreter GIL module
              (concurrent.interpreters, _interpreters or _xxsubinterpreters)
  --jobs=N    parallel make jobs (default: online CPUs, here $(nproc 2>/dev/null || echo 1))
  --force     replace PREFIX when it already exists (default: refuse)
  --help, --version
Arguments after -- go to ./configure as they are, e.g. -- --enable-optimizations.

Chosen for speed: no tests, no PGO (--enable-optimizations) and no LTO
(--with-lto), no pip (--without-ensurepip): the build takes minutes instead of
an hour, and the interpreter runs some 10-30% slower than a distribution's.
The bench compares this binary with itself (GIL off, then on with PYTHON_GIL=1),
so that A/B stays fair; add the two flags after -- for distribution speed.

Needs a C compiler, make, and the C library headers; the headers of zlib,
OpenSSL, libffi (ctypes), bz2, lzma, sqlite3 and readline are optional (a
warning names the Debian packages that give them).
Where to get a source: https://www.python.org/downloads/source/, or on Debian
'apt-get source python3.13' with a deb-src line for trixie (13) or later.
Exit status: 0 built and checked; 1 the build failed or the result is not
free-threaded (--gil: has no GIL or no per-interpreter GIL); 2 bad usage.
EOF
}

usage_error() {
    echo "$PROG: $1" >&2
    echo "Try 'scripts/build-cpython-ft.sh --help'." >&2
    exit 2
}

die() {
    echo "$PROG: $1" >&2
    exit 1
}

progress() { echo "$PROG: $1" >&2; }

cleanup() {
    [ -z "$WORK" ] || rm -rf "$WORK"
}

# check_tools: the compiler, make and libc headers, or one line naming what
# is missing and the Debian package that gives it.
check_tools() {
    local cc=${CC:-cc} tool missing=()
    command -v "$cc" >/dev/null 2>&1 || missing+=("a C compiler ($cc)")
    command -v make >/dev/null 2>&1 || missing+=(make)
    for tool in tar xz gzip; do
        command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        die "missing build tools: ${missing[*]} (Debian/Ubuntu: apt-get install build-essential xz-utils)"
    fi
    printf '#include <stdio.h>\n#include <pthread.h>\nint main(void) { return 0; }\n' |
        "$cc" -x c - -o /dev/null >/dev/null 2>&1 ||
        die "$cc cannot build a C program with <stdio.h> and <pthread.h> (Debian/Ubuntu: apt-get install build-essential)"
    local header pkg absent=()
    while read -r header pkg; do
        printf '#include <%s>\n' "$header" | "$cc" -x c -E - >/dev/null 2>&1 || absent+=("$pkg")
    done <<'EOF'
zlib.h zlib1g-dev
openssl/ssl.h libssl-dev
ffi.h libffi-dev
bzlib.h libbz2-dev
lzma.h liblzma-dev
sqlite3.h libsqlite3-dev
readline/readline.h libreadline-dev
EOF
    if [ "${#absent[@]}" -gt 0 ]; then
        progress "warning: optional headers missing, their modules will not be built: apt-get install ${absent[*]}"
    fi
}

# source_version TREE: "MAJOR MINOR VERSION" from Include/patchlevel.h.
source_version() {
    local h=$1/Include/patchlevel.h
    if [ ! -f "$1/configure" ] || [ ! -f "$h" ]; then
        return 1
    fi
    awk '$1 == "#define" && $2 == "PY_MAJOR_VERSION" { major = $3 }
         $1 == "#define" && $2 == "PY_MINOR_VERSION" { minor = $3 }
         $1 == "#define" && $2 == "PY_VERSION" { v = $3; gsub(/"/, "", v) }
         END { if (major == "" || minor == "" || v == "") exit 1; print major, minor, v }' "$h"
}

# unpack TARBALL DIR: extract into DIR; prints the tree (the one folder in it).
unpack() {
    local tarball=$1 dir=$2
    mkdir "$dir"
    # tar's and the decompressor's own lines (several for one fault) are
    # summed up in one: the last of them, with what the file is.
    local err
    if ! err=$(tar -xf "$tarball" -C "$dir" 2>&1); then
        die "cannot unpack $tarball: not a whole .tar.xz/.tar.gz (a damaged or partial download?): $(grep -v '^tar: \(Exiting\|Error is not recoverable\|Child returned\)' <<<"$err" | tail -n 1 | sed 's/^tar: //')"
    fi
    local trees=("$dir"/*/)
    if [ "${#trees[@]}" -ne 1 ] || [ ! -d "${trees[0]}" ]; then
        die "$tarball: expected one top folder (a CPython source tarball)"
    fi
    echo "${trees[0]%/}"
}

# check_gil_build EXE LOG: EXE has its GIL on and a module that creates
# isolated interpreters (what cases/count.py --mode=interpreters uses), or
# one line saying what it lacks.
check_gil_build() {
    local answer gil module
    answer=$("$1" -c '
import sys, importlib.util
def found(name):
    try:
        return importlib.util.find_spec(name) is not None
    except ImportError:
        return False
names = ["concurrent.interpreters", "_interpreters", "_xxsubinterpreters"]
print(getattr(sys, "_is_gil_enabled", lambda: True)(), ([n for n in names if found(n)] + ["none"])[0])
' 2>>"$2") || die "the new interpreter does not run (see $2)"
    read -r gil module <<<"$answer"
    [ "$gil" = True ] || die "the new interpreter has no GIL (sys._is_gil_enabled() is $gil): not a default build"
    [ "$module" != none ] ||
        die "the new interpreter has no per-interpreter GIL module (concurrent.interpreters, _interpreters, _xxsubinterpreters; see $2)"
}

main() {
    local jobs force=0 gil=0 positional=() configure_extra=()
    jobs=$(nproc 2>/dev/null || echo 1)
    while [ $# -gt 0 ]; do
        case "$1" in
            --help) usage; exit 0 ;;
            --version) print_version "$PROG"; exit 0 ;;
            --jobs=*) jobs=${1#--jobs=}
                [[ "$jobs" =~ ^[1-9][0-9]{0,2}$ ]] || usage_error "--jobs: expected a positive integer, got '$jobs'" ;;
            --force) force=1 ;;
            --gil) gil=1 ;;
            --) shift; configure_extra=("$@"); break ;;
            -*) usage_error "unknown option '$1'" ;;
            *) positional+=("$1") ;;
        esac
        shift
    done
    [ "${#positional[@]}" -ge 1 ] || usage_error "missing SOURCE_DIR_OR_TARBALL"
    [ "${#positional[@]}" -le 2 ] || usage_error "too many arguments: '${positional[2]}'"
    local source=${positional[0]} prefix=${positional[1]:-}
    [ -e "$source" ] || usage_error "$source: no such file or folder"
    [ -z "$prefix" ] || [[ "$prefix" == /* ]] || prefix="$PWD/$prefix"

    check_tools
    trap cleanup EXIT
    trap 'cleanup; trap - INT; kill -INT $$' INT
    trap 'cleanup; trap - TERM; kill -TERM $$' TERM

    # The work folder sits beside PREFIX (same file system: the final mv is
    # a rename); with the default PREFIX, that is the cache.
    local parent=${prefix:+$(dirname "$prefix")}
    parent=${parent:-$CACHE_DIR}
    mkdir -p "$parent" || die "cannot create $parent"
    WORK=$(mktemp -d "$parent/.build-cpython-ft.XXXXXX") || die "cannot write in $parent"

    local tree
    if [ -d "$source" ]; then
        tree=$(cd "$source" && pwd)
    else
        progress "[1/5] unpacking $source"
        tree=$(unpack "$source" "$WORK/src")
    fi
    local major minor version
    read -r major minor version < <(source_version "$tree") ||
        die "$source: not a CPython source tree (no configure or Include/patchlevel.h)"
    # What differs between the two builds: the oldest version, the flag, the
    # folder's and the command's suffix, and what the check asks.
    local oldest=13 flags=(--disable-gil) t=t what="--disable-gil"
    [ "$gil" -eq 0 ] || oldest=12 flags=() t="" what="with its GIL"
    if [ "$major" -lt 3 ] || { [ "$major" -eq 3 ] && [ "$minor" -lt "$oldest" ]; }; then
        if [ "$gil" -eq 1 ]; then
            die "$source is CPython $version: a GIL per interpreter (--gil) needs 3.12 or later"
        fi
        die "$source is CPython $version: free-threading (--disable-gil) needs 3.13 or later"
    fi
    prefix=${prefix:-$CACHE_DIR/cpython-${version}$t}
    if [ -e "$prefix" ]; then
        [ "$force" -eq 1 ] || die "$prefix already exists (remove it, give another PREFIX, or --force)"
    fi
    local log=$prefix.log build=$WORK/build
    mkdir "$build"
    : >"$log" || die "cannot write $log"

    progress "[2/5] configure CPython $version $what (log: $log)"
    (cd "$build" && "$tree/configure" --prefix="$prefix" "${flags[@]}" --without-ensurepip \
        "${configure_extra[@]}") >>"$log" 2>&1 ||
        die "configure failed: $(tail -n 1 "$log") (see $log)"
    progress "[3/5] make -j$jobs (minutes; log: $log)"
    make -C "$build" -j"$jobs" >>"$log" 2>&1 ||
        die "make failed: $(grep -m 1 -E 'error|Error' "$log" || tail -n 1 "$log") (see $log)"
    progress "[4/5] install"
    make -C "$build" install DESTDIR="$WORK/stage" >>"$log" 2>&1 ||
        die "make install failed: $(tail -n 1 "$log") (see $log)"

    local exe=$prefix/bin/python$major.${minor}$t staged
    staged=$WORK/stage$exe
    [ -x "$staged" ] || die "the install has no $exe (see $log)"
    # sys.prefix is found from the executable's place, so the staged copy runs.
    if [ "$gil" -eq 1 ]; then
        progress "[5/5] check: $exe has a GIL, and a GIL per isolated interpreter"
        check_gil_build "$staged" "$log"
    else
        progress "[5/5] check: $exe has no GIL"
        local answer
        answer=$("$staged" -c 'import sys; print(sys._is_gil_enabled())' 2>>"$log") ||
            die "the new interpreter does not run (see $log)"
        [ "$answer" = False ] || die "the new interpreter has its GIL on (sys._is_gil_enabled() is $answer)"
    fi
    [ "$force" -eq 0 ] || rm -rf "$prefix"
    mv "$WORK/stage$prefix" "$prefix" || die "cannot move the install into $prefix"
    echo "$exe"
}

main "$@"
