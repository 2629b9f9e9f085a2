#!/usr/bin/env bash
# tests/cli_host.sh - the host described as it is (issue 25): on a shared server another
# user's busy CPUs outside the run's affinity mask are not counted as this run's load
# (bench.sh cpu_used_by_others, lessons.py's causes), and a host without a `hostname`
# command (Fedora toolbox, UBI containers) still names its run after the host, never with a
# leading dash (files.sh run_name).  Nothing here asserts a speed.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

LESSONS="$ROOT/scripts/lessons.sh"
SPIN_PID=""
trap '[ -z "$SPIN_PID" ] || kill "$SPIN_PID" 2>/dev/null; rm -rf "$TEST_TMP"' EXIT

# name_with PATH_DIR...: run_name with PATH set to those folders only.
name_with() {
    PATH=$(IFS=:; echo "$*") bash -c 'source "$1"; run_name' _ "$ROOT/scripts/files.sh"
}

# tools_but NAME...: a folder of links to every command on PATH except NAME...: a host
# where they are not installed.
tools_but() {
    local dir="$TEST_TMP/path-$RANDOM" d f skip
    mkdir -p "$dir"
    IFS=: read -ra dirs <<<"$PATH"
    for d in "${dirs[@]}"; do
        [ -d "$d" ] || continue
        for f in "$d"/*; do
            if [ ! -x "$f" ] || [ -d "$f" ]; then continue; fi
            for skip in "$@"; do [ "${f##*/}" != "$skip" ] || continue 2; done
            [ -e "$dir/${f##*/}" ] || ln -s "$f" "$dir/${f##*/}"
        done
    done
    printf '%s\n' "$dir"
}

# A run's name: the host's name (uname -n), never empty, never a leading dash or dot.
test_run_name() {
    local path fake="$TEST_TMP/fake" host want
    path=$(tools_but hostname)
    host=$(uname -n)
    host=${host%%.*}
    want="^${host//./\\.}-[0-9]{8}T[0-9]{6}Z$"
    if name_with "$path" | grep -Eq -- "$want"; then
        pass "run_name: no hostname command: named after uname -n"
    else
        fail "run_name: no hostname command" "got '$(name_with "$path" 2>&1)', wanted /$want/"
    fi
    # uname -n as some containers and misconfigured hosts give it.
    mkdir -p "$fake"
    local given expect
    while IFS='|' read -r given expect; do
        printf '#!/bin/sh\nprintf "%%s\\n" %q\n' "$given" >"$fake/uname"
        chmod +x "$fake/uname"
        if name_with "$fake" "$path" | grep -Eq -- "^$expect-[0-9]{8}T[0-9]{6}Z$"; then
            pass "run_name: uname -n '$given' gives '$expect-TIME'"
        else
            fail "run_name: uname -n '$given'" "got '$(name_with "$fake" "$path" 2>&1)', wanted '$expect-TIME'"
        fi
    done <<'EOF'
|host
-rf|rf
.hidden|host
élan|lan
lab pc 18.example.org|lab-pc-18
pc018.cs.example.org|pc018
--|host
EOF
}

# An older run (no cpu_used_by_others) made under taskset -c 0 on 2 online CPUs: a load
# average the other CPU holds is not a cause; more than it holds is.
test_lessons_load() {
    local run="$TEST_TMP/older run"
    cp -r "$FIXTURES/lessons-hold" "$run"
    set_field "$run/summary.csv" count-2-cpython.py-threads speedup 1.29
    jq '.online_cpus = 2 | .affinity_cpus = 1 | .usable_cpus = 1 | del(.cpu_used_by_others)
        | .load_before = [1.05, 1, 1] | .load_after = [2.1, 1.5, 1]' "$FIXTURES/lessons-hold/machine.json" >"$run/machine.json"
    run bash "$LESSONS" "$run"
    if grep -E '^L1 DOES NOT HOLD' "$last_out" | grep -vq 'load:'; then
        pass "lessons: one CPU of two used, a load average the other CPU holds is not named"
    else
        fail "lessons: a load the CPUs outside the mask hold is not named" "$(grep '^L1 ' "$last_out")"
    fi
    jq '.load_before = [1.6, 1, 1]' "$run/machine.json" >"$run/m" && mv "$run/m" "$run/machine.json"
    run bash "$LESSONS" "$run"
    expect_out "lessons: a load average beyond what the other CPUs hold is named, with the online CPUs" \
        "^L1 DOES NOT HOLD: .*load average was 1\\.6 before the run, on the machine's 2 online CPUs, more than the 1 outside"
}

# ticks CPU: the busy clock ticks of cpuN (as bench.sh counts them) and this shell's
# waited-for children's, "BUSY KIDS".
ticks() {
    awk -v cpu="cpu$1" '$1 == cpu { print $2 + $3 + $4 + $7 + $8 }' /proc/stat | tr '\n' ' '
    sed 's/^.*) //' "/proc/$$/stat" | awk '{ print $14 + $15 }'
}

# The issue's reproducer, with no hostname command installed besides: another user's busy
# loop on CPU 1, the bench pinned to CPU 0.
test_shared_server() {
    local online hz t0 t1 b0 b1 k0 k1 others run path
    online=$(getconf _NPROCESSORS_ONLN)
    if [ "$online" -lt 2 ] || ! command -v taskset >/dev/null || [ ! -r /proc/stat ]; then
        skip "shared server: another user's busy CPU" "needs 2 online CPUs, taskset and /proc/stat (have $online CPU(s))"
        return 0
    fi
    have_tools "shared server" hyperfine jq || return 0
    path=$(tools_but hostname)
    hz=$(getconf CLK_TCK)
    taskset -c 1 sh -c 'while :; do :; done' &
    SPIN_PID=$!
    read -r b0 k0 < <(ticks 0)
    t0=${EPOCHREALTIME/./}
    set +e
    PATH=$path taskset -c 0 env PYTHON=none BIN="$ROOT/$BIN" timeout --kill-after=5 300 \
        bash "$ROOT/scripts/bench.sh" --tiny --only=refcount --no-plots "--results=$TEST_TMP/results" \
        >"$last_out" 2>"$last_err"
    last_status=$?
    set -e
    t1=${EPOCHREALTIME/./}
    read -r b1 k1 < <(ticks 0)
    kill "$SPIN_PID" 2>/dev/null || true
    wait "$SPIN_PID" 2>/dev/null || true
    SPIN_PID=""
    # What other programs (the other helpers of this machine, not the loop on CPU 1) took
    # of CPU 0 meanwhile, measured here: the bench cannot be asked for less.
    others=$(awk -v b="$((b1 - b0))" -v k="$((k1 - k0))" -v hz="$hz" -v us="$((t1 - t0))" \
        'BEGIN { v = (b - k) / hz / (us / 1e6); printf "%.2f", (v < 0 ? 0 : v) }')
    run=$(find "$TEST_TMP/results" -mindepth 1 -maxdepth 1 -type d ! -name '.*' 2>/dev/null | head -n 1)
    if [ "$last_status" -eq 0 ] && [ -n "$run" ]; then
        pass "shared server: the bench ran (taskset -c 0, no hostname command)"
    else
        fail "shared server: the bench ran" "exit $last_status: $(grep -m 3 'bench:' "$last_err")"
        return 0
    fi
    local host
    host=$(uname -n)
    if [[ "${run##*/}" == "${host%%.*}-"*Z ]] && jq -e --arg h "$host" '.hostname == $h' "$run/machine.json" >/dev/null; then
        pass "no hostname command: the run is named after uname -n, as machine.json's hostname"
    else
        fail "no hostname command: the run is named after the host" "${run##*/}, machine.json: $(jq -c .hostname "$run/machine.json")"
    fi
    local used
    used=$(jq -r .cpu_used_by_others "$run/machine.json")
    if awk -v u="$used" -v o="$others" 'BEGIN { exit !(u ~ /^[0-9.]+$/ && u < 1 && u <= o + 0.3) }'; then
        pass "shared server: cpu_used_by_others $used counts CPU 0 only (other programs took $others of it), not the loop on CPU 1"
    else
        fail "shared server: cpu_used_by_others counts CPU 0 only" "$used, while other programs took $others of CPU 0"
    fi
    if awk -v o="$others" 'BEGIN { exit !(o >= 0.1) }'; then
        skip "shared server: no load named for L6" "other programs kept CPU 0 busy ($others of it) during this test: a quiet CPU 0 is needed"
    elif grep '^L6 ' "$last_out" | grep -q 'load:'; then
        fail "shared server: no load named for L6" "$(grep '^L6 ' "$last_out")"
    else
        pass "shared server: no load named for L6, cpu_used_by_others $used near 0"
    fi
}

main() {
    have_tools "host" jq || return 0
    test_run_name
    test_lessons_load
    test_shared_server
}

main "$@"
