#!/usr/bin/env bash
# tests/cli_lab.sh - the suite as a course lab runs it: a decimal-comma
# locale, a checkout under a path with spaces, a non-ASCII letter and shell
# metacharacters (in the C and a UTF-8 locale), arguments through make, a
# shell pinned to one CPU, a student account without the lint tools.  Tiny
# sizes; nothing here asserts a speed.  What goes wrong in a lab (an old
# hyperfine, a full disk, a kill -9) is tests/cli_lab_faults.sh.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lab.sh
source "$(dirname "$0")/lab.sh"

readonly DE=de_DE.UTF-8
# A folder name with what a lab's paths may hold: a space, a non-ASCII letter,
# and every shell metacharacter a quoting bug would trip on.
readonly ODD_NAME="lab dir é \$HOME 'q' \"d\" \`b\` ;|*"

setup() {
    lab_setup
    # Folders another user must reach (TEST_TMP is private to root).
    SHARED=$(mktemp -d /tmp/gilbench-lab.XXXXXX)
    chmod 755 "$SHARED"
    trap 'rm -rf "$TEST_TMP" "$SHARED"' EXIT
}

have_de() {
    locale -a 2>/dev/null | grep -qix 'de_DE.utf8'
}

# copy_checkout DEST: what the bench needs of this checkout, built binaries
# included (times kept, so make finds them up to date), without sanitizer builds.
copy_checkout() {
    mkdir -p "$1"
    tar -C "$ROOT" --exclude=bin/asan --exclude=bin/tsan -cf - Makefile harness cases scripts bin |
        tar -C "$1" -xf -
}

# ------------------------------------------------------------------ locale
# The tiny bench end to end under LANG=de_DE.UTF-8: exit 0, medians that are
# not 0, and tables byte-identical to the ones the C locale writes from the
# same raw data.
test_locale_bench() {
    local name="locale: the tiny bench under LANG=$DE"
    if ! have_de; then skip "$name" "the $DE locale is not generated (scripts/install-deps.sh test generates it)"; return; fi
    LANG=$DE LANGUAGE=de BIN="$MARK" bench_into "$ROOT" "$TEST_TMP/de-results" "--plots=$TEST_TMP/de-plots"
    local run
    run=$(latest_run "$TEST_TMP/de-results")
    if [ "$last_status" -eq 0 ] && [ -n "$run" ]; then pass "$name: exit 0"; else
        fail "$name: exit 0" "exit $last_status: $(grep -m3 -E 'FAILED|bench:' "$last_err")"; return; fi
    local zero
    zero=$(awk -F, "$COLUMNS_AWK"'FNR == 1 { header(); next }
        get("status") == "ok" && !(get("median_s") > 0) { print get("experiment") }' "$run/summary.csv")
    if [ -z "$zero" ] && grep -q '^count-2 .*[1-9]' "$last_out"; then
        pass "$name: every ok row has a median above 0, the headline shows them"
    else
        fail "$name: medians above 0" "zero medians: $(head -c 200 <<<"$zero")"
    fi
    cp -r "$run" "$TEST_TMP/c-copy"
    run env LC_ALL=C bash scripts/summarize.sh "$TEST_TMP/c-copy"
    local f differ=""
    for f in summary.csv summary.md summary.tex refcount.csv convoy.csv; do
        cmp -s "$run/$f" "$TEST_TMP/c-copy/$f" || differ+=" $f"
    done
    if [ "$last_status" -eq 0 ] && [ -z "$differ" ]; then
        pass "$name: its tables are byte-identical to the C locale's from the same raw data"
    else
        fail "$name: tables as in the C locale" "exit $last_status; differ:$differ"
    fi
    # The reproducer: summarize.sh alone under each locale variable.
    local var
    for var in LANG LC_ALL LC_NUMERIC; do
        rm -rf "$TEST_TMP/var-copy"
        cp -r "$run" "$TEST_TMP/var-copy"
        run env "$var=$DE" bash scripts/summarize.sh "$TEST_TMP/var-copy"
        if [ "$last_status" -eq 0 ] && cmp -s "$run/summary.csv" "$TEST_TMP/var-copy/summary.csv" &&
            cmp -s "$run/summary.tex" "$TEST_TMP/var-copy/summary.tex"; then
            pass "locale: summarize.sh under $var=$DE writes what the C locale writes"
        else
            fail "locale: summarize.sh under $var=$DE" "exit $last_status; $(diff "$run/summary.csv" "$TEST_TMP/var-copy/summary.csv" | head -n 3)"
        fi
    done
}

# same_figures A B: the same files; PNG and SVG byte-identical, PDF too but
# for its creation date.
same_figures() {
    local a=$1 b=$2 f base
    [ "$(cd "$a" && ls)" = "$(cd "$b" && ls)" ] || { echo "file lists differ"; return 1; }
    for f in "$a"/*; do
        base=$(basename "$f")
        case "$base" in
            *.pdf) cmp -s <(grep -av CreationDate "$f") <(grep -av CreationDate "$b/$base") ;;
            # the page names the folder its figures are in (compare.html: in the command that
            # made it), a name in it kept whole by a span
            report.html | compare.html)
                cmp -s <(sed 's|<span class="nw">||g; s|</span>||g' "$f" | sed "s|$a|OUT|g") \
                    <(sed 's|<span class="nw">||g; s|</span>||g' "$b/$base" | sed "s|$b|OUT|g") ;;
            *) cmp -s "$f" "$b/$base" ;;
        esac || { echo "$base differs"; return 1; }
    done
}

# plots.sh and compare.sh under each locale variable draw what the C locale
# draws, from the stored fixture runs.
test_locale_figures() {
    if ! have_de; then
        skip "locale: plots and compare under $DE" "the $DE locale is not generated (scripts/install-deps.sh test generates it)"
        return
    fi
    run env LC_ALL=C bash scripts/plots.sh tests/fixtures/run-lab-a --out "$TEST_TMP/plots-C"
    run env LC_ALL=C bash scripts/compare.sh --out "$TEST_TMP/compare-C" tests/fixtures/run-lab-b tests/fixtures/run-lab-c
    sed "s|$TEST_TMP/compare-C|OUT|" "$last_out" >"$TEST_TMP/compare-C.out"
    local var why
    for var in LANG LC_ALL LC_NUMERIC; do
        run env "$var=$DE" bash scripts/plots.sh tests/fixtures/run-lab-a --out "$TEST_TMP/plots-$var"
        if [ "$last_status" -eq 0 ] && why=$(same_figures "$TEST_TMP/plots-C" "$TEST_TMP/plots-$var"); then
            pass "locale: plots.sh under $var=$DE draws the C locale's figures"
        else
            fail "locale: plots.sh under $var=$DE" "exit $last_status; ${why:-} $(head -c 200 "$last_err")"
        fi
        run env "$var=$DE" bash scripts/compare.sh --out "$TEST_TMP/compare-$var" \
            tests/fixtures/run-lab-b tests/fixtures/run-lab-c
        if [ "$last_status" -eq 0 ] && why=$(same_figures "$TEST_TMP/compare-C" "$TEST_TMP/compare-$var") &&
            cmp -s "$TEST_TMP/compare-C.out" <(sed "s|$TEST_TMP/compare-$var|OUT|" "$last_out"); then
            pass "locale: compare.sh under $var=$DE writes the C locale's ratios and figures"
        else
            fail "locale: compare.sh under $var=$DE" "exit $last_status; ${why:-} $(head -c 200 "$last_err")"
        fi
    done
}

# ------------------------------------------------------------------ paths
# A checkout under ODD_NAME, its results and plots there too, in the C locale
# (containers, cron, ssh) and in a UTF-8 one.
test_odd_path() {
    local dest="$TEST_TMP/$ODD_NAME/gilbench" name="paths: a checkout under '$ODD_NAME'"
    copy_checkout "$dest"
    LC_ALL=C bench_into "$dest" "$dest/results $ODD_NAME" "--plots=$dest/plots $ODD_NAME" \
        --only='count-2|count-2-cpython|fetch|convoy'
    local run
    cp "$last_out" "$TEST_TMP/odd-bench.out"
    run=$(latest_run "$dest/results $ODD_NAME")
    if [ "$last_status" -eq 0 ] && [ -n "$run" ] &&
        grep -q '^count,gilbench,count-2,count-2.shell,.*,ok$' "$run/summary.csv"; then
        pass "$name, LC_ALL=C: every row runs, the shell row included"
    else
        fail "$name, LC_ALL=C" "exit $last_status: $(grep -m3 -E 'FAILED|bench:' "$last_err")"
    fi
    local pngs
    pngs=$(find "$dest/plots $ODD_NAME" -name '*.png' 2>/dev/null | wc -l)
    if [ "$pngs" -ge 3 ]; then pass "$name: the plots are written there ($pngs PNGs)"; else
        fail "$name: the plots are written there" "$pngs PNGs"; fi
    LC_ALL=C.UTF-8 bench_into "$dest" "$dest/results $ODD_NAME" --only=count-2 --no-plots
    if [ "$last_status" -eq 0 ]; then pass "$name, LC_ALL=C.UTF-8: every row runs"; else
        fail "$name, LC_ALL=C.UTF-8" "exit $last_status: $(grep -m3 -E 'FAILED|bench:' "$last_err")"; fi
    # The Redraw and Compare lines the bench prints work when pasted.
    local redraw compare
    redraw=$(sed -n 's/^Redraw: //p' "$TEST_TMP/odd-bench.out")
    compare=$(sed -n 's/^Compare: //p' "$TEST_TMP/odd-bench.out")
    compare=${compare//results\/OTHER/$FIXTURES/run-lab-b}
    run bash -c 'cd "$1" && eval "$2" && eval "$3"' _ "$dest" "$redraw" "$compare"
    if [ -n "$redraw" ] && [ -n "$compare" ] && [ "$last_status" -eq 0 ]; then
        pass "$name: the printed Redraw and Compare lines work when pasted"
    else
        fail "$name: the printed Redraw and Compare lines work when pasted" \
            "exit $last_status: [$redraw] [$compare] $(head -c 300 "$last_err")"
    fi
    # Redrawn and compared through make, the paths given as RUN= and RUNS=.
    run make --no-print-directory -C "$dest" plots "RUN=$run"
    if [ "$last_status" -eq 0 ] && grep -q "plots/$(basename "$run")/count-2-time.png" "$last_out"; then
        pass "$name: make plots RUN=<that run>"
    else
        fail "$name: make plots RUN=<that run>" "exit $last_status: $(head -c 300 "$last_err")"
    fi
    # A path holding both kinds of quote: a backslash before each special character.
    local escaped
    escaped=$(printf '%s' "$run" | sed 's/[][ \t'"'"'"\\]/\\&/g')
    run make --no-print-directory -C "$dest" compare \
        "RUNS=$escaped '$FIXTURES/run-lab-b'" TOLERANCE=20
    if [ "$last_status" -eq 0 ] && grep -q 'ratios.csv$' "$last_out"; then
        pass "$name: make compare RUNS=\"<that run, backslash-escaped> '<another>'\""
    else
        fail "$name: make compare RUNS=<quoted paths>" "exit $last_status: $(head -c 300 "$last_err")"
    fi
    # The "|" in the folder's name is escaped in ratios.md's machine table:
    # each row keeps its 14 cell borders (13 columns).
    local md bad
    md="$(dirname "$(grep -m1 'ratios.csv$' "$last_out")")/ratios.md"
    bad=$(grep -F '`' "$md" 2>/dev/null | grep '^| ' | sed 's/\\|//g' | awk -F'|' 'NF != 15' || true)
    if [ -s "$md" ] && grep -qF 'gilbench/results lab dir' "$md" && [ -z "$bad" ]; then
        pass "$name: ratios.md keeps its table with a '|' in a folder name"
    else
        fail "$name: ratios.md keeps its table with a '|' in a folder name" "${bad:-no ratios.md at $md}"
    fi
}

# What a user writes after BENCH_ARGS=, RUN=, RUNS=, TOLERANCE= reaches the
# script as written: the README's own example (now docs/reference.md's) was
# piped into a command `fetch`.
test_make_args() {
    run make --no-print-directory bench BENCH_ARGS='--only=nosuch|alsonot'
    expect_exit "make: BENCH_ARGS='--only=A|B' reaches bench.sh as one argument" 2 \
        "bench: --only='nosuch\\|alsonot' matches no experiment group"
    run make --no-print-directory bench "BENCH_ARGS=--results=\"$TEST_TMP/a b\" --only='x y'"
    expect_err "make: quotes in BENCH_ARGS group a value with spaces" "--only='x y' matches no experiment group"
    run make --no-print-directory bench "BENCH_ARGS=--only='unbalanced"
    expect_err "make: an unbalanced quote in BENCH_ARGS is named" 'BENCH_ARGS: cannot split into words'
    local odd="$TEST_TMP/no \$HOME 'such' \"run\" \`x\`;|*"
    run make --no-print-directory plots "RUN=$odd"
    if [ "$last_status" -eq 2 ] && grep -qF "no such run folder: '$odd'" "$last_err"; then
        pass "make: RUN= with quotes and metacharacters reaches plots.sh as written"
    else
        fail "make: RUN= reaches plots.sh as written" "exit $last_status: $(head -c 300 "$last_err")"
    fi
    run make --no-print-directory compare 'RUNS=tests/fixtures/run-lab-b tests/fixtures/run-lab-c' 'TOLERANCE=5;echo hi'
    expect_err "make: TOLERANCE= reaches compare.sh as written" "got '5;echo hi'"
}

# ------------------------------------------------------------------ CPUs
# A shell pinned to CPU 0 of a 2-CPU machine: 1 usable CPU everywhere.
test_taskset() {
    local name="taskset -c 0" online
    online=$(getconf _NPROCESSORS_ONLN)
    if ! command -v taskset >/dev/null || [ "$online" -lt 2 ]; then
        skip "$name: 1 usable CPU everywhere" "needs taskset and 2 online CPUs (have $online)"
        return
    fi
    BIN="$MARK" taskset -c 0 bash -c 'exec "$@"' _ bash "$ROOT/scripts/bench.sh" --tiny \
        "--results=$TEST_TMP/pinned" "--plots=$TEST_TMP/pinned-plots" --only='count-2|count-scaling' \
        >"$last_out" 2>"$last_err" && last_status=0 || last_status=$?
    local run
    run=$(latest_run "$TEST_TMP/pinned")
    if [ "$last_status" -ne 0 ] || [ -z "$run" ]; then
        fail "$name: the bench runs" "exit $last_status: $(grep -m3 -E 'FAILED|bench:' "$last_err")"
        return
    fi
    expect_err "$name: warns that speedups are capped at 1 CPU, $online online" \
        "speedups are capped at 1 CPU by the affinity mask.*the machine has $online online"
    if jq_true ".usable_cpus == 1 and .affinity_cpus == 1 and .online_cpus == $online" "$run/machine.json" >/dev/null; then
        pass "$name: machine.json records usable 1, affinity 1, online $online"
    else
        fail "$name: machine.json" "$(jq -c '{online_cpus, affinity_cpus, cpu_quota, usable_cpus}' "$run/machine.json")"
    fi
    # The pools get 1 worker; the sweep goes to 2 x 1; efficiency = speedup / min(workers, 1).
    local bad
    bad=$(awk -F, "$COLUMNS_AWK"'FNR == 1 { header(); next }
        get("label") ~ /^(pool|threadpool)$/ && get("group") != "count-scaling" && get("workers") != 1 { print "workers:" get("experiment") }
        get("group") == "count-scaling" && get("param") > 2 { print "sweep:" get("experiment") }
        get("efficiency") != "" && get("speedup") != "" && get("workers") >= 1 &&
            (get("efficiency") - get("speedup") > 1e-5 || get("speedup") - get("efficiency") > 1e-5) { print "eff:" get("experiment") }' \
        "$run/summary.csv")
    if [ -z "$bad" ]; then
        pass "$name: pools of 1, a sweep to 2 workers, efficiency = speedup / 1"
    else
        fail "$name: pools, sweep, efficiency" "$(tr '\n' ' ' <<<"$bad" | head -c 300)"
    fi
    if grep -q 'ideal: min(workers, 1 usable CPU)' "$TEST_TMP/pinned-plots/$(basename "$run")/count-scaling.svg" 2>/dev/null; then
        pass "$name: the ideal line of count-scaling stops at 1 usable CPU"
    else
        fail "$name: the ideal line" "count-scaling.svg lacks 'ideal: min(workers, 1 usable CPU)'"
    fi
    if grep -q "1 of $online CPUs usable" "$run/summary.md"; then
        pass "$name: summary.md says 1 of $online CPUs usable"
    else
        fail "$name: summary.md caption" "$(head -n 1 "$run/summary.md")"
    fi
}

# ------------------------------------------------------------------ not root
# A student account: a copy it owns, a PATH with the bench's tools but none
# of the lint tools.  make bench's check passes and the bench runs; make
# test's check names exactly the lint packages.
test_unprivileged() {
    local name="a student account (nobody)"
    if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
        skip "$name" "needs root and setpriv to become another user"
        return
    fi
    local dest="$SHARED/student/gilbench" path="$SHARED/path" f tool
    copy_checkout "$dest"
    mkdir -p "$path"
    for f in /usr/local/bin/* /usr/bin/* /bin/*; do
        tool=$(basename "$f")
        case "$tool" in shellcheck | valgrind* | cppcheck* | clang-tidy* | tmux) continue ;; esac
        [ -e "$path/$tool" ] || ln -s "$f" "$path/$tool"
    done
    chown -R nobody "$SHARED/student"
    local as_student=(setpriv --reuid=nobody --regid=nogroup --clear-groups
        env -i "HOME=$SHARED/student" "PATH=$path" LC_ALL=C)
    # shellcheck disable=SC2016 # $1 is that bash's
    run "${as_student[@]}" bash -c 'cd "$1" && exec bash scripts/install-deps.sh test' _ "$dest"
    local want
    want=$(printf '%s\n' shellcheck valgrind cppcheck clang-tidy tmux | sort | tr '\n' ' ')
    if [ "$last_status" -eq 1 ] &&
        [ "$(grep -o 'sudo apt-get install -y [^&]*' "$last_err" | cut -d' ' -f5- | tr ' ' '\n' | grep . | sort | tr '\n' ' ')" = "$want" ]; then
        pass "$name: make test's check prints the apt-get line for the lint tools, and only them"
    else
        fail "$name: make test's check" "exit $last_status: $(head -c 400 "$last_err")"
    fi
    run "${as_student[@]}" make --no-print-directory -C "$dest" bench \
        "BENCH_ARGS=--tiny --only=count-2|fetch --no-plots"
    if [ "$last_status" -eq 0 ] && grep -q '^count-2 ' "$last_out"; then
        pass "$name: make bench passes its check without the lint tools and runs"
    else
        fail "$name: make bench" "exit $last_status: $(grep -v '^\[' "$last_err" | head -c 400)"
    fi
}

# ------------------------------------------------------------------ run bits
# The scripts README.md, a page of docs/ or a --help tells a user to run are
# executable; a file that is only sourced (scripts/matrix.sh, schema.sh: no #!
# line) is not run.
test_run_bits() {
    local scripts s bad="" pages=()
    mapfile -t pages < <(find docs -name '*.md')
    scripts=$({ grep -ohE 'scripts/([a-z-]+/)?[a-z-]+\.sh' README.md "${pages[@]}"
        grep -hE '^(Usage| +or|Try)|Usage: ' scripts/*.sh | grep -oE 'scripts/[a-z-]+\.sh'; } | sort -u)
    for s in $scripts; do
        [ -f "$s" ] || continue
        [ "$(head -c 2 "$s")" = '#!' ] || continue
        [ -x "$s" ] || bad+=" $s"
        if git ls-files --error-unmatch "$s" >/dev/null 2>&1 &&
            [ "$(git ls-files -s "$s" | cut -d' ' -f1)" != 100755 ]; then
            bad+=" $s(git mode)"
        fi
    done
    if [ -z "$bad" ]; then pass "the scripts README, docs/ and --help name are executable ($(wc -w <<<"$scripts") scripts)"; else
        fail "the scripts README, docs/ and --help name are executable" "no run bit:$bad"; fi
}

main() {
    setup
    test_run_bits
    test_make_args
    test_locale_figures
    test_locale_bench
    test_odd_path
    test_taskset
    test_unprivileged
}

main "$@"
