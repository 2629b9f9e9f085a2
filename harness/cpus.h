/*
 * cpus.h - how many CPUs this run may use: one definition for every binary
 * (their `cpus` and default --workers) and for the bench (bin/cpus --json).
 *
 *   online    CPUs the kernel has online (sysconf(_SC_NPROCESSORS_ONLN))
 *   affinity  CPUs in this process's affinity mask (sched_getaffinity):
 *             what taskset, numactl and docker --cpuset-cpus leave
 *   quota     the cgroup CPU bandwidth limit in CPUs (quota / period), the
 *             smallest along the process's cgroup and its ancestors; cgroup
 *             v2 cpu.max ("150000 100000" = 1.5, "max 100000" = none) and v1
 *             cpu.cfs_quota_us / cpu.cfs_period_us (quota -1 = none).  What
 *             docker run --cpus=N and systemd CPUQuota= set.  <= 0: none.
 *   usable    max(1, min(affinity, ceil(quota)))
 *
 * OMP_NUM_THREADS and the other OMP_* variables are ignored on purpose: they
 * tell an OpenMP program what to start, not what the machine allows.
 *
 * The cgroup of the process comes from /proc/self/cgroup and the mount
 * points from /proc/self/mountinfo.  Test-only: GILBENCH_PROC_ROOT replaces
 * /proc in those two paths, and GILBENCH_SYSFS_ROOT is put before every
 * mount point read from mountinfo, so that a fixture tree can stand in for
 * the system.
 */
#ifndef GILBENCH_CPUS_H
#define GILBENCH_CPUS_H

#include <stddef.h>

struct cpus_info {
    int online;
    int affinity;
    double quota;      /* CPUs; <= 0 when no quota applies */
    int usable;
};

/* Fill *ci.  Never fails: what cannot be read counts as no limit (online
 * for the affinity, no quota), and every count is at least 1. */
void cpus_probe(struct cpus_info *ci);

/* The quota cpus_probe() finds (0: none), and in dir (len bytes; NULL
 * with len 0 for none) the cgroup folder that sets it, its path as this
 * process sees it (GILBENCH_SYSFS_ROOT before it), "" when there is none:
 * the bench reads that cgroup's own CPU usage there. */
double cpus_quota_dir(char *dir, size_t len);

/* max(1, min(affinity, ceil(quota))), quota <= 0 meaning none. */
int cpus_usable(int affinity, double quota);

#endif
