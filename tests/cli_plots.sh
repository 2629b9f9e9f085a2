#!/usr/bin/env bash
# tests/cli_plots.sh - the command-line contract of scripts/plots.sh, drawn
# from the fabricated run in tests/fixtures/run-lab-a: every figure in every
# format, valid files, no gnuplot warnings, the terminal plot, usage errors
# that write nothing, and a partial run that draws what it has.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

PLOTS="$ROOT/scripts/plots.sh"
FIXTURE="$FIXTURES/run-lab-a"
FIGURES=(count-2-time count-10-time count-speedup fetch-time interleave-time count-scaling fetch-n
    refcount-lost refcount-cost convoy convoy-interval gil-timeline)
COUNT_FIGURES=(count-2-time count-10-time count-scaling)

# expect_figures NAME DIR FIGURE...: each figure exists in DIR as a non-empty
# PNG, SVG and PDF that start as those formats do.
expect_figures() {
    local name=$1 dir=$2 fig bad=""
    shift 2
    for fig in "$@"; do
        [ -s "$dir/$fig.png" ] && [ "$(head -c 4 "$dir/$fig.png" | tail -c 3)" = PNG ] || bad+=" $fig.png"
        [ -s "$dir/$fig.pdf" ] && [ "$(head -c 4 "$dir/$fig.pdf")" = %PDF ] || bad+=" $fig.pdf"
        [ -s "$dir/$fig.svg" ] && grep -q '<svg' "$dir/$fig.svg" || bad+=" $fig.svg"
    done
    if [ -z "$bad" ]; then pass "$name"; else fail "$name" "missing or not valid:$bad"; fi
}

# expect_no_warnings NAME: the last stderr has no gnuplot warning or error.
expect_no_warnings() {
    if grep -qiE 'warning|error|line [0-9]+:' "$last_err"; then
        fail "$1" "$(grep -m3 -iE 'warning|error|line [0-9]+:' "$last_err")"
    else
        pass "$1"
    fi
}

# expect_nothing_written NAME DIR: DIR was not created.
expect_nothing_written() {
    if [ -e "$2" ]; then fail "$1" "$2 was created"; else pass "$1"; fi
}

test_help() {
    expect_help plots bash "$PLOTS" -- --out --terminal --help RUN_DIR
}

test_full_run() {
    local out="$TEST_TMP/full"
    expect_status "plots draws the fixture run" 0 bash "$PLOTS" "$FIXTURE" --out "$out"
    if [ -s "$last_err" ]; then
        fail "full run: stderr is empty" "$(head -c 300 "$last_err")"
    else
        pass "full run: stderr is empty (no gnuplot warnings, nothing skipped)"
    fi
    expect_figures "full run: every figure as PNG, SVG and PDF" "$out" "${FIGURES[@]}"
    # The fixture's racy row: 1043512 lost of 2 tasks x 4e7 operations.
    if grep -q '1.04 M of 80 M updates (1.3%)' "$out/refcount-lost.svg"; then
        pass "refcount-lost: lost updates out of every update made (ops x tasks)"
    else
        fail "refcount-lost: lost updates out of every update made" \
            "$(grep -o '[^>]* of [^<]*updates[^<]*' "$out/refcount-lost.svg" | head -n 3)"
    fi
    local lines
    lines=$(grep -c . "$last_out" || true)
    # Each figure's three files, then the run's page (--out DIR: DIR/report.html).
    if [ "$lines" -eq $((3 * ${#FIGURES[@]} + 1)) ] && grep -qx "$out/gil-timeline.pdf" "$last_out" &&
        [ "$(tail -n 1 "$last_out")" = "$out/report.html" ]; then
        pass "full run: prints one path per file written"
    else
        fail "full run: prints one path per file written" "$lines lines: $(head -c 200 "$last_out")"
    fi
    if find "$out" -type f -size 0 | grep -q .; then
        fail "full run: no zero-byte file" "$(find "$out" -type f -size 0)"
    else
        pass "full run: no zero-byte file"
    fi
    # SVG keeps its text, so the labels and the caption can be read back.
    if grep -q 'CPython 3.11 threads' "$out/count-2-time.svg" && grep -q 'gil-old' "$out/count-2-time.svg"; then
        pass "count-2-time shows the CPython rows beside ours"
    else
        fail "count-2-time shows the CPython rows beside ours" "no 'CPython 3.11 threads' or 'gil-old' label"
    fi
    if grep -q 'gil-old' "$out/count-10-time.svg"; then
        fail "a failed row is left out" "count-10 gil-old (status failed) is drawn"
    else
        pass "a failed row is left out"
    fi
    if grep -q 'lab-a · Intel(R) Core(TM) i5-7500 CPU @ 3.40GHz · 4 cores · 2025-11-20 14:03 UTC' "$out/convoy.svg"; then
        pass "the caption names host, cpu, cores and date"
    else
        fail "the caption names host, cpu, cores and date" "not in convoy.svg"
    fi
    # Drawing again over an existing folder replaces the files.
    expect_status "plots redraws into an existing folder" 0 bash "$PLOTS" "$FIXTURE" --out "$out"
}

test_terminal() {
    local marker="$TEST_TMP/marker" before after
    # plots/ may not exist yet: find fails then, and that is fine.
    before=$( (find "$ROOT/plots" -type f 2>/dev/null || true) | sort | md5sum)
    touch "$marker"
    expect_status "plots --terminal exits 0" 0 env LC_ALL=C.UTF-8 bash "$PLOTS" --terminal "$FIXTURE"
    expect_out "--terminal draws the count-2 labels" 'threads \|'
    expect_out "--terminal draws the CPython rows" 'CPython 3\.11 threads'
    expect_out "--terminal shows speedups" '[0-9]\.[0-9]{2}×'
    expect_out "--terminal names the machine" 'lab-a'
    expect_no_warnings "--terminal: no gnuplot warnings"
    after=$( (find "$ROOT/plots" -type f 2>/dev/null || true) | sort | md5sum)
    if [ "$before" = "$after" ] && ! { find "$ROOT/plots" -newer "$marker" 2>/dev/null || true; } | grep -q .; then
        pass "--terminal writes nothing"
    else
        fail "--terminal writes nothing" "files changed under $ROOT/plots"
    fi
}

# non_ascii FILE: the count of bytes of FILE outside ASCII.
non_ascii() { LC_ALL=C tr -d '\000-\177' <"$1" | wc -c; }

# A terminal whose locale is not UTF-8 (LC_ALL=C) gets an ASCII chart: the
# UTF-8 of × and · showed there as garbage.  A UTF-8 one keeps them, also
# where its locale is not installed on this machine (the name says UTF-8).
test_terminal_charset() {
    expect_status "plots --terminal under LC_ALL=C" 0 env LC_ALL=C bash "$PLOTS" --terminal "$FIXTURE"
    expect_eq "--terminal under LC_ALL=C: ASCII only" "$(non_ascii "$last_out")" 0
    expect_out "--terminal under LC_ALL=C: speedups end in x" 'threads \|-+1\.99x'
    expect_out "--terminal under LC_ALL=C: the caption's parts joined by -" 'lab-a - Intel.* - 4 cores - '
    expect_status "plots --terminal under LC_ALL=C.UTF-8" 0 env LC_ALL=C.UTF-8 bash "$PLOTS" --terminal "$FIXTURE"
    expect_out "--terminal under C.UTF-8: speedups end in ×" 'threads \|-+1\.99×'
    expect_out "--terminal under C.UTF-8: the caption's parts joined by ·" 'lab-a · Intel.* · 4 cores · '
    expect_status "plots --terminal under LANG=xx_YY.UTF-8 (not installed)" 0 \
        env -u LC_ALL -u LC_CTYPE LANG=xx_YY.UTF-8 bash "$PLOTS" --terminal "$FIXTURE"
    expect_out "--terminal under a UTF-8 locale not installed: still ×" 'threads \|-+1\.99×'
}

# A full run's count-2 chart has more bars than the default 30-line terminal
# and labels longer than 20 characters ("CPython 3.13t+GIL threads"): every
# bar keeps its label, each on a line of its own.
test_terminal_many_bars() {
    local label re missing="" bars
    local -a labels=(seq threads gil fork pool threadpool gil-old shell
        "CPython 3.11 seq" "CPython 3.11 threads" "CPython 3.11 processes" "CPython 3.11 pool"
        "CPython 2.7 seq" "CPython 2.7 threads" "CPython 3.13t seq" "CPython 3.13t threads"
        "CPython 3.13t+GIL seq" "CPython 3.13t+GIL threads")
    expect_status "plots --terminal draws a full run" 0 env LC_ALL=C.UTF-8 bash "$PLOTS" --terminal "$FIXTURES/full-run"
    for label in "${labels[@]}"; do
        re=${label//./\\.}
        re=${re//+/\\+}
        grep -Eq "^ *$re \|-+[0-9]\.[0-9]{2}×" "$last_out" || missing+=" '$label'"
    done
    expect_eq "--terminal: every bar of a full run keeps its label" "$missing" ""
    bars=$(grep -cE '\|-+[0-9]\.[0-9]{2}×' "$last_out" || true)
    expect_eq "--terminal: one line per bar (${#labels[@]} bars)" "$bars" "${#labels[@]}"
    expect_no_warnings "--terminal on a full run: no gnuplot warnings"
    # 40 bars: the terminal grows with them.
    local run="$TEST_TMP/run-40-bars"
    mkdir -p "$run"
    awk -F, -v OFS=, "$COLUMNS_AWK"'FNR == 1 { header(); print; next }
        get("group") == "count-2" && get("label") == "threads" {
            for (i = 1; i <= 40; i++) { set_field("label", "bar-" i); print } }' \
        "$FIXTURES/full-run/summary.csv" >"$run/summary.csv"
    expect_status "plots --terminal draws 40 bars" 0 env LC_ALL=C.UTF-8 bash "$PLOTS" --terminal "$run"
    bars=$(grep -cE '^ *bar-[0-9]+ \|-+[0-9]\.[0-9]{2}×' "$last_out" || true)
    expect_eq "--terminal: 40 bars, each labelled on a line of its own" "$bars" 40
}

# Every reference interpreter is named with its version (impl's major.minor)
# in every figure: the convoy bar of CPython 3.11 said "CPython" alone beside
# "CPython 2.7" and "CPython 3.13t".
test_cpython_versions() {
    local out="$TEST_TMP/versions" fig label missing=""
    expect_status "plots draws the full run" 0 bash "$PLOTS" "$FIXTURES/full-run" --out "$out"
    for label in "convoy:CPython 3.11" "convoy:CPython 2.7" "convoy:CPython 3.13t" \
        "convoy-interval:CPython 3.11, beside a CPU-bound thread" \
        "count-2-time:CPython 3.11 threads" "count-2-time:CPython 2.7 threads" "count-2-time:CPython 3.13t+GIL threads"; do
        fig=${label%%:*} label=${label#*:}
        grep -qF ">$label<" "$out/$fig.svg" || missing+=" $fig:'$label'"
    done
    expect_eq "every CPython bar and line is named with its version" "$missing" ""
    # A name without a version: "CPython" alone, or before a mode word.
    fig=$(grep -lE '>CPython( (seq|threads|processes|pool))?(, [^<]*)?<' "$out/convoy.svg" "$out/convoy-interval.svg" || true)
    expect_eq "no CPython bar or line without its version" "$fig" ""
}

# A run with interp rows (count-2's interp, and CPython 3.13's interpreters
# beside its threads): the mode has a colour of its own and a place in the
# key, and the CPython row is named with its version.
test_interp_rows() {
    local run="$TEST_TMP/run-interp" out="$TEST_TMP/interp-figures"
    mkdir -p "$run"
    cp "$FIXTURES/full-run/machine.json" "$run/"
    awk -F, -v OFS=, "$COLUMNS_AWK"'FNR == 1 { header(); print; next }
        { print }
        get("experiment") == "count-2.threads" {
            set_field("experiment", "count-2.interp"); set_field("mode", "interp")
            set_field("label", "interp"); print }
        get("experiment") == "count-2-cpython.py-threads" {
            set_field("experiment", "count-2-cpython.py-interpreters"); set_field("mode", "interp")
            set_field("variant", ""); set_field("label", "py-interpreters")
            set_field("impl", "cpython-3.13.0"); print }' \
        "$FIXTURES/full-run/summary.csv" >"$run/summary.csv"
    expect_status "plots draws a run with interp rows" 0 bash "$PLOTS" "$run" --out "$out"
    expect_no_warnings "a run with interp rows: no gnuplot warnings"
    local missing=""
    grep -qF '>interp<' "$out/count-2-time.svg" || missing+=" the key's 'interp'"
    grep -qF '>CPython 3.13 interpreters<' "$out/count-2-time.svg" || missing+=" 'CPython 3.13 interpreters'"
    grep -qiF 'rgb(153, 153,  51)' "$out/count-2-time.svg" || grep -qi '#999933' "$out/count-2-time.svg" \
        || missing+=" interp's colour (#999933)"
    expect_eq "count-2-time: interp in the key, in its own colour, CPython's interpreters named" "$missing" ""
    expect_status "plots --terminal draws a run with interp rows" 0 env LC_ALL=C.UTF-8 bash "$PLOTS" --terminal "$run"
    expect_out "--terminal: the interp bar keeps its label" '^ *interp \|-+[0-9]\.[0-9]{2}×'
}

test_bad_usage() {
    local out="$TEST_TMP/bad" empty="$TEST_TMP/not-a-run"
    mkdir -p "$empty"
    expect_usage_error "no RUN_DIR" bash "$PLOTS" --out "$out/1"
    expect_err "no RUN_DIR says how to call it" 'RUN= is required: make plots RUN=results/'
    expect_nothing_written "no RUN_DIR writes nothing" "$out/1"
    expect_usage_error "empty RUN (make plots without RUN=)" bash "$PLOTS" ""
    expect_err "empty RUN says how to call it" 'RUN= is required: make plots RUN=results/HOST-TIME'
    expect_usage_error "no arguments at all" bash "$PLOTS"
    expect_usage_error "missing folder" bash "$PLOTS" "$TEST_TMP/no-such-run" --out "$out/2"
    expect_nothing_written "missing folder writes nothing" "$out/2"
    expect_usage_error "folder without summary.csv" bash "$PLOTS" "$empty" --out "$out/3"
    expect_err "folder without summary.csv says so" 'no summary.csv'
    expect_nothing_written "folder without summary.csv writes nothing" "$out/3"
    expect_usage_error "unknown option" bash "$PLOTS" --frobnicate "$FIXTURE" --out "$out/4"
    expect_nothing_written "unknown option writes nothing" "$out/4"
    expect_usage_error "--out without a folder" bash "$PLOTS" "$FIXTURE" --out
    expect_usage_error "two run folders" bash "$PLOTS" "$FIXTURE" "$FIXTURE" --out "$out/5"
    expect_nothing_written "two run folders write nothing" "$out/5"
}

# A run with count rows only (no fetch, refcount, convoy or traces) draws the
# count figures and skips the rest, saying so.
test_partial_run() {
    local run="$TEST_TMP/run-count-only" out="$TEST_TMP/partial"
    mkdir -p "$run"
    cp "$FIXTURE/machine.json" "$run/"
    awk -F, 'NR == 1 || $1 == "count"' "$FIXTURE/summary.csv" >"$run/summary.csv"
    expect_status "a count-only run draws" 0 bash "$PLOTS" "$run" --out "$out"
    expect_figures "count-only run: the count figures" "$out" "${COUNT_FIGURES[@]}"
    local extra
    extra=$(find "$out" -type f ! -name 'count-*' ! -name report.html | head -3)
    if [ -z "$extra" ]; then pass "count-only run: no other figure"; else fail "count-only run: no other figure" "$extra"; fi
    expect_err "count-only run: says fetch-time is skipped" 'skipping fetch-time'
    expect_err "count-only run: says gil-timeline is skipped" 'skipping gil-timeline'
    expect_no_warnings "count-only run: no gnuplot warnings"

    # convoy.csv names each row's group and status itself: the convoy
    # figures need neither summary.csv's convoy rows nor experiments.tsv.
    run="$TEST_TMP/run-convoy" out="$TEST_TMP/convoy"
    mkdir -p "$run"
    cp "$FIXTURE/convoy.csv" "$run/"
    awk -F, "$COLUMNS_AWK"'FNR == 1 { header(); print; next } get("case") == "count"' \
        "$FIXTURE/summary.csv" >"$run/summary.csv"
    expect_status "a run without machine.json draws" 0 bash "$PLOTS" "$run" --out "$out"
    expect_figures "convoy groups read from convoy.csv's own group column" "$out" convoy convoy-interval
    expect_err "a missing machine.json is reported" 'no readable machine.json'
    expect_no_warnings "convoy run: no gnuplot warnings"
    # A convoy row marked failed in convoy.csv is left out.
    awk -F, -v OFS=, "$COLUMNS_AWK"'FNR == 1 { header(); print; next }
        { if (get("experiment") == "convoy-gil-old") set_field("status", "failed"); print }' \
        "$FIXTURE/convoy.csv" >"$run/convoy.csv"
    expect_status "a run with a failed convoy row draws" 0 bash "$PLOTS" "$run" --out "$out.failed"
    if grep -q 'gil-old' "$out.failed/convoy.svg"; then
        fail "convoy: a row convoy.csv marks failed is left out" "gil-old is drawn"
    else
        pass "convoy: a row convoy.csv marks failed is left out"
    fi
    # A convoy.csv from before it had group and status columns (ids are
    # GROUP.LABEL[.PARAM] there): the group is read from the id.
    awk -F, -v OFS=, "$COLUMNS_AWK"'FNR == 1 { header() }
        FNR > 1 { id = get("group") "." get("label"); if (get("switch_interval_us") != "" && get("group") == "convoy-interval") id = id "." get("switch_interval_us"); set_field("experiment", id) }
        { line = ""; for (i = 1; i <= NF; i++) if (i != col["group"] && i != col["status"]) line = line (line == "" ? "" : ",") $i; print line }' \
        "$FIXTURE/convoy.csv" >"$run/convoy.csv"
    expect_status "an older convoy.csv without group draws" 0 bash "$PLOTS" "$run" --out "$out.old"
    expect_figures "an older convoy.csv: the group read from the experiment id" "$out.old" convoy convoy-interval
    if cmp -s "$out/convoy.svg" "$out.old/convoy.svg" && cmp -s "$out/convoy-interval.svg" "$out.old/convoy-interval.svg"; then
        pass "an older convoy.csv: the same convoy figures as with its group column"
    else
        fail "an older convoy.csv: the same convoy figures as with its group column" "the SVGs differ"
    fi
}

# reorder_columns FILE SEP: FILE with its columns in reverse order (a reader
# by name must not care).
reorder_columns() {
    awk -F "$2" -v OFS="$2" '{ line = $NF; for (i = NF - 1; i >= 1; i--) line = line OFS $i; print line }' "$1"
}

# The same run with every CSV's columns reversed draws the same figures: the
# readers find each column by its name.
test_reordered_columns() {
    local run="$TEST_TMP/run-reordered" f fig differ=""
    mkdir -p "$run"
    cp -r "$FIXTURE/." "$run/"
    for f in summary.csv refcount.csv convoy.csv raw/trace-gil-new.csv raw/trace-gil-old.csv; do
        reorder_columns "$FIXTURE/$f" , >"$run/$f"
    done
    run bash "$PLOTS" "$FIXTURE" --out "$TEST_TMP/in-order"
    run bash "$PLOTS" "$run" --out "$TEST_TMP/reordered"
    expect_eq "reordered columns: plots exits 0" "$last_status" 0
    for fig in "${FIGURES[@]}"; do
        # The caption names the run folder only when machine.json is missing.
        cmp -s "$TEST_TMP/in-order/$fig.svg" "$TEST_TMP/reordered/$fig.svg" || differ+=" $fig"
    done
    expect_eq "reordered columns: every figure's SVG is the same" "$differ" ""
}

# Every ratio on a figure is rounded as the lessons and tables round it
# (the lessons' fmt: 2 decimals below 10, 1 below 100, none above): CPython
# 3.11's threads at 0.758x were labelled "(0.8x)", a failed check (0.80x to
# 1.25x wanted) that looked passed.
test_ratio_labels() {
    local run="$TEST_TMP/run-ratios" out="$TEST_TMP/ratios" missing=""
    mkdir -p "$run"
    cp -r "$FIXTURE/." "$run/"
    awk -F, -v OFS=, "$COLUMNS_AWK"'FNR == 1 { header(); print; next }
        { e = get("experiment")
          if (e == "count-2-cpython-py-threads") set_field("speedup", "0.758")
          if (e == "count-2-threads") set_field("speedup", "12.34")
          if (e == "count-2-fork") set_field("speedup", "208.4")
          print }' "$FIXTURE/summary.csv" >"$run/summary.csv"
    awk -F, -v OFS=, "$COLUMNS_AWK"'FNR == 1 { header(); print; next }
        { if (get("group") == "convoy" && get("label") == "gil") set_field("slowdown", "1.004"); print }' \
        "$FIXTURE/convoy.csv" >"$run/convoy.csv"
    expect_status "plots draws a run with ratios to round" 0 bash "$PLOTS" "$run" --out "$out"
    local want
    for want in "count-2-time:(0.76×)" "count-2-time:(12.3×)" "count-2-time:(208×)" \
        "count-2-time:(0.69×)" "convoy:>1.00×<"; do
        grep -qF -- "${want#*:}" "$out/${want%%:*}.svg" || missing+=" ${want%%:*}:'${want#*:}'"
    done
    expect_eq "figures: ratios rounded as the lessons round them (0.76×, 12.3×, 208×)" "$missing" ""
    if grep -qE '\((0\.8|0\.7|1\.0)×\)|>1×<' "$out/count-2-time.svg" "$out/convoy.svg"; then
        fail "figures: no ratio with fewer decimals than the tables" \
            "$(grep -ohE '\((0\.8|0\.7|1\.0)×\)|>1×<' "$out/count-2-time.svg" "$out/convoy.svg" | head -3)"
    else
        pass "figures: no ratio with fewer decimals than the tables"
    fi
    expect_status "plots --terminal draws the run with ratios to round" 0 env LC_ALL=C.UTF-8 bash "$PLOTS" --terminal "$run"
    expect_out "--terminal: 0.758 drawn as 0.76×" 'CPython 3\.11 threads \|-*0\.76×'
    expect_out "--terminal: 208.4 drawn as 208×" 'fork \|-+208×'
}

# No text of the convoy figure runs into another, with the 13 rows of a full
# run (the CPython rows' labels long: "CPython 3.13 interpreters"): the x
# labels were side by side and overlapped.  Each text of the SVG is a box of
# its font size (a character 0.55 em wide), turned as the SVG turns it.
test_convoy_labels() {
    local run="$TEST_TMP/run-convoy-13" out="$TEST_TMP/convoy-13"
    mkdir -p "$run"
    cp -r "$FIXTURES/handout-run-quick/." "$run/"
    awk -F, -v OFS=, "$COLUMNS_AWK"'FNR == 1 { header(); print; next }
        { print }
        get("experiment") == "convoy.py" { set_field("experiment", "convoy.pyft"); set_field("label", "pyft")
            set_field("impl", "cpython-3.14.0t"); set_field("mode", "threads"); print }
        get("experiment") == "convoy.gil" { set_field("experiment", "convoy.gil-pinned"); set_field("label", "gil-pinned"); print }
        get("experiment") == "convoy.py2" { set_field("experiment", "convoy.py2-one-cpu"); set_field("label", "py2-one-cpu"); print }' \
        "$FIXTURES/handout-run-quick/convoy.csv" >"$run/convoy.csv"
    expect_eq "the convoy figure's run has 13 convoy rows" \
        "$(awk -F, "$COLUMNS_AWK"'FNR == 1 { header(); next } get("group") == "convoy"' "$run/convoy.csv" | wc -l)" 13
    run bash "$PLOTS" "$run" --out "$out"
    run python3 - "$out/convoy.svg" <<'PY'
import math, re, sys
pat = re.compile(r'<g transform="translate\(([-\d.]+),([-\d.]+)\)(?: rotate\(([-\d.]+)\))?"[^>]*'
                 r'font-size="([\d.]+)"[^>]*text-anchor="(\w+)">\s*<text>([^<]*)</text>')
boxes = []
for m in pat.finditer(open(sys.argv[1], encoding="utf-8").read()):
    x, y, a, f, anchor, t = float(m[1]), float(m[2]), float(m[3] or 0), float(m[4]), m[5], m[6]
    w = len(t.replace("&amp;", "&")) * 0.55 * f
    x0 = {"start": 0, "middle": -w / 2, "end": -w}[anchor]
    r = math.radians(a)
    boxes.append((t, [(x + u * math.cos(r) - v * math.sin(r), y + u * math.sin(r) + v * math.cos(r))
                      for u, v in [(x0, -0.75 * f), (x0 + w, -0.75 * f), (x0 + w, 0.2 * f), (x0, 0.2 * f)]]))
def apart(c1, c2):
    """Separating axes: two rectangles are apart when one of their edges' normals separates them."""
    for c in (c1, c2):
        for i in range(2):
            dx, dy = c[i + 1][0] - c[i][0], c[i + 1][1] - c[i][1]
            p1 = [-dy * px + dx * py for px, py in c1]
            p2 = [-dy * px + dx * py for px, py in c2]
            if max(p1) <= min(p2) or max(p2) <= min(p1):
                return True
    return False
bad = ["%r and %r" % (b[0], c[0]) for i, b in enumerate(boxes) for c in boxes[i + 1:] if not apart(b[1], c[1])]
print("%d texts; overlapping: %s" % (len(boxes), "; ".join(bad) or "none"))
PY
    expect_out "convoy figure, 13 rows: no text runs into another (the x labels turned)" \
        '^[0-9]+ texts; overlapping: none$'
}

main() {
    have_tools "plots" gnuplot jq || return 0
    test_help
    test_full_run
    test_terminal
    test_terminal_charset
    test_terminal_many_bars
    test_cpython_versions
    test_interp_rows
    test_ratio_labels
    test_convoy_labels
    test_bad_usage
    test_partial_run
    test_reordered_columns
}

main "$@"
