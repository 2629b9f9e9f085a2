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
            if (cmd !~ /cases\/(count\.py --mode=threads|convoy\.py)/ || cmd ~ /--mode=interpreters/) next
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
    # count-2-cpython: py-threads pyi-threads py2-threads pyft-threads
    # pyft-gil-threads; convoy: py2 pyft py pyi-threads py-one-cpu;
    # convoy-interval: py.
    expect_eq "matrix: the CPython thread rows found (11)" "$rows" 11
    expect_eq "matrix: a CPython row's mode and variant are its GIL's (gil new, gil old; threads without one)" "$wrong" ""
}

# plan_for IMPL [GROUPS [CORES]]: "id<TAB>mode<TAB>command<TAB>baseline"
# (the command's words joined by spaces) of GROUPS (count-2, count-10 and
# count-2-cpython) when PYTHON's impl is IMPL, PYTHON_INTERP is INTERP (a
# path, empty: none found) of impl INTERP_IMPL, and CORES (2) CPUs are usable.
plan_for() {
    # shellcheck disable=SC2034 # read by plan_experiments, as {BIN}, {PYTHON} ...
    local BIN=bin CORES=${3:-2} SERVER_URL=http://127.0.0.1:1 PYTHON=/usr/bin/python3
    # shellcheck disable=SC2034
    local PYTHON_IMPL=$1 PYTHON2="" PYTHON2_IMPL="" PYTHON_FT="" PYTHON_FT_IMPL=""
    # shellcheck disable=SC2034
    local PYTHON_INTERP=${INTERP:-} PYTHON_INTERP_IMPL=${INTERP_IMPL:-}
    set_sizes tiny
    plan_experiments "${2:-count-2|count-10|count-2-cpython}" | awk -F'\t' "$COLUMNS_AWK"'
        FNR == 1 { header(); next }
        { cmd = $col["command"]; for (i = col["command"] + 1; i <= NF; i++) cmd = cmd " " $i
          print get("id") "\t" get("mode") "\t" cmd "\t" get("baseline") }'
}

# interp (a GIL per task) beside gil in count-2 and count-10; count.py's
# interpreters row in PYTHON_INTERP (pythons.sh: a CPython 3.12+ with a
# GIL), read against py-seq where that is PYTHON, else against a pyi-seq of
# its own; none without a PYTHON_INTERP, whatever PYTHON is.
test_interp_rows() {
    local plan impl
    plan=$(plan_for cpython-3.12.1)
    expect_eq "matrix: count-2.interp and count-10.interp, mode interp, --mode=interp" \
        "$(awk -F'\t' '$1 ~ /^count-(2|10)\.interp$/ && $2 == "interp" && $3 ~ /--mode=interp / { print $1 }' <<<"$plan" | paste -sd' ')" \
        "count-2.interp count-10.interp"
    for impl in cpython-3.12.1 cpython-3.13.0 cpython-3.11.7 ""; do
        plan=$(INTERP="" INTERP_IMPL="" plan_for "$impl" 'count-2-cpython|start-cpython')
        expect_eq "matrix: PYTHON '$impl', no PYTHON_INTERP: no interpreters row, no pyi-seq, no start-cpython" \
            "$(grep -c 'interpreters\|pyi-seq\|^start-cpython' <<<"$plan" || true)" 0
    done
    plan=$(INTERP=/usr/bin/python3 INTERP_IMPL=cpython-3.12.1 plan_for cpython-3.12.1 'count-2-cpython|start-cpython')
    expect_eq "matrix: PYTHON_INTERP is PYTHON: py-interpreters read against py-seq, no pyi-seq" \
        "$(awk -F'\t' '$1 == "count-2-cpython.py-interpreters" && $2 == "interp" && $3 ~ /^\/usr\/bin\/python3 cases\/count.py --mode=interpreters/ { print $4 }
                       $1 == "count-2-cpython.pyi-seq" { print "pyi-seq" }' <<<"$plan")" "count-2-cpython.py-seq"
    plan=$(INTERP="/opt/py 3.13/bin/python3" INTERP_IMPL=cpython-3.13.0 plan_for cpython-3.11.7 'count-2-cpython|start-cpython')
    expect_eq "matrix: PYTHON_INTERP not PYTHON: py-interpreters in it, read against its own pyi-seq" \
        "$(awk -F'\t' '$1 == "count-2-cpython.py-interpreters" && $3 ~ /^\/opt\/py 3\.13\/bin\/python3 cases\/count.py --mode=interpreters/ { print $4 }' <<<"$plan")" \
        "count-2-cpython.pyi-seq"
    expect_eq "matrix: pyi-seq runs PYTHON_INTERP's seq, its own baseline" \
        "$(awk -F'\t' '$1 == "count-2-cpython.pyi-seq" && $3 ~ /^\/opt\/py 3\.13\/bin\/python3 cases\/count.py --mode=seq/ { print $4 }' <<<"$plan")" \
        "count-2-cpython.pyi-seq"
    expect_eq "matrix: and a ceiling of its own, pyi-shell: two one-task PYTHON_INTERP processes by bin/together" \
        "$(awk -F'\t' '$1 == "count-2-cpython.pyi-shell" && $3 ~ /^bin\/together --copies=2 -- \/opt\/py 3\.13\/bin\/python3 cases\/count.py --mode=seq --tasks=1 / { print $4 }' <<<"$plan")" \
        "count-2-cpython.pyi-seq"
    plan=$(INTERP=/usr/bin/python3 INTERP_IMPL=cpython-3.12.1 plan_for cpython-3.12.1 'count-2-cpython')
    expect_eq "matrix: PYTHON_INTERP is PYTHON: no pyi-shell (py-shell is its ceiling)" \
        "$(grep -c 'pyi-shell' <<<"$plan" || true)" 0
    plan=$(INTERP="/opt/py 3.13/bin/python3" INTERP_IMPL=cpython-3.13.0 plan_for cpython-3.11.7 'count-2-cpython|start-cpython')
    expect_eq "matrix: py-seq and py-threads stay PYTHON's" \
        "$(awk -F'\t' '$1 ~ /\.py-(seq|threads)$/ && $3 ~ /^\/usr\/bin\/python3 / { n++ } END { print n + 0 }' <<<"$plan")" 2
    # The cost of starting: count.py counting to 1, in seq, two interpreters,
    # two processes, all in PYTHON_INTERP, read against its seq.
    expect_eq "matrix: start-cpython: seq, interpreters, processes of PYTHON_INTERP counting to 1" \
        "$(awk -F'\t' '$1 ~ /^start-cpython\./ && $3 ~ /^\/opt\/py 3\.13\/bin\/python3 cases\/count.py --mode=[a-z]+ --tasks=2 --iterations=1$/ && $4 == "start-cpython.py-seq" { print $1 "/" $2 }' <<<"$plan" | paste -sd' ')" \
        "start-cpython.py-seq/seq start-cpython.py-interpreters/interp start-cpython.py-processes/fork"
}

# PYTHON_INTERP's own group (issue 24), where it is not PYTHON: its threads
# beside its interpreters, read against its pyi-seq (and so its pyi-shell);
# from 3.14 on also its processes and pool.  Where PYTHON_INTERP is PYTHON
# the py- rows are that group, and no pyi- row is added (QUICK's row count).
test_interp_group() {
    local plan
    plan=$(INTERP="/opt/py 3.13/bin/python3" INTERP_IMPL=cpython-3.13.0 plan_for cpython-3.11.7 count-2-cpython)
    expect_eq "matrix: PYTHON_INTERP 3.13 not PYTHON: pyi-threads, its GIL threads (gil new) read against pyi-seq" \
        "$(awk -F'\t' '$1 == "count-2-cpython.pyi-threads" && $2 == "gil" && $3 ~ /^\/opt\/py 3\.13\/bin\/python3 cases\/count.py --mode=threads --tasks=2 / { print $4 }' <<<"$plan")" \
        "count-2-cpython.pyi-seq"
    expect_eq "matrix: PYTHON_INTERP 3.13: no pyi-processes, no pyi-pool (3.14 and later only)" \
        "$(grep -c 'pyi-processes\|pyi-pool' <<<"$plan" || true)" 0
    plan=$(INTERP="/opt/py 3.14/bin/python3.14" INTERP_IMPL=cpython-3.14.0 plan_for cpython-3.11.7 count-2-cpython)
    expect_eq "matrix: PYTHON_INTERP 3.14: its group is seq, shell, threads, interpreters, processes, pool, all against pyi-seq" \
        "$(awk -F'\t' '$1 ~ /\.(pyi-|py-interpreters)/ && $3 ~ /\/opt\/py 3\.14\/bin\/python3\.14 cases\/count.py / && $4 == "count-2-cpython.pyi-seq" { sub(/^count-2-cpython\./, "", $1); print $1 "/" $2 }' <<<"$plan" | paste -sd' ')" \
        "pyi-seq/seq pyi-shell/fork pyi-threads/gil py-interpreters/interp pyi-processes/fork pyi-pool/pool"
    expect_eq "matrix: PYTHON_INTERP 3.14: its pool has a worker per usable CPU, as py-pool" \
        "$(awk -F'\t' '$1 == "count-2-cpython.pyi-pool" && $3 ~ / --workers=2$/ { n++ } END { print n + 0 }' <<<"$plan")" 1
    plan=$(INTERP=/usr/bin/python3 INTERP_IMPL=cpython-3.14.0 plan_for cpython-3.14.0 count-2-cpython)
    expect_eq "matrix: PYTHON_INTERP 3.14 is PYTHON: no pyi- rows, the py- rows are its group" \
        "$(grep -c 'pyi-' <<<"$plan" || true)" 0
    plan=$(INTERP=/usr/bin/python3 INTERP_IMPL=cpython-3.13.0 plan_for cpython-3.13.0 'count-2-cpython|convoy')
    expect_eq "matrix: PYTHON_INTERP is PYTHON: no pyi-threads in count-2-cpython or convoy" \
        "$(grep -c 'pyi-threads' <<<"$plan" || true)" 0
    plan=$(INTERP=/opt/py3.13 INTERP_IMPL=cpython-3.13.0 plan_for cpython-3.11.7 convoy 2)
    expect_eq "matrix: convoy.pyi-threads: PYTHON_INTERP's GIL threads (convoy.py as the py row), pinned apart" \
        "$(awk -F'\t' '$1 == "convoy.pyi-threads" && $2 == "gil" && $3 ~ /^\/opt\/py3\.13 cases\/convoy\.py --seconds=[0-9.]+ --pin=apart$/ { n++ } END { print n + 0 }' <<<"$plan")" 1
    plan=$(INTERP=/opt/py3.13 INTERP_IMPL=cpython-3.13.0 plan_for cpython-3.11.7 convoy 1)
    expect_eq "matrix: convoy.pyi-threads with 1 usable CPU: unpinned, as the py row" \
        "$(awk -F'\t' '$1 ~ /^convoy\.(py|pyi-threads)$/ && $3 ~ / --pin=none$/ { n++ } END { print n + 0 }' <<<"$plan")" 2
}

# The convoy with a GIL per task: ours in interp mode, beside threads and fork.
test_convoy_interp() {
    local plan
    plan=$(plan_for cpython-3.11.7 convoy 2)
    expect_eq "matrix: convoy.interp runs bin/convoy --mode=interp, pinned apart" \
        "$(awk -F'\t' '$1 == "convoy.interp" && $2 == "interp" && $3 ~ /^bin\/convoy --mode=interp .*--pin=apart/ { n++ } END { print n + 0 }' <<<"$plan")" 1
    expect_eq "matrix: no PYTHON_INTERP: no convoy.py-interpreters" "$(grep -c '^convoy\.py-interpreters' <<<"$plan" || true)" 0
    plan=$(INTERP=/opt/py3.13 INTERP_IMPL=cpython-3.13.0 plan_for cpython-3.11.7 convoy 2)
    expect_eq "matrix: convoy.py-interpreters runs convoy.py --mode=interpreters in PYTHON_INTERP, pinned apart" \
        "$(awk -F'\t' '$1 == "convoy.py-interpreters" && $2 == "interp" && $3 ~ /^\/opt\/py3\.13 cases\/convoy\.py --mode=interpreters .*--pin=apart/ { n++ } END { print n + 0 }' <<<"$plan")" 1
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
    test_interp_group
    test_convoy_interp
    test_convoy_placement
}

main "$@"
