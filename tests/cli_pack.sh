#!/usr/bin/env bash
# tests/cli_pack.sh - a run as one file to hand in (scripts/bundle.sh, make pack): packing,
# the same ratios from bundles as from folders, a whole bundle accepted in the wrappings a
# download gives it (a plain tar still named .tar.gz, a gzip of a gzip), and damaged bundles
# refused with one line saying what happened (cut short, a file edited or added after
# packing, a path out of the bundle), never "pack it again": a run handed in cannot be.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

BUNDLE="$ROOT/scripts/bundle.sh"
COMPARE="$ROOT/scripts/compare.sh"
# A lab's folder names: a space and a non-ASCII letter.
RUNS="$TEST_TMP/hand in é"

# expect_refused NAME OUT REGEX CMD...: exit 1, one line on stderr matching REGEX, nothing on
# stdout, nothing written at OUT.
expect_refused() {
    local name=$1 out=$2 re=$3
    shift 3
    run "$@"
    if [ "$last_status" -eq 1 ] && [ "$(wc -l <"$last_err")" -eq 1 ] && grep -Eq -- "$re" "$last_err" &&
        [ ! -s "$last_out" ] && [ ! -e "$out" ]; then
        pass "$name"
    else
        fail "$name" "exit $last_status (wanted 1), $(wc -l <"$last_err") line(s) on stderr: $(head -c 300 "$last_err")"
    fi
}

setup() {
    mkdir -p "$RUNS"
    cp -R "$FIXTURES/run-lab-a" "$RUNS/lab-a-20241120T0900Z"
    cp -R "$FIXTURES/run-lab-b" "$RUNS/lab-b-20241120T0914Z"
}

test_pack() {
    local a="$RUNS/lab-a-20241120T0900Z" b="$RUNS/lab-b-20241120T0914Z"
    run make --no-print-directory -C "$ROOT" pack "RUN=$a"
    if [ "$last_status" -eq 0 ] && [ "$(cat "$last_out")" = "$a.tar.gz" ] && [ -f "$a.tar.gz" ] &&
        tar -tzf "$a.tar.gz" | grep -x 'lab-a-20241120T0900Z/SHA256SUMS' >/dev/null &&
        tar -tzf "$a.tar.gz" | grep -x 'lab-a-20241120T0900Z/raw/trace-gil-new.csv' >/dev/null; then
        pass "pack: make pack RUN=DIR writes DIR.tar.gz with every file and SHA256SUMS, prints its path"
    else
        fail "pack: make pack RUN=DIR" "exit $last_status: $(head -c 300 "$last_err")"
    fi
    expect_status "pack: a second run, with --out" 0 bash "$BUNDLE" pack --out "$RUNS/b.tgz" "$b"
    expect_status "pack: bundle.sh check says a fresh bundle is whole" 0 bash "$BUNDLE" check "$a.tar.gz"
    if [ -z "$(find "$RUNS" -name '.*partial')" ] && [ ! -e "$a/SHA256SUMS" ]; then
        pass "pack: nothing partial left, the run folder itself untouched"
    else
        fail "pack: nothing partial left, the run folder untouched" "$(ls -a "$RUNS" "$a")"
    fi
    mkdir -p "$RUNS/.lab-c-1.partial"
    cp "$b/summary.csv" "$b/machine.json" "$RUNS/.lab-c-1.partial/"
    expect_usage_error "pack: a partial run is refused" bash "$BUNDLE" pack "$RUNS/.lab-c-1.partial"
    expect_usage_error "pack: a folder that is not a run is refused" bash "$BUNDLE" pack "$ROOT/tests"
    expect_usage_error "pack: no run folder" bash "$BUNDLE" pack
}

test_same_ratios() {
    local a="$RUNS/lab-a-20241120T0900Z" b="$RUNS/lab-b-20241120T0914Z"
    run bash "$COMPARE" --out "$TEST_TMP/from-folders" "$a" "$b"
    run make --no-print-directory -C "$ROOT" compare "RUNS='$a.tar.gz' '$RUNS/b.tgz'" "OUT=$TEST_TMP/from-bundles"
    if [ "$last_status" -eq 0 ] && [ -s "$TEST_TMP/from-folders/ratios.csv" ] &&
        cmp -s "$TEST_TMP/from-folders/ratios.csv" "$TEST_TMP/from-bundles/ratios.csv"; then
        pass "pack: make compare on bundles writes the ratios.csv it writes on the folders"
    else
        fail "pack: make compare on bundles gives the same ratios.csv" \
            "exit $last_status: $(head -c 200 "$last_err") $(diff "$TEST_TMP/from-folders/ratios.csv" "$TEST_TMP/from-bundles/ratios.csv" | head -c 200)"
    fi
    if grep -qF "\`$a.tar.gz\`" "$TEST_TMP/from-bundles/ratios.md"; then
        pass "pack: ratios.md names the bundle a run came from"
    else
        fail "pack: ratios.md names the bundle" "$(grep -m2 '^| lab' "$TEST_TMP/from-bundles/ratios.md")"
    fi
    run bash "$BUNDLE" with "$a.tar.gz" bash "$ROOT/scripts/plots.sh" --out "$TEST_TMP/plots-a"
    if [ "$last_status" -eq 0 ] && [ -s "$TEST_TMP/plots-a/count-2-time.png" ] && [ -s "$TEST_TMP/plots-a/gil-timeline.png" ]; then
        pass "pack: plots.sh draws a bundle (bundle.sh with, as make plots runs it)"
    else
        fail "pack: plots.sh draws a bundle" "exit $last_status: $(head -c 300 "$last_err")"
    fi
}

test_damaged() {
    local a="$RUNS/lab-a-20241120T0900Z" b="$RUNS/lab-b-20241120T0914Z" size dir
    size=$(stat -c %s "$a.tar.gz")
    head -c $((size / 2)) "$a.tar.gz" >"$RUNS/cut.tar.gz"
    expect_refused "pack: compare refuses a bundle cut short (exit 1, one line)" "$TEST_TMP/c1" \
        '^compare: .*cut\.tar\.gz: a damaged bundle: cut short \(unexpected end of file' \
        bash "$COMPARE" --out "$TEST_TMP/c1" "$b" "$RUNS/cut.tar.gz"
    expect_refused "pack: plots (make plots' bundle.sh with) refuses a bundle cut short" "$TEST_TMP/p1" 'damaged bundle' \
        bash "$BUNDLE" with "$RUNS/cut.tar.gz" bash "$ROOT/scripts/plots.sh" --out "$TEST_TMP/p1"
    # A number edited after packing, the archive made again by hand.
    dir="$TEST_TMP/edit"
    mkdir -p "$dir" && tar -xzf "$a.tar.gz" -C "$dir"
    sed -i '2s/,0\.[0-9]*,/,0.1,/' "$dir/lab-a-20241120T0900Z/summary.csv"
    tar -C "$dir" -czf "$RUNS/edited.tar.gz" lab-a-20241120T0900Z
    expect_refused "pack: a file edited after packing is refused, named" "$TEST_TMP/c2" 'summary\.csv differs from its checksum' \
        bash "$COMPARE" --out "$TEST_TMP/c2" "$b" "$RUNS/edited.tar.gz"
    tar -xzf "$a.tar.gz" -C "$dir" && echo extra >"$dir/lab-a-20241120T0900Z/notes.txt"
    tar -C "$dir" -czf "$RUNS/added.tar.gz" lab-a-20241120T0900Z
    expect_refused "pack: a file added after packing is refused, named" "$TEST_TMP/c3" 'notes\.txt is not in SHA256SUMS' \
        bash "$BUNDLE" check "$RUNS/added.tar.gz"
    mkdir -p "$dir/x" && tar -C "$dir" -czf "$RUNS/escape.tar.gz" lab-a-20241120T0900Z x
    expect_refused "pack: a bundle of more than one folder is refused" "$TEST_TMP/c4" 'one run folder' \
        bash "$BUNDLE" check "$RUNS/escape.tar.gz"
}

# expect_whole NAME BUNDLE NOTE_REGEX: bundle.sh check and make compare accept BUNDLE, each
# with the one note line NOTE_REGEX on stderr; compare writes the ratios.csv it writes on
# the folders.
expect_whole() {
    local name=$1 bundle=$2 note=$3 b="$RUNS/lab-b-20241120T0914Z" out
    run bash "$BUNDLE" check "$bundle"
    if [ "$last_status" -eq 0 ] && [ "$(wc -l <"$last_err")" -eq 1 ] && grep -Eq -- "^bundle: .*: note: $note" "$last_err"; then
        pass "pack: bundle.sh check accepts $name, with a one-line note"
    else
        fail "pack: bundle.sh check accepts $name" "exit $last_status: $(head -c 300 "$last_err")"
    fi
    out="$TEST_TMP/whole-$RANDOM"
    run make --no-print-directory -C "$ROOT" compare "RUNS='$bundle' '$b'" "OUT=$out"
    if [ "$last_status" -eq 0 ] && grep -Eq -- "^compare: .*: note: $note" "$last_err" &&
        cmp -s "$TEST_TMP/from-folders/ratios.csv" "$out/ratios.csv"; then
        pass "pack: make compare accepts $name and writes the folders' ratios.csv"
    else
        fail "pack: make compare accepts $name" "exit $last_status: $(head -c 300 "$last_err")"
    fi
}

# A browser removes the gzip layer (the LMS sends Content-Encoding: gzip) and keeps the
# name; an upload system may add a layer.  Cut short, the plain tar is still refused.
test_wrappings() {
    local a="$RUNS/lab-a-20241120T0900Z" b="$RUNS/lab-b-20241120T0914Z" dir="$TEST_TMP/wrap"
    gzip -dc "$a.tar.gz" >"$RUNS/plain.tar.gz"
    gzip -c "$a.tar.gz" >"$RUNS/twice.tar.gz"
    expect_whole "a plain tar named .tar.gz" "$RUNS/plain.tar.gz" 'a plain tar without the gzip layer'
    expect_whole "a gzip of a gzip" "$RUNS/twice.tar.gz" "gzip'd 2 times"
    head -c 20000 "$RUNS/plain.tar.gz" >"$RUNS/plain-cut.tar.gz"
    expect_refused "pack: a plain tar cut short is refused as cut short" "$TEST_TMP/w1" \
        '^compare: .*plain-cut\.tar\.gz: a damaged bundle: cut short .*fetch the whole file again$' \
        bash "$COMPARE" --out "$TEST_TMP/w1" "$RUNS/plain-cut.tar.gz" "$b"
    mkdir -p "$dir" && tar -xf "$RUNS/plain.tar.gz" -C "$dir"
    sed -i '2s/,0\.[0-9]*,/,0.1,/' "$dir/lab-a-20241120T0900Z/summary.csv"
    tar -C "$dir" -cf - lab-a-20241120T0900Z | gzip | gzip >"$RUNS/twice-edited.tar.gz"
    # make adds its own "Error 1" line after compare's one.
    run make --no-print-directory -C "$ROOT" compare "RUNS='$RUNS/twice-edited.tar.gz' '$b'" "OUT=$TEST_TMP/w2"
    if [ "$last_status" -ne 0 ] && [ "$(grep -vcE '^make(\[[0-9]+\])?: \*\*\*' "$last_err")" -eq 1 ] && [ ! -e "$TEST_TMP/w2" ] &&
        grep -Eq '^compare: .*twice-edited\.tar\.gz: a damaged bundle: summary\.csv differs from its checksum' "$last_err"; then
        pass "pack: make compare refuses a gzip of a gzip with a file edited, naming it"
    else
        fail "pack: make compare refuses a gzip of a gzip with a file edited" "exit $last_status: $(head -c 300 "$last_err")"
    fi
    tar -C "$dir" -cf "$RUNS/plain-edited.tar.gz" lab-a-20241120T0900Z
    expect_refused "pack: bundle.sh check refuses a plain tar with a file edited, naming it" "$TEST_TMP/w3" \
        'summary\.csv differs from its checksum \(changed after packing\)$' \
        bash "$BUNDLE" check "$RUNS/plain-edited.tar.gz"
}

# No refusal tells the user to pack again: a run handed in cannot be packed again.
test_no_repack_advice() {
    local f
    for f in cut edited added plain-cut twice-edited; do
        run bash "$BUNDLE" check "$RUNS/$f.tar.gz"
        if [ "$last_status" -eq 1 ] && ! grep -qi 'pack.* again' "$last_err"; then
            pass "pack: refusing $f.tar.gz, no advice to pack it again"
        else
            fail "pack: refusing $f.tar.gz, no advice to pack it again" "exit $last_status: $(head -c 300 "$last_err")"
        fi
    done
}

main() {
    have_tools "pack" gnuplot jq || return 0
    setup
    test_pack
    test_same_ratios
    test_damaged
    test_wrappings
    test_no_repack_advice
}

main "$@"
