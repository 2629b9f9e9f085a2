#!/usr/bin/env bash
# scripts/bundle.sh - a run as one file to hand in.  A bundle is NAME.tar.gz holding the run
# folder NAME/ (every file of it) and NAME/SHA256SUMS, the sha256sum of each of its other
# files.  A damaged bundle (cut short by an upload, a bit flipped, a file edited or added
# after packing) is refused with one line saying what happened to it, before anything reads
# its numbers; a whole one is accepted in any wrapping a download gives it (open_bundle).
#
#   scripts/bundle.sh pack [--out FILE] RUN_DIR   write RUN_DIR.tar.gz beside it (make pack)
#   scripts/bundle.sh check BUNDLE               exit 0 when BUNDLE is whole
#   scripts/bundle.sh with RUN CMD [ARG]...      run CMD ARG... RUN, RUN opened first when it
#                                                is a bundle (make plots)
# Sourced (compare.sh), it defines is_bundle and open_bundle.
set -euo pipefail

# is_bundle PATH: PATH names a bundle (a file named *.tar.gz or *.tgz).
is_bundle() { [[ $1 == *.tar.gz || $1 == *.tgz ]] && [ ! -d "$1" ]; }

# A bundle reaches a reader in one of three wrappings, and each is whole: the gzip'd tar
# make pack writes; a plain tar still named .tar.gz (a browser or an LMS that removes the
# gzip layer on download, "Content-Encoding: gzip"); a second gzip layer around the first
# (an upload system that compresses again).  The checksums decide, not the wrapping; an
# accepted bundle that was not the usual gzip'd tar is named in one note on stderr.
readonly MAX_LAYERS=3

# magic FILE: "gzip" or "tar" by the file's first bytes (gzip: 1f 8b; a POSIX or GNU tar:
# "ustar" at byte 257), "empty", else "other".
magic() {
    [ -s "$1" ] || { echo empty; return 0; }
    if [ "$(head -c 2 -- "$1" | od -An -tx1 | tr -d ' \n')" = 1f8b ]; then
        echo gzip
    elif [ "$(tail -c +258 -- "$1" | head -c 5)" = ustar ]; then
        echo tar
    else
        echo other
    fi
}

# unwrap BUNDLE DIR: sets BUNDLE_TAR, the plain tar inside BUNDLE (BUNDLE itself, or a
# file under DIR with every gzip layer removed), and BUNDLE_LAYERS, how many there were.
# On a file that is no bundle: one line on stderr (after $why), return 1.
unwrap() {
    local f=$1 dir=$2 err kind
    BUNDLE_LAYERS=0
    while [ "$(magic "$f")" = gzip ]; do
        [ "$BUNDLE_LAYERS" -lt "$MAX_LAYERS" ] || {
            printf '%s: more than %d gzip layers\n' "$why" "$MAX_LAYERS" >&2; return 1; }
        BUNDLE_LAYERS=$((BUNDLE_LAYERS + 1))
        if ! err=$(gzip -dc -- "$f" 2>&1 >"$dir/layer$BUNDLE_LAYERS"); then
            err=$(printf '%s\n' "$err" | grep -m 1 . | sed 's/^gzip: .*: \([^:]*\)$/\1/')
            case $err in
                *"unexpected end of file"*)
                    printf '%s: cut short (%s: an upload or download was interrupted); fetch the whole file again\n' "$why" "$err" >&2 ;;
                *) printf '%s: its compressed data is corrupt (gzip: %s)\n' "$why" "$err" >&2 ;;
            esac
            return 1
        fi
        f="$dir/layer$BUNDLE_LAYERS"
    done
    kind=$(magic "$f")
    case $kind in
        tar) BUNDLE_TAR=$f ;;
        empty) printf '%s: %s\n' "$why" "$([ "$BUNDLE_LAYERS" -eq 0 ] && echo "an empty file" || echo "its gzip layer holds nothing")" >&2; return 1 ;;
        *) printf '%s: %s\n' "$why" "$([ "$BUNDLE_LAYERS" -eq 0 ] && echo "neither a gzip nor a tar file (not made by make pack)" ||
            echo "its gzip layer holds no tar archive (not made by make pack)")" >&2; return 1 ;;
    esac
}

# first_of WHAT LIST: "WHAT: first" or "WHAT: first (and N more)" for a list of names, one
# a line; nothing for an empty list.
first_of() {
    [ -n "$2" ] || return 0
    local n
    n=$(printf '%s\n' "$2" | grep -c .)
    printf '%s %s%s' "$(printf '%s\n' "$2" | head -n 1)" "$1" "$([ "$n" -le 1 ] || echo " (and $((n - 1)) more)")"
}

# check_sums RUN: every file of RUN listed in RUN/SHA256SUMS and matching, and nothing
# listed missing; else one line on stderr naming the first file of each kind, return 1.
check_sums() {
    local run=$1 out listed present failed missing added what
    if ! out=$(cd "$run" && sha256sum --check --strict SHA256SUMS 2>&1); then
        if printf '%s\n' "$out" | grep -q 'improperly formatted'; then
            printf '%s: its SHA256SUMS is not a checksum list (edited after packing)\n' "$why" >&2
            return 1
        fi
    fi
    listed=$(awk '{ sub(/^[^ ]+ [ *]/, ""); print }' "$run/SHA256SUMS" | LC_ALL=C sort)
    present=$(cd "$run" && find . -type f ! -path ./SHA256SUMS | LC_ALL=C sort)
    missing=$(LC_ALL=C comm -23 <(printf '%s\n' "$listed") <(printf '%s\n' "$present") | sed 's|^\./||')
    added=$(LC_ALL=C comm -13 <(printf '%s\n' "$listed") <(printf '%s\n' "$present") | sed 's|^\./||')
    failed=$(printf '%s\n' "$out" | sed -n 's|^\(\./\)\{0,1\}\(.*\): FAILED$|\2|p')
    what=$(
        first_of "differs from its checksum (changed after packing)" "$failed"
        [ -z "$failed" ] || [ -z "$missing$added" ] || printf '; '
        first_of "is listed in SHA256SUMS but missing (cut short, or removed after packing)" "$missing"
        [ -z "$missing" ] || [ -z "$added" ] || printf '; '
        first_of "is not in SHA256SUMS (added after packing)" "$added"
    )
    [ -n "$what" ] || return 0
    printf '%s: %s\n' "$why" "$what" >&2
    return 1
}

# open_bundle BUNDLE DIR: check BUNDLE and unpack it under the empty folder DIR; print the
# run folder inside.  On a damaged bundle: one line on stderr (prefixed with $PROG) saying
# what is wrong with it, return 1.  A whole bundle in another wrapping than make pack's
# (above): one note on stderr.
open_bundle() {
    local bundle=$1 dir=$2 names top bad note=""
    local why="${PROG:-bundle}: $bundle: a damaged bundle"
    [ -f "$bundle" ] || { printf '%s: %s: no such bundle\n' "${PROG:-bundle}" "$bundle" >&2; return 1; }
    unwrap "$bundle" "$dir" || return 1
    # One top folder of plain files and folders: no link, no absolute path, no "..".
    if ! names=$(tar -tvf "$BUNDLE_TAR" 2>"$dir/tar.err"); then
        if grep -qi 'unexpected EOF' "$dir/tar.err"; then
            printf '%s: cut short (the tar archive ends early: an upload or download was interrupted); fetch the whole file again\n' "$why" >&2
        else
            printf '%s: not a readable tar archive (%s)\n' "$why" "$(grep -m 1 . "$dir/tar.err" | sed 's/^tar: //')" >&2
        fi
        return 1
    fi
    top=$(tar -tf "$BUNDLE_TAR" | awk -F/ 'NR == 1 { print $1 }')
    bad=$(tar -tf "$BUNDLE_TAR" | awk -F/ -v top="$top" '$1 != top || $0 ~ /(^|\/)\.\.(\/|$)/ || top == "" || top == "."' | head -n 1)
    if [ -n "$bad" ] || printf '%s\n' "$names" | grep -q '^[^d-]'; then
        printf '%s: it must hold one run folder of plain files%s (not made by make pack)\n' "$why" "${bad:+, not \"$bad\"}" >&2
        return 1
    fi
    mkdir -p "$dir/run"
    tar -xf "$BUNDLE_TAR" -C "$dir/run" --no-same-owner --no-same-permissions || {
        printf '%s: %s: cannot unpack into %s\n' "${PROG:-bundle}" "$bundle" "$dir" >&2; return 1; }
    [ "$BUNDLE_TAR" = "$bundle" ] || rm -f -- "$dir"/layer*
    if [ ! -f "$dir/run/$top/SHA256SUMS" ]; then
        printf '%s: no SHA256SUMS (not made by make pack)\n' "$why" >&2
        return 1
    fi
    check_sums "$dir/run/$top" || return 1
    case $BUNDLE_LAYERS in
        0) note="a plain tar without the gzip layer of a .tar.gz (a browser or the LMS removed it on download)" ;;
        1) ;;
        *) note="gzip'd $BUNDLE_LAYERS times (an upload or download compressed it again)" ;;
    esac
    [ -z "$note" ] || printf '%s: %s: note: %s; every checksum matches, so it is whole\n' "${PROG:-bundle}" "$bundle" "$note" >&2
    printf '%s\n' "$dir/run/$top"
}

usage() {
    cat <<'EOF2'
Usage: scripts/bundle.sh pack [--out FILE] RUN_DIR    (make pack RUN=results/HOST-TIME)
       scripts/bundle.sh check BUNDLE
       scripts/bundle.sh with RUN_DIR_OR_BUNDLE CMD [ARG]...

pack   write the run folder RUN_DIR as one file to hand in, RUN_DIR.tar.gz beside it
       (--out: elsewhere), with SHA256SUMS, the checksum of each of its files; prints its path
check  exit 0 when BUNDLE is whole (one run folder, every checksum; a plain tar or a
       gzip of a gzip is whole too, with a note), else one line saying what is wrong, 1
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
    # The command works on an unpacked copy that goes away: what it would
    # write into the run (plots.sh: report.html) goes elsewhere.
    GILBENCH_FROM_BUNDLE=1 "$@" "$run" || status=$?
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
