#!/usr/bin/env bash
# tests/cli_lab_faults.sh - what goes wrong in a course lab, and what the suite
# says then: an old hyperfine, a binary that fails or writes an empty report,
# a full disk (summarize, plots, compare, the bench), and a kill -9 of make's
# process group.  Tiny sizes; nothing here asserts a speed.  The lab's
# environments (locale, paths, CPUs, accounts) are tests/cli_lab.sh.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lab.sh
source "$(dirname "$0")/lab.sh"

setup() {
    lab_setup
    # A tmpfs of test_full_disk is mounted inside TEST_TMP: unmounted first.
    trap 'umount_tiny; rm -rf "$TEST_TMP"' EXIT
}

# ------------------------------------------------------------------ old tools
# A hyperfine older than 1.14: one message naming the minimum, exit 2, nothing
# run or written.  And when a row fails, its cause is the tool's first line.
test_old_hyperfine() {
    local fake="$TEST_TMP/old-hyperfine"
    mkdir -p "$fake"
    cat >"$fake/hyperfine" <<'EOF'
#!/bin/sh
[ "$1" = --version ] && { echo "hyperfine ${FAKE_VERSION:-1.12.0}"; exit 0; }
printf "error: Found argument '-N' which wasn't expected, or isn't valid in this context\n\nUSAGE:\n    hyperfine [OPTIONS] <command>...\n\nFor more information try --help\n" >&2
exit 1
EOF
    chmod +x "$fake/hyperfine"
    PATH="$fake:$PATH" BIN="$MARK" bench_into "$ROOT" "$TEST_TMP/old-results" --no-plots
    if [ "$last_status" -eq 2 ] && [ "$(wc -l <"$last_err")" -eq 1 ] &&
        grep -q 'hyperfine 1.12.0 is too old: the bench needs hyperfine 1.14.0 or newer' "$last_err" &&
        [ ! -e "$TEST_TMP/old-results" ]; then
        pass "old tools: hyperfine 1.12.0 is refused before anything runs, one line, exit 2"
    else
        fail "old tools: hyperfine 1.12.0 refused" "exit $last_status, $(wc -l <"$last_err") lines: $(head -c 300 "$last_err")"
    fi
    FAKE_VERSION=1.15.0 PATH="$fake:$PATH" BIN="$MARK" bench_into "$ROOT" "$TEST_TMP/old-results" --only=interleave --no-plots
    expect_exit "a failed row shows the tool's first error line (the cause), not 'try --help'" 1 \
        "^bench: FAILED interleave.seq: error: Found argument '-N' which wasn't expected"
}

# ------------------------------------------------------------------ full disk
TINY_MNT=""
umount_tiny() { if [ -n "$TINY_MNT" ]; then umount "$TINY_MNT" 2>/dev/null || true; TINY_MNT=""; fi; }

# mount_tiny SIZE: a tmpfs of SIZE at TINY_MNT; fails when mounting is not allowed.
mount_tiny() {
    umount_tiny
    local dir="$TEST_TMP/tiny-fs"
    mkdir -p "$dir"
    mount -t tmpfs -o "size=$1" tmpfs "$dir" 2>/dev/null || return 1
    TINY_MNT=$dir
}

# fill_tiny: no free byte left on TINY_MNT.
fill_tiny() { dd if=/dev/zero of="$TINY_MNT/filler" bs=4k 2>/dev/null || true; }

test_full_disk() {
    local why="needs root and a tmpfs mount (not allowed here)"
    if [ "$(id -u)" -ne 0 ] || ! mount_tiny 1m; then
        skip "full disk: summarize.sh, plots.sh, compare.sh fail and publish nothing" "$why"
        return
    fi
    # summarize.sh: a run whose tables cannot be rewritten keeps its old ones.
    local run="$TINY_MNT/run"
    cp -r tests/fixtures/run-lab-a "$run"
    cp "$run/summary.csv" "$TEST_TMP/summary.before"
    mkdir -p "$run/raw"
    fill_tiny
    run bash scripts/summarize.sh "$run"
    if [ "$last_status" -eq 1 ] && grep -q 'summarize: writing .*summary.csv failed' "$last_err" &&
        cmp -s "$run/summary.csv" "$TEST_TMP/summary.before" && [ -z "$(find "$run" -name '*.partial')" ]; then
        pass "full disk: summarize.sh exits 1, says which file, keeps the old summary.csv, no partial file"
    else
        fail "full disk: summarize.sh" "exit $last_status: $(head -c 300 "$last_err")"
    fi
    # plots.sh with TMPDIR nearly full: room for the data, not for a PNG
    # (~75 kB); gnuplot exits 0 on the cut file.
    mount_tiny 48k
    TMPDIR=$TINY_MNT run bash scripts/plots.sh tests/fixtures/run-lab-a --out "$TEST_TMP/full-plots"
    if [ "$last_status" -eq 1 ] && [ ! -s "$last_out" ] && [ -z "$(ls -A "$TEST_TMP/full-plots" 2>/dev/null)" ] &&
        grep -q 'gnuplot did not write count-2-time.png completely' "$last_err"; then
        pass "full disk: plots.sh with TMPDIR full: the cut PNG is caught, exit 1, no figure published"
    else
        fail "full disk: plots.sh with TMPDIR full" "exit $last_status, $(wc -l <"$last_out") paths printed: $(tail -c 300 "$last_err")"
    fi
    # plots.sh and compare.sh writing into a full folder.
    mount_tiny 256k
    run bash scripts/plots.sh tests/fixtures/run-lab-a --out "$TINY_MNT/plots"
    if [ "$last_status" -eq 1 ] && [ -z "$(find "$TINY_MNT/plots" -name '*.partial' 2>/dev/null)" ] &&
        ! find "$TINY_MNT/plots" -type f 2>/dev/null | while read -r f; do is_whole "$f" || echo cut; done | grep -q cut; then
        pass "full disk: plots.sh into a full folder exits 1, every file left there is whole"
    else
        fail "full disk: plots.sh into a full folder" "exit $last_status: $(tail -c 300 "$last_err")"
    fi
    mount_tiny 256k
    run bash scripts/compare.sh --out "$TINY_MNT/compare" tests/fixtures/run-lab-b tests/fixtures/run-lab-c
    if [ "$last_status" -eq 1 ] && [ ! -e "$TINY_MNT/compare" ]; then
        pass "full disk: compare.sh exits 1 and publishes nothing"
    else
        fail "full disk: compare.sh" "exit $last_status: $(tail -c 300 "$last_err")"
    fi
    # The results disk fills up while the bench runs: it stops at the first
    # failed row and says why, instead of failing every row with no message.
    mount_tiny 1m
    bash scripts/bench.sh --tiny --only=count-2 --no-plots "--results=$TINY_MNT/res" \
        >"$last_out" 2>"$last_err" &
    local pid=$! _
    for _ in $(seq 600); do
        grep -q '^\[[0-9]*/' "$last_err" 2>/dev/null && break
        sleep 0.05
    done
    fill_tiny
    set +e
    wait "$pid"
    last_status=$?
    set -e
    if [ "$last_status" -eq 1 ] && grep -q 'bench: cannot write the run under .*No space left on device' "$last_err" &&
        [ "$(grep -c 'FAILED' "$last_err")" -le 2 ] && [ -z "$(find "$TINY_MNT/res" -name '.*.partial')" ]; then
        pass "full disk: the bench stops at the first row it cannot write, says so, removes the partial run"
    else
        fail "full disk: the bench stops at the first row it cannot write" \
            "exit $last_status, $(grep -c FAILED "$last_err") FAILED: $(grep -m3 -E 'FAILED|bench:' "$last_err")"
    fi
    # The plots cannot be written: the run is kept, the bench exits 1.
    mount_tiny 64k
    fill_tiny
    bench_into "$ROOT" "$TEST_TMP/plots-full-res" --only=interleave "--plots=$TINY_MNT/plots"
    if [ "$last_status" -eq 1 ] && grep -q 'bench: drawing the plots failed' "$last_err" &&
        [ -n "$(latest_run "$TEST_TMP/plots-full-res")" ]; then
        pass "full disk: plots that cannot be written fail the bench (exit 1), the run is kept"
    else
        fail "full disk: plots that cannot be written fail the bench" "exit $last_status: $(tail -c 300 "$last_err")"
    fi
    umount_tiny
}

# is_whole FILE: scripts/files.sh's own check, in a subshell.
is_whole() { (source scripts/files.sh && is_complete "$1"); }

# stand_in DIR NAME SCRIPT: DIR holds a link to every binary of $BIN_ABS,
# but NAME is the shell SCRIPT instead.
stand_in() {
    local dir=$1 name=$2 script=$3 f
    mkdir -p "$dir"
    for f in "$BIN_ABS"/*; do [ -f "$f" ] && ln -s "$f" "$dir/$(basename "$f")"; done
    rm "$dir/$name"
    printf '%s\n' "$script" >"$dir/$name"
    chmod +x "$dir/$name"
}

# A binary that fails under hyperfine: its row shows the binary's own first
# line (hyperfine keeps only "non-zero exit code").
test_failure_cause() {
    local fake="$TEST_TMP/failing-bin"
    stand_in "$fake" interleave "$(printf '#!/bin/sh\necho "interleave: the lab ran out of letters" >&2\nexit 1\n')"
    BIN="$fake" bench_into "$ROOT" "$TEST_TMP/failing" --only=interleave --no-plots
    expect_exit "a failed row shows the binary's own error, not hyperfine's" 1 \
        'FAILED interleave\.[a-z]*: interleave: the lab ran out of letters'
}

# A binary whose --json report comes out empty (its disk was full): its row
# fails with that reason instead of being summarized from nothing.
test_empty_report() {
    local fake="$TEST_TMP/empty-json-bin"
    # shellcheck disable=SC2016 # $a and $@ are the stand-in's
    stand_in "$fake" refcount "$(printf '#!/bin/sh\nfor a; do [ "$a" = --json ] && exit 0; done\nexec %q "$@"\n' "$BIN_ABS/refcount")"
    BIN="$fake" bench_into "$ROOT" "$TEST_TMP/empty-json" --only=refcount --no-plots
    expect_exit "an empty --json report fails its row, with that reason" 1 \
        'FAILED refcount.seq-none: its --json report refcount.seq-none.run.json is empty'
}

# ------------------------------------------------------------------ kill -9
# kill -9 of make bench's process group, mid-run: within a few seconds no
# binary of ours (delay server, timed binary) and no hyperfine of the run.
test_kill_9() {
    local name="kill -9 of make bench's process group" _
    BIN="$MARK" setsid make --no-print-directory bench \
        "BENCH_ARGS=--tiny --only=fetch|count-2 --no-plots --results=$TEST_TMP/killed" \
        >"$TEST_TMP/killed.out" 2>"$TEST_TMP/killed.err" &
    local pid=$!
    for _ in $(seq 300); do
        grep -q 'blocks, time-paired' "$TEST_TMP/killed.err" 2>/dev/null && break
        sleep 0.05
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    local left=""
    for _ in $(seq 20); do
        left=$(pgrep -af "$MARK" || true)
        [ -n "$left" ] || break
        sleep 0.25
    done
    if grep -q 'blocks, time-paired' "$TEST_TMP/killed.err" && [ -z "$left" ]; then
        pass "$name: no delay server, hyperfine or binary of the run is left"
    else
        fail "$name" "still running: ${left:-(the run never reached the blocks of a family)}"
        pgrep -f "$MARK" | xargs -r kill -KILL 2>/dev/null || true
    fi
    local partial=""
    for _ in $(seq 20); do
        partial=$(find "$TEST_TMP/killed" -mindepth 1 -maxdepth 1 -name '.*.partial' 2>/dev/null)
        [ -n "$partial" ] || break
        sleep 0.25
    done
    if [ -z "$partial" ]; then
        pass "$name: the partial run folder is removed"
    else
        fail "$name: the partial run folder is removed" "left: $partial"
    fi
}

main() {
    setup
    test_old_hyperfine
    test_empty_report
    test_failure_cause
    test_full_disk
    test_kill_9
}

main "$@"
