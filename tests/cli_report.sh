#!/usr/bin/env bash
# tests/cli_report.sh - the run's page (report.html) and the comparison's
# (compare.html) from the command line: python3 -m gilbench report, plots.sh
# writing it after the figures, compare.sh writing compare.html, under a
# decimal-comma locale and in a path with a space and a non-ASCII letter; a
# page that cannot be written is exit 1 with one line; and the page in a real
# browser (headless Chromium, where /usr/bin/chromium exists) at a desktop
# and a phone width.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

GILBENCH=(python3 -E -c 'import sys; sys.path.insert(0, sys.argv.pop(1)); from gilbench.__main__ import main; sys.exit(main())'
    "$ROOT/scripts")
DE=de_DE.UTF-8
RUN="$TEST_TMP/results/vm-20261129T152028Z"
FIGS="$TEST_TMP/plots/vm-20261129T152028Z"

# one_line NAME: the last command exited 1 with one line on stderr (besides
# plots.sh's notes of the figures it skips, which the fixture's lack of traces gives).
one_line() {
    local lines
    lines=$(grep -vc '^plots: skipping ' "$last_err" || true)
    if [ "$last_status" -eq 1 ] && [ "$lines" -eq 1 ]; then
        pass "$1"
    else
        fail "$1" "exit $last_status, $lines stderr line(s): $(head -c 300 "$last_err")"
    fi
}

# page_has NAME FILE: FILE is a page with every lesson anchor and every figure
# of $FIGS inline, under 2 MB.
page_has() {
    local name=$1 file=$2 missing="" f k
    [ -f "$file" ] || { fail "$name" "no $file"; return; }
    for k in 1 2 3 4 5 6 7; do grep -q "id=\"L$k\"" "$file" || missing+=" L$k"; done
    for f in "$FIGS"/*.svg; do
        f=$(basename "$f" .svg)
        grep -q "id=\"fig-$f\"" "$file" || missing+=" fig-$f"
    done
    if [ -n "$missing" ]; then
        fail "$name" "missing:$missing"
    elif [ "$(wc -c <"$file")" -ge 2000000 ]; then
        fail "$name" "$(wc -c <"$file") bytes, over 2 MB"
    else
        pass "$name"
    fi
}

test_usage() {
    expect_help "gilbench report" "${GILBENCH[@]}" report -- --out --plots --json
    expect_usage_error "report: no such folder" "${GILBENCH[@]}" report "$TEST_TMP/no-such-run"
    : >"$TEST_TMP/run.tar.gz"
    expect_usage_error "report: a bundle" "${GILBENCH[@]}" report "$TEST_TMP/run.tar.gz"
    expect_err "report: a bundle: says so and how to read it" "is a bundle.*make plots RUN=.*bundle\.sh with "
    expect_usage_error "report: a folder without summary.csv" "${GILBENCH[@]}" report "$TEST_TMP"
    expect_usage_error "report: --out without a file" "${GILBENCH[@]}" report "$RUN" --out ""
    expect_usage_error "compare-page: no such folder" "${GILBENCH[@]}" compare-page "$TEST_TMP/no-such-dir"
}

test_fixture_run() {
    expect_status "plots.sh draws the fixture run and its page" 0 bash "$ROOT/scripts/plots.sh" "$RUN" --out "$FIGS" --report "$RUN/report.html"
    if tail -n 1 "$last_out" | grep -qx "$RUN/report.html"; then
        pass "plots.sh prints the page's path last"
    else
        fail "plots.sh prints the page's path last" "$(tail -n 1 "$last_out")"
    fi
    page_has "the page has every lesson and figure, under 2 MB" "$RUN/report.html"
    rm -f "$RUN/report.html"
    expect_status "gilbench report --json" 0 "${GILBENCH[@]}" report "$RUN" --json
    if python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["report"] == sys.argv[2] and d["bytes"] > 0 and d["lessons"] == 7' \
        "$last_out" "$RUN/report.html" 2>/dev/null; then
        pass "report --json: one object with the page's path, size and lessons"
    else
        fail "report --json: one object" "$(head -c 300 "$last_out")"
    fi
    page_has "report finds the figures beside the run's results/ folder" "$RUN/report.html"
}

test_locale_and_path() {
    local odd="$TEST_TMP/mes résultats/run ü"
    mkdir -p "$(dirname "$odd")"
    cp -r "$RUN" "$odd"
    rm -f "$odd/report.html"
    if ! locale -a 2>/dev/null | grep -qiE '^de_DE\.utf-?8$'; then
        skip "report under $DE" "the locale $DE is not installed (scripts/install-deps.sh test installs it)"
        return 0
    fi
    expect_status "plots.sh under LC_ALL=$DE into a path with a space and a non-ASCII letter" 0 \
        env LC_ALL=$DE bash "$ROOT/scripts/plots.sh" "$odd" --out "$odd/figures" --report "$odd/report.html"
    page_has "the page in that path has every lesson and figure" "$odd/report.html"
    env LC_ALL=C "${GILBENCH[@]}" report "$odd" --plots "$odd/figures" --out "$TEST_TMP/c.html" >/dev/null
    env LC_ALL=$DE "${GILBENCH[@]}" report "$odd" --plots "$odd/figures" --out "$TEST_TMP/de.html" >/dev/null
    if cmp -s "$TEST_TMP/c.html" "$TEST_TMP/de.html" && grep -q '0.85x' "$TEST_TMP/de.html"; then
        pass "the page under $DE is the C locale's (0.85x, not 0,85x)"
    else
        fail "the page under $DE is the C locale's" "$(diff "$TEST_TMP/c.html" "$TEST_TMP/de.html" | head -c 300)"
    fi
    ODD=$odd
}

# read_only_dir: a folder no write succeeds in (as root: a read-only tmpfs), in RO_DIR.
RO_DIR=""
read_only_dir() {
    RO_DIR="$TEST_TMP/read-only"
    mkdir -p "$RO_DIR"
    if [ "$(id -u)" -ne 0 ]; then
        chmod a-w "$RO_DIR"
    elif ! mount -t tmpfs -o ro,size=64k tmpfs "$RO_DIR" 2>/dev/null; then
        RO_DIR=""
        return 1
    fi
}

test_failed_write() {
    if ! read_only_dir; then
        skip "a page that cannot be written" "needs a read-only folder: as root a tmpfs mount, not allowed here"
        return 0
    fi
    run "${GILBENCH[@]}" report "$RUN" --out "$RO_DIR/report.html"
    one_line "report into a read-only folder: exit 1, one line"
    run bash "$ROOT/scripts/plots.sh" "$RUN" --out "$TEST_TMP/figs-ro" --report "$RO_DIR/report.html"
    one_line "plots.sh whose page cannot be written: exit 1, one line"
    if [ "$(id -u)" -eq 0 ]; then umount "$RO_DIR"; else chmod u+w "$RO_DIR"; fi
}

# A trial's faults (issue 26): a tiny run named as one; a --plots folder
# without the run's figures said on stderr, on the page and by exit 1; the
# convoy table's pin and waited shares; a lesson not run in lessons.md's words.
test_trial_faults() {
    local q="$TEST_TMP/results/q" empty="$TEST_TMP/no figures here" nr
    cp -r "$FIXTURES/handout-run-quick" "$q"
    jq '.size = "tiny"' "$FIXTURES/handout-run-quick/machine.json" >"$q/machine.json"
    mkdir -p "$empty"
    run "${GILBENCH[@]}" report "$q" --plots "$empty"
    if [ "$last_status" -eq 1 ] && [ "$(wc -l <"$last_err")" -eq 1 ] && grep -qF "'$empty'" "$last_err" &&
        grep -q 'id="missing-figures"' "$q/report.html" && grep -q 'id="missing-count-speedup"' "$q/report.html"; then
        pass "report --plots a folder without the run's figures: exit 1, one line naming it, the page says so"
    else
        fail "report --plots a folder without the run's figures" "exit $last_status: $(head -c 300 "$last_err")"
    fi
    if grep -q '· tiny run</p>' "$q/report.html" && ! grep -q 'QUICK' "$q/report.html"; then
        pass "a tiny run's page says tiny, never QUICK"
    else
        fail "a tiny run's page says tiny" "$(grep -o 'class="machine">[^<]*' "$q/report.html" | head -c 300)"
    fi
    if grep -q '>pin</th>' "$q/report.html" && grep -q '>waited 2+</th>' "$q/report.html" &&
        grep -q '<td>apart</td>' "$q/report.html" && grep -q '<td class="num">25.6%</td>' "$q/report.html"; then
        pass "the convoy table has pin and the waited shares as percentages"
    else
        fail "the convoy table has pin and the waited shares" "$(grep -o '<section id="group-convoy">.\{300\}' "$q/report.html")"
    fi
    # A run without its convoy groups: lessons.sh says L7 is not measured.
    nr="$TEST_TMP/results/no-convoy"
    cp -r "$FIXTURES/handout-run-quick" "$nr"
    grep -v ',convoy' "$FIXTURES/handout-run-quick/summary.csv" >"$nr/summary.csv"
    bash "$ROOT/scripts/lessons.sh" "$nr" >/dev/null 2>&1 || true
    "${GILBENCH[@]}" report "$nr" --plots "$empty" >/dev/null 2>&1 || true
    local l7
    l7=$(sed -n 's/.*\(<section class="lesson not_measured" id="L7".*\)/\1/p' "$nr/report.html" | sed 's,</section>.*,,; s/<[^>]*>//g')
    if grep -q 'L7 not measured' <<<"$l7" && ! grep -q 'not run:' <<<"$l7" &&
        [ "$(grep -o 'group convoy-interval' <<<"$l7" | wc -l)" -eq 1 ]; then
        pass "a lesson not run: lessons.md's 'not measured', each group once"
    else
        fail "a lesson not run: lessons.md's words, each group once" "$(head -c 400 <<<"$l7")"
    fi
}

# The "Made by" command of compare.html, pasted in the repository, makes it again:
# runs in a path with a space and a non-ASCII letter, given as relative paths.
test_compare_command() {
    local dir="$TEST_TMP/mé run" cmd
    mkdir -p "$dir"
    cp -r "$FIXTURES/run-lab-b" "$dir/run b"
    cp -r "$FIXTURES/run-lab-c" "$dir/run-c"
    (cd "$dir" && bash "$ROOT/scripts/compare.sh" --out "cmp out" "run b" run-c) >/dev/null 2>&1 || true
    cmd=$(python3 -c 'import html, re, sys
t = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r"id=\"commands\">Made by</h2><pre>(.*?)</pre>", t, re.S)
print(html.unescape(re.sub("<[^>]*>", "", m.group(1))) if m else "")' "$dir/cmp out/compare.html" 2>/dev/null || true)
    rm -rf "$dir/cmp out"
    if [ -n "$cmd" ] && (cd "$ROOT" && bash -c "$cmd") >/dev/null 2>&1 && [ -f "$dir/cmp out/compare.html" ]; then
        pass "compare.html's Made by line, pasted in the repository, makes it again"
    else
        fail "compare.html's Made by line makes it again" "command: $cmd"
    fi
}

test_compare() {
    local out="$TEST_TMP/cmp"
    expect_status "compare.sh writes compare.html" 0 bash "$ROOT/scripts/compare.sh" --out "$out" \
        "$FIXTURES/run-lab-b" "$FIXTURES/run-lab-c"
    if grep -qx "$out/compare.html" "$last_out" && grep -q 'agreement: ' "$out/compare.html" &&
        grep -q 'id="group-count-2"' "$out/compare.html"; then
        pass "compare.html: the agreement line and each group's figure, its path printed"
    else
        fail "compare.html" "$(tail -n 2 "$last_out")"
    fi
}

# png_size FILE: "WIDTH HEIGHT" of a PNG, from its header.
png_size() { od -An -tu1 -j16 -N8 "$1" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4, $5 * 16777216 + $6 * 65536 + $7 * 256 + $8 }'; }

# shot PAGE W H OUT: a headless Chromium screenshot of PAGE at W x H.  Each
# start gets a profile of its own (one still closing holds its profile's lock,
# and a second start on it waits for it); a start that hangs is tried again once.
SHOTS=0
chromium_run() {
    SHOTS=$((SHOTS + 1))
    run chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
        "--user-data-dir=$TEST_TMP/chromium-$SHOTS" "$@"
}
shot() {
    rm -f "$4"
    chromium_run "--screenshot=$4" "--window-size=$2,$3" "file://$1"
    [ "$last_status" -ne 124 ] || chromium_run "--screenshot=$4" "--window-size=$2,$3" "file://$1"
}

test_browser() {
    if [ ! -x /usr/bin/chromium ]; then
        skip "report.html in a browser" "no chromium: install the 'chromium' package"
        return 0
    fi
    local page size w h
    for page in "$RUN/report.html" "${ODD:+$ODD/report.html}" "$TEST_TMP/cmp/compare.html"; do
        if [ -z "$page" ] || [ ! -f "$page" ]; then continue; fi
        for size in 1280x800 390x844; do
            w=${size%x*} h=${size#*x}
            shot "$page" "$w" "$h" "$TEST_TMP/shot.png"
            # A blank page is ~5 kB at 1280x800; the page's first screen is 50 kB and more.
            if [ "$last_status" -eq 0 ] && [ "$(png_size "$TEST_TMP/shot.png")" = "$w $h" ] &&
                [ "$(wc -c <"$TEST_TMP/shot.png")" -gt 20000 ]; then
                pass "chromium draws $(basename "$page") at $size ($(wc -c <"$TEST_TMP/shot.png") bytes)"
            else
                fail "chromium draws $(basename "$page") at $size" "exit $last_status, $(png_size "$TEST_TMP/shot.png" 2>/dev/null), $(wc -c <"$TEST_TMP/shot.png" 2>/dev/null) bytes"
            fi
        done
    done
    test_names_whole
    test_checks_fit
    chromium_run --dump-dom "file://$RUN/report.html"
    if grep -q 'id="L7"' "$last_out" && grep -c '<svg' "$last_out" | grep -qv '^0$'; then
        pass "chromium's DOM of the page has #L7 and the figures"
    else
        fail "chromium's DOM of the page" "exit $last_status: $(head -c 200 "$last_err")"
    fi
}

# test_names_whole: at a phone's width (390 px) no group name or run name of
# the page is broken over two lines: a script added to a copy of the page
# measures each one (a name drawn on one line has one box) and writes what broke.
test_names_whole() {
    local copy="$TEST_TMP/names.html" broken
    # after </html>: a browser runs it in the body all the same
    { cat "$RUN/report.html"; cat <<'EOF'
<script>
var bad = [], re = /[A-Za-z0-9_.]+(-[A-Za-z0-9_.]+)+/g, w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (var n; (n = w.nextNode());) {
  if (n.parentNode.closest("svg, pre, style, script")) continue;
  var m;
  re.lastIndex = 0;
  while ((m = re.exec(n.data))) {
    var r = document.createRange(), tops = {};
    r.setStart(n, m.index);
    r.setEnd(n, m.index + m[0].length);
    Array.prototype.forEach.call(r.getClientRects(), function (b) { if (b.width > 0) tops[Math.round(b.top)] = 1; });
    if (Object.keys(tops).length > 1) bad.push(m[0]);
  }
}
document.body.setAttribute("data-broken", bad.length ? bad.join(" ") : "none");
</script>
EOF
    } >"$copy"
    chromium_run --window-size=390,844 --virtual-time-budget=5000 --dump-dom "file://$copy"
    broken=$(grep -o 'data-broken="[^"]*"' "$last_out" | head -n 1)
    if [ "$broken" = 'data-broken="none"' ]; then
        pass "at 390 px no name is broken at a hyphen"
    else
        fail "at 390 px no name is broken at a hyphen" "exit $last_status: ${broken:-no result}"
    fi
}

# test_checks_fit: at a phone's width (390 px) a lesson's checks table needs
# no sideways scroll and its "this run" sentences keep a readable width (one
# word a line was 70 px): a script in a copy of the page measures them.
test_checks_fit() {
    local copy="$TEST_TMP/checks.html" got
    { cat "$RUN/report.html"; cat <<'EOF'
<script>
var bad = [];
document.querySelectorAll(".lesson .scroll").forEach(function (d, i) {
  if (!d.querySelector("table")) return;  // a figure: drawn wider than a phone on purpose
  if (d.scrollWidth > d.clientWidth + 1) bad.push("table " + i + " scrolls (" + d.scrollWidth + " > " + d.clientWidth + ")");
  d.querySelectorAll("tbody tr").forEach(function (tr) {
    var c = tr.children[1];
    if (c && c.getBoundingClientRect().width < 200) bad.push("this run " + Math.round(c.getBoundingClientRect().width) + " px");
  });
});
if (!document.querySelector(".lesson .scroll table")) bad.push("no checks table");
document.body.setAttribute("data-checks", bad.length ? bad.slice(0, 4).join("; ") : "fit");
</script>
EOF
    } >"$copy"
    chromium_run --window-size=390,844 --virtual-time-budget=5000 --dump-dom "file://$copy"
    got=$(grep -o 'data-checks="[^"]*"' "$last_out" | head -n 1)
    if [ "$got" = 'data-checks="fit"' ]; then
        pass "at 390 px the checks tables fit the width, their sentences readable"
    else
        fail "at 390 px the checks tables fit the width, their sentences readable" "exit $last_status: ${got:-no result}"
    fi
}

main() {
    mkdir -p "$(dirname "$RUN")"
    cp -r "$FIXTURES/handout-run" "$RUN"
    command -v gnuplot >/dev/null || { skip "the run's page" "gnuplot is not installed (make deps)"; return 0; }
    test_usage
    test_fixture_run
    test_locale_and_path
    test_failed_write
    test_trial_faults
    test_compare_command
    test_compare
    test_browser
}

main
