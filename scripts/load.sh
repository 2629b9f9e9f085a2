# scripts/load.sh - how much of the run's CPUs other programs used while it
# ran: machine.json's cpu_used_by_others, which a lesson that does not hold
# names as its cause (lessons.py causes).  Sourced by bench.sh (it uses
# now_ms of experiments.sh and write_file of files.sh).
# shellcheck shell=bash

# The cgroup whose CPU quota bounds the run when no narrower affinity mask
# does (load_scope); "" when the CPUs of the mask are the measure.
LOAD_CGROUP=""

# load_scope MACHINE_JSON: what the run's CPUs are.  Under a cgroup CPU
# quota (docker --cpus, systemd CPUQuota=) that allows fewer CPUs than the
# affinity mask holds, the run gets a share of every CPU of the mask, and
# the programs it shares that quota with are the other processes of the
# cgroup that sets it: its own usage (cgroup v2 cpu.stat usage_usec, v1
# cpuacct.usage where cpuacct is mounted with cpu) is the measure, not the
# busy time of every CPU of the mask, which other users' programs outside
# the quota fill too.  bin/cpus --quota-dir names that cgroup.
load_scope() {
    local quota affinity dir
    LOAD_CGROUP=""
    read -r quota affinity < <(jq -r '"\(.cpu_quota // 0) \(.affinity_cpus // 0)"' <<<"$1")
    awk -v q="$quota" -v a="$affinity" 'BEGIN { c = int(q); if (c < q) c++; exit !(q > 0 && c < a) }' || return 0
    dir=$("$BIN/cpus" --quota-dir 2>/dev/null) || return 0
    [ -n "$dir" ] && [ -n "$(cgroup_usage_usec "$dir")" ] && LOAD_CGROUP=$dir
    return 0
}

# cgroup_usage_usec DIR: the CPU time the cgroup DIR and everything in it
# has used, in microseconds; nothing when it cannot be read.
cgroup_usage_usec() {
    if [ -r "$1/cpu.stat" ] && awk '$1 == "usage_usec" { print $2; f = 1 } END { exit !f }' "$1/cpu.stat" 2>/dev/null; then
        return 0
    fi
    [ -r "$1/cpuacct.usage" ] && awk 'NR == 1 && $1 ~ /^[0-9]+$/ { printf "%.0f\n", $1 / 1000 }' "$1/cpuacct.usage" 2>/dev/null
    return 0
}

# add_load_after MACHINE_JSON BEFORE: load_after (the load average now) and
# cpu_used_by_others (since BEFORE, a cpu_ticks) into the file MACHINE_JSON.
add_load_after() {
    local load others
    local one five fifteen
    read -r one five fifteen _ </proc/loadavg
    load="[$one,$five,$fifteen]"
    others=$(cpu_used_by_others "$2" "$(cpu_ticks)")
    # shellcheck disable=SC2016 # $load and $others are jq's variables
    write_file "$1" jq --argjson load "$load" --argjson others "$others" \
        '.load_after = $load | .cpu_used_by_others = $others' "$1"
}

# cpu_ticks: "WALL_MS BUSY OURS": the wall clock in ms, the clock ticks the
# run's CPUs spent busy, and the ticks of this shell and of its waited-for
# children (/proc/self/stat utime stime cutime cstime: every experiment,
# hyperfine and the delay server).  The run's CPUs: under a quota, the
# CPU time of the cgroup that sets it (LOAD_CGROUP, load_scope); else the
# CPUs of this run's affinity mask (/proc/self/status Cpus_allowed_list:
# taskset, a cpuset), their cpuN lines of /proc/stat (user nice system irq
# softirq; steal is the hypervisor's, not a program's here).  Only the run's
# CPUs: a program busy on a CPU the run may not use (another user's, on a
# shared server) took nothing from it.  The machine's `cpu` line when the
# mask is unreadable; "" when /proc is not there.
cpu_ticks() {
    local busy="" ours mask hz usec
    if [ -n "$LOAD_CGROUP" ] && usec=$(cgroup_usage_usec "$LOAD_CGROUP") && [ -n "$usec" ]; then
        hz=$(getconf CLK_TCK 2>/dev/null) || hz=100
        busy=$(awk -v u="$usec" -v hz="$hz" 'BEGIN { printf "%.2f\n", u * hz / 1e6 }')
    fi
    if [ -z "$busy" ]; then
        mask=$(awk '$1 == "Cpus_allowed_list:" { print $2 }' "/proc/$$/status" 2>/dev/null) || mask=""
        busy=$(awk -v mask="$mask" 'BEGIN {
                n = split(mask, part, ",")
                for (i = 1; i <= n; i++)
                    if (split(part[i], r, "-") == 2) { for (c = r[1] + 0; c <= r[2] + 0; c++) mine["cpu" c] = 1 }
                    else if (part[i] != "") mine["cpu" part[i]] = 1
            }
            (n == 0 && $1 == "cpu") || ($1 in mine) { b += $2 + $3 + $4 + $7 + $8; seen = 1 }
            END { if (seen) print b }' /proc/stat 2>/dev/null) || busy=""
    fi
    ours=$(sed 's/^.*) //' "/proc/$$/stat" 2>/dev/null | awk '{ print $12 + $13 + $14 + $15 }') || ours=""
    [ -n "$busy" ] && [ -n "$ours" ] && echo "$(now_ms) $busy $ours"
    return 0
}

# cpu_used_by_others BEFORE AFTER (two cpu_ticks): how many of the run's
# CPUs other programs kept busy on average during the run (busy ticks not
# ours, over the wall time), two decimals; null when either sample is
# missing.  A lesson that does not hold names it as the cause (lessons.py
# causes).
cpu_used_by_others() {
    local hz
    hz=$(getconf CLK_TCK 2>/dev/null) || hz=100
    awk -v b="$1" -v a="$2" -v hz="$hz" 'BEGIN {
        if (split(b, x, " ") != 3 || split(a, y, " ") != 3 || y[1] <= x[1]) { print "null"; exit }
        v = ((y[2] - x[2]) - (y[3] - x[3])) / hz / ((y[1] - x[1]) / 1000)
        printf "%.2f\n", (v < 0 ? 0 : v)
    }'
}
