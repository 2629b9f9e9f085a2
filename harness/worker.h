/*
 * worker.h - the start gate and the one worker body that every mode but
 * seq and async runs, in a thread or in a child process alike (the shape of
 * Linux's perf bench sched-messaging: one ready/go gate, the same worker
 * code for threads and processes, only spawning and reaping differ).
 *
 * A worker: set up its thread state, wait at the gate, then take tasks
 * from its feeder and hand each result to its sink until the feeder says
 * there is no more.  What differs between modes is the feeder (one given
 * task; the threadpool's queue; the pool's task pipe) and the sink (a slot
 * in the shared results array; the result pipe to the parent).
 */
#ifndef GILBENCH_WORKER_H
#define GILBENCH_WORKER_H

#include <stdbool.h>

#include "harness.h"

/*
 * The start gate, two pipes: every worker writes one byte to ready, then
 * blocks reading go; the parent waits for all the ready bytes, reads the
 * clock and closes go, which wakes every worker at once (EOF).  Spawning
 * stays out of the measured region.  Pipes work across fork(), so threads
 * and processes share it.
 */
struct gate {
    int ready[2];  /* worker -> parent: one byte when the worker is ready */
    int go[2];     /* parent -> worker: closed by the parent to start */
    bool in_child; /* this copy is a forked worker's (gate_child_side) */
};

void gate_init(struct gate *g);
/* In a child process just after fork: close the parent's ends; gate_wait
 * then closes the child's own, so that the parent's read of the ready pipe
 * ends (EOF) when every live child has said ready, even if one died. */
void gate_child_side(struct gate *g);
/* The worker's side: say ready, wait for go. */
void gate_wait(struct gate *g);
/* The parent's side: wait for n ready bytes, read the clock, open the gate.
 * With processes, the parent first closes its copies of the workers' ends,
 * so that children that die before the gate give EOF instead of a hang.
 * Returns the start time, or a negative value when fewer than n arrived. */
double gate_open(struct gate *g, int n, bool processes);
/* Close whatever ends are still open (after the workers are done). */
void gate_close(struct gate *g);

/* Run task `index` in the calling thread with thread state ts. */
void run_one_task(const struct run_info *ri, int index, struct gil_thread *ts,
                  struct task_result *out);

struct worker {
    const struct run_info *ri;
    int id;                /* 0 .. workers-1; the task index in the modes
                              with one worker per task */
    struct gate *gate;
    struct gil *gil;       /* gil mode: the shared GIL; else NULL */
    struct gil_thread ts;  /* set up by worker_body */
    /* The next task's index, or -1 when there is no more work. */
    int (*next_task)(struct worker *w);
    /* Hand one result over; 0, or -1 when it cannot (the worker stops). */
    int (*deliver)(struct worker *w, const struct task_result *r);
    void *feed;            /* next_task's state */
    void *sink;            /* deliver's state */
    bool given_taken;      /* worker_given_task: the one task was taken */
};

/* The body of every worker.  Returns 0, or -1 when a result could not be
 * delivered. */
int worker_body(struct worker *w);

/* The feeder of the modes with one worker per task: task w->id, once. */
int worker_given_task(struct worker *w);

#endif
