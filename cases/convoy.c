/*
 * convoy - an I/O-bound task beside a CPU-bound one: the convoy effect.
 *
 * What it shows
 *   A task that does nothing but short blocking round trips over a socket
 *   runs tens of thousands of them a second alone.  Beside one CPU-bound
 *   task under the new GIL it manages a few hundred: every blocking call
 *   gives the GIL away, and getting it back from a thread that never blocks
 *   takes one switch interval.  Without a GIL, in another process, or with
 *   a GIL of its own (interp: PEP 684 subinterpreters, the I/O loop and the
 *   CPU loop each in its own interpreter), the CPU task costs the I/O task
 *   almost nothing.
 *
 * Mirrors
 *   The seeds' claim that "the GIL is released during I/O operations",
 *   measured where it hurts: CPython issue bpo-7946 (gh-52194), an echo
 *   client thread beside a busy thread.  cases/convoy.py is the same
 *   experiment in Python, for real CPython rows beside ours.
 *
 * Expect on 2 cores (slowdown = round trips/s alone / round trips/s contended)
 *   gil (new, 5000 us): tens of times slower on a quiet machine, a few
 *     hundred round trips/s against tens of thousands alone; smaller
 *     intervals help, as sys.setswitchinterval does.  Loaded, far less:
 *     the spinner is often off the CPU.  --pin=apart: nearly every trip
 *     waits two intervals; --pin=same (one core): about 4-5x, since a
 *     convoy needs two cores.
 *   gil --gil=old: about 1-2.5x, as CPython 2.7 (no interval to wait).
 *   threads, fork, interp: no slowdown; on a quiet VM contended is even
 *     faster than alone (the spinner keeps a core awake, wake-ups are
 *     cheaper).  interp drops and takes a GIL around every call, but its
 *     own: every take finds it free (gil_uncontended_takes).
 *   Ours beside CPython 3.11 and 2.7, run for run: docs/gil-measurements.md.
 *
 * Why
 *   A round trip is send(1 byte) then a blocking recv(1 byte), each inside
 *   GIL_BEGIN_ALLOW_THREADS/GIL_END_ALLOW_THREADS, as socket.send() and
 *   socket.recv() do (sock_call_ex: no poll() without a timeout).  The drop
 *   before each call wakes the sleeping spinner.  If it gets the GIL before
 *   the call returns, the take after it waits a whole interval, asks for a
 *   drop, and the spinner hands over and sleeps on switch_cond
 *   (FORCE_SWITCHING); if the call returns first, the GIL is free.  So 0, 1
 *   or 2 intervals per round trip, a race between the spinner's wake-up and
 *   the call plus the I/O task's own work (design note of harness/gil.c),
 *   hence CALL_POLLS; load and placement (--pin) decide it.  The old GIL has
 *   no interval: the spinner's sem_post every 100 ticks wakes the I/O
 *   thread, which often wins the lock.  No sleep is added: the waits are the
 *   GIL's own.
 *
 *   The echo peer is "the network": one process forked once, before both
 *   phases, looping read/write with no GIL but with a CPython echo's
 *   interpreter work; it is not a task.  Phase 1 runs the I/O task alone
 *   for --seconds, phase 2 beside --cpu-tasks spinning tasks for as long,
 *   on the one socket in turn, so it always has exactly one client.  In
 *   fork mode each task is a process that inherits the socket; only task 0
 *   uses it.  The two phases and their rates are the measurement, so the
 *   case runs them itself (convoy_run) and each task times its own phase.
 *
 * Checks
 *   Every echoed byte must be the byte sent; result = round trips echoed
 *   correctly (both phases), expected = round trips made.  The echo peer
 *   dying fails the run.  The timings are reported, never judged.
 *
 * Try
 *   bin/convoy --mode=gil --pin=apart   (then --pin=same, --gil=old,
 *                                        --switch-interval-us=100, --mode=interp)
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "checked.h"
#include "harness.h"

static double seconds = 2.0;
static long long cpu_tasks = 1;
static int pin = 0;   /* index into pin_choices */

enum { PIN_NONE, PIN_SAME, PIN_APART };
static const char *const pin_choices[] = {"none", "same", "apart", NULL};

static struct opt_spec convoy_opts[] = {
    {.name = "seconds", .type = OPT_DOUBLE, .dest = &seconds, .metavar = "S",
     .dmin = 0.001, .dmax = 3600,
     .help = "length of each phase, alone and contended (default 2)"},
    {.name = "cpu-tasks", .type = OPT_INT, .dest = &cpu_tasks, .metavar = "N",
     .min = 1, .max = 64,
     .help = "CPU-bound tasks beside the I/O task in phase 2 (default 1); "
             "--tasks is then 1 + N"},
    {.name = "pin", .type = OPT_CHOICE, .dest = &pin, .choices = pin_choices,
     .metavar = "WHERE",
     .help = "where the tasks run: none (the scheduler decides, default), same "
             "(every task and the echo peer on one CPU), apart (the I/O task "
             "and the echo peer on one CPU, the CPU tasks on another)"},
    {0},
};

/*
 * Placement (--pin).  Whether a round trip waits 0, 1 or 2 intervals is a
 * race between the spinner's wake-up and the I/O call (Why, above), and
 * where the scheduler puts the two decides the race: unpinned, one run
 * differs from the next several times over, since Linux keeps a placement
 * for a while.  --pin makes it a variable of the experiment, as Beazley's
 * one-core and two-core runs did:
 *   same   every task and the echo peer on pin_cpu[0]: one core.  A blocking
 *          call lets the spinner run, but the echo's reply wakes the I/O
 *          task on a core the spinner must be preempted from.
 *   apart  the I/O task and the echo peer on pin_cpu[0], the CPU tasks on
 *          pin_cpu[1]: the spinner never waits for a core, so it wins the
 *          race whenever the call takes longer than its wake-up.
 * pin_cpu[] are the first two CPUs of the process's affinity mask, so
 * taskset and cpusets choose them.  Each task pins its own thread (or, in
 * fork mode, its process) with sched_setaffinity(0, ...), the echo peer
 * right after its fork.
 */
static int pin_cpu[2] = {-1, -1};

/* Pin the calling thread to CPU cpu; 0, or -1 with errno set. */
static int pin_to(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set);
}

/* Where task `index` (0: the I/O task) runs under --pin; -1: anywhere. */
static int task_cpu(int index)
{
    switch (pin) {
    case PIN_SAME:
        return pin_cpu[0];
    case PIN_APART:
        return pin_cpu[index == 0 ? 0 : 1];
    default:
        return -1;
    }
}

/* Fill pin_cpu[] from the affinity mask; 1 with err set when --pin cannot be
 * honoured. */
static int choose_cpus(char *err, size_t errlen)
{
    if (pin == PIN_NONE)
        return 0;
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) {
        snprintf(err, errlen, "--pin: sched_getaffinity: %s", strerror(errno));
        return 1;
    }
    int found = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE && found < 2; cpu++)
        if (CPU_ISSET(cpu, &set))
            pin_cpu[found++] = cpu;
    if (pin == PIN_APART && found < 2) {
        snprintf(err, errlen, "--pin=apart needs two CPUs in the affinity mask; "
                 "this process may use only CPU %d", pin_cpu[0]);
        return 1;
    }
    return 0;
}

/* The echo peer: its pid and our end of the socket.  Set in prepare. */
static pid_t echo_pid = -1;
static int echo_fd = -1;

/* Which phase the tasks run in; set before each harness_run_tasks(), so
 * forked children inherit it. */
static bool contended;

/* Phase 1's result for task 0, kept while phase 2 reuses the array. */
static struct task_result alone;
static int phases_done;

/* What a task hands back in struct task_result. */
enum { COUNTER_ROUND_TRIPS, COUNTER_MISMATCHES, COUNTER_WAITED_0, COUNTER_WAITED_1,
       COUNTER_WAITED_2 };

/* The switch interval in seconds under the new GIL (0: no interval to wait
 * for).  A round trip that took k intervals (rounded) waited k of them; the
 * report gives the share of round trips that waited 0, 1 and 2 or more. */
static double wait_unit_s;
enum { SECONDS_ELAPSED, SECONDS_MEDIAN, SECONDS_P99, SECONDS_MAX };

/*
 * The interpreter's work around one socket call: CPython runs bytecode and
 * the socket module's C code (method call, arguments, result object) with
 * the GIL before and after each send() and recv(), and the echo process of
 * cases/convoy.py is CPython too.  CALL_POLLS x CALL_POLL_ITERATIONS brings
 * our CPU per round trip to CPython 3.11's (docs/gil-measurements.md).  Few,
 * long ticks: that time is mostly C code inside ~15 ticking bytecodes per
 * call in 2.7, and the old policy releases every check_interval ticks.
 */
#define CALL_POLLS 16
#define CALL_POLL_ITERATIONS 120

/* Run one call's worth of interpreter work; ts == NULL: outside any GIL. */
static void interpreter_work(struct gil_thread *ts)
{
    long long total = 0;
    for (int poll = 0; poll < CALL_POLLS; poll++) {
        for (int i = 0; i < CALL_POLL_ITERATIONS; i++) {
            total += 1;
            __asm__ volatile("" : "+r"(total));
        }
        if (ts)
            gil_poll(ts);
    }
}

/* ------------------------------------------------------------ echo peer */

static void echo_loop(int fd)
{
    char buf[256];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            _exit(n == 0 ? 0 : 1);
        interpreter_work(NULL);   /* data = sock.recv(256) */
        for (ssize_t done = 0; done < n;) {
            ssize_t w = write(fd, buf + done, (size_t)(n - done));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                _exit(1);
            done += w;
        }
        interpreter_work(NULL);   /* sock.sendall(data) */
    }
}

static int start_echo_peer(char *err, size_t errlen)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
        snprintf(err, errlen, "socketpair: %s", strerror(errno));
        return 1;
    }
    pid_t pid = harness_fork();        /* Ctrl-C kills and reaps it; it dies with us */
    if (pid < 0) {
        snprintf(err, errlen, "fork of the echo peer: %s", strerror(errno));
        close(sv[0]);
        close(sv[1]);
        return 1;
    }
    if (pid == 0) {
        close(sv[0]);
        if (pin != PIN_NONE && pin_to(pin_cpu[0]) != 0)
            _exit(1);   /* the I/O task reports the echo peer gone */
        echo_loop(sv[1]);
    }
    close(sv[1]);
    echo_fd = sv[0];
    echo_pid = pid;
    return 0;
}

static void stop_echo_peer(void)
{
    if (echo_fd >= 0)
        close(echo_fd);
    echo_fd = -1;
    if (echo_pid > 0)
        harness_stop_child(echo_pid);
    echo_pid = -1;
}

/* ------------------------------------------------------------ the tasks */

/* Median, 99th percentile and maximum of lat[0..n-1] (sorts it). */
static void latency_figures(double *lat, long long n, struct task_result *out)
{
    stats_sort(lat, (size_t)n);
    out->seconds[SECONDS_MEDIAN] = stats_median(lat, (size_t)n);
    out->seconds[SECONDS_P99] = stats_percentile(lat, (size_t)n, 99);
    out->seconds[SECONDS_MAX] = lat[n - 1];
}

/* One blocking call with the GIL released around it, retried on EINTR.
 * MSG_NOSIGNAL: a dead echo peer is an error to report, not a SIGPIPE. */
static ssize_t io_call(struct gil_thread *ts, bool is_write, char *byte)
{
    ssize_t n;
    do {
        GIL_BEGIN_ALLOW_THREADS(ts);
        n = is_write ? send(echo_fd, byte, 1, MSG_NOSIGNAL) : recv(echo_fd, byte, 1, 0);
        GIL_END_ALLOW_THREADS;
    } while (n < 0 && errno == EINTR);
    interpreter_work(ts);   /* the call's result, the loop's bytecode */
    return n;
}

/* Round trips until --seconds have passed, at least one. */
static void io_task(const struct task_ctx *ctx, struct task_result *out)
{
    size_t cap = 4096;
    long long n = 0;
    double *lat = Malloc(cap * sizeof *lat);
    double start = now_s(), end = start + seconds, t1;
    do {
        char sent = (char)('a' + n % 26), back = 0;
        double t0 = now_s();
        ssize_t w = io_call(ctx->ts, true, &sent);
        ssize_t r = w == 1 ? io_call(ctx->ts, false, &back) : -1;
        t1 = now_s();
        if (w != 1 || r != 1) {
            out->failed = 1;
            if (r == 0)
                snprintf(out->message, sizeof out->message,
                         "round trip %lld: the echo peer closed the socket", n);
            else
                snprintf(out->message, sizeof out->message,
                         "round trip %lld: the echo peer is gone: %s", n, strerror(errno));
            break;
        }
        if (back != sent)
            out->counters[COUNTER_MISMATCHES]++;
        if ((size_t)n == cap)
            lat = Realloc(lat, (cap *= 2) * sizeof *lat);
        lat[n++] = t1 - t0;
        if (wait_unit_s > 0) {
            double k = (t1 - t0) / wait_unit_s + 0.5;
            out->counters[k < 1 ? COUNTER_WAITED_0 : k < 2 ? COUNTER_WAITED_1 : COUNTER_WAITED_2]++;
        }
        gil_poll(ctx->ts);   /* the loop's back-edge, as in the eval loop */
    } while (t1 < end);
    out->seconds[SECONDS_ELAPSED] = t1 - start;
    out->counters[COUNTER_ROUND_TRIPS] = n;
    out->value = n;
    if (n > 0)
        latency_figures(lat, n, out);
    free(lat);
}

/* Count until --seconds have passed, polling as count does. */
static void cpu_task(const struct task_ctx *ctx, struct task_result *out)
{
    long long total = 0;
    double start = now_s(), end = start + seconds, now;
    do {
        for (int poll = 0; poll < 256; poll++) {
            for (int i = 0; i < GIL_POLL_ITERATIONS; i++) {
                total += 1;
                __asm__ volatile("" : "+r"(total));
            }
            gil_poll(ctx->ts);
        }
        now = now_s();
    } while (now < end);
    out->seconds[SECONDS_ELAPSED] = now - start;
    out->value = total;
}

static void convoy_task(const struct task_ctx *ctx, struct task_result *out)
{
    int cpu = task_cpu(ctx->index);
    if (cpu >= 0 && pin_to(cpu) != 0) {
        out->failed = 1;
        snprintf(out->message, sizeof out->message, "--pin: cannot run on CPU %d: %s",
                 cpu, strerror(errno));
        return;
    }
    if (ctx->index == 0)
        io_task(ctx, out);
    else
        cpu_task(ctx, out);
}

/* ------------------------------------------------------------ the run */

static int convoy_prepare(struct run_info *ri, char *err, size_t errlen)
{
    int wanted = 1 + (int)cpu_tasks;
    if (ri->tasks_given && ri->tasks != wanted) {
        snprintf(err, errlen, "--tasks: convoy runs 1 I/O task and --cpu-tasks "
                 "CPU tasks (%d in all); set --cpu-tasks instead", wanted);
        return 2;
    }
    ri->tasks = wanted;
    return 0;
}

static int convoy_setup(struct run_info *ri, char *err, size_t errlen)
{
    if ((ri->mode == MODE_GIL || ri->mode == MODE_INTERP) && ri->gil.policy == GIL_NEW)
        wait_unit_s = (double)ri->gil.interval_us / 1e6;
    if (choose_cpus(err, errlen) != 0)
        return 1;
    return start_echo_peer(err, errlen);   /* 1: cannot start, err says why */
}

static int convoy_run(struct run_info *ri, struct task_result *results)
{
    int all = ri->tasks;
    contended = false;
    ri->tasks = 1;
    int rc = harness_run_tasks(ri, results);
    alone = results[0];
    phases_done = 1;
    ri->tasks = all;
    if (rc != 0)
        return rc;   /* ri->failure says why; results[0] is phase 1's */

    double wall = ri->wall_s, measured = ri->measured_s, user = ri->user_s,
           sys = ri->sys_s;
    contended = true;
    rc = harness_run_tasks(ri, results);
    phases_done = 2;
    ri->wall_s += wall;   /* the report covers both phases ... */
    ri->measured_s += measured;
    ri->user_s += user;
    ri->sys_s += sys;     /* ... but gil_stats only the contended one */
    return rc;
}

static double rate(const struct task_result *io)
{
    double s = io->seconds[SECONDS_ELAPSED];
    return s > 0 ? (double)io->counters[COUNTER_ROUND_TRIPS] / s : 0;
}

static void convoy_check(const struct run_info *ri, const struct task_result *res,
                         struct verdict *v)
{
    v->expected = alone.counters[COUNTER_ROUND_TRIPS];
    v->result = v->expected - alone.counters[COUNTER_MISMATCHES];
    if (phases_done == 2) {
        v->expected += res[0].counters[COUNTER_ROUND_TRIPS];
        v->result += res[0].counters[COUNTER_ROUND_TRIPS] - res[0].counters[COUNTER_MISMATCHES];
    }
    v->ok = phases_done == 2 && ri->failed_tasks == 0 && !alone.failed &&
            v->result == v->expected;
}

static void convoy_describe(const struct run_info *ri, struct report *r)
{
    (void)ri;
    report_note(r, "task 0 does 1-byte round trips to an echo process for %g s "
                "alone, then for %g s beside %lld CPU-bound task(s)", seconds,
                seconds, cpu_tasks);
    report_num(r, "seconds", "seconds per phase", seconds, "s");
    report_int(r, "cpu_tasks", "cpu tasks", cpu_tasks);
    report_str(r, "pin", "pin", pin_choices[pin]);
    if (pin != PIN_NONE)
        report_note(r, "pinned: the I/O task and the echo peer on CPU %d, the CPU "
                    "task(s) on CPU %d", pin_cpu[0], task_cpu(1));
}

static void convoy_report(const struct run_info *ri, const struct task_result *res,
                          struct report *r)
{
    if (phases_done < 2)
        return;
    double a = rate(&alone), c = rate(&res[0]);
    double cpu_rate = 0;
    for (int i = 1; i < ri->tasks; i++)
        if (res[i].seconds[SECONDS_ELAPSED] > 0)
            cpu_rate += (double)res[i].value / res[i].seconds[SECONDS_ELAPSED];
    report_int(r, "round_trips_alone", "round trips alone",
               alone.counters[COUNTER_ROUND_TRIPS]);
    report_int(r, "round_trips_contended", "round trips contended",
               res[0].counters[COUNTER_ROUND_TRIPS]);
    report_num(r, "io_ops_alone_per_s", "round trips/s alone", a, "/s");
    report_num(r, "io_ops_contended_per_s", "round trips/s contended", c, "/s");
    report_num(r, "slowdown", "slowdown", c > 0 ? a / c : 0, "x");
    report_num(r, "latency_alone_median_s", "latency alone median",
               alone.seconds[SECONDS_MEDIAN], "s");
    report_num(r, "latency_alone_p99_s", "latency alone p99", alone.seconds[SECONDS_P99], "s");
    report_num(r, "latency_contended_median_s", "latency contended median",
               res[0].seconds[SECONDS_MEDIAN], "s");
    report_num(r, "latency_contended_p99_s", "latency contended p99",
               res[0].seconds[SECONDS_P99], "s");
    report_num(r, "latency_contended_max_s", "latency contended max",
               res[0].seconds[SECONDS_MAX], "s");
    report_num(r, "cpu_iterations_per_s", "cpu iterations/s", cpu_rate, "/s");
    long long trips = res[0].counters[COUNTER_ROUND_TRIPS];
    if (wait_unit_s > 0 && trips > 0) {
        report_num(r, "waited_0_share", "waited 0 intervals",
                   (double)res[0].counters[COUNTER_WAITED_0] / (double)trips, "");
        report_num(r, "waited_1_share", "waited 1 interval",
                   (double)res[0].counters[COUNTER_WAITED_1] / (double)trips, "");
        report_num(r, "waited_2_share", "waited 2+ intervals",
                   (double)res[0].counters[COUNTER_WAITED_2] / (double)trips, "");
    }
    report_note(r, "%.0f round trips/s alone, %.0f beside the CPU task(s): %.1fx slower",
                a, c, c > 0 ? a / c : 0);
    if (ri->mode == MODE_GIL || ri->mode == MODE_INTERP) {
        report_int(r, "gil_uncontended_takes", "gil takes found free",
                   (long long)ri->gil_stats.uncontended_takes);
        report_int(r, "gil_timed_out_waits", "gil waits timed out",
                   (long long)ri->gil_stats.timed_out_waits);
        report_note(r, "gil figures are from the contended phase");
    }
}

static void convoy_cleanup(struct run_info *ri)
{
    (void)ri;
    stop_echo_peer();
}

static const struct case_def convoy_case = {
    .name = "convoy",
    .purpose = "an I/O-bound task beside CPU-bound ones: what the GIL costs I/O",
    .try_example = "convoy --mode=gil",
    .modes = MODE_BIT(MODE_THREADS) | MODE_BIT(MODE_GIL) | MODE_BIT(MODE_INTERP) |
             MODE_BIT(MODE_FORK),
    .modes_why = "the I/O task and the CPU task must run at the same time: use "
                 "threads, gil, interp or fork",
    .default_tasks = 2,
    .opts = convoy_opts,
    .prepare = convoy_prepare,
    .setup = convoy_setup,
    .task = convoy_task,
    .run = convoy_run,
    .check = convoy_check,
    .report = convoy_report,
    .describe = convoy_describe,
    .cleanup = convoy_cleanup,
};

int main(int argc, char **argv)
{
    return harness_main(&convoy_case, argc, argv);
}
