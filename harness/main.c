/*
 * main.c - harness_options(): every binary's command line, --help and
 * --version first; harness_main(): the common options, one run, one report.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checked.h"
#include "cpus.h"
#include "modes.h"
#include "proc.h"

#define TASKS_MAX 100000
#define WORKERS_MAX 4096

/* --mode's choices, in enum mode order (opts returns the index). */
static const char *mode_choices[MODE_COUNT + 1];
static const char *const policy_choices[] = {"new", "old", NULL};

struct common {
    int mode;
    long long tasks, workers, interval_us, check_interval;
    int policy;
    const char *trace;
    bool json;
};

enum { O_MODE, O_TASKS, O_WORKERS, O_GIL, O_INTERVAL, O_CHECK, O_TRACE, O_JSON, O_END };

/* The mode a case runs without --mode: seq where the case has it, else the
 * first mode it lists (convoy has no seq), so `bin/X` alone always runs. */
static enum mode default_mode(const struct case_def *k)
{
    for (int m = MODE_SEQ; m < MODE_COUNT; m++)
        if (k->modes & MODE_BIT(m))
            return (enum mode)m;
    return MODE_SEQ;
}

static void common_table(struct opt_spec *t, struct common *c, const char *mode_help)
{
    t[O_MODE] = (struct opt_spec){.name = "mode", .type = OPT_CHOICE, .dest = &c->mode, .metavar = "MODE",
        .help = mode_help, .choices = mode_choices};
    t[O_TASKS] = (struct opt_spec){.name = "tasks", .type = OPT_INT, .dest = &c->tasks, .metavar = "N",
        .help = "how many tasks to run (default: the case's own, usually 2)",
        .min = 1, .max = TASKS_MAX};
    t[O_WORKERS] = (struct opt_spec){.name = "workers", .type = OPT_INT, .dest = &c->workers, .metavar = "N",
        .help = "pool/threadpool size (default: usable CPUs); threads, gil, interp "
        "and fork start one per task", .min = 1, .max = WORKERS_MAX};
    t[O_GIL] = (struct opt_spec){.name = "gil", .type = OPT_CHOICE, .dest = &c->policy, .metavar = "POLICY",
        .help = "gil and interp modes: new (CPython 3.2+) or old (CPython 2.x) "
        "(default new)",
        .choices = policy_choices};
    t[O_INTERVAL] = (struct opt_spec){.name = "switch-interval-us", .type = OPT_INT,
        .dest = &c->interval_us, .metavar = "US", .help = "new GIL: switch interval in microseconds (default 5000)",
        .min = 1, .max = 10000000};
    t[O_CHECK] = (struct opt_spec){.name = "check-interval", .type = OPT_INT,
        .dest = &c->check_interval, .metavar = "TICKS", .help = "old GIL: ticks between releases (default 100)",
        .min = 1, .max = 1000000000};
    t[O_TRACE] = (struct opt_spec){.name = "trace", .type = OPT_STRING, .dest = &c->trace, .metavar = "FILE",
        .help = "gil and interp modes: write every GIL hold interval to FILE as CSV"};
    t[O_JSON] = (struct opt_spec){.name = "json", .type = OPT_FLAG, .dest = &c->json,
        .help = "print one JSON object on stdout instead of the table"};
    t[O_END] = (struct opt_spec){0};
}

static int usage_error(const char *name, const char *why)
{
    fprintf(stderr, "%s: %s\nTry '%s --help'.\n", name, why, name);
    return 2;
}

int harness_options(const char *name, int argc, char **argv,
                    struct opt_spec *const *tables, size_t ntables,
                    void (*print_help)(const void *ctx, struct opt_spec *const *tables),
                    const void *ctx)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            print_help(ctx, tables);
            return report_finish(name, false);
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("%s (gilbench) %s\n", name, GILBENCH_VERSION);
            return report_finish(name, false);
        }
    }
    char err[512];
    if (opts_parse(argc, argv, tables, ntables, err, sizeof err) != 0)
        return usage_error(name, err);
    return -1;
}

/* tables: the common options, opts_help_version, the case's own. */
static void print_help(const void *ctx, struct opt_spec *const *tables)
{
    const struct case_def *k = ctx;
    printf("%s - %s\n\nUsage: %s [OPTION]...\n\nModes this case runs:", k->name,
           k->purpose, k->name);
    for (int m = 0; m < MODE_COUNT; m++)
        if (k->modes & MODE_BIT(m))
            printf(" %s", mode_name(m));
    printf("\n\nCommon options:\n");
    opts_print_help(tables, 2);
    if (k->opts && k->opts[0].type != OPT_END) {
        printf("\nOptions of %s:\n", k->name);
        opts_print_help(tables + 2, 1);
    }
    printf("\nUsable CPUs: the affinity mask (taskset) capped by the cgroup CPU quota;\n"
           "OMP_NUM_THREADS is ignored.  bin/cpus prints the count.\n");
    printf("\nExit status: 0 ran and the result checked; 1 a task failed, the result is\n"
           "wrong or stdout could not be written; 2 bad usage.  When the reader of stdout\n"
           "goes away (| head), the run stops quietly, killed by SIGPIPE (141 in a shell).\n");
    if (k->try_example)
        printf("\nTry: %s\n", k->try_example);
}

/* Check the combination of common options and fill ri from them; 0 or 2
 * with err set.  Tasks and workers are settled later (settle()), after the
 * case's prepare() had its say on the tasks. */
static int validate(const struct case_def *k, struct opt_spec *t,
                    struct common *c, struct run_info *ri, char *err, size_t n)
{
    enum mode m = (enum mode)c->mode;
    if (!(k->modes & MODE_BIT(m))) {
        snprintf(err, n, "--mode=%s: not available for this case (%s)",
                 mode_name(m), k->modes_why ? k->modes_why : "see --help");
        return 2;
    }
    bool gil_opt = t[O_GIL].seen || t[O_INTERVAL].seen || t[O_CHECK].seen ||
                   t[O_TRACE].seen;
    if (gil_opt && m != MODE_GIL && m != MODE_INTERP) {
        snprintf(err, n, "--gil, --switch-interval-us, --check-interval and "
                 "--trace need --mode=gil (or --mode=interp: a GIL per task)");
        return 2;
    }
    if (t[O_INTERVAL].seen && c->policy == GIL_OLD) {
        snprintf(err, n, "--switch-interval-us: the old GIL has no switch "
                 "interval (use --check-interval)");
        return 2;
    }
    if (t[O_CHECK].seen && c->policy == GIL_NEW) {
        snprintf(err, n, "--check-interval: only the old GIL counts ticks "
                 "(add --gil=old, or use --switch-interval-us)");
        return 2;
    }
    ri->mode = m;
    ri->tasks = (int)c->tasks;
    ri->tasks_given = t[O_TASKS].seen;
    ri->workers_given = t[O_WORKERS].seen;
    ri->workers = t[O_WORKERS].seen ? (int)c->workers : 0;
    ri->json = c->json;
    ri->shares_memory = mode_table[m].shares_memory;
    ri->gil = (struct gil_config){.policy = (enum gil_policy)c->policy,
                                  .interval_us = c->interval_us,
                                  .check_interval = c->check_interval,
                                  .trace_path = c->trace};
    return 0;
}

/* Settle the workers from the mode and the final task count; 0 or 2 with
 * err set. */
static int settle(struct run_info *ri, char *err, size_t n)
{
    const struct mode_info *mi = &mode_table[ri->mode];
    const char *m = mi->name;
    if (ri->workers_given && mi->worker_per_task && mi->kind != WORKER_NONE &&
        ri->workers != ri->tasks) {
        snprintf(err, n, "--workers: %s mode starts one %s per task; set "
                 "--tasks instead (or use a pool mode)", m,
                 mi->kind == WORKER_PROCESS ? "process" : "thread");
        return 2;
    }
    if (ri->workers_given && !mi->worker_per_task && mi->kind == WORKER_NONE &&
        ri->workers != 1) {
        snprintf(err, n, "--workers: %s mode has exactly one worker", m);
        return 2;
    }
    if (mi->worker_per_task && mi->kind == WORKER_PROCESS && ri->tasks > FORK_MAX_TASKS) {
        char what[32] = "--tasks";
        if (!ri->tasks_given)   /* the case's own count (fetch: its URLs) */
            snprintf(what, sizeof what, "%d tasks", ri->tasks);
        snprintf(err, n, "%s: %s mode starts one process per task; more than "
                 "%d is a fork bomb (use --mode=pool)", what, m, FORK_MAX_TASKS);
        return 2;
    }
    if (ri->workers_given)
        return 0;
    if (mi->worker_per_task)
        ri->workers = ri->tasks;
    else if (mi->kind == WORKER_NONE)
        ri->workers = 1;
    else
        ri->workers = ri->cpus.usable;
    return 0;
}

static void report_run(const struct run_info *ri, const struct task_result *res,
                       const struct verdict *v, struct report *r)
{
    const struct case_def *k = ri->kase;
    bool with_gil = ri->mode == MODE_GIL || ri->mode == MODE_INTERP;
    const char *gils = ri->mode == MODE_INTERP ? "one GIL per task, " : "";
    if (with_gil && ri->gil.policy == GIL_NEW)
        report_note(r, "%s: %d task(s), mode %s (%snew GIL, switch interval %ld us)",
                    k->name, ri->tasks, mode_name(ri->mode), gils, ri->gil.interval_us);
    else if (with_gil)
        report_note(r, "%s: %d task(s), mode %s (%sold GIL, check interval %ld ticks)",
                    k->name, ri->tasks, mode_name(ri->mode), gils, ri->gil.check_interval);
    else
        report_note(r, "%s: %d task(s), mode %s, %d worker(s)", k->name,
                    ri->tasks, mode_name(ri->mode), ri->workers);
    /* The result beside what it should be first, then the timing, then
     * what the run was and the detail (OSTEP's order). */
    report_int(r, "result", NULL, v->result);
    report_int(r, "expected", NULL, v->expected);
    report_bool(r, "ok", NULL, v->ok);
    report_num(r, "wall_s", "wall", ri->wall_s, "s");
    report_num(r, "measured_s", "measured", ri->measured_s, "s");
    report_num(r, "user_s", "user", ri->user_s, "s");
    report_num(r, "sys_s", "sys", ri->sys_s, "s");
    report_int(r, "failed_tasks", "failed tasks", ri->failed_tasks);
    if (ri->failure[0])
        report_str(r, "failure", NULL, ri->failure);
    const struct cpus_info *ci = &ri->cpus;
    if (ci->quota > 0)
        report_note(r, "cpus: %d usable (%d online, %d in the affinity mask, cgroup quota %.2f)",
                    ci->usable, ci->online, ci->affinity, ci->quota);
    else
        report_note(r, "cpus: %d usable (%d online, %d in the affinity mask, no cgroup quota)",
                    ci->usable, ci->online, ci->affinity);
    report_str(r, "case", NULL, k->name);
    report_str(r, "version", NULL, GILBENCH_VERSION);
    report_str(r, "mode", NULL, mode_name(ri->mode));
    report_int(r, "tasks", NULL, ri->tasks);
    report_int(r, "workers", NULL, ri->workers);
    report_int(r, "cpus", "usable cpus", ci->usable);
    report_int(r, "cpus_online", "online cpus", ci->online);
    report_int(r, "cpus_affinity", "affinity cpus", ci->affinity);
    report_num(r, "cpu_quota", "cpu quota", ci->quota > 0 ? ci->quota : NAN, NULL);
    if (k->describe)
        k->describe(ri, r);
    if (k->report)
        k->report(ri, res, r);
    if (with_gil) {
        /* interp: the figures are summed over the tasks' own GILs */
        const struct gil_stats *s = &ri->gil_stats;
        report_begin_object(r, "gil", "gil");
        report_str(r, "policy", NULL, ri->gil.policy == GIL_OLD ? "old" : "new");
        report_int(r, "gils", "GILs", ri->mode == MODE_INTERP ? ri->tasks : 1);
        /* Only the policy's own interval: the other one does not apply. */
        if (ri->gil.policy == GIL_OLD)
            report_int(r, "check_interval", "check interval", ri->gil.check_interval);
        else
            report_int(r, "switch_interval_us", "switch interval us", ri->gil.interval_us);
        report_int(r, "acquisitions", NULL, (long long)s->acquisitions);
        report_int(r, "switches", NULL, (long long)s->switches);
        report_int(r, "drop_requests", "drop requests", (long long)s->drop_requests);
        report_int(r, "forced_drops", "forced drops", (long long)s->forced_drops);
        report_num(r, "wait_s", "wait", s->wait_s, "s");
        report_num(r, "max_wait_s", "longest wait", s->max_wait_s, "s");
        if (ri->gil.trace_path) {
            report_str(r, "trace", NULL, ri->gil.trace_path);
            report_int(r, "trace_dropped", "trace dropped", (long long)s->trace_dropped);
        }
        report_end_object(r);
    }
}

int harness_main(const struct case_def *k, int argc, char **argv)
{
    struct common c = {.mode = (int)default_mode(k), .tasks = k->default_tasks > 0 ? k->default_tasks : 2,
                       .workers = 1, .interval_us = GIL_DEFAULT_INTERVAL_US,
                       .check_interval = GIL_DEFAULT_CHECK_INTERVAL,
                       .policy = GIL_NEW};
    struct opt_spec common_opts[O_END + 1];
    char mode_help[160];
    size_t used = 0;
    for (int m = 0; m < MODE_COUNT; m++) {
        mode_choices[m] = mode_table[m].name;
        used += (size_t)snprintf(mode_help + used, sizeof mode_help - used, "%s%s",
                                 mode_table[m].name, m + 2 < MODE_COUNT ? ", "
                                 : m + 1 < MODE_COUNT ? " or " : "");
    }
    snprintf(mode_help + used, sizeof mode_help - used, " (default %s)",
             mode_name(default_mode(k)));
    common_table(common_opts, &c, mode_help);
    struct opt_spec empty[1] = {{0}};
    struct opt_spec *tables[] = {common_opts, opts_help_version, k->opts ? k->opts : empty};
    int done = harness_options(k->name, argc, argv, tables, 3, print_help, k);
    if (done >= 0)
        return done;
    char err[512];

    struct run_info ri = {.kase = k};
    cpus_probe(&ri.cpus);
    if (validate(k, common_opts, &c, &ri, err, sizeof err) != 0)
        return usage_error(k->name, err);
    /* The case first (it may set the tasks: fetch's URL count), then the
     * workers from the final tasks, then the case's setup that needs both. */
    int prepared = k->prepare ? k->prepare(&ri, err, sizeof err) : 0;
    if (prepared == 0)
        prepared = settle(&ri, err, sizeof err);
    if (prepared == 0 && k->setup)
        prepared = k->setup(&ri, err, sizeof err);
    if (prepared == 2)
        return usage_error(k->name, err);
    if (prepared != 0) {
        fprintf(stderr, "%s: %s\n", k->name, err);
        return 1;
    }

    proc_install_signal_handlers();
    struct task_result *results = Calloc((size_t)ri.tasks, sizeof *results);
    int rc = k->run ? k->run(&ri, results) : harness_run_tasks(&ri, results);

    struct verdict v = {0};
    k->check(&ri, results, &v);
    struct report r;
    report_init(&r);
    report_run(&ri, results, &v, &r);
    int printed = report_print(&r, ri.json);
    int print_errno = errno;
    report_free(&r);

    int status = 0;
    if (printed != 0 && print_errno == EPIPE)
        report_reader_gone();
    if (rc != 0) {
        fprintf(stderr, "%s: run failed: %s\n", k->name,
                ri.failure[0] ? ri.failure : "a task failed");
        status = 1;
    } else if (!v.ok && !v.wrong_is_expected) {
        fprintf(stderr, "%s: wrong result: got %lld, expected %lld\n", k->name,
                (long long)v.result, (long long)v.expected);
        status = 1;
    } else if (printed != 0) {
        report_write_failed(k->name, print_errno);
        status = 1;
    }
    if (k->cleanup)
        k->cleanup(&ri);
    free(results);
    /* One line per failure: a run that already said why stays quiet here. */
    if (report_finish(k->name, status != 0 || printed != 0) != 0)
        status = 1;
    return status;
}
