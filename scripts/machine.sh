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
# Where load and governor are read; tests point these at fixture files.
LOADAVG_FILE=${GILBENCH_LOADAVG_FILE:-/proc/loadavg}
CPUFREQ_DIR=${GILBENCH_CPUFREQ_DIR:-/sys/devices/system/cpu/cpu0/cpufreq}
# The binaries; bin/cpus says which CPUs a run may use.
BIN=${BIN:-bin}
[[ "$BIN" == /* ]] || BIN="$ROOT/$BIN"
# shellcheck source=scripts/schema.sh
source "$ROOT/scripts/schema.sh"

usage() {
    cat <<'EOF'
Usage: scripts/machine.sh [--cflags STR] [--quick] [--warnings]

Print machine.json, one JSON object describing this machine, on stdout.

Options:
  --cflags STR   the compiler flags the binaries were built with (default "unknown")
  --quick        record that the run was a quick one ("quick": true; default false)
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

read_hostname() {
    local h
    h=$(hostname 2>/dev/null || uname -n 2>/dev/null || true)
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

# Distinct (core, socket) pairs: from lscpu's parsable output, else from the
# "physical id"/"core id" lines of /proc/cpuinfo, else the online CPUs.
read_physical_cores() {
    local n=""
    if command -v lscpu >/dev/null 2>&1; then
        n=$(LC_ALL=C lscpu -p=CORE,SOCKET 2>/dev/null | grep -v '^#' | sort -u | grep -c . || true)
    fi
    if [ -z "$n" ] || [ "$n" -eq 0 ]; then
        n=$(awk -F': *' '/^physical id/ { p = $2 } /^core id/ { print p "," $2 }' \
            /proc/cpuinfo 2>/dev/null | sort -u | grep -c . || true)
    fi
    if [ -z "$n" ] || [ "$n" -eq 0 ]; then
        n=$1
    fi
    echo "$n"
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

# warn_user LOAD1 CPUS GOVERNOR: the advice a user should act on, on stderr.
warn_user() {
    local load1=$1 cpus=$2 governor=$3
    if [ -n "$load1" ] && awk -v l="$load1" -v n="$cpus" 'BEGIN { exit !(l > 0.5 * n) }'; then
        printf 'machine: warning: load average is %s on %s usable CPU(s): close other programs or expect noisy numbers\n' \
            "$load1" "$cpus" >&2
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
    local cflags=unknown quick=false warnings=false
    while [ "$#" -gt 0 ]; do
        case "$1" in
        --help) usage; exit 0 ;;
        --version) print_version machine; exit 0 ;;
        --quick) quick=true ;;
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

    local cpus cores load governor cpus_json
    cpus_json=$(read_cpus)
    cpus=$(jq -r .online <<<"$cpus_json")
    cores=$(read_physical_cores "$cpus")
    load=$(read_loadavg)
    governor=$(read_file "$CPUFREQ_DIR/scaling_governor")

    # A failed write (a full disk) is exit 1, as for every other write.
    jq -n \
        --argjson cpus_info "$cpus_json" \
        --arg hostname "$(read_hostname)" \
        --arg cpu_model "$(read_cpu_model)" \
        --arg online_cpus "$cpus" \
        --arg physical_cores "$cores" \
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
        --argjson quick "$quick" \
        '($online_cpus | tonumber) as $cpus | ($physical_cores | tonumber) as $cores | {
            hostname: $hostname,
            cpu_model: $cpu_model,
            online_cpus: $cpus,
            affinity_cpus: $cpus_info.affinity,
            cpu_quota: $cpus_info.quota,
            usable_cpus: $cpus_info.usable,
            cpus_source: $cpus_info.source,
            physical_cores: $cores,
            threads_per_core: ([1, ($cpus / $cores | floor)] | max),
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
            quick: $quick
        }' || { echo "machine: writing machine.json failed" >&2; exit 1; }

    if [ "$warnings" = true ]; then
        warn_cpus "$cpus_json"
        warn_user "${load%% *}" "$(jq -r .usable <<<"$cpus_json")" "$governor"
    fi
}

main "$@"
