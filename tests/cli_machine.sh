#!/usr/bin/env bash
# tests/cli_machine.sh - scripts/machine.sh prints one valid machine.json
# with every field of the spec, of the right type; its warnings fire only
# when they should; bad usage exits 2 with one line.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

MACHINE="$(dirname "$0")/../scripts/machine.sh"

test_json() {
    run bash "$MACHINE"
    if [ "$last_status" -eq 0 ] && [ "$(jq -s 'length' <"$last_out" 2>/dev/null)" = 1 ]; then
        pass "machine.sh prints one JSON object"
    else
        fail "machine.sh prints one JSON object" "exit $last_status: $(head -c 300 "$last_out") $(head -c 300 "$last_err")"
        return 0
    fi
    expect_json "exactly the spec's fields" \
        '(keys | sort) == (["hostname","cpu_model","online_cpus","affinity_cpus","cpu_quota",
          "usable_cpus","cpus_source","physical_cores",
          "threads_per_core","memory_bytes","governor","scaling_driver","kernel","os",
          "compiler","cflags","libc","libcurl","hyperfine","gnuplot","python",
          "load_before","load_after","date_utc","suite_version","git_commit","quick"] | sort)'
    local f
    for f in hostname cpu_model governor scaling_driver kernel os compiler cflags libc \
        libcurl hyperfine gnuplot python date_utc suite_version git_commit; do
        expect_json "$f is a non-empty string" ".$f | type == \"string\" and length > 0"
    done
    expect_json "online_cpus is the CPUs online (getconf)" ".online_cpus == $(getconf _NPROCESSORS_ONLN)"
    expect_json "affinity_cpus is the affinity mask (nproc without OMP_*)" \
        ".affinity_cpus == $(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc)"
    expect_json "usable_cpus: at least 1, at most the affinity mask" \
        '.usable_cpus >= 1 and .usable_cpus <= .affinity_cpus and (.cpu_quota == null or (.cpu_quota | type) == "number")'
    expect_json "physical_cores, threads_per_core: positive integers" \
        '[.physical_cores, .threads_per_core] | all(type == "number" and . >= 1 and . == floor)'
    expect_json "memory_bytes > 0" '.memory_bytes | type == "number" and . > 0'
    expect_json "load_before: 3 numbers" \
        '.load_before | type == "array" and length == 3 and all(type == "number")'
    expect_json "load_after is null (the caller fills it)" '.load_after == null'
    expect_json "date_utc is ISO 8601 UTC" '.date_utc | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")'
    expect_json "quick defaults to false, cflags to unknown" '.quick == false and .cflags == "unknown"'
    expect_json "suite_version is the harness's" \
        ".suite_version == \"$("$BIN/count" --version | awk '{ print $NF }')\""
}

test_options() {
    local flags='-O2 -g "quoted" back\slash'
    run bash "$MACHINE" --cflags "$flags" --quick
    expect_json "--cflags kept verbatim (escaped), --quick true" \
        '.cflags == "-O2 -g \"quoted\" back\\slash" and .quick == true'
    run bash "$MACHINE" --cflags=-O3
    expect_json "--cflags=STR form" '.cflags == "-O3"'
    expect_help machine.sh bash "$MACHINE" -- --warnings
    expect_usage_error "unknown option" bash "$MACHINE" --bogus
    expect_usage_error "--cflags without a value" bash "$MACHINE" --cflags
    expect_usage_error "stray argument" bash "$MACHINE" extra
    expect_usage_error "--quick given a value" bash "$MACHINE" --quick=yes
}

# Warnings, with load and governor read from fixture files.
test_warnings() {
    local cpus freq="$TEST_TMP/cpufreq"
    cpus=$(bash "$MACHINE" | jq -r .usable_cpus)
    mkdir -p "$freq"
    echo "$((cpus * 2)).50 1.00 1.00 1/100 123" >"$TEST_TMP/busy"
    echo "0.00 0.00 0.00 1/100 123" >"$TEST_TMP/idle"
    echo powersave >"$freq/scaling_governor"
    echo intel_pstate >"$freq/scaling_driver"

    GILBENCH_LOADAVG_FILE="$TEST_TMP/busy" GILBENCH_CPUFREQ_DIR="$freq" \
        run bash "$MACHINE" --warnings
    expect_err "busy machine: warned with the load and cores" \
        "load average is $((cpus * 2))\.50 on $cpus usable CPU\\(s\\): close other programs"
    expect_err "powersave governor: warned with the fix" 'CPU governor is powersave: .*cpupower frequency-set -g performance'
    expect_json "fixture values land in the JSON" \
        '.governor == "powersave" and .scaling_driver == "intel_pstate" and .load_before[0] == '"$((cpus * 2))"'.5'

    echo performance >"$freq/scaling_governor"
    GILBENCH_LOADAVG_FILE="$TEST_TMP/idle" GILBENCH_CPUFREQ_DIR="$freq" \
        run bash "$MACHINE" --warnings
    if [ "$last_status" -eq 0 ] && [ ! -s "$last_err" ]; then
        pass "idle machine, performance governor: no warning"
    else
        fail "idle machine, performance governor: no warning" "exit $last_status; $(head -c 300 "$last_err")"
    fi

    GILBENCH_LOADAVG_FILE="$TEST_TMP/busy" run bash "$MACHINE"
    if [ ! -s "$last_err" ]; then
        pass "no --warnings: silent"
    else
        fail "no --warnings: silent" "$(head -c 300 "$last_err")"
    fi

    GILBENCH_CPUFREQ_DIR="$TEST_TMP/none" run bash "$MACHINE"
    expect_json "no cpufreq: governor and driver unknown" '.governor == "unknown" and .scaling_driver == "unknown"'
}

# The CPUs a run may use: one definition (bin/cpus), whatever OMP_* says,
# capped by taskset and by a CPU quota, each recorded apart and warned about.
test_cpus() {
    local plain
    plain=$(bash "$MACHINE" | jq -c '[.online_cpus, .affinity_cpus, .cpu_quota, .usable_cpus]')
    OMP_NUM_THREADS=1 OMP_THREAD_LIMIT=1 run bash "$MACHINE"
    expect_json "OMP_NUM_THREADS=1 changes none of the CPU counts" \
        "[.online_cpus, .affinity_cpus, .cpu_quota, .usable_cpus] == $plain"
    local online
    online=$(getconf _NPROCESSORS_ONLN)
    if ! command -v taskset >/dev/null || [ "$online" -lt 2 ]; then
        skip "taskset -c 0: 1 usable CPU" "needs taskset and 2 online CPUs (have $online)"
    else
        run taskset -c 0 bash "$MACHINE" --warnings
        expect_json "taskset -c 0: affinity 1, usable 1, online $online" \
            ".affinity_cpus == 1 and .usable_cpus == 1 and .online_cpus == $online"
        expect_err "taskset -c 0: warns that speedups are capped by the affinity mask" \
            "speedups are capped at 1 CPU by the affinity mask .*the machine has $online online"
    fi
    # A CPU quota, as docker run --cpus=1.5 sets it, seen through a stand-in bin/cpus.
    mkdir -p "$TEST_TMP/quota-bin"
    printf '#!/bin/sh\necho %s\n' "'{\"online\":4,\"affinity\":4,\"quota\":1.5,\"usable\":2}'" \
        >"$TEST_TMP/quota-bin/cpus"
    chmod +x "$TEST_TMP/quota-bin/cpus"
    BIN="$TEST_TMP/quota-bin" run bash "$MACHINE" --warnings
    expect_json "a CPU quota: recorded apart from the affinity mask, usable = ceil(quota)" \
        '.cpu_quota == 1.5 and .affinity_cpus == 4 and .usable_cpus == 2 and .cpus_source == "bin/cpus"'
    expect_err "a CPU quota: warned as such" 'speedups are capped at 2 CPUs by a CPU quota \(1\.5 CPUs\)'
}

# A write that fails (a full disk) is exit 1 with a message, not exit 0.
test_write_error() {
    run bash -c 'bash "$1" >/dev/full' _ "$MACHINE"
    expect_exit "stdout on a full disk (/dev/full): exit 1 with a message" 1 'writing machine.json failed'
}

main() {
    have_tools "machine.sh" jq || return 0
    test_json
    test_options
    test_warnings
    test_cpus
    test_write_error
}

main "$@"
