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
    # convoy: py2 pyft py py-one-cpu; convoy-interval: py.
    expect_eq "matrix: the CPython thread rows found (9)" "$rows" 9
    expect_eq "matrix: a CPython row's mode and variant are its GIL's (gil new, gil old; threads without one)" "$wrong" ""
}

# plan_for IMPL [GROUPS [CORES]]: "id<TAB>mode<TAB>command" (its words
# joined by spaces) of GROUPS (count-2, count-10 and count-2-cpython) when
# PYTHON's impl is IMPL and CORES (2) CPUs are usable.
plan_for() {
    # shellcheck disable=SC2034 # read by plan_experiments, as {BIN}, {PYTHON} ...
    local BIN=bin CORES=${3:-2} SERVER_URL=http://127.0.0.1:1 PYTHON=/usr/bin/python3
    # shellcheck disable=SC2034
    local PYTHON_IMPL=$1 PYTHON2="" PYTHON2_IMPL="" PYTHON_FT="" PYTHON_FT_IMPL=""
    set_sizes tiny
    plan_experiments "${2:-count-2|count-10|count-2-cpython}" | awk -F'\t' "$COLUMNS_AWK"'
        FNR == 1 { header(); next }
        { cmd = $col["command"]; for (i = col["command"] + 1; i <= NF; i++) cmd = cmd " " $i
          print get("id") "\t" get("mode") "\t" cmd }'
}

# interp (a GIL per task) beside gil in count-2 and count-10; count.py's
# interpreters row only for a CPython that has a GIL per interpreter (3.12+).
test_interp_rows() {
    local plan impl
    plan=$(plan_for cpython-3.12.1)
    expect_eq "matrix: count-2.interp and count-10.interp, mode interp, --mode=interp" \
        "$(awk -F'\t' '$1 ~ /^count-(2|10)\.interp$/ && $2 == "interp" && $3 ~ /--mode=interp / { print $1 }' <<<"$plan" | paste -sd' ')" \
        "count-2.interp count-10.interp"
    for impl in cpython-3.12.1 cpython-3.13.0 cpython-3.14.0 cpython-3.13.5t; do
        plan=$(plan_for "$impl")
        expect_eq "matrix: PYTHON $impl: count-2-cpython.py-interpreters runs count.py --mode=interpreters" \
            "$(awk -F'\t' '$1 == "count-2-cpython.py-interpreters" && $2 == "interp" && $3 ~ /--mode=interpreters/ { n++ } END { print n + 0 }' <<<"$plan")" 1
    done
    for impl in cpython-3.11.7 cpython-3.9.18 cpython-2.7.18 pypy-3.10.14 ""; do
        plan=$(plan_for "$impl")
        expect_eq "matrix: PYTHON '${impl}': no py-interpreters row" \
            "$(grep -c 'py-interpreters' <<<"$plan" || true)" 0
    done
}

# Where the convoy's threads run is a variable the plan fixes (issue 22):
# every convoy row apart (the spinner on a CPU of its own), the one-cpu rows
# all on one CPU; with one usable CPU nothing can be apart.
test_convoy_placement() {
    local plan
    plan=$(plan_for cpython-3.11.7 'convoy|convoy-interval' 2)
    expect_eq "matrix: 2 CPUs: every convoy row but the one-cpu ones runs --pin=apart" \
        "$(awk -F'\t' '$1 !~ /one-cpu/ && $3 !~ / --pin=apart( |$)/ { print $1 }' <<<"$plan")" ""
    expect_eq "matrix: the one-cpu rows (ours, CPython's) run --pin=same" \
        "$(awk -F'\t' '$1 ~ /one-cpu/ && $3 ~ / --pin=same( |$)/ { print $1 }' <<<"$plan" | paste -sd' ')" \
        "convoy.gil-one-cpu convoy.py-one-cpu"
    plan=$(plan_for cpython-3.11.7 'convoy|convoy-interval' 1)
    expect_eq "matrix: 1 usable CPU: the convoy rows run unpinned (--pin=none)" \
        "$(awk -F'\t' '$1 !~ /one-cpu/ && $3 !~ / --pin=none( |$)/ { print $1 }' <<<"$plan")" ""
}

main() {
    test_cpython_modes
    test_interp_rows
    test_convoy_placement
}

main "$@"
