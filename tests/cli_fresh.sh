#!/usr/bin/env bash
# tests/cli_fresh.sh - a small part of the suite as a fresh machine runs it:
# no free-threaded CPython, no CPython 2.7 (an empty home and cache, no
# pyenv on PATH), then no CPython at all (PYTHON=none).  The output is read
# line by line: what a newcomer sees first, in order, and nothing else.
# Nothing here asserts a speed.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

FRESH="$TEST_TMP/fresh home"
RESULTS="$TEST_TMP/results"

# fresh_env: the environment of a user with nothing of their own yet: an
# empty home, cache and data folders, no interpreter set by name, and a PATH
# without pyenv's folders or the home's own bin.
fresh_env() {
    local dir path=""
    local -a dirs
    IFS=: read -r -a dirs <<<"$PATH"
    for dir in "${dirs[@]}"; do
        case "${dir%/}" in "" | *pyenv* | "$HOME"/.local/bin | "$HOME"/bin) continue ;; esac
        path+=${path:+:}$dir
    done
    mkdir -p "$FRESH"
    # (and not inside another make: make test runs this, and make's own
    # line would read make[1])
    FRESH_ENV=(env -u PYTHON -u PYTHON2 -u PYTHON_FT -u PYTHON_INTERP -u PYENV_ROOT -u PYENV_VERSION -u XDG_CACHE_HOME
        -u MAKELEVEL -u MAKEFLAGS -u MFLAGS
        -u XDG_DATA_HOME "HOME=$FRESH" "PATH=$path" "BIN=$ROOT/$BIN")
}

# expect_lines NAME FILE REGEX...: FILE has exactly one line per REGEX, each
# matching its own, in order ('...' as a REGEX: any number of lines that
# match the REGEX after it, which ends the list).  Blank lines and the
# machine's own warnings (a loaded host: machine.sh) are passed over.
expect_lines() {
    local name=$1 file=$2 n=0 line want more=""
    shift 2
    local -a wants=("$@")
    while IFS= read -r line || [ -n "$line" ]; do
        if [ -n "$more" ]; then
            [[ "$line" =~ $more ]] || { fail "$name" "line $((n + 1)) '$line' does not match /$more/"; return; }
            n=$((n + 1)); continue
        fi
        want=${wants[0]:-}
        if [ "$want" = ... ]; then more=${wants[1]}; continue; fi
        [ "${#wants[@]}" -gt 0 ] || { fail "$name" "an extra line $((n + 1)): '$line'"; return; }
        [[ "$line" =~ $want ]] || { fail "$name" "line $((n + 1)) '$line' does not match /$want/"; return; }
        wants=("${wants[@]:1}")
        n=$((n + 1))
    done < <(sed '/^$/d; /^machine: warning: /d' "$file")
    if [ "${#wants[@]}" -gt 0 ] && [ "${wants[0]}" != ... ]; then
        fail "$name" "ended after $n line(s), still wanted /${wants[0]}/"
    else
        pass "$name"
    fi
}

# The rows' ids in the order progress lines name them, the re-runs' lines,
# and the noise warnings (a shared machine may make any row noisy).
readonly PROGRESS='^(\[[0-9]+/[0-9]+] |\[re-run [0-9]+/[0-9]+] |bench: (warning: |close other|other programs|noisy: )|  [a-z])'
readonly GET_FT="no PYTHON_FT found: the free-threaded CPython rows are left out; get one with 'uv python install 3.14t'"
readonly GET_INTERP="no PYTHON_INTERP found: the CPython interpreters rows \\(a GIL per interpreter\\) are left out; get one with 'uv python install 3\\.14'"
readonly GET_2="no PYTHON2 found: the CPython 2.7 \(old GIL\) rows are left out; get one with 'pyenv install 2.7.18'"

test_precondition() {
    fresh_env
    run "${FRESH_ENV[@]}" bash "$ROOT/scripts/pythons.sh"
    if grep -q '^PYTHON2\|^PYTHON_FT\|^PYTHON_INTERP' "$last_out"; then
        skip "a fresh machine's interpreters" "this machine has a CPython 2.7, a free-threaded one or a 3.12+ outside pyenv and home: $(cut -f1,2 "$last_out" | tail -n +2 | tr '\n' ' ')"
        return 1
    fi
    pass "fresh: pythons.sh finds no CPython 2.7 and no free-threaded CPython"
}

test_usage_first() {
    # A typo in --only is one line, even where no interpreter or tool would
    # be found: nothing about them is said ahead of it.
    bench --only=nosuchgroup
    expect_eq "fresh: --only typo exits 2" "$last_status" 2
    expect_lines "fresh: --only typo is one reason line, then how to get help" "$last_err" \
        "^bench: --only='nosuchgroup' matches no experiment group \(groups: count-2 count-10 " \
        "^Try 'scripts/bench.sh --help'\.$"
    expect_eq "fresh: --only typo prints nothing on stdout" "$(wc -c <"$last_out")" 0
    # The same through make, before it installs or builds anything.
    run "${FRESH_ENV[@]}" make --no-print-directory -C "$ROOT" bench BENCH_ARGS=--only=nosuchgroup
    expect_lines "fresh: make bench with an --only typo stops at the usage line" "$last_err" \
        "^bench: --only='nosuchgroup' matches no experiment group" "^Try " "^make(\[[0-9]+\])?: \*\*\* .* 2\$"
}

test_no_ft_no_2() {
    bench --only='count-2|count-2-cpython'
    expect_eq "fresh: a tiny run without CPython 2.7 or a free-threaded one exits 0" "$last_status" 0
    expect_lines "fresh: stderr, line by line: the run, what was not found (once each), progress" "$last_err" \
        "^bench: tiny run into .*/results/[A-Za-z0-9][A-Za-z0-9._-]*-[0-9]{8}T[0-9]{6}Z \([0-9]+ round" \
        "^pythons: $GET_2" "^pythons: $GET_FT" "^pythons: $GET_INTERP" ... "$PROGRESS"
    local run
    run=$(find "$RESULTS" -mindepth 1 -maxdepth 1 -type d -name '*T*Z' | head -n 1)
    if [ -n "$run" ] && jq_true '(.pythons | has("PYTHON") and (has("PYTHON_FT") | not))
            and (.pythons_missing.PYTHON_FT | startswith("no PYTHON_FT found; get one with"))
            and (.pythons_missing.PYTHON2 | startswith("no PYTHON2 found; get one with"))' "$run/machine.json" >/dev/null; then
        pass "fresh: machine.json records what was not found and how to get it"
    else
        fail "fresh: machine.json records what was not found" "$(jq -c '{pythons, pythons_missing}' "$run/machine.json" 2>&1)"
    fi
    # stdout: the headline, then one line per lesson; L2 says, of its free-
    # threaded check, that none was found and how to get one.
    grep -E '^L[0-9] ' "$last_out" >"$TEST_TMP/lessons" || true
    expect_lines "fresh: one line per lesson, L1..L8 in order" "$TEST_TMP/lessons" \
        '^L1 ' '^L2 ' '^L3 ' '^L4 not measured: group fetch was not run$' \
        '^L5 not measured: group interleave was not run$' '^L6 not measured: group refcount was not run$' \
        '^L7 not measured: group convoy, group convoy-interval were not run$' \
        "^L8 not measured: group count-10, count-2-cpython py-interpreters \\(no PYTHON_INTERP found; get one with 'uv python install 3\\.14'"
    if grep -E '^L2 ' "$last_out" | grep -qF "pyft-threads (no PYTHON_FT found; get one with 'uv python install 3.14t'"; then
        pass "fresh: L2 names the free-threaded row not run, and how to get one"
    else
        fail "fresh: L2 names the free-threaded row not run" "$(grep -E '^L2 ' "$last_out")"
    fi
}

test_no_cpython() {
    # No CPython at all: the C rows run; the CPython groups alone are no run.
    bench --only=count-2 PYTHON=none
    expect_eq "fresh, PYTHON=none: a tiny count-2 run exits 0" "$last_status" 0
    # count-2 has no CPython row: not a word about interpreters.
    expect_lines "fresh, PYTHON=none: stderr, line by line, no interpreter advice for a run without CPython rows" "$last_err" \
        "^bench: tiny run into " ... "$PROGRESS"
    grep -E '^L1 ' "$last_out" >"$TEST_TMP/l1" || true
    expect_lines "fresh, PYTHON=none: L1 is judged on the C rows, the CPython row not run" "$TEST_TMP/l1" \
        '^L1 (holds|DOES NOT HOLD|not shown by this run): .*our GIL, 2 tasks.*not run: .*count-2-cpython'
    bench --only=count-2-cpython PYTHON=none
    expect_eq "fresh, PYTHON=none --only=count-2-cpython: exit 1 (nothing to run)" "$last_status" 1
    expect_lines "fresh, PYTHON=none --only=count-2-cpython: what was not found, then why nothing ran" "$last_err" \
        "^pythons: $GET_2" "^pythons: $GET_FT" "^pythons: $GET_INTERP" \
        '^bench: nothing to run: every row of count-2-cpython needs a CPython this run does not have \(PYTHON, PYTHON2, PYTHON_FT, PYTHON_INTERP: none or not found\)$'
}

# bench VAR=VALUE...: the environment words go before bash; reorder them.
bench() {
    local -a opts=() vars=()
    local a
    for a in "$@"; do
        case "$a" in --*) opts+=("$a") ;; *=*) vars+=("$a") ;; *) opts+=("$a") ;; esac
    done
    rm -rf "$RESULTS"
    run "${FRESH_ENV[@]}" "${vars[@]}" bash "$ROOT/scripts/bench.sh" --tiny --no-plots "--results=$RESULTS" "${opts[@]}"
}

cd "$ROOT"
fresh_env
test_usage_first
if test_precondition; then
    test_no_ft_no_2
    test_no_cpython
fi
