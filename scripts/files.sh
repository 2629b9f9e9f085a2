# scripts/files.sh - publish a file only when it is complete.  Sourced by the
# scripts that write a run's tables, plots and machine.json.
# shellcheck shell=bash
#
# A writer that hits a full disk usually says so and exits non-zero (awk, jq,
# bash's echo, cp), but gnuplot's cairo terminals exit 0 with a truncated
# file.  So a file is written under a temporary name beside its final one,
# the writer's status is checked, then the file's own end (is_complete), and
# only then is it renamed into place: a reader never sees half a file, and an
# older complete file is kept until the new one is whole.

# is_complete FILE [NAME]: FILE ends as its format (by NAME's extension,
# default FILE's) must.  PDF: the %%EOF marker near
# its end; PNG: the IEND chunk (its type and CRC are the last 8 bytes); SVG:
# the closing </svg>; JSON: jq parses it; any other text: it is not empty and
# its last line is whole (ends in a newline).
is_complete() {
    local file=$1 name=${2:-$1}
    [ -s "$file" ] || return 1
    case "$name" in
        *.pdf) tail -c 64 -- "$file" | grep -aq '%%EOF' ;;
        *.png) [ "$(tail -c 8 -- "$file" | od -An -tx1 | tr -d ' \n')" = 49454e44ae426082 ] ;;
        *.svg) tail -c 64 -- "$file" | grep -aq '</svg>' ;;
        *.json | *.jsonl) jq -s -e 'length > 0' -- "$file" >/dev/null 2>&1 ;;
        *) [ "$(tail -c 1 -- "$file" | od -An -tx1 | tr -d ' ')" = 0a ] ;;
    esac
}

# partial_name FILE: the temporary name FILE is written under (same folder,
# so the final rename is atomic; hidden, so a glob for *.csv misses it).
partial_name() { printf '%s/.%s.partial' "$(dirname -- "$1")" "$(basename -- "$1")"; }

# publish_file TMP FILE: check TMP is complete and rename it to FILE; else
# remove it and fail with a message on stderr.
publish_file() {
    local tmp=$1 file=$2
    if ! is_complete "$tmp" "$file"; then
        rm -f -- "$tmp"
        printf '%s: %s was not written completely (disk full?); the old one, if any, is kept\n' \
            "${PROG:-gilbench}" "$file" >&2
        return 1
    fi
    if ! mv -f -- "$tmp" "$file"; then
        rm -f -- "$tmp"
        printf '%s: cannot put %s in place\n' "${PROG:-gilbench}" "$file" >&2
        return 1
    fi
}

# write_file FILE CMD...: CMD's stdout becomes FILE, or FILE is left as it
# was and this fails with a message.  CMD runs as an asynchronous command so
# that `set -e` stays on inside it (it is off in any command tested by if or
# ||): a shell function whose first echo fails stops there.
write_file() {
    local file=$1 tmp rc=0
    shift
    tmp=$(partial_name "$file")
    "$@" >"$tmp" &
    wait "$!" || rc=$?
    if [ "$rc" -ne 0 ]; then
        rm -f -- "$tmp"
        printf '%s: writing %s failed (exit %d); the old one, if any, is kept\n' \
            "${PROG:-gilbench}" "$file" "$rc" >&2
        return 1
    fi
    publish_file "$tmp" "$file"
}

# copy_file SRC FILE: copy SRC (complete) to FILE the same way: a partial
# copy on a full disk is never left under FILE's name.
copy_file() {
    local src=$1 file=$2 tmp
    tmp=$(partial_name "$file")
    if ! cp -- "$src" "$tmp"; then
        rm -f -- "$tmp"
        printf '%s: cannot copy %s to %s\n' "${PROG:-gilbench}" "$src" "$file" >&2
        return 1
    fi
    publish_file "$tmp" "$file"
}

# run_name: the name of a new run folder (and of its bundle, NAME.tar.gz):
# the host's short name as machine.json records it (uname -n up to its first
# dot; not `hostname`, which Fedora toolbox and UBI containers lack), "-",
# the time in UTC, e.g. pc018-20261207T110848Z.  The host part keeps only
# [A-Za-z0-9._-] (any other byte becomes "-") and never starts with "-" or
# "." (tar and ls would take the name for an option; a leading dot hides a
# finished run as a partial one); "host" when nothing is left.  With EPOCH
# (seconds), the time is that second's, not now.
run_name() {
    local host when
    host=$(uname -n 2>/dev/null) || host=""
    host=$(printf '%s' "${host%%.*}" | LC_ALL=C tr -c 'A-Za-z0-9._-' '-')
    while [[ $host == [-.]* ]]; do host=${host#?}; done
    if [ -n "${1:-}" ]; then when=$(date -u -d "@$1" +%Y%m%dT%H%M%SZ); else when=$(date -u +%Y%m%dT%H%M%SZ); fi
    printf '%s-%s\n' "${host:-host}" "$when"
}

# claim_run DIR: a run folder of this process's own in DIR, RUN_NAME its
# name: DIR/.NAME.partial made by mkdir without -p, which fails when another
# run holds it (two students starting in the same second in one checkout, a
# restored VM whose clock repeats a second); a name that is taken, as a
# partial or a finished run, passes to the next second's.  Exit 1 with one
# line when DIR refuses a folder (permissions, a full disk).
claim_run() {
    local dir=$1 epoch i err name
    epoch=$(date -u +%s)
    for i in $(seq 0 99); do
        name=$(run_name $((epoch + i)))
        [ ! -e "$dir/$name" ] || continue
        if err=$(mkdir "$dir/.$name.partial" 2>&1); then
            # finished and renamed between our look and our mkdir: not ours
            if [ -e "$dir/$name" ]; then rmdir "$dir/.$name.partial"; continue; fi
            # shellcheck disable=SC2034 # read by bench.sh
            RUN_NAME=$name
            return 0
        fi
        [ -e "$dir/.$name.partial" ] || { echo "bench: cannot make a run folder in $dir: ${err##*: }" >&2; exit 1; }
    done
    echo "bench: no free run name in $dir (100 seconds' names are taken)" >&2
    exit 1
}
