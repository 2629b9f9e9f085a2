/* cpus.c - see cpus.h */
#include "cpus.h"

#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PATH_LEN 4096

int cpus_usable(int affinity, double quota)
{
    int usable = affinity > 0 ? affinity : 1;
    if (quota > 0) {
        /* 1.5 CPUs of bandwidth keep 2 threads busy part of the time; the
         * tiny margin keeps 100000/100000 from rounding up to 2. */
        double q = ceil(quota - 1e-9);
        if (q < usable)
            usable = (int)q;
    }
    return usable > 0 ? usable : 1;
}

/* CPUs in the affinity mask; masks larger than cpu_set_t (over 1024 CPUs)
 * are sized up until the kernel accepts them.  -1 when unknown. */
static int affinity_count(void)
{
    for (int n = 1024; n <= (1 << 20); n *= 2) {
        cpu_set_t *set = CPU_ALLOC(n);
        if (set == NULL)
            return -1;
        size_t size = CPU_ALLOC_SIZE(n);
        CPU_ZERO_S(size, set);
        if (sched_getaffinity(0, size, set) == 0) {
            int count = CPU_COUNT_S(size, set);
            CPU_FREE(set);
            return count;
        }
        int err = errno;
        CPU_FREE(set);
        if (err != EINVAL)
            return -1;
    }
    return -1;
}

/* ------------------------------------------------------------ paths */

static void proc_path(char *buf, size_t len, const char *name)
{
    const char *root = getenv("GILBENCH_PROC_ROOT");
    snprintf(buf, len, "%s/%s", root && *root ? root : "/proc", name);
}

/* True when item is one of the comma-separated words of list. */
static bool has_item(const char *list, const char *item)
{
    size_t n = strlen(item);
    for (const char *p = list; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == n && strncmp(p, item, n) == 0)
            return true;
        p = comma ? comma + 1 : NULL;
    }
    return false;
}

/* mountinfo writes a space in a path as \040: decode in place. */
static void unescape_octal(char *s)
{
    char *out = s;
    for (char *p = s; *p; p++) {
        if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
            p[3] >= '0' && p[3] <= '7') {
            *out++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
            p += 3;
        } else {
            *out++ = *p;
        }
    }
    *out = '\0';
}

/* Call match(line, ctx) on each line of /proc/NAME, its newline removed,
 * until one returns true; true when one did (false too when the file cannot
 * be read). */
static bool find_proc_line(const char *name, bool (*match)(char *line, void *ctx), void *ctx)
{
    char file[PATH_LEN];
    proc_path(file, sizeof file, name);
    FILE *f = fopen(file, "r");
    if (f == NULL)
        return false;
    char *line = NULL;
    size_t cap = 0;
    bool found = false;
    while (!found && getline(&line, &cap, f) > 0) {
        line[strcspn(line, "\n")] = '\0';
        found = match(line, ctx);
    }
    free(line);
    fclose(f);
    return found;
}

struct cgroup_query {
    bool v1;        /* the v1 hierarchy with the cpu controller, else v2 */
    char *path, *root, *point;
    size_t len;
};

/* A line of /proc/self/cgroup: "id:controllers:path". */
static bool match_own_cgroup(char *line, void *ctx)
{
    struct cgroup_query *q = ctx;
    char *c1 = strchr(line, ':');
    char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (c2 == NULL)
        return false;
    *c2 = '\0';
    const char *controllers = c1 + 1;
    bool match = q->v1 ? has_item(controllers, "cpu")
                       : strncmp(line, "0:", 2) == 0 && *controllers == '\0';
    if (match)
        snprintf(q->path, q->len, "%s", c2 + 1);
    return match;
}

/* The cgroup path of this process in the v2 hierarchy (v1 false) or in
 * the v1 hierarchy that holds the cpu controller (v1 true). */
static bool own_cgroup(bool v1, char *path, size_t len)
{
    struct cgroup_query q = {.v1 = v1, .path = path, .len = len};
    return find_proc_line("self/cgroup", match_own_cgroup, &q);
}

/* A line of /proc/self/mountinfo:
 * id parent major:minor root point options [optional...] - type source super */
static bool match_cgroup_mount(char *line, void *ctx)
{
    struct cgroup_query *q = ctx;
    char *field[6], *save = NULL, *tok = strtok_r(line, " ", &save);
    int n = 0;
    for (; tok && n < 6; tok = strtok_r(NULL, " ", &save))
        field[n++] = tok;
    while (tok && strcmp(tok, "-") != 0)
        tok = strtok_r(NULL, " ", &save);
    char *type = tok ? strtok_r(NULL, " ", &save) : NULL;
    char *source = type ? strtok_r(NULL, " ", &save) : NULL;
    char *super = source ? strtok_r(NULL, " ", &save) : NULL;
    if (n < 6 || type == NULL)
        return false;
    if (!(q->v1 ? strcmp(type, "cgroup") == 0 && super && has_item(super, "cpu")
                : strcmp(type, "cgroup2") == 0))
        return false;
    unescape_octal(field[3]);
    unescape_octal(field[4]);
    snprintf(q->root, q->len, "%s", field[3]);
    snprintf(q->point, q->len, "%s", field[4]);
    return true;
}

/* The mount of the v2 hierarchy, or of the v1 one with the cpu controller:
 * its root inside the hierarchy and its mount point. */
static bool cgroup_mount(bool v1, char *root, char *point, size_t len)
{
    struct cgroup_query q = {.v1 = v1, .root = root, .point = point, .len = len};
    return find_proc_line("self/mountinfo", match_cgroup_mount, &q);
}

/* ------------------------------------------------------------ limits */

/* The first line of dir/name split into at most 2 words; how many. */
static int read_words(const char *dir, const char *name, char words[2][32])
{
    char file[PATH_LEN + 64], line[128];
    snprintf(file, sizeof file, "%s/%s", dir, name);
    FILE *f = fopen(file, "r");
    if (f == NULL)
        return 0;
    bool got = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    if (!got)
        return 0;
    int n = 0;
    char *save = NULL;
    for (char *w = strtok_r(line, " \t\n", &save); w && n < 2; w = strtok_r(NULL, " \t\n", &save))
        snprintf(words[n++], sizeof words[0], "%s", w);
    return n;
}

/* A positive number, or 0 for "max", "-1" and anything else. */
static double positive(const char *word)
{
    char *end;
    errno = 0;
    double v = strtod(word, &end);
    return end != word && *end == '\0' && errno == 0 && v > 0 ? v : 0;
}

/* The CPUs one cgroup folder allows; <= 0 for none (or unreadable).
 * v2 cpu.max: "QUOTA PERIOD" or "max PERIOD"; v1: cpu.cfs_quota_us (-1:
 * none) over cpu.cfs_period_us. */
static double read_limit(bool v1, const char *dir)
{
    char a[2][32], b[2][32];
    if (!v1) {
        if (read_words(dir, "cpu.max", a) != 2)
            return 0;
        double q = positive(a[0]), p = positive(a[1]);
        return q > 0 && p > 0 ? q / p : 0;
    }
    if (read_words(dir, "cpu.cfs_quota_us", a) < 1 || read_words(dir, "cpu.cfs_period_us", b) < 1)
        return 0;
    double q = positive(a[0]), p = positive(b[0]);
    return q > 0 && p > 0 ? q / p : 0;
}

/* The smallest quota from this process's cgroup up to the hierarchy's
 * mount point; <= 0 when none applies.  where (wlen bytes) gets the folder
 * that sets it. */
static double hierarchy_quota(bool v1, char *where, size_t wlen)
{
    char cg[PATH_LEN], root[PATH_LEN], point[PATH_LEN];
    if (!own_cgroup(v1, cg, sizeof cg) || !cgroup_mount(v1, root, point, sizeof point))
        return 0;
    /* The mount shows the hierarchy from `root` down (a container's view);
     * our path below it is what follows that prefix. */
    const char *rel = cg;
    size_t rlen = strlen(root);
    if (strcmp(root, "/") != 0) {
        if (strncmp(cg, root, rlen) == 0 && (cg[rlen] == '/' || cg[rlen] == '\0'))
            rel = cg + rlen;
        else
            rel = "";   /* a cgroup namespace: we are at the mount's root */
    }
    const char *prefix = getenv("GILBENCH_SYSFS_ROOT");
    char dir[PATH_LEN * 2];
    snprintf(dir, sizeof dir, "%s%s%s", prefix ? prefix : "",
             strcmp(point, "/") == 0 ? "" : point, rel);
    size_t base = strlen(prefix ? prefix : "") + (strcmp(point, "/") == 0 ? 0 : strlen(point));
    double best = 0;
    for (;;) {
        size_t len = strlen(dir);
        while (len > base && dir[len - 1] == '/')
            dir[--len] = '\0';
        double q = read_limit(v1, dir[0] ? dir : "/");
        if (q > 0 && (best <= 0 || q < best)) {
            best = q;
            snprintf(where, wlen, "%s", dir[0] ? dir : "/");
        }
        char *slash = strrchr(dir, '/');
        if (len <= base || slash == NULL || (size_t)(slash - dir) < base)
            break;
        *slash = '\0';
    }
    return best;
}

double cpus_quota_dir(char *dir, size_t len)
{
    char d2[PATH_LEN * 2] = "", d1[PATH_LEN * 2] = "";
    double v2 = hierarchy_quota(false, d2, sizeof d2), v1 = hierarchy_quota(true, d1, sizeof d1);
    bool use_v2 = v2 > 0 && (v1 <= 0 || v2 < v1);
    double quota = use_v2 ? v2 : v1;
    if (len > 0)
        snprintf(dir, len, "%s", quota > 0 ? (use_v2 ? d2 : d1) : "");
    return quota > 0 ? quota : 0;
}

void cpus_probe(struct cpus_info *ci)
{
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    ci->online = online > 0 ? (int)online : 1;
    int affinity = affinity_count();
    ci->affinity = affinity > 0 ? affinity : ci->online;
    ci->quota = cpus_quota_dir(NULL, 0);
    ci->usable = cpus_usable(ci->affinity, ci->quota);
}
