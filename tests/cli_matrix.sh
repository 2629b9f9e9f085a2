#!/usr/bin/env bash
# tests/cli_matrix.sh - scripts/matrix.sh's EXPERIMENTS table says what runs:
# a row's mode and variant are what the tables, the progress line and the
# plots' colours show, so a CPython row with the GIL on is mode gil, with the
# GIL it has (variant old for CPython 2.7, new for CPython 3), and only a row
# without a GIL (-X gil=0) is mode threads.  count-2-cpython py-threads was
# mode threads, and count-2-time.png drew CPython 3.11's threads in the
# free-threads colour.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/matrix.sh
source "$ROOT/scripts/matrix.sh"

# cpython_rows: "group label mode variant" of each row whose command runs a
# CPython's threads (count.py --mode=threads, convoy.py), with what that
# interpreter's GIL is: old, new or none; read by the table's column names.
cpython_rows() {
    awk -v OFS=' ' 'NF == 0 { next }
        !n++ { for (i = 1; i <= NF; i++) col[$i] = i; next }
        {
            cmd = $col["command"]; for (i = col["command"] + 1; i <= NF; i++) cmd = cmd " " $i
            if (cmd !~ /cases\/(count\.py --mode=threads|convoy\.py)/) next
            gil = (cmd ~ /-X gil=0/) ? "none" : ($col["impl"] ~ /PYTHON2/) ? "old" : "new"
            print $col["group"], $col["label"], $col["mode"], $col["variant"], gil
        }' <<<"$EXPERIMENTS"
}

test_cpython_modes() {
    local group label mode variant gil wrong="" rows=0 want
    while read -r group label mode variant gil; do
        rows=$((rows + 1))
        case $gil in
            none) want="threads -" ;;
            *) want="gil $gil" ;;
        esac
        [ "$mode $variant" = "$want" ] || wrong+=" $group/$label: '$mode $variant', wanted '$want';"
    done < <(cpython_rows)
    # count-2-cpython: py-threads py2-threads pyft-threads pyft-gil-threads;
    # convoy: py2 pyft py; convoy-interval: py.
    expect_eq "matrix: the CPython thread rows found (8)" "$rows" 8
    expect_eq "matrix: a CPython row's mode and variant are its GIL's (gil new, gil old; threads without one)" "$wrong" ""
}

main() {
    test_cpython_modes
}

main "$@"
