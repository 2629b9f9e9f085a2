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
          "threads_per_core","cores_by_threads","memory_bytes","governor","scaling_driver","kernel","os",
          "compiler","cflags","libc","libcurl","hyperfine","gnuplot","python",
          "load_before","load_after","date_utc","suite_version","git_commit","size","quick"] | sort)'
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
    expect_json "physical_cores: a positive integer; threads_per_core: one, or a range \"1-2\"" \
        '(.physical_cores | type == "number" and . >= 1 and . == floor)
         and (.threads_per_core | (type == "number" and . >= 1 and . == floor) or (type == "string" and test("^[0-9]+-[0-9]+$")))'
    expect_json "cores_by_threads adds up to the physical cores" \
        '([.cores_by_threads[]] | add) == .physical_cores'
    expect_json "memory_bytes > 0" '.memory_bytes | type == "number" and . > 0'
    expect_json "load_before: 3 numbers" \
        '.load_before | type == "array" and length == 3 and all(type == "number")'
    expect_json "load_after is null (the caller fills it)" '.load_after == null'
    expect_json "date_utc is ISO 8601 UTC" '.date_utc | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")'
    expect_json "size defaults to full, quick to false, cflags to unknown" \
        '.size == "full" and .quick == false and .cflags == "unknown"'
    expect_json "suite_version is the harness's" \
        ".suite_version == \"$("$BIN/count" --version | awk '{ print $NF }')\""
}

test_options() {
    local flags='-O2 -g "quoted" back\slash'
    run bash "$MACHINE" --cflags "$flags" --quick
    expect_json "--cflags kept verbatim (escaped), --quick true" \
        '.cflags == "-O2 -g \"quoted\" back\\slash" and .quick == true and .size == "quick"'
    run bash "$MACHINE" --size=tiny
    expect_json "--size=tiny: size tiny, quick true (a tiny run is not a QUICK one)" '.size == "tiny" and .quick == true'
    run bash "$MACHINE" --size full
    expect_json "--size full: quick false" '.size == "full" and .quick == false'
    run bash "$MACHINE" --cflags=-O3
    expect_json "--cflags=STR form" '.cflags == "-O3"'
    expect_help machine.sh bash "$MACHINE" -- --warnings --size
    expect_usage_error "unknown option" bash "$MACHINE" --bogus
    expect_usage_error "--cflags without a value" bash "$MACHINE" --cflags
    expect_usage_error "stray argument" bash "$MACHINE" extra
    expect_usage_error "--quick given a value" bash "$MACHINE" --quick=yes
    expect_usage_error "--size not a size" bash "$MACHINE" --size=huge
    expect_usage_error "--size without a value" bash "$MACHINE" --size
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
        # The load average is the machine's: a busy loop on each CPU outside the mask is
        # another user's, not this run's; more than those CPUs hold is.
        echo "$((online - 1)).00 1.00 1.00 1/100 123" >"$TEST_TMP/others"
        GILBENCH_LOADAVG_FILE="$TEST_TMP/others" run taskset -c 0 bash "$MACHINE" --warnings
        if [ "$last_status" -eq 0 ] && ! grep -q 'load average' "$last_err"; then
            pass "taskset -c 0: a load of $((online - 1)).00, the CPUs outside the mask busy, is not held against the run"
        else
            fail "taskset -c 0: a load the CPUs outside the mask hold is not warned about" "$(head -c 300 "$last_err")"
        fi
        echo "$online.60 1.00 1.00 1/100 123" >"$TEST_TMP/more"
        GILBENCH_LOADAVG_FILE="$TEST_TMP/more" run taskset -c 0 bash "$MACHINE" --warnings
        expect_err "taskset -c 0: a load of $online.60 is more than the CPUs outside the mask hold: warned" \
            "load average is $online\.60 on the machine's $online online CPUs, more than the $((online - 1)) outside this run's affinity mask can hold"
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

# fake_topology ROOT FILE CORE_LIST...: a fake sys/devices/system/cpu under ROOT, one
# CORE_LIST per core (the CPUs sharing it: "0-1", "0,4" or "3"), each of its CPUs given
# that list in topology/FILE; "online" lists every CPU.
fake_topology() {
    local root=$1/sys/devices/system/cpu file=$2 list cpu last=0
    shift 2
    for list in "$@"; do
        for cpu in $(tr ',' '\n' <<<"$list" | while IFS=- read -r a b; do seq "$a" "${b:-$a}"; done); do
            mkdir -p "$root/cpu$cpu/topology"
            echo "$list" >"$root/cpu$cpu/topology/$file"
            [ "$cpu" -le "$last" ] || last=$cpu
        done
    done
    echo "0-$last" >"$root/online"
}

# SMT as the topology says, per core (GILBENCH_SYSFS_ROOT: a fake sysfs tree).
test_topology() {
    local hybrid=() i
    # A hybrid laptop: 6 P-cores with two threads each (CPUs 0-11), 10 E-cores with one.
    for i in 0 2 4 6 8 10; do hybrid+=("$i-$((i + 1))"); done
    for i in $(seq 12 21); do hybrid+=("$i"); done
    fake_topology "$TEST_TMP/hybrid" core_cpus_list "${hybrid[@]}"
    GILBENCH_SYSFS_ROOT="$TEST_TMP/hybrid" run bash "$MACHINE"
    expect_json "hybrid P/E-core layout (22 CPUs, 16 cores, SMT on the P-cores): threads_per_core \"1-2\", 16 cores" \
        '.physical_cores == 16 and .threads_per_core == "1-2" and .cores_by_threads == {"1": 10, "2": 6}'
    # Uniform SMT, siblings far apart as on many servers (0 and 4), read from an older
    # kernel's thread_siblings_list.
    fake_topology "$TEST_TMP/smt" thread_siblings_list 0,4 1,5 2,6 3,7
    GILBENCH_SYSFS_ROOT="$TEST_TMP/smt" run bash "$MACHINE"
    expect_json "uniform SMT (siblings 0,4 ...; thread_siblings_list): 4 cores of 2 threads, a number" \
        '.physical_cores == 4 and .threads_per_core == 2 and .cores_by_threads == {"2": 4}'
    fake_topology "$TEST_TMP/nosmt" core_cpus_list 0 1 2
    GILBENCH_SYSFS_ROOT="$TEST_TMP/nosmt" run bash "$MACHINE"
    expect_json "no SMT: 3 cores of 1 thread" '.physical_cores == 3 and .threads_per_core == 1'
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
    test_topology
    test_write_error
}

main "$@"
