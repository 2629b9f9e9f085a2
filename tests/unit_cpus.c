/*
 * unit_cpus.c - usable = max(1, min(affinity, ceil(quota))), and a probe of
 * this machine that agrees with itself.
 */
#include <stdlib.h>

#include "cpus.h"
#include "unit.h"

int main(void)
{
    CHECK(cpus_usable(2, 0) == 2, "no quota: usable = affinity");
    CHECK(cpus_usable(2, -1) == 2, "negative quota means none");
    CHECK(cpus_usable(4, 1.0) == 1, "quota 1.0 caps 4 CPUs at 1 (no rounding up)");
    CHECK(cpus_usable(4, 1.5) == 2, "quota 1.5: ceil gives 2");
    CHECK(cpus_usable(1, 1.5) == 1, "affinity 1 under quota 1.5: 1");
    CHECK(cpus_usable(8, 0.25) == 1, "a quarter CPU: still at least 1");
    CHECK(cpus_usable(0, 0) == 1, "unknown affinity: at least 1");
    CHECK(cpus_usable(64, 2.0000000001) == 2, "quota a hair above 2 is 2");

    unsetenv("GILBENCH_PROC_ROOT");
    unsetenv("GILBENCH_SYSFS_ROOT");
    struct cpus_info ci;
    cpus_probe(&ci);
    CHECK(ci.online >= 1 && ci.affinity >= 1 && ci.usable >= 1, "probe: every count >= 1");
    CHECK(ci.affinity <= ci.online || ci.online == 1, "probe: affinity within online");
    CHECK(ci.usable == cpus_usable(ci.affinity, ci.quota), "probe: usable follows the rule");

    setenv("GILBENCH_PROC_ROOT", "/nonexistent-gilbench", 1);
    struct cpus_info none;
    cpus_probe(&none);
    CHECK(none.quota <= 0 && none.usable == none.affinity,
          "probe without /proc/self/cgroup: no quota, usable = affinity");
    UNIT_EXIT();
}
