#!/usr/bin/env bash
# scripts/bundle.sh - a run as one file to hand in.  A bundle is NAME.tar.gz holding the run
# folder NAME/ (every file of it) and NAME/SHA256SUMS, the sha256sum of each of its other
# files.  A damaged bundle (cut short by an upload, a bit flipped, a file edited or added
# after packing) is refused with one line, before anything reads its numbers.
#
#   scripts/bundle.sh pack [--out FILE] RUN_DIR   write RUN_DIR.tar.gz beside it (make pack)
#   scripts/bundle.sh check BUNDLE               exit 0 when BUNDLE is whole
#   scripts/bundle.sh with RUN CMD [ARG]...      run CMD ARG... RUN, RUN opened first when it
#                                                is a bundle (make plots)
# Sourced (compare.sh), it defines is_bundle and open_bundle.
set -euo pipefail

# is_bundle PATH: PATH names a bundle (a file named *.tar.gz or *.tgz).
is_bundle() { [[ $1 == *.tar.gz || $1 == *.tgz ]] && [ ! -d "$1" ]; }

# open_bundle BUNDLE DIR: check BUNDLE and unpack it into the empty folder DIR; print the run
# folder inside.  On a damaged bundle: one line on stderr (prefixed with $PROG), return 1.
open_bundle() {
    local bundle=$1 dir=$2 err names top bad
    local why="${PROG:-bundle}: $bundle: a damaged bundle"
    [ -f "$bundle" ] || { printf '%s: %s: no such bundle\n' "${PROG:-bundle}" "$bundle" >&2; return 1; }
    if ! err=$(gzip -t -- "$bundle" 2>&1); then
        printf '%s (%s); pack or upload it again\n' "$why" "$(printf '%s\n' "$err" | grep -m 1 . | sed 's/^gzip: .*: \([^:]*\)$/\1/')" >&2
        return 1
    fi
    # One top folder of plain files and folders: no link, no absolute path, no "..".
    if ! names=$(tar -tzvf "$bundle" 2>/dev/null); then
        printf '%s (not a tar archive); pack or upload it again\n' "$why" >&2
        return 1
    fi
    top=$(tar -tzf "$bundle" | awk -F/ 'NR == 1 { print $1 }')
    bad=$(tar -tzf "$bundle" | awk -F/ -v top="$top" '$1 != top || $0 ~ /(^|\/)\.\.(\/|$)/ || top == "" || top == "."' | head -n 1)
    if [ -n "$bad" ] || printf '%s\n' "$names" | grep -q '^[^d-]'; then
        printf '%s (it must hold one run folder of plain files%s); pack it with make pack\n' "$why" "${bad:+, not \"$bad\"}" >&2
        return 1
    fi
    tar -xzf "$bundle" -C "$dir" --no-same-owner --no-same-permissions || {
        printf '%s: %s: cannot unpack into %s\n' "${PROG:-bundle}" "$bundle" "$dir" >&2; return 1; }
    if [ ! -f "$dir/$top/SHA256SUMS" ]; then
        printf '%s (no SHA256SUMS: not made by make pack)\n' "$why" >&2
        return 1
    fi
    # Every file listed and matching, and no file that is not listed.
    if ! err=$(cd "$dir/$top" && sha256sum --check --strict --quiet SHA256SUMS 2>&1) ||
        [ "$(cd "$dir/$top" && find . -type f ! -path ./SHA256SUMS | sort)" != "$(awk '{ sub(/^[^ ]+ [ *]/, ""); print }' "$dir/$top/SHA256SUMS" | sort)" ]; then
        printf '%s (its files do not match SHA256SUMS%s); pack or upload it again\n' "$why" \
            "${err:+: $(printf '%s' "$err" | head -n 1)}" >&2
        return 1
    fi
    printf '%s\n' "$dir/$top"
}

usage() {
    cat <<'EOF2'
Usage: scripts/bundle.sh pack [--out FILE] RUN_DIR    (make pack RUN=results/HOST-TIME)
       scripts/bundle.sh check BUNDLE
       scripts/bundle.sh with RUN_DIR_OR_BUNDLE CMD [ARG]...

pack   write the run folder RUN_DIR as one file to hand in, RUN_DIR.tar.gz beside it
       (--out: elsewhere), with SHA256SUMS, the checksum of each of its files; prints its path
check  exit 0 when BUNDLE is whole (gzip, one run folder, every checksum), else one line, 1
with   run CMD ARG... on the run folder: a bundle is checked and unpacked into a temporary
       folder first (removed after); anything else is passed on as it is
--help, --version
make compare and make plots take bundles wherever they take run folders.
Exit 0 done, 1 a failure or a damaged bundle, 2 bad usage.
EOF2
}

usage_error() { printf '%s: %s\n' "$PROG" "$1" >&2; printf "Try 'scripts/bundle.sh --help'.\n" >&2; exit 2; }

# pack RUN_DIR OUT: the bundle is written under a temporary name and renamed when whole.
pack() {
    local run=${1%/} out=$2 name stage
    PACK_STAGE="" PACK_TMP=""
    [ -d "$run" ] || usage_error "pack: no such run folder: '$run'"
    name=$(basename -- "$run")
    [[ $name != .* ]] || usage_error "pack: '$run' is a partial run (still running, or stopped): pack a finished one"
    if [ ! -f "$run/summary.csv" ] || [ ! -f "$run/machine.json" ]; then
        usage_error "pack: '$run' is not a run folder (no summary.csv or machine.json)"
    fi
    [ -n "$out" ] || out="$run.tar.gz"
    is_bundle "$out" || usage_error "pack: --out: a bundle is named *.tar.gz, got '$out'"
    PACK_STAGE=$(mktemp -d)
    PACK_TMP="$(dirname -- "$out")/.$(basename -- "$out").partial"
    trap 'rm -rf "$PACK_STAGE" "$PACK_TMP"' EXIT
    stage=$PACK_STAGE
    cp -R -- "$run" "$stage/$name"
    rm -f "$stage/$name/SHA256SUMS"
    # The sums are written outside the folder first: find must not list SHA256SUMS itself.
    if ! (cd "$stage/$name" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum >"$stage/sums") ||
        ! mv "$stage/sums" "$stage/$name/SHA256SUMS"; then
        printf '%s: cannot checksum the files of %s\n' "$PROG" "$run" >&2
        exit 1
    fi
    local tmp=$PACK_TMP
    if ! tar -C "$stage" --owner=0 --group=0 --numeric-owner -czf "$tmp" -- "$name" || ! gzip -t -- "$tmp" 2>/dev/null; then
        printf '%s: writing %s failed (disk full?); nothing was written\n' "$PROG" "$out" >&2
        exit 1
    fi
    mv -f -- "$tmp" "$out" || { printf '%s: cannot put %s in place\n' "$PROG" "$out" >&2; exit 1; }
    printf '%s\n' "$out"
}

# with RUN CMD...: CMD... RUN, a bundle opened first into a folder removed afterwards.
with_run() {
    local run=$1 dir status=0
    shift
    [ $# -gt 0 ] || usage_error "with: expected a command"
    if ! is_bundle "$run" || [ ! -e "$run" ]; then
        exec "$@" "$run"
    fi
    WITH_DIR=$(mktemp -d)
    dir=$WITH_DIR
    trap 'rm -rf "$WITH_DIR"' EXIT
    trap 'rm -rf "$WITH_DIR"; trap - INT; kill -s INT $$' INT
    trap 'rm -rf "$WITH_DIR"; trap - TERM; kill -s TERM $$' TERM
    run=$(open_bundle "$run" "$dir") || exit 1
    "$@" "$run" || status=$?
    exit "$status"
}

main() {
    export LC_ALL=C
    PROG=bundle
    local cmd=${1:-}
    [ $# -eq 0 ] || shift
    case $cmd in
        -h | --help) usage ;;
        --version)
            # shellcheck source=scripts/schema.sh
            source "$(dirname "${BASH_SOURCE[0]}")/schema.sh"
            print_version "$PROG" ;;
        pack)
            local out="" run=""
            while [ $# -gt 0 ]; do
                case $1 in
                    --out) [ $# -ge 2 ] || usage_error "pack: --out: expected a file name"; out=$2; shift ;;
                    --out=*) out=${1#--out=} ;;
                    -?*) usage_error "pack: unknown option '$1'" ;;
                    *) [ -z "$run" ] || usage_error "pack: one run folder at a time, got '$run' and '$1'"; run=$1 ;;
                esac
                shift
            done
            [ -n "$run" ] || usage_error "pack: RUN= is required: make pack RUN=results/HOST-TIME"
            pack "$run" "$out" ;;
        check)
            [ $# -eq 1 ] || usage_error "check: expected one bundle"
            local dir status=0
            dir=$(mktemp -d)
            open_bundle "$1" "$dir" >/dev/null || status=1
            rm -rf "$dir"
            [ "$status" -ne 0 ] || printf '%s: whole\n' "$1"
            exit "$status" ;;
        with) [ $# -ge 1 ] || usage_error "with: expected a run folder or bundle and a command"; with_run "$@" ;;
        "") usage_error "expected pack, check or with" ;;
        *) usage_error "unknown command '$cmd'" ;;
    esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then main "$@"; fi
