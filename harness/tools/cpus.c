/*
 * cpus - print how many CPUs a run may use (see cpus.h): the number the
 * binaries report as `cpus` and take as their default --workers, for
 * scripts that need the same count (the bench, scripts/machine.sh).
 *
 *   bin/cpus          the usable count, one line
 *   bin/cpus --json   {"online":N,"affinity":N,"quota":X or null,"usable":N}
 */
#include <stdio.h>
#include <string.h>

#include "cpus.h"
#include "harness.h"

#define TOOL_NAME "cpus"

static bool json, help, version;

static struct opt_spec tool_opts[] = {
    {.name = "json", .type = OPT_FLAG, .dest = &json,
     .help = "print one JSON object: online, affinity, quota (null: none), usable"},
    {.name = "help", .type = OPT_FLAG, .dest = &help, .help = "show this help"},
    {.name = "version", .type = OPT_FLAG, .dest = &version, .help = "show the version"},
    {0},
};

static void print_help(struct opt_spec *const *tables)
{
    printf("%s - how many CPUs a run may use\n\n"
           "Usage: %s [OPTION]...\n\n"
           "usable = max(1, min(affinity, ceil(quota))): the CPUs in this process's\n"
           "affinity mask (taskset), capped by the cgroup CPU quota (cgroup v2 cpu.max,\n"
           "v1 cpu.cfs_quota_us / cpu.cfs_period_us; docker run --cpus).  OMP_* variables\n"
           "are ignored.  The binaries report the same count as `cpus`.\n\nOptions:\n",
           TOOL_NAME, TOOL_NAME);
    opts_print_help(tables, 1);
    printf("\nExit status: 0 printed; 1 stdout could not be written; 2 bad usage;\n"
           "killed by SIGPIPE (141) when the reader of stdout has gone.\n\n"
           "Try: taskset -c 0 %s --json\n", TOOL_NAME);
}

int main(int argc, char **argv)
{
    struct opt_spec *tables[] = {tool_opts};
    char err[512];
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            print_help(tables);
            return report_finish(TOOL_NAME, false);
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("%s (gilbench) %s\n", TOOL_NAME, GILBENCH_VERSION);
            return report_finish(TOOL_NAME, false);
        }
    }
    if (opts_parse(argc, argv, tables, 1, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\nTry '%s --help'.\n", TOOL_NAME, err, TOOL_NAME);
        return 2;
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
