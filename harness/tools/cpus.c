/*
 * cpus - print how many CPUs a run may use (see cpus.h): the number the
 * binaries report as `cpus` and take as their default --workers, for
 * scripts that need the same count (the bench, scripts/machine.sh).
 *
 *   bin/cpus          the usable count, one line
 *   bin/cpus --json   {"online":N,"affinity":N,"quota":X or null,"usable":N}
 *   bin/cpus --quota-dir   the cgroup folder whose CPU quota applies (nothing
 *                     when none does): the bench reads the CPU time that
 *                     cgroup used there (scripts/load.sh)
 */
#include <stdio.h>

#include "cpus.h"
#include "harness.h"

#define TOOL_NAME "cpus"

static bool json, quota_dir;

static struct opt_spec tool_opts[] = {
    {.name = "json", .type = OPT_FLAG, .dest = &json,
     .help = "print one JSON object: online, affinity, quota (null: none), usable"},
    {.name = "quota-dir", .type = OPT_FLAG, .dest = &quota_dir,
     .help = "print the cgroup folder that sets the CPU quota (nothing: no quota)"},
    {0},
};

static void print_help(const void *ctx, struct opt_spec *const *tables)
{
    (void)ctx;
    printf("%s - how many CPUs a run may use\n\n"
           "Usage: %s [OPTION]...\n\n"
           "usable = max(1, min(affinity, ceil(quota))): the CPUs in this process's\n"
           "affinity mask (taskset), capped by the cgroup CPU quota (cgroup v2 cpu.max,\n"
           "v1 cpu.cfs_quota_us / cpu.cfs_period_us; docker run --cpus).  OMP_* variables\n"
           "are ignored.  The binaries report the same count as `cpus`.\n\nOptions:\n",
           TOOL_NAME, TOOL_NAME);
    opts_print_help(tables, 2);
    printf("\nExit status: 0 printed; 1 stdout could not be written; 2 bad usage;\n"
           "killed by SIGPIPE (141) when the reader of stdout has gone.\n\n"
           "Try: taskset -c 0 %s --json\n", TOOL_NAME);
}

int main(int argc, char **argv)
{
    struct opt_spec *tables[] = {tool_opts, opts_help_version};
    int done = harness_options(TOOL_NAME, argc, argv, tables, 2, print_help, NULL);
    if (done >= 0)
        return done;
    if (quota_dir) {
        char dir[8192];
        if (cpus_quota_dir(dir, sizeof dir) > 0)
            printf("%s\n", dir);
        return report_finish(TOOL_NAME, false);
    }
    struct cpus_info ci;
    cpus_probe(&ci);
    if (!json)
        printf("%d\n", ci.usable);
    else if (ci.quota > 0)
        printf("{\"online\":%d,\"affinity\":%d,\"quota\":%.6g,\"usable\":%d}\n",
               ci.online, ci.affinity, ci.quota, ci.usable);
    else
        printf("{\"online\":%d,\"affinity\":%d,\"quota\":null,\"usable\":%d}\n",
               ci.online, ci.affinity, ci.usable);
    return report_finish(TOOL_NAME, false);
}
