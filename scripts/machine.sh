#!/usr/bin/env bash
# scripts/machine.sh - describe this machine as one JSON object (machine.json
# of a run folder): what a reader needs to judge the numbers measured on it.
# Every string is read from the system and may be "unknown" (not readable) or
# "absent" (a tool that is not installed); jq builds the object, so any text
# is escaped.  load_after is null here: the caller fills it in after the run.
set -euo pipefail
# The numbers are written with "." whatever the user's locale.
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Where load, governor and CPU topology are read; tests point these at fixture
# files (GILBENCH_SYSFS_ROOT: a folder holding a fake sys/devices/system/cpu).
LOADAVG_FILE=${GILBENCH_LOADAVG_FILE:-/proc/loadavg}
SYSFS_ROOT=${GILBENCH_SYSFS_ROOT:-}
SYSFS_CPU=$SYSFS_ROOT/sys/devices/system/cpu
CPUFREQ_DIR=${GILBENCH_CPUFREQ_DIR:-/sys/devices/system/cpu/cpu0/cpufreq}
# The binaries; bin/cpus says which CPUs a run may use.
BIN=${BIN:-bin}
[[ "$BIN" == /* ]] || BIN="$ROOT/$BIN"
# shellcheck source=scripts/schema.sh
source "$ROOT/scripts/schema.sh"

usage() {
    cat <<'EOF'
Usage: scripts/machine.sh [--cflags STR] [--size full|quick|tiny] [--quick] [--warnings]

Print machine.json, one JSON object describing this machine, on stdout.

Options:
  --cflags STR   the compiler flags the binaries were built with (default "unknown")
  --size SIZE    the run's size, full, quick or tiny (bench.sh's --quick,
                 --tiny; default full): "size", and "quick": true unless full
  --quick        the same as --size quick
  --warnings     also print on stderr what to fix before measuring (a busy
                 machine, a power-saving CPU governor); nothing when all is fine
  --help         show this help
  --version      show the version

load_after is written as null: the caller fills it in when the run is over.
EOF
}

die_usage() {
    printf 'machine: %s\n' "$1" >&2
    printf "Try 'scripts/machine.sh --help'.\n" >&2
    exit 2
}

# first_line CMD...: the first line of CMD's output, or "absent" when CMD is
# not installed, or "unknown" when it fails or says nothing.
first_line() {
    if ! command -v "$1" >/dev/null 2>&1; then
        echo absent
        return 0
    fi
    local out
    out=$("$@" 2>/dev/null | head -n 1) || true
    echo "${out:-unknown}"
}

# read_file PATH: the file's first line, "unknown" when unreadable.
read_file() {
    local out=""
    [ -r "$1" ] && out=$(head -n 1 "$1" 2>/dev/null || true)
    echo "${out:-unknown}"
}

# read_hostname: the node name (uname -n: what `hostname` prints, and there
# when `hostname` is not installed); run_name (files.sh) builds on it too.
read_hostname() {
    local h
    h=$(uname -n 2>/dev/null || true)
    echo "${h:-unknown}"
}

read_cpu_model() {
    local m
    m=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
    if [ -z "$m" ] && command -v lscpu >/dev/null 2>&1; then
        m=$(LC_ALL=C lscpu | awk -F': *' '/^Model name/ { print $2; exit }' || true)
    fi
    echo "${m:-unknown}"
}

# read_cpus: {"online","affinity","quota","usable"} from bin/cpus, the one
# definition the binaries and the bench share (the affinity mask capped by
# the cgroup CPU quota; OMP_* ignored).  Without it (not built yet): online
# from getconf, the affinity mask from nproc with the OMP_* variables it
# would obey removed, and no quota seen.
read_cpus() {
    local json
    if [ -x "$BIN/cpus" ] && json=$("$BIN/cpus" --json 2>/dev/null) &&
        jq -e '(.online, .affinity, .usable | type == "number") and (.quota | type == "number" or . == null)' \
            <<<"$json" >/dev/null 2>&1; then
        jq -c '{online, affinity, quota, usable, source: "bin/cpus"}' <<<"$json"
        return 0
    fi
    local online affinity
    online=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
    affinity=$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc 2>/dev/null || echo "$online")
    jq -nc --argjson o "$online" --argjson a "$affinity" \
        '{online: $o, affinity: $a, quota: null, usable: $a, source: "nproc (bin/cpus not built: a CPU quota is not seen)"}'
}

# expand_list LIST: the CPU numbers of a kernel CPU list ("0-3,8,10-11"), one a line.
expand_list() {
    awk -v list="$1" 'BEGIN {
        n = split(list, part, ",")
        for (i = 1; i <= n; i++)
            if (split(part[i], r, "-") == 2) { for (c = r[1] + 0; c <= r[2] + 0; c++) print c }
            else if (part[i] ~ /^[0-9]+$/) print part[i] + 0
    }'
}

# core_keys: one line per online CPU naming the core it belongs to, the same
# line for CPUs that share a core (SMT siblings).  From the topology
# (sysfs cpuN/topology/core_cpus_list, before Linux 5.7 thread_siblings_list:
# the CPUs sharing its core), else lscpu's CORE,SOCKET, else /proc/cpuinfo's
# "physical id"/"core id"; nothing when none is readable.
core_keys() {
    local online cpu f keys=""
    if online=$(head -n 1 "$SYSFS_CPU/online" 2>/dev/null) && [ -n "$online" ]; then
        for cpu in $(expand_list "$online"); do
            for f in core_cpus_list thread_siblings_list ""; do
                [ -n "$f" ] || { keys=""; break 2; }
                [ -r "$SYSFS_CPU/cpu$cpu/topology/$f" ] || continue
                keys+="$(head -n 1 "$SYSFS_CPU/cpu$cpu/topology/$f")"$'\n'
                break
            done
        done
    fi
    if [ -n "$keys" ]; then
        printf '%s' "$keys"
    elif [ -z "$SYSFS_ROOT" ] && command -v lscpu >/dev/null 2>&1 &&
        keys=$(LC_ALL=C lscpu -p=CORE,SOCKET 2>/dev/null | grep -v '^#') && [ -n "$keys" ]; then
        printf '%s\n' "$keys"
    elif [ -z "$SYSFS_ROOT" ]; then
        awk -F': *' '/^physical id/ { p = $2 } /^core id/ { print p "," $2 }' /proc/cpuinfo 2>/dev/null || true
    fi
}

# read_cores ONLINE: {"physical_cores", "threads_per_core", "cores_by_threads"}
# as the topology says (core_keys), per core: a hybrid laptop with SMT on its
# P-cores only (22 CPUs, 16 cores) has threads_per_core "1-2" and
# cores_by_threads {"1": 10, "2": 6}, not 22 / 16 rounded down.  Without any
# topology: ONLINE cores of 1 thread each.
read_cores() {
    core_keys | jq -R -s -c --argjson online "$1" '
        split("\n") | map(select(. != "")) | group_by(.) | map(length) as $per_core
        | if ($per_core | length) == 0 then {physical_cores: $online, threads_per_core: 1, cores_by_threads: {"1": $online}}
          else ($per_core | min) as $lo | ($per_core | max) as $hi
          | {physical_cores: ($per_core | length),
             threads_per_core: (if $lo == $hi then $lo else "\($lo)-\($hi)" end),
             cores_by_threads: ($per_core | group_by(.) | map({key: (.[0] | tostring), value: length}) | from_entries)}
          end'
}

read_memory_bytes() {
    awk '/^MemTotal:/ { printf "%.0f\n", $2 * 1024; found = 1; exit }
         END { if (!found) print 0 }' /proc/meminfo 2>/dev/null || echo 0
}

read_os() {
    local os=""
    if [ -r /etc/os-release ]; then
        os=$(sed -n 's/^PRETTY_NAME=//p' /etc/os-release | head -n 1)
        os=${os#\"}
        os=${os%\"}
    fi
    echo "${os:-unknown}"
}

# CC may hold words ("ccache gcc"), as make splits it.
read_compiler() {
    local cc
    read -ra cc <<<"${CC:-cc}"
    [ "${#cc[@]}" -gt 0 ] || cc=(cc)
    first_line "${cc[@]}" --version
}

read_libc() {
    local v
    v=$(getconf GNU_LIBC_VERSION 2>/dev/null || true)
    if [ -z "$v" ] && command -v ldd >/dev/null 2>&1; then
        v=$(ldd --version 2>&1 | head -n 1 || true)
    fi
    echo "${v:-unknown}"
}

# read_suite_version: what the binaries report (schema.sh suite_version),
# "unknown" when they are not built.
read_suite_version() {
    local v
    v=$(suite_version)
    [[ "$v" != unknown* ]] || v=unknown
    echo "$v"
}

# The commit, with "-dirty" when tracked files differ from it (untracked
# files such as results are not the code that was measured).
read_git_commit() {
    local c
    if ! c=$(git -C "$ROOT" rev-parse HEAD 2>/dev/null); then
        echo unknown
        return 0
    fi
    if [ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
        c="$c-dirty"
    fi
    echo "$c"
}

# read_loadavg: "1m 5m 15m" from /proc/loadavg ("" when unreadable).
read_loadavg() {
    local a b c rest
    if read -r a b c rest <"$LOADAVG_FILE" 2>/dev/null; then
        echo "$a $b $c"
    else
        echo ""
    fi
}

# warn_cpus CPUS_JSON: when this run may use fewer CPUs than are online, say
# so and what caps it: every speedup and the ideal line stop there.
warn_cpus() {
    local line
    line=$(jq -r 'if .usable < .online then
            "machine: warning: speedups are capped at \(.usable) CPU\(if .usable == 1 then "" else "s" end) by "
            + (if .quota != null and (.quota | ceil) <= .affinity then "a CPU quota (\(.quota) CPUs)"
               else "the affinity mask (taskset, a cpuset)" end)
            + "; the machine has \(.online) online" else empty end' <<<"$1")
    [ -z "$line" ] || printf '%s\n' "$line" >&2
}

# warn_user LOAD1 USABLE AFFINITY ONLINE GOVERNOR: the advice a user should
# act on, on stderr.  The load average is the whole machine's: a load the
# CPUs outside this run's affinity mask (ONLINE - AFFINITY; another user's
# busy loop on a shared server) could hold is not held against the run's own.
warn_user() {
    local load1=$1 usable=$2 affinity=$3 online=$4 governor=$5 outside
    outside=$((online > affinity ? online - affinity : 0))
    if [ -n "$load1" ] && awk -v l="$load1" -v n="$usable" -v out="$outside" 'BEGIN { exit !(l > out + 0.5 * n) }'; then
        if [ "$outside" -eq 0 ]; then
            printf 'machine: warning: load average is %s on %s usable CPU(s): close other programs or expect noisy numbers\n' \
                "$load1" "$usable" >&2
        else
            printf 'machine: warning: load average is %s on the machine'"'"'s %s online CPUs, more than the %s outside this run'"'"'s affinity mask can hold (it may use %s): close other programs or expect noisy numbers\n' \
                "$load1" "$online" "$outside" "$usable" >&2
        fi
    fi
    case "$governor" in
    powersave | conservative)
        # shellcheck disable=SC2016 # the backquotes are meant literally
        printf 'machine: warning: CPU governor is %s: for stable numbers run `sudo cpupower frequency-set -g performance`\n' \
            "$governor" >&2
        ;;
    esac
}

main() {
    local cflags=unknown size=full warnings=false
    while [ "$#" -gt 0 ]; do
        case "$1" in
        --help) usage; exit 0 ;;
        --version) print_version machine; exit 0 ;;
        --quick) size=quick ;;
        --size=*) size=${1#--size=} ;;
        --size)
            [ "$#" -ge 2 ] || die_usage "--size: missing value"
            size=$2
            shift
            ;;
        --warnings) warnings=true ;;
        --cflags=*) cflags=${1#--cflags=} ;;
        --cflags)
            [ "$#" -ge 2 ] || die_usage "--cflags: missing value"
            cflags=$2
            shift
            ;;
        --quick=* | --warnings=* | --help=* | --version=*) die_usage "${1%%=*}: takes no value" ;;
        *) die_usage "unknown argument '$1'" ;;
        esac
        shift
    done
    case "$size" in
    full | quick | tiny) ;;
    *) die_usage "--size: expected full, quick or tiny, got '$size'" ;;
    esac

    local cpus cores load governor cpus_json
    cpus_json=$(read_cpus)
    cpus=$(jq -r .online <<<"$cpus_json")
    cores=$(read_cores "$cpus")
    load=$(read_loadavg)
    governor=$(read_file "$CPUFREQ_DIR/scaling_governor")

    # A failed write (a full disk) is exit 1, as for every other write.
    jq -n \
        --argjson cpus_info "$cpus_json" \
        --arg hostname "$(read_hostname)" \
        --arg cpu_model "$(read_cpu_model)" \
        --arg online_cpus "$cpus" \
        --argjson cores "$cores" \
        --arg memory_bytes "$(read_memory_bytes)" \
        --arg governor "$governor" \
        --arg scaling_driver "$(read_file "$CPUFREQ_DIR/scaling_driver")" \
        --arg kernel "$(uname -r 2>/dev/null || echo unknown)" \
        --arg os "$(read_os)" \
        --arg compiler "$(read_compiler)" \
        --arg cflags "$cflags" \
        --arg libc "$(read_libc)" \
        --arg libcurl "$(first_line curl-config --version)" \
        --arg hyperfine "$(first_line hyperfine --version)" \
        --arg gnuplot "$(first_line gnuplot --version)" \
        --arg python "$(first_line python3 --version)" \
        --arg load "$load" \
        --arg date_utc "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
        --arg suite_version "$(read_suite_version)" \
        --arg git_commit "$(read_git_commit)" \
        --arg size "$size" \
        '($online_cpus | tonumber) as $cpus | {
            hostname: $hostname,
            cpu_model: $cpu_model,
            online_cpus: $cpus,
            affinity_cpus: $cpus_info.affinity,
            cpu_quota: $cpus_info.quota,
            usable_cpus: $cpus_info.usable,
            cpus_source: $cpus_info.source,
            physical_cores: $cores.physical_cores,
            threads_per_core: $cores.threads_per_core,
            cores_by_threads: $cores.cores_by_threads,
            memory_bytes: ($memory_bytes | tonumber),
            governor: $governor,
            scaling_driver: $scaling_driver,
            kernel: $kernel,
            os: $os,
            compiler: $compiler,
            cflags: $cflags,
            libc: $libc,
            libcurl: $libcurl,
            hyperfine: $hyperfine,
            gnuplot: $gnuplot,
            python: $python,
            load_before: ($load | split(" ") | map(select(. != "") | tonumber)),
            load_after: null,
            date_utc: $date_utc,
            suite_version: $suite_version,
            git_commit: $git_commit,
            size: $size,
            quick: ($size != "full")
        }' || { echo "machine: writing machine.json failed" >&2; exit 1; }

    if [ "$warnings" = true ]; then
        warn_cpus "$cpus_json"
        warn_user "${load%% *}" "$(jq -r .usable <<<"$cpus_json")" "$(jq -r .affinity <<<"$cpus_json")" "$cpus" "$governor"
    fi
}

main "$@"
