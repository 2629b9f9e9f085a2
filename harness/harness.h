/*
 * harness.h - the contract between a case and the runtime that runs it.
 *
 * A case (cases/NAME.c) says *what* one task does: it fills a struct
 * case_def and calls harness_main().  The harness decides *how* the tasks
 * run (the --mode), times them, checks the result through the case's
 * check(), and prints one report, human or JSON.
 *
 *   seq         tasks one after another in the main thread
 *   threads     one pthread per task, no GIL          (threading.Thread, free-threaded)
 *   gil         one pthread per task under the simulated GIL (threading.Thread)
 *   interp      one pthread per task, each under a GIL of its own, sharing no
 *               object; results handed back by copying (PEP 684/734
 *               subinterpreters, concurrent.interpreters)
 *   fork        one child process per task            (multiprocessing.Process)
 *   pool        --workers pre-forked processes        (ProcessPoolExecutor)
 *   threadpool  --workers threads taking from a queue (ThreadPoolExecutor)
 *   async       the case's own single-threaded event-loop driver (asyncio)
 *
 * Exit codes: 0 ran and checked; 1 failed run or wrong result; 2 usage.
 *
 * Layers of harness/: a file calls functions of lower layers only, never
 * of its own layer's other files or of a higher one (tests/cli_layers.sh
 * checks it on the objects' symbols; bin/NAME's tools and cases sit on top).
 *
 *   layer 1  checked.c clock.c          checked wrappers, the cleanup hook, the clock
 *   layer 2  cpus.c openfiles.c opts.c report.c stats.c
 *                                       utilities: CPUs, open files, options, report, medians
 *   layer 3  gil.c proc.c               the simulated GIL; child processes (table, fork, reap)
 *   layer 4  worker.c                   the start gate and the one worker body
 *   layer 5  modes_thread.c modes_proc.c  spawn, reap and deliver: threads, processes
 *   layer 6  modes.c                    the table of modes, seq, async, harness_run_tasks()
 *   layer 7  main.c                     options (harness_options()), validation, report: harness_main()
 */
#ifndef GILBENCH_HARNESS_H
#define GILBENCH_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "cpus.h"
#include "gil.h"
#include "opts.h"
#include "proc.h"
#include "report.h"
#include "stats.h"

#define GILBENCH_VERSION "0.1.0"

enum mode {
    MODE_SEQ,
    MODE_THREADS,
    MODE_GIL,
    MODE_INTERP,
    MODE_FORK,
    MODE_POOL,
    MODE_THREADPOOL,
    MODE_ASYNC,
    MODE_COUNT
};
#define MODE_BIT(m) (1u << (m))
#define MODES_CPU                                                              \
    (MODE_BIT(MODE_SEQ) | MODE_BIT(MODE_THREADS) | MODE_BIT(MODE_GIL) |        \
     MODE_BIT(MODE_INTERP) | MODE_BIT(MODE_FORK) | MODE_BIT(MODE_POOL) |       \
     MODE_BIT(MODE_THREADPOOL))

/*
 * What a mode is: everything option parsing, validation, the report and a
 * case's own sizing (fetch: open files per connection) need to know about
 * it, in one row per enum mode (mode_table[], modes.c).  Ask the table, not
 * the mode's name, so that a new mode is one new row.
 */
enum worker_kind {
    WORKER_NONE,               /* the tasks run in the main thread */
    WORKER_THREAD,             /* in threads of this process */
    WORKER_PROCESS,            /* in child processes */
};
struct mode_info {
    const char *name;          /* as typed after --mode= and printed in tables */
    bool worker_per_task;      /* one worker per task; else one (seq) or a
                                  pool of --workers (default: usable CPUs) */
    bool shares_memory;        /* tasks share one address space */
    enum worker_kind kind;
    bool event_loop;           /* every task at once in the main thread, in
                                  the case's run_async() (asyncio) */
};
extern const struct mode_info mode_table[MODE_COUNT];

/* Mode names as typed after --mode= and printed in tables. */
const char *mode_name(enum mode m);

/*
 * What one task hands back.  Plain data of a fixed size, because in the
 * process modes it travels to the parent through a pipe.  The meaning of
 * value, counters[] and seconds[] belongs to the case; task_s and
 * task_index are the harness's.
 */
#define TASK_COUNTERS 8
#define TASK_SECONDS 8
struct task_result {
    int64_t value;                  /* the task's answer, checked by the case */
    int64_t counters[TASK_COUNTERS];
    double seconds[TASK_SECONDS];
    int32_t failed;                 /* nonzero: the task could not do its work */
    int32_t task_index;             /* filled by the harness */
    double task_s;                  /* filled by the harness: how long kase->task()
                                       ran, in its worker; 0 in async mode */
    char message[96];               /* why it failed, for stderr */
};

/* What a running task can see.  ts is never NULL: outside gil and interp
 * modes it is a thread state with no GIL attached, so the same poll points
 * run (and cost the same) in every mode. */
struct task_ctx {
    int index;                /* 0 .. tasks-1 */
    int tasks;
    struct gil_thread *ts;    /* poll with gil_poll(ts); wrap blocking calls in
                                 GIL_BEGIN_ALLOW_THREADS / GIL_END_ALLOW_THREADS */
};

/* The run as configured by the options, then filled in by the run. */
struct run_info {
    const struct case_def *kase;
    enum mode mode;
    int tasks;
    int workers;
    bool json;
    bool tasks_given;         /* --tasks was on the command line */
    bool workers_given;
    bool shares_memory;       /* true when tasks share one address space's
                                 objects; false in the process modes and in
                                 interp (one address space, but each task
                                 keeps to its own objects, as interpreters) */
    struct cpus_info cpus;    /* probed once, before the options are checked */
    struct gil_config gil;

    /* filled in by the run */
    double wall_s;            /* the whole run, spawning and reaping included */
    double measured_s;        /* from the start gate to the last result */
    double user_s, sys_s;     /* this process and its reaped children */
    struct gil_stats gil_stats; /* gil: the GIL's; interp: summed over the
                                   tasks' own GILs (max_wait_s: the longest) */
    int failed_tasks;         /* tasks that reported failed or died */
    char failure[256];        /* first failure, one line */
};

/* The case's verdict on a completed run. */
struct verdict {
    int64_t result;
    int64_t expected;
    bool ok;
    /* A wrong result that *is* the lesson (the deliberately racy refcount):
     * the run still exits 0 and reports ok: false. */
    bool wrong_is_expected;
};

struct case_def {
    const char *name;          /* binary, table and plot name */
    const char *purpose;       /* one line for --help */
    const char *try_example;   /* one command line for --help */
    unsigned modes;            /* MODE_BIT()s this case accepts */
    const char *modes_why;     /* shown when a mode is refused */
    int default_tasks;
    struct opt_spec *opts;     /* the case's own options, {0}-terminated */

    /* After parsing, before the workers are settled: validate the case's
     * options, set up shared state.  May set ri->tasks (unless
     * ri->tasks_given); ri->workers is 0 here unless --workers was given.
     * Return 0; or write a one-line reason into err and return 2 for bad
     * usage, 1 for a run that cannot start (exit status 1). */
    int (*prepare)(struct run_info *ri, char *err, size_t errlen);
    /* Optional, after prepare() once tasks and workers are final: what
     * needs both (fetch: open files, the server's connection limit).  Same
     * return values as prepare(). */
    int (*setup)(struct run_info *ri, char *err, size_t errlen);
    /* The work of one task.  Called in a thread or a child process. */
    void (*task)(const struct task_ctx *ctx, struct task_result *out);
    /* MODE_ASYNC only: run every task concurrently in this one thread. */
    int (*run_async)(struct run_info *ri, struct task_result *results);
    /* Optional: replaces the single run (e.g. alone-then-contended phases);
     * it calls harness_run_tasks() as often as it needs. */
    int (*run)(struct run_info *ri, struct task_result *results);
    /* Compare results with what they must be. */
    void (*check)(const struct run_info *ri, const struct task_result *res,
                  struct verdict *v);
    /* Optional: the case's own lines in the report. */
    void (*report)(const struct run_info *ri, const struct task_result *res,
                   struct report *r);
    /* Optional: the human header line(s) describing one task. */
    void (*describe)(const struct run_info *ri, struct report *r);
    void (*cleanup)(struct run_info *ri);
};

/* Parse argv, run, check, report.  Returns the process exit code. */
int harness_main(const struct case_def *kase, int argc, char **argv);

/*
 * The command line of every binary, cases and tools alike: argv parsed
 * against tables[] (opts_help_version among them, after the binary's own).
 * --help or --version anywhere in argv (the first of them wins) is answered
 * before anything else is checked, so that `NAME --bad --help` still shows
 * the help: print_help(ctx, tables), or "NAME (gilbench) VERSION".  A bad
 * option is one line and "Try 'NAME --help'." on stderr.  Returns -1 when
 * the options are parsed and the run goes on; else the exit status:
 * report_finish()'s after the help or the version, 2 after a bad option.
 */
int harness_options(const char *name, int argc, char **argv,
                    struct opt_spec *const *tables, size_t ntables,
                    void (*print_help)(const void *ctx, struct opt_spec *const *tables),
                    const void *ctx);

/* Run ri->tasks tasks of kase->task under ri->mode; results[] has room for
 * ri->tasks entries.  Fills the timing fields of ri.  Returns 0, or 1 when a
 * task failed or a child died (ri->failure says why). */
int harness_run_tasks(struct run_info *ri, struct task_result *results);

#endif
