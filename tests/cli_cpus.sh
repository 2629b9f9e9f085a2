#!/usr/bin/env bash
# tests/cli_cpus.sh - usable CPUs, one definition (harness/cpus.h): bin/cpus,
# the binaries' `cpus` and default --workers under taskset, OMP_NUM_THREADS,
# cgroup v1 and v2 quotas from fixture trees, and a real cgroup v1 quota.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

CPUS="$BIN/cpus"
COUNT="$BIN/count"
CGROUP_DIR=""

cleanup() {
    if [ -n "$CGROUP_DIR" ] && [ -d "$CGROUP_DIR" ]; then
        rmdir "$CGROUP_DIR" 2>/dev/null || true
    fi
    rm -rf "$TEST_TMP"
}
trap cleanup EXIT

test_command_line() {
    expect_help cpus "$CPUS" -- --json affinity
    expect_version cpus '^cpus \(gilbench\) [0-9]+\.[0-9]+' "$CPUS"
    expect_usage_error "cpus: unknown option" "$CPUS" --bogus
    expect_usage_error "cpus: --json given a value" "$CPUS" --json=yes
    run "$CPUS"
    if [ "$last_status" -eq 0 ] && grep -Eqx '[1-9][0-9]*' "$last_out" && [ "$(wc -l <"$last_out")" -eq 1 ]; then
        pass "cpus prints one positive count"
    else
        fail "cpus prints one positive count" "exit $last_status: $(head -c 100 "$last_out")"
    fi
    local plain
    plain=$(cat "$last_out")
    run "$CPUS" --json
    expect_json "cpus --json: exactly online, affinity, quota, usable" \
        '(keys == ["affinity","online","quota","usable"]) and (.online|type)=="number"
         and (.affinity|type)=="number" and (.quota==null or (.quota|type)=="number")
         and .usable == '"$plain"' and .usable >= 1 and .affinity <= .online'
    expect_json "cpus --json: online is the kernel's online count" ".online == $(getconf _NPROCESSORS_ONLN)"
}

test_taskset_and_omp() {
    have_tools "taskset -c 0: one usable CPU" taskset || return 0
    run taskset -c 0 "$CPUS" --json
    expect_json "taskset -c 0: affinity 1, usable 1, online unchanged" \
        ".affinity==1 and .usable==1 and .online==$(getconf _NPROCESSORS_ONLN)"
    run taskset -c 0 "$COUNT" --mode=pool --iterations=1e5 --json
    expect_json "taskset -c 0 count --mode=pool: cpus 1 and workers 1" \
        ".cpus==1 and .workers==1 and .cpus_affinity==1 and .cpus_online==$(getconf _NPROCESSORS_ONLN)"
    run taskset -c 0 "$COUNT" --mode=threadpool --iterations=1e5
    expect_out "taskset -c 0: the human header says 1 usable" '^# cpus: 1 usable \('
    local want
    want=$("$CPUS")
    run env OMP_NUM_THREADS=1 OMP_THREAD_LIMIT=1 "$CPUS"
    if [ "$(cat "$last_out")" = "$want" ]; then pass "OMP_NUM_THREADS=1 changes nothing ($want)"; else fail "OMP_NUM_THREADS=1 changes nothing" "$(cat "$last_out") vs $want"; fi
    run env OMP_NUM_THREADS=1 "$COUNT" --mode=pool --iterations=1e5 --json
    expect_json "OMP_NUM_THREADS=1: count's cpus and workers unchanged" ".cpus==$want and .workers==$want"
}

# fixture NAME: an empty fixture tree; echoes its path.
fixture() {
    local root="$TEST_TMP/fx-$1"
    mkdir -p "$root/proc/self"
    echo "$root"
}

# probe NAME ROOT: bin/cpus --json over the fixture tree ROOT.
probe() {
    run env GILBENCH_PROC_ROOT="$2/proc" GILBENCH_SYSFS_ROOT="$2" "$CPUS" --json
}

test_cgroup_v2_fixtures() {
    local root aff
    aff=$("$CPUS" --json | jq .affinity)
    root=$(fixture v2-none)
    echo '0::/lab/student' >"$root/proc/self/cgroup"
    echo '30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw' >"$root/proc/self/mountinfo"
    mkdir -p "$root/sys/fs/cgroup/lab/student"
    echo 'max 100000' >"$root/sys/fs/cgroup/lab/student/cpu.max"
    probe v2-none "$root"
    expect_json "v2 'max 100000': no quota" ".quota==null and .usable==$aff"

    echo '150000 100000' >"$root/sys/fs/cgroup/lab/student/cpu.max"
    probe v2-1.5 "$root"
    expect_json "v2 '150000 100000': quota 1.5, usable min(affinity, 2)" \
        ".quota==1.5 and .usable==([$aff, 2]|min)"

    echo '400000 100000' >"$root/sys/fs/cgroup/lab/student/cpu.max"
    echo '100000 100000' >"$root/sys/fs/cgroup/lab/cpu.max"
    echo 'max 100000' >"$root/sys/fs/cgroup/cpu.max"
    probe v2-nested "$root"
    expect_json "v2 nested: the parent's 1 CPU caps the child's 4" ".quota==1 and .usable==1"

    echo '50000 100000' >"$root/sys/fs/cgroup/lab/student/cpu.max"
    probe v2-half "$root"
    expect_json "v2 half a CPU: usable is still 1" ".quota==0.5 and .usable==1"

    # A container's view: the mount shows the hierarchy from /docker/abc down.
    root=$(fixture v2-container)
    echo '0::/docker/abc' >"$root/proc/self/cgroup"
    echo '30 23 0:26 /docker/abc /sys/fs/cgroup rw - cgroup2 cgroup2 rw' >"$root/proc/self/mountinfo"
    mkdir -p "$root/sys/fs/cgroup"
    echo '100000 100000' >"$root/sys/fs/cgroup/cpu.max"
    probe v2-container "$root"
    expect_json "v2 in a container (mount root /docker/abc): quota 1" ".quota==1 and .usable==1"
}

test_cgroup_v1_fixtures() {
    local root aff dir
    aff=$("$CPUS" --json | jq .affinity)
    root=$(fixture v1)
    printf '4:memory:/x\n3:cpu,cpuacct:/lab/student\n0::/\n' >"$root/proc/self/cgroup"
    # The mount point has a space, as mountinfo escapes it (\040).
    printf '%s\n' '31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw' \
        '32 31 0:29 / /sys/fs/cgroup/cpu\040acct rw,relatime - cgroup cgroup rw,cpu,cpuacct' \
        '35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory' >"$root/proc/self/mountinfo"
    dir="$root/sys/fs/cgroup/cpu acct/lab/student"
    mkdir -p "$dir"
    echo -1 >"$dir/cpu.cfs_quota_us"
    echo 100000 >"$dir/cpu.cfs_period_us"
    probe v1-none "$root"
    expect_json "v1 quota -1: no quota" ".quota==null and .usable==$aff"
    echo 150000 >"$dir/cpu.cfs_quota_us"
    probe v1-1.5 "$root"
    expect_json "v1 150000/100000: quota 1.5, usable min(affinity, 2)" \
        ".quota==1.5 and .usable==([$aff, 2]|min)"
    echo -1 >"$dir/cpu.cfs_quota_us"
    echo 50000 >"$root/sys/fs/cgroup/cpu acct/lab/cpu.cfs_quota_us"
    echo 100000 >"$root/sys/fs/cgroup/cpu acct/lab/cpu.cfs_period_us"
    probe v1-nested "$root"
    expect_json "v1 nested: the parent's 0.5 CPU applies, usable 1" ".quota==0.5 and .usable==1"
    run env GILBENCH_PROC_ROOT="$root/proc" GILBENCH_SYSFS_ROOT="$root" "$COUNT" --mode=pool --iterations=1e5 --json
    expect_json "count under a 0.5-CPU v1 quota: cpus 1, workers 1, cpu_quota 0.5" \
        ".cpus==1 and .workers==1 and .cpu_quota==0.5"
    local missing
    missing=$(fixture missing)
    probe missing "$missing"
    expect_json "no cgroup files at all: no quota, usable = affinity" ".quota==null and .usable==$aff"
}

# A real quota: a cgroup v1 cpu folder with 1 CPU of bandwidth.
test_real_cgroup_v1() {
    local base=/sys/fs/cgroup/cpu
    if [ "$(id -u)" -ne 0 ]; then
        skip "real cgroup v1 quota: bin/cpus says 1" "needs root to make a cgroup"
        return
    fi
    if [ ! -w "$base" ] || [ ! -e "$base/cpu.cfs_quota_us" ]; then
        skip "real cgroup v1 quota: bin/cpus says 1" "no writable cgroup v1 cpu hierarchy at $base"
        return
    fi
    CGROUP_DIR="$base/gbtest-$$"
    if ! mkdir "$CGROUP_DIR" 2>/dev/null || ! echo 100000 >"$CGROUP_DIR/cpu.cfs_period_us" \
        || ! echo 100000 >"$CGROUP_DIR/cpu.cfs_quota_us"; then
        skip "real cgroup v1 quota: bin/cpus says 1" "cannot set a quota in $CGROUP_DIR"
        return
    fi
    run bash -c 'echo $$ >"$1/cgroup.procs" && exec "$2" --json' _ "$CGROUP_DIR" "$CPUS"
    expect_json "real cgroup v1 quota of 1 CPU: quota 1, usable 1" ".quota==1 and .usable==1"
    run bash -c 'echo $$ >"$1/cgroup.procs" && exec "$2" --mode=pool --iterations=1e5 --json' _ "$CGROUP_DIR" "$COUNT"
    expect_json "real cgroup v1 quota: count --mode=pool has 1 worker" ".cpus==1 and .workers==1 and .cpu_quota==1"
    rmdir "$CGROUP_DIR" 2>/dev/null || true
}

main() {
    test_command_line
    test_taskset_and_omp
    test_cgroup_v2_fixtures
    test_cgroup_v1_fixtures
    test_real_cgroup_v1
}

main "$@"
