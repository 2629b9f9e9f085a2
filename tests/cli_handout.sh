#!/usr/bin/env bash
# tests/cli_handout.sh - the lab handout (docs/lab/) and its answer key
# (scripts/handout.sh, make handout): every fenced command of the handout
# runs at the tiny sizes; the key of a stored real run and of fabricated runs
# (every lesson holds, one does not, groups not run, a failed row) has an
# answer for every question, and every number in it appears in the run's
# files; usage errors, --show, a decimal-comma locale, a failed write.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

HANDOUT="$ROOT/scripts/handout.sh"
PAGES="$ROOT/docs/lab"

# fresh_run NAME FIXTURE: a copy of a fixture run under a path with a space
# and a non-ASCII letter; its path on stdout.
fresh_run() {
    local dir="$TEST_TMP/résultats $1"
    rm -rf "$dir"
    cp -r "$FIXTURES/$2" "$dir"
    printf '%s\n' "$dir"
}

# numbers: every number in stdin, one a line, as a number (0.50 and 0.5 are
# the same figure), so that a key's "0.5" is found in a report's "0.500".
numbers() { grep -oE '[0-9]+(\.[0-9]+)?' | LC_ALL=C awk '{ printf "%.12g\n", $0 + 0 }' | sort -u; }

# key_text KEY_DIR RUN_DIR: the text of every answer (between the key's
# markers), without the run folder's name (it names the run, it is no figure).
key_text() {
    local name
    name=$(basename "$2")
    awk '/^<!-- \/key -->$/ { on = 0; next } /^<!-- key [^ ]+ -->$/ { on = 1; next } on' "$1"/*.md |
        awk -v name="$name" '{ while ((i = index($0, name)) > 0) $0 = substr($0, 1, i - 1) substr($0, i + length(name)); print }'
}

# untraced KEY_DIR RUN_DIR: the numbers of the key that no file of the run holds.
untraced() {
    local files=() f
    for f in summary.csv machine.json lessons.json lessons.md refcount.csv convoy.csv experiments.tsv; do
        [ ! -f "$2/$f" ] || files+=("$2/$f")
    done
    shopt -s nullglob
    files+=("$2"/raw/*.run.json)
    shopt -u nullglob
    comm -23 <(key_text "$1" "$2" | numbers) <(cat "${files[@]}" | numbers)
}

# expect_traced NAME RUN: every number in RUN/handout's answers is in the run's files.
expect_traced() {
    local bad
    bad=$(untraced "$2/handout" "$2" | tr '\n' ' ')
    if [ -z "$bad" ] && [ -n "$(key_text "$2/handout" "$2")" ]; then
        pass "$1"
    else
        fail "$1" "numbers in the key found in no file of the run: ${bad:-(the key is empty)}"
    fi
}

# answer RUN ID: the answer block of one question.
answer() {
    awk -v id="$2" '$0 == "<!-- key " id " -->" { on = 1; next } /^<!-- \/key -->$/ { on = 0 } on' "$1"/handout/*.md
}

# expect_answer NAME RUN ID REGEX: that answer matches.
expect_answer() {
    if answer "$2" "$3" | grep -Eq -- "$4"; then
        pass "$1"
    else
        fail "$1" "answer $3 lacks /$4/: $(answer "$2" "$3" | head -c 400)"
    fi
}

# expect_complete NAME RUN: one page per docs/lab page, every question answered once.
expect_complete() {
    local want got missing
    want=$(grep -ho '^<!-- key [^ ]* -->$' "$PAGES"/*.md | sort)
    got=$(grep -ho '^<!-- key [^ ]* -->$' "$2/handout"/*.md | sort)
    missing=$(comm -23 <(ls "$PAGES") <(ls "$2/handout" 2>/dev/null) | tr '\n' ' ')
    if [ -z "$missing" ] && [ "$want" = "$got" ] &&
        [ "$(cat "$2/handout"/*.md | grep -c '^<!-- /key -->$' || true)" -eq "$(printf '%s\n' "$want" | wc -l)" ]; then
        pass "$1"
    else
        fail "$1" "pages missing: '$missing'; markers differ or unanswered"
    fi
}

test_usage() {
    expect_help handout bash "$HANDOUT" -- 'make handout RUN=' '--show=GROUP'
    expect_version handout '^handout \(gilbench\) [0-9]+\.[0-9]+' bash "$HANDOUT"
    expect_usage_error "no run folder" bash "$HANDOUT"
    expect_usage_error "unknown option" bash "$HANDOUT" --fast "$FIXTURES/lessons-hold"
    expect_usage_error "two run folders" bash "$HANDOUT" "$FIXTURES/lessons-hold" "$FIXTURES/run-lab-a"
    expect_usage_error "a folder that does not exist" bash "$HANDOUT" "$TEST_TMP/nothing here"
    mkdir -p "$TEST_TMP/empty"
    expect_status "a folder without summary.csv: exit 1" 1 bash "$HANDOUT" "$TEST_TMP/empty"
    expect_err "a folder without summary.csv: says so" 'not a complete gilbench run'
    expect_status "make handout without RUN=: exit 2" 2 make -C "$ROOT" --no-print-directory handout
    expect_err "make handout without RUN=: says how" 'RUN= is required'
}

test_hold() {
    local run
    run=$(fresh_run hold lessons-hold)
    expect_status "make handout on a run where every lesson holds" 0 \
        make -C "$ROOT" --no-print-directory handout "RUN=$run"
    expect_out "make handout prints the pages it wrote" 'handout/1-cpu-bound\.md$'
    expect_complete "every page and every question in the key" "$run"
    expect_traced "every number of the key is in the run's files" "$run"
    expect_answer "an answer quotes summary.csv by column name" "$run" L1.1 'gil 0\.626263 s.*speedup 0\.99x'
    expect_answer "an answer quotes refcount.csv" "$run" L6.1 'over 10 runs: wrong in 8.*median 2410, max 3930'
    expect_answer "an answer quotes convoy.csv" "$run" L7.1 'new GIL 100x'
    expect_answer "a sweep is read by param" "$run" L7.3 'ours 9100 at 100, 1540 at 1000, 330 at 5000'
    expect_answer "a figure the run lacks (no raw report): says so" "$run" L1.2 'cannot answer this.*no raw/count-2\.gil\.run\.json'
    expect_answer "a group the run lacks: says so" "$run" L2.3 'cannot answer this.*group count-scaling .* was not run'
    expect_answer "L8's page: our interp row quoted beside gil" "$run" L8.1 'interp 0\.314721 s, speedup 1\.97x \(gil 0\.99x'
    expect_answer "L8's page: CPython's interpreters, where no CPython 3.12+ was found, say so" "$run" L8.2 \
        'cannot answer this.*the bench found no PYTHON_INTERP'
    expect_answer "L8's page: the start-up costs, where no CPython 3.12+ was found, say so" "$run" L8.3 \
        'cannot answer this.*row start-cpython\.py-seq was not run: the bench found no PYTHON_INTERP'
    if [ -f "$run/handout/8-interpreters.md" ] && grep -q '^\*\*Q3\.\*\* .*start-cpython' "$run/handout/8-interpreters.md"; then
        pass "L8's page is in the handout, with its questions"
    else
        fail "L8's page is in the handout, with its questions" "$(ls "$run/handout")"
    fi
    # shellcheck disable=SC2016 # Markdown backquotes, not a command
    if grep -q '^> \*\*Answer key\*\* for the run `résultats hold`: .*2026-11-20T10:00:00Z, host lab-lessons' \
        "$run/handout/README.md"; then
        pass "the key names the run, the machine and the date"
    else
        fail "the key names the run, the machine and the date" "$(grep -m1 'Answer key' "$run/handout/README.md")"
    fi
    if [ -f "$run/lessons.json" ]; then
        pass "a run without lessons.json gets its lessons checked first"
    else
        fail "a run without lessons.json gets its lessons checked first" "no lessons.json"
    fi
    # The check can fail: a number nobody measured is caught.
    sed -i 's/^> \*\*This run\.\*\* count-2: seq/> **This run.** count-2: 0.4242 seq/' "$run/handout/1-cpu-bound.md"
    if untraced "$run/handout" "$run" | grep -qx '0.4242'; then
        pass "the trace check catches an invented number"
    else
        fail "the trace check catches an invented number" "0.4242 passed as traced"
    fi
    local before
    before=$(cat "$run/handout/1-cpu-bound.md")
    LANG=de_DE.UTF-8 LC_ALL=de_DE.UTF-8 run bash "$HANDOUT" "$run"
    bash "$HANDOUT" --out="$TEST_TMP/c-locale" "$run" >/dev/null
    if [ "$last_status" -eq 0 ] && cmp -s "$run/handout/1-cpu-bound.md" "$TEST_TMP/c-locale/1-cpu-bound.md" &&
        [ "$before" != "$(cat "$run/handout/1-cpu-bound.md")" ]; then
        pass "de_DE.UTF-8: the same key as the C locale, and the old key replaced"
    else
        fail "de_DE.UTF-8: the same key as the C locale, and the old key replaced" "exit $last_status"
    fi
    expect_status "--show=refcount prints the group" 0 bash "$HANDOUT" --show=refcount "$run"
    expect_out "--show reads the refcount columns" '^refcount\.threads-none +gilbench .* 8 +2410 +3930'
    expect_status "--show of a group not in the run: exit 1" 1 bash "$HANDOUT" --show=count-scaling "$run"
    expect_err "--show of a group not in the run: names the groups" 'no rows of group .count-scaling.*count-2'
    expect_status "a key that cannot be written: exit 1" 1 bash "$HANDOUT" --out=/dev/full/key "$run"
}

# L8's answers on a run with a CPython 3.13 for its interpreters: the
# interpreters row and the start-up rows quoted, every number traced.
test_interpreters() {
    local run row
    run=$(fresh_run interpreters lessons-hold)
    row=$(grep '^count,cpython-3.11.7,count-2-cpython,count-2-cpython.py-seq,' "$run/summary.csv")
    sed 's/cpython-3\.11\.7/cpython-3.13.0/; s/py-seq/py-interpreters/g' <<<"$row" >>"$run/summary.csv"
    set_field "$run/summary.csv" count-2-cpython.py-interpreters speedup 1.91
    for label in py-seq:0.041 py-interpreters:0.073 py-processes:0.097; do
        sed "s/cpython-3\.11\.7/cpython-3.13.0/; s/count-2-cpython/start-cpython/g; s/py-seq/${label%%:*}/g" <<<"$row" >>"$run/summary.csv"
        set_field "$run/summary.csv" "start-cpython.${label%%:*}" median_s "${label#*:}"
    done
    jq '.pythons = {PYTHON: {impl: "cpython-3.11.7"}, PYTHON_INTERP: {impl: "cpython-3.13.0"}}' "$run/machine.json" >"$run/m.json"
    mv "$run/m.json" "$run/machine.json"
    expect_status "make handout on a run with CPython 3.13's interpreters" 0 \
        make -C "$ROOT" --no-print-directory handout "RUN=$run"
    expect_answer "L8.2 quotes CPython's interpreters row" "$run" L8.2 'CPython 3\.13\.0: isolated interpreters 0\.7 s, speedup 1\.91x|cpython-3\.13\.0: isolated interpreters 0\.7 s, speedup 1\.91x'
    expect_answer "L8.3 quotes the start-up of seq, two interpreters, two processes" "$run" L8.3 \
        'seq 0\.041 s, two interpreters 0\.073 s, two processes 0\.097 s'
    expect_traced "L8: every number of the key is in the run's files" "$run"
}

test_does_not_hold() {
    local run
    run=$(fresh_run fails lessons-hold)
    set_field "$run/summary.csv" count-2.gil-old speedup 1.04
    set_field "$run/summary.csv" count-2.gil-old median_s 0.596154
    set_field "$run/summary.csv" count-2.gil-old rel_spread 0.38
    bash "$ROOT/scripts/lessons.sh" "$run" >/dev/null
    expect_status "make handout on a run where L3 does not hold" 0 \
        make -C "$ROOT" --no-print-directory handout "RUN=$run"
    expect_complete "a failing lesson: every question in the key" "$run"
    expect_traced "a failing lesson: every number of the key is in the run's files" "$run"
    expect_answer "the answer on the failing row says the run does not support it" "$run" L3.1 \
        'does not support the expected answer.*1\.04x.*spread too wide .*: count-2\.gil-old 38%'
    expect_answer "the failing row's figures are still given" "$run" L3.1 'old GIL 0\.596154 s, speedup 1\.04x'
    expect_answer "another row of the same lesson says it agrees" "$run" L3.3 'did not hold in this run on other rows \(count-2\.gil-old\)'
    expect_answer "the other lessons are untouched" "$run" L1.1 '^> \*\*This run\.\*\* count-2'

    run=$(fresh_run partial lessons-hold)
    rows_where "$run/summary.csv" 'get("group") !~ /^convoy/' >"$run/s.new"
    mv "$run/s.new" "$run/summary.csv"
    set_field "$run/summary.csv" count-2.gil status failed
    set_field "$run/summary.csv" count-2.gil speedup ""
    bash "$ROOT/scripts/lessons.sh" "$run" >/dev/null
    expect_status "make handout on a run with groups left out and a failed row" 0 bash "$HANDOUT" "$run"
    expect_traced "groups left out: every number of the key is in the run's files" "$run"
    expect_answer "a group not run: the answer says so" "$run" L7.1 'cannot answer this.*row convoy\.gil was not run'
    expect_answer "a group not run: no figure given" "$run" L7.1 '^> \*\*Expected\.\*\* [^0-9]*$'
    expect_answer "a failed row: the answer says so" "$run" L1.1 'cannot answer this.*row count-2\.gil failed'
}

# --newest=GROUP: a page's RUN is the newest run with the page's groups, so
# that Lesson 7's convoy-only re-run does not hide the full run from the others.
test_newest() {
    local results="$TEST_TMP/résultats de la salle" got
    mkdir -p "$results"
    cp -r "$FIXTURES/handout-run" "$results/full run"
    touch -d '1 hour ago' "$results/full run"
    mkdir "$results/convoy only" "$results/empty"
    rows_where "$results/full run/summary.csv" 'get("group") ~ /^convoy/' >"$results/convoy only/summary.csv"
    for want in "count-2:full run" "refcount:full run" "convoy:convoy only"; do
        got=$(bash "$HANDOUT" --newest="${want%%:*}" "$results") || true
        if [ "$got" = "$results/${want#*:}/" ]; then
            pass "--newest=${want%%:*}: the newest run with that group"
        else
            fail "--newest=${want%%:*}: the newest run with that group" "got '$got'"
        fi
    done
    expect_status "--newest of a group no run has: exit 1" 1 bash "$HANDOUT" --newest=nope "$results"
    expect_err "--newest of a group no run has: says so" "no run under .* has rows of group 'nope'"
    expect_status "--newest without a results folder: exit 2" 2 bash "$HANDOUT" --newest=count-2 "$TEST_TMP/nowhere"
    expect_status "--newest with --show: exit 2" 2 bash "$HANDOUT" --newest=count-2 --show=count-2 "$results"
}

test_real_run() {
    local run
    run=$(fresh_run real handout-run)
    expect_status "make handout on a stored real run" 0 make -C "$ROOT" --no-print-directory handout "RUN=$run"
    expect_complete "a real run: every question in the key" "$run"
    expect_traced "a real run: every number of the key is in the run's files" "$run"
    expect_answer "a real run: a lesson that did not hold on the answer's rows says so" "$run" L1.3 \
        'does not support the expected answer.*10 tasks 1\.27x.*Likely cause'
    expect_answer "a real run: beside GIL statistics it is only noted" "$run" L1.2 \
        'did not hold in this run .*not the ones it checks'
    expect_status "--show of a group with an empty cell" 0 bash "$HANDOUT" --show=count-scaling "$run"
    expect_out "--show marks an empty cell '-' and keeps the columns in place" '^count-scaling\.seq +gilbench +1 +1 +- +[0-9.]+ +[0-9.]+ +1 +ok$'
    local n
    # The stored run is from a machine without CPython 2.7 or a free-threaded
    # build: those answers say so, and are no gap; it predates the interp
    # mode (issue 24) and the convoy's placements (issue 22), so the answers
    # that read those rows are no gap either (test_real_run_current: a run
    # that has them answers them).
    n=$(cat "$run"/handout/*.md | grep 'cannot answer' | grep -v 'the bench found no PYTHON' |
        grep -v 'row [a-z0-9-]*\.interp was not run' | grep -cv 'one-cpu was not run' || true)
    if [ "$n" -eq 0 ]; then
        pass "a real full run answers every question"
    else
        fail "a real full run answers every question" "$n answer(s) say the run cannot: $(grep -h 'cannot answer' "$run"/handout/*.md | grep -v 'the bench found no PYTHON' | grep -v '\.interp was not run' | grep -v 'one-cpu was not run' | head -c 300)"
    fi
}

# A real QUICK run of the current matrix (the convoy's placements, the
# interpreters' rows, PYTHON_INTERP found): every question is answered from
# it, except what needs an interpreter the bench did not find.
test_real_run_current() {
    local run n
    run=$(fresh_run current handout-run-quick)
    expect_status "make handout on a stored real run of the current matrix" 0 make -C "$ROOT" --no-print-directory handout "RUN=$run"
    expect_complete "a current real run: every question in the key" "$run"
    expect_traced "a current real run: every number of the key is in the run's files" "$run"
    n=$(cat "$run"/handout/*.md | grep 'cannot answer' | grep -cv 'the bench found no PYTHON' || true)
    if [ "$n" -eq 0 ]; then
        pass "a current real run answers every question (one CPU and two, interpreters included)"
    else
        fail "a current real run answers every question" "$n answer(s) say the run cannot: $(grep -h 'cannot answer' "$run"/handout/*.md | grep -v 'the bench found no PYTHON' | head -c 300)"
    fi
    expect_answer "a current real run: L7.7 quotes the one-CPU rows and the intervals waited" "$run" L7.7 \
        'pinned to one CPU \(--pin=same\): ours [0-9.]+x, cpython-3\.11\.7 [0-9.]+x; on two \(--pin=apart\): ours [0-9.]+x\. Share of contended round trips that waited 0, 1, 2\+ switch intervals, ours apart: [0-9.]+, [0-9.]+, [0-9.]+'
    # The old GIL's convoy is measured (a trial's key said it was not).
    expect_answer "a current real run: L7.4 quotes the old GIL's slowdown, ours and CPython 2.7's, beside the new GIL's" "$run" L7.4 \
        'slowdown with the old GIL: ours [0-9.]+x, cpython-2\.7\.18 [0-9.]+x; with the new GIL: ours [0-9.]+x'
    expect_answer "a current real run: L8.3 says count.py forks its processes on Linux" "$run" L8.3 'On Linux count\.py forks its processes'
}

# ------------------------------------------------------------ the commands
# Every line of a ```sh block is a command a student types, in order, in one
# terminal per page: here one bash per page runs them line by line (a
# variable set on one line is used on the next), each at the tiny sizes, and
# checks its exit status: 0, or N where the line ends in "# exits N".

# tiny LINE: the command at the tiny sizes (the handout gives every size
# explicitly, so that CI runs each command in a blink).
tiny() {
    sed -E -e 's/--iterations=[^ ]+/--iterations=1e5/g' -e 's/--ops=[^ ]+/--ops=2e4/g' \
        -e 's/--seconds[= ][0-9.]+/--seconds=0.05/g' -e 's/--sleep-ms=[0-9]+/--sleep-ms=5/g' \
        -e 's/--items=[0-9]+/--items=2/g' -e 's/--delay-ms=[0-9]+/--delay-ms=5/g' \
        -e "s/make bench QUICK=1 BENCH_ARGS='/make bench BENCH_ARGS='--tiny /g" \
        -e 's/make bench QUICK=1/make bench BENCH_ARGS=--tiny/g' <<<"$1"
}

# commands PAGE: the lines of its ```sh blocks, without blanks and comments.
commands() {
    awk '/^```sh$/ { on = 1; next } /^```/ { on = 0 } on && !/^[[:space:]]*(#|$)/' "$1"
}

# sized LINE: a command that does work gives its size, so that tiny shrinks it.
sized() {
    case "$1" in
        *bin/count* | *count.py*) [[ "$1" == *--iterations=* ]] ;;
        *bin/refcount*) [[ "$1" == *--ops=* ]] ;;
        *bin/convoy* | *convoy.py*) [[ "$1" == *--seconds* ]] ;;
        *bin/interleave*) [[ "$1" == *--sleep-ms=* && "$1" == *--items=* ]] ;;
        *bin/fetch*) [[ "$1" == *--delay-ms=* ]] ;;
        *"make bench"*) [[ "$1" == *QUICK=1* ]] ;;
        *) true ;;
    esac
}

# A checkout to run them in: the sources with their times (so make finds the
# build up to date) and the binaries under test, but results/ and plots/ of
# its own.
make_checkout() {
    local dir=$1 bin
    mkdir -p "$dir"
    tar -C "$ROOT" --exclude=./bin --exclude=./results --exclude=./plots --exclude=./.git -cf - . |
        tar -C "$dir" -xf -
    mkdir -p "$dir/results" "$dir/plots"
    case "$BIN" in /*) bin=$BIN ;; *) bin="$ROOT/$BIN" ;; esac
    ln -s "$bin" "$dir/bin"
}

# run_page CHECKOUT PAGE: run its commands; one test line per command.
run_page() {
    local dir=$1 page=$2 name line want script="$TEST_TMP/page.sh" report="$TEST_TMP/page.report"
    name=$(basename "$page")
    : >"$report"
    {
        printf 'cd %q || exit 99\n' "$dir"
        while IFS= read -r line; do
            sized "$line" || { printf 'echo %q >>%q\n' "unsized $line" "$report"; continue; }
            want=0
            [[ "$line" =~ \#\ exits\ ([0-9]+)$ ]] && want=${BASH_REMATCH[1]}
            if [[ "$line" == python3* ]] && ! command -v python3 >/dev/null; then
                printf 'echo %q >>%q\n' "skip $line" "$report"
                continue
            fi
            printf 'eval %q </dev/null >>%q 2>&1; st=$?\n' "$(tiny "$line")" "$TEST_TMP/page.out"
            # shellcheck disable=SC2016 # expanded by the page's bash
            printf 'if [ "$st" -eq %d ]; then echo ok %q >>%q; else echo fail "$st" %q >>%q; fi\n' \
                "$want" "$line" "$report" "$line" "$report"
        done < <(commands "$page")
    } >"$script"
    : >"$TEST_TMP/page.out"
    timeout --kill-after=5 600 bash "$script" </dev/null >/dev/null 2>&1 || true
    local n=0 what rest
    while IFS=' ' read -r what rest; do
        n=$((n + 1))
        case "$what" in
            ok) pass "$name runs: $rest" ;;
            skip) skip "$name runs: $rest" "python3 is not installed" ;;
            unsized) fail "$name: a command without its size" "$rest: give --iterations/--ops/--seconds/--sleep-ms/--items/--delay-ms" ;;
            fail) fail "$name runs: ${rest#* }" "exit ${rest%% *}: $(tail -n 3 "$TEST_TMP/page.out" | tr '\n' ' ' | head -c 300)" ;;
        esac
    done <"$report"
    [ "$n" -eq "$(commands "$page" | wc -l)" ] || fail "$name: every command ran" "$n of $(commands "$page" | wc -l) reported (a command hung or killed the page?)"
}

# --show=convoy has every figure convoy.csv holds that a question may read:
# the pinning and the shares of round trips by intervals waited were left out.
test_show_convoy() {
    run bash "$HANDOUT" --show=convoy "$FIXTURES/handout-run-quick"
    expect_out "--show=convoy: the pin and waited_0_share/1/2 columns" \
        '^experiment .* pin +waited_0_share +waited_1_share +waited_2_share$'
    expect_out "--show=convoy: their values, verbatim" '^convoy\.gil .* apart +0\.255813953 +0\.716981132 +0$'
}

test_commands() {
    local dir="$TEST_TMP/a lab's checkout" page
    make_checkout "$dir"
    # The index first: it builds and makes the run the lessons read.
    run_page "$dir" "$PAGES/README.md"
    local keys=("$dir"/results/*/handout/1-cpu-bound.md)
    if [ -f "${keys[0]}" ]; then
        pass "the index's make handout wrote the key of the student's run"
    else
        fail "the index's make handout wrote the key of the student's run" "no handout/ in $(ls "$dir/results")"
    fi
    for page in "$PAGES"/[0-9]*.md; do
        run_page "$dir" "$page"
    done
    # After Lesson 7's convoy-only re-run, the first lessons still find their groups.
    run_page "$dir" "$PAGES/1-cpu-bound.md" | sed 's/^\(not \)\{0,1\}ok - 1-cpu-bound.md runs/&, after the convoy-only re-run,/'
    # The runner can fail: a wrong status, a command without its size.
    printf '%s\n' '```sh' 'bin/count --mode=nope --iterations=4e8 # exits 2' \
        'bin/count --mode=nope --iterations=4e8' 'bin/count --mode=seq' '```' >"$TEST_TMP/bad.md"
    local got
    got=$(run_page "$dir" "$TEST_TMP/bad.md" | sed 's/: .*//' | tr '\n' '|')
    if [ "$got" = "ok - bad.md runs|not ok - bad.md runs|not ok - bad.md|" ]; then
        pass "the command runner catches a wrong exit status and a command at full size"
    else
        fail "the command runner catches a wrong exit status and a command at full size" "$got"
    fi
}

# A bundle (make pack), as make plots and make compare take one: the pages
# go beside it (RUN-handout/), its unpacked copy being removed.
test_bundle() {
    local run="$TEST_TMP/runs/lab-20261129T120000Z" bundle="$TEST_TMP/Lauf eins.tar.gz" pages
    mkdir -p "$TEST_TMP/runs"
    cp -r "$FIXTURES/lessons-hold" "$run"
    bash "$ROOT/scripts/lessons.sh" "$run" >/dev/null
    bash "$ROOT/scripts/bundle.sh" pack --out "$bundle" "$run" >/dev/null
    expect_status "make handout RUN=BUNDLE: exit 0" 0 make -C "$ROOT" --no-print-directory handout "RUN=$bundle"
    pages=$(find "$TEST_TMP/Lauf eins-handout" -name '*.md' 2>/dev/null | wc -l)
    expect_eq "make handout RUN=BUNDLE: every page, beside the bundle" "$pages" "$(find "$PAGES" -name '*.md' | wc -l)"
    expect_out "make handout RUN=BUNDLE: prints the pages it wrote there" 'Lauf eins-handout/1-cpu-bound\.md$'
}

main() {
    have_tools "handout" jq || return 0
    test_usage
    test_hold
    test_interpreters
    test_does_not_hold
    test_newest
    test_real_run
    test_real_run_current
    test_bundle
    test_show_convoy
    test_commands
}

main "$@"
