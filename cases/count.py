#!/usr/bin/env python3
"""count.py - the counting loop in real CPython, beside bin/count.

What it shows
  A pure-Python CPU-bound loop gains nothing from threads, because only the
  thread holding the GIL runs bytecode; it gains from processes, because each
  process has its own interpreter and its own GIL; and from interpreters
  (CPython 3.12+), because each isolated interpreter in one process has a
  GIL of its own (PEP 684).

Mirrors
  The seeds' heavy_computation() / cpu_bound_task(): count to 10**7, run
  twice in sequence, in two threads, in two processes.  The loop here is
  the same in every mode: `while i < n: i += 1`, returning the count.

Expect on N cores (tasks = N, ratio = seq time / mode time)
  seq 1.0 . threads ~1.0 on CPython 3 (new GIL), below 1.0 on CPython 2.7
  (old GIL), ~N on a free-threaded build (3.13t, 3.14t) and ~1.0 on the same
  binary with its GIL switched back on (-X gil=1 or PYTHON_GIL=1)
  . processes ~N . pool ~N (minus start-up cost for short runs)
  . interpreters ~N on 3.12+ (minus create_s, creating the interpreters)

Why
  CPython 3 (bpo-7946) lets a thread hold the GIL for a switch interval
  (5 ms) and then hands it over on request, so two threads take turns:
  no gain, little loss.  CPython 2.7 releases and re-takes the GIL every 100
  ticks; the waiting thread on the other core is woken, mostly loses the
  race, and the wake-ups cost time, so threads run slower than sequence.
  Processes share nothing, so they run on all cores at once.  So do
  isolated interpreters, in threads of one process: each has its own GIL
  and its own objects (bin/count --mode=interp simulates this).

Sequence
  seq runs the tasks one after another in one worker thread, not in the
  main thread, so that threads / seq differs only in how many threads share
  the GIL.  Issue 11 measured the same loop 5-7% slower in CPython's main
  thread than in a worker thread on the 2-core lab VM (3.11 and 3.13), which
  made threads look faster than seq; however large that effect is on a
  given machine, it is now out of the ratio.  There is no main-thread
  variant: it would show that effect, not the GIL.

Checks
  Every task must return exactly --iterations and the total must be
  tasks x iterations; a worker that dies or raises fails the run.  wall_s
  times the work, from the first task's start to the last one's end with
  the threads or processes started and joined; measured_s spans the earliest
  task start to the latest task end (each task stamps its own loop), as
  bin/count times only the work.  startup_s is the time before wall_s: the
  interpreter's start-up and the imports, from the process's start (/proc;
  null without it).  It runs serially in every mode, so in a short run it
  caps the speedup (scripts/lessons.jq names it as a cause).

Interpreters
  --mode=interpreters creates one isolated interpreter per task (in the main
  thread, one after another: create_s), then runs each task in a thread of
  its own inside its interpreter, and destroys them; wall_s covers all of it.
  The API is the first found of concurrent.interpreters (3.14+),
  _interpreters (3.13, create('isolated')) and _xxsubinterpreters (3.12,
  create(isolated=True)): interpreters_api names it.  The task is a call of
  count_loop(), the loop every mode runs, defined in the interpreter from
  this file's own source: a call, not module-level code, whose loop
  variables would be dict lookups (0.8x).  Each interpreter copies its
  result back as text through a pipe, the one channel all three APIs share;
  the main thread reads it while the tasks run.  The loop never touches
  threading inside an interpreter: on 3.12 an interpreter that did hangs
  when destroyed.  Before 3.12 the mode is a usage error (exit 2).

Try
  python3 cases/count.py --mode=threads   (then --mode=processes, and the
  same under python2.7, python3.13t and python3.13t -X gil=1; python3.12
  and later: --mode=interpreters)

Exit 0 on a checked result, 1 when it is wrong or a worker failed, 2 on bad
usage.  Runs unchanged under Python 2.7 and 3.x, free-threaded builds
included; --json reports gil_enabled (at the end of the run) and
free_threaded (the build).
"""
from __future__ import division, print_function

import json
import multiprocessing
import multiprocessing.pool as mp_pool
import os
import platform
import signal
import sys
import threading
import time

from pyref import (MAIN_PID, VERSION, OneLineParser, PrintVersion, die_with_parent,
                   gil_state, impl_name, process_age, run, whole)

DEFAULT_ITERATIONS = 10 ** 7   # about 0.3 s for one task in CPython 3.11
MAX_TASKS = 1024               # as bin/count's fork limit: more is a fork bomb
MODES = ("seq", "threads", "processes", "pool", "interpreters")
POOL_ABANDONED = False   # see kill_pool

# Fork, as the seeds on Linux and bin/count do: Python 3.14 would otherwise
# start workers from a forkserver, which also breaks die_with_parent's check.
MP = multiprocessing.get_context("fork") if hasattr(multiprocessing, "get_context") \
    else multiprocessing

# A clock all processes share (CLOCK_MONOTONIC), so stamps taken in workers
# compare; Python 2 has none better than time.time.
stamp = getattr(time, "monotonic", time.time)


def parse_args(argv):
    p = OneLineParser(
        prog="count.py",
        description="The seeds' counting loop in real CPython: run in sequence, "
        "in threads, in processes, in a process pool or in isolated interpreters "
        "(3.12+), and checked.",
        epilog="Exit status: 0 ran and the result checked; 1 a worker failed or "
        "the result is wrong; 2 bad usage.  Try: count.py --mode=threads")
    p.add_argument("--mode", choices=MODES, default="seq",
                   help="seq (the tasks in turn, in one worker thread), threads (one "
                   "thread per task), processes (one process per task), pool (a "
                   "process pool) or interpreters (one isolated interpreter per "
                   "task, each in a thread: CPython 3.12+) (default seq)")
    p.add_argument("--tasks", type=whole(1, MAX_TASKS), default=2, metavar="N",
                   help="how many tasks (default 2)")
    p.add_argument("--workers", type=whole(1, MAX_TASKS), metavar="N",
                   help="pool size, pool mode only (default: online CPUs)")
    p.add_argument("--iterations", type=whole(1, 10 ** 12), default=DEFAULT_ITERATIONS,
                   metavar="N", help="count to N in each task; 1e7 style "
                   "accepted (default 1e7)")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object on stdout instead of the table")
    p.add_argument("--version", action=PrintVersion)
    args = p.parse_args(argv)
    if args.workers is not None and args.mode != "pool":
        p.error("--workers: only pool mode has a pool size (threads, "
                "processes and interpreters start one per task)")
    args.interpreters_api = None
    if args.mode == "interpreters":
        args.interpreters_api = interpreters_api()
        if isinstance(args.interpreters_api, str):
            p.error(args.interpreters_api)
    return args


def interpreters_api():
    """The newest interpreters API this Python has, as (name, create, run,
    close): create() makes an isolated interpreter (its own GIL), run(it,
    code) executes source text in it in the calling thread and raises when
    the code did, close(it) destroys it.  A string says why there is none."""
    version = platform.python_version()
    if sys.version_info < (3, 12):
        return ("--mode=interpreters: needs CPython 3.12 or later (a GIL per "
                "interpreter, PEP 684); this is %s %s"
                % (platform.python_implementation(), version))
    try:
        from concurrent import interpreters as public   # 3.14+, PEP 734
        return ("concurrent.interpreters", public.create,
                lambda it, code: getattr(it, "exec")(code), lambda it: it.close())
    except ImportError:
        pass
    try:
        import _interpreters as private13   # 3.13
    except ImportError:
        private13 = None
    if private13 is not None:
        def run13(it, code):
            # getattr: `exec` is a keyword to Python 2, which must parse this file
            failure = getattr(private13, "exec")(it, code)   # None, or what was raised
            if failure is not None:
                raise RuntimeError(getattr(failure, "formatted", None) or failure)
        return ("_interpreters", lambda: private13.create("isolated"), run13,
                private13.destroy)
    try:
        import _xxsubinterpreters as private12   # 3.12
    except ImportError:
        return ("--mode=interpreters: this Python %s has none of "
                "concurrent.interpreters, _interpreters and _xxsubinterpreters" % version)
    return ("_xxsubinterpreters", lambda: private12.create(isolated=True),
            private12.run_string, private12.destroy)


def count_to(n):
    """The work: the seeds' loop.  Returns (count, start stamp, end stamp,
    whether it ran in its process's main thread)."""
    i, t0, t1 = count_loop(n)
    # threading._MainThread: Python 2.7 has no threading.main_thread().
    return i, t0, t1, isinstance(threading.current_thread(), threading._MainThread)


def count_loop(n):
    """The loop of every mode; returns (count, start stamp, end stamp).
    interpreters mode runs this function's source in each interpreter, so it
    may use only its argument, `stamp` and builtins."""
    t0 = stamp()
    # A copy of n of this task's own: every task gets the same int object,
    # and in a free-threaded CPython (3.13t) the loop's reads of a shared
    # object contend on its reference count (biased reference counting: a
    # thread that does not own the object updates it atomically, one cache
    # line for all; refcount.c's lesson).  Measured here at 3e6 x 2 tasks:
    # threads 1.45x seq with the shared n, 1.84x (median of 3) with a copy.
    n = int(str(n))
    i = 0
    while i < n:
        i += 1
    return i, t0, stamp()


def describe_exit(code):
    """A worker's exitcode as words (negative = killed by that signal)."""
    return "killed by signal %d" % -code if code < 0 else "exited with status %d" % code


def in_threads(args, problems, shares):
    """Run the tasks in len(shares) worker threads, thread j running the
    tasks in shares[j] one after another; the main thread only waits."""
    results = [None] * args.tasks

    def worker(tasks):
        for k in tasks:
            try:
                results[k] = count_to(args.iterations)
            except Exception as e:  # reported as a failed task, not a traceback
                problems.append("task %d: %s: %s" % (k, type(e).__name__, e))

    # Daemon threads: after Ctrl-C the process dies of the signal at once
    # instead of waiting for loops that cannot be stopped.
    threads = [threading.Thread(target=worker, args=(tasks,)) for tasks in shares]
    for t in threads:
        t.daemon = True
        t.start()
    for t in threads:
        while t.is_alive():
            t.join(0.1)   # Python 2: a join without timeout ignores signals
    return results


def run_seq(args, problems):
    """Every task in turn in ONE worker thread (see "Sequence" above)."""
    return in_threads(args, problems, [range(args.tasks)])


def run_threads(args, problems):
    return in_threads(args, problems, [[k] for k in range(args.tasks)])


def interpreter_source(n, fd):
    """What one interpreter runs: count_loop() defined from this file's
    source, called once, its result written to fd as one line of text."""
    import inspect
    return "\n".join([
        "import os, time",
        "stamp = getattr(time, 'monotonic', time.time)",
        inspect.getsource(count_loop),
        "os.write(%d, (repr(count_loop(%d)) + '\\n').encode())" % (fd, n),
    ])


def run_interpreters(args, problems, extra):
    """One isolated interpreter per task, each running its task in a
    thread of its own; results come back as text through one pipe."""
    import ast
    import select
    _name, create, run_code, close = args.interpreters_api
    rfd, wfd = os.pipe()
    t0 = stamp()
    interps = []
    try:
        for _ in range(args.tasks):
            interps.append(create())
        extra["create_s"] = stamp() - t0
        code = interpreter_source(args.iterations, wfd)

        def worker(k):
            try:
                run_code(interps[k], code)
            except Exception as e:  # reported as a failed task, not a traceback
                problems.append("task %d: %s: %s" % (k, type(e).__name__, e))

        threads = [threading.Thread(target=worker, args=(k,)) for k in range(args.tasks)]
        for t in threads:
            t.daemon = True
            t.start()
        # Read while they run (a pipe holds 64 KiB: a writer must not wait),
        # until every task's line is in or no task is left to write one; a
        # timeout keeps a stop signal prompt.
        data = b""
        while data.count(b"\n") < args.tasks and any(t.is_alive() for t in threads):
            if select.select([rfd], [], [], 0.1)[0]:
                data += os.read(rfd, 65536)
        for t in threads:
            t.join()
        while select.select([rfd], [], [], 0)[0]:   # a last line, if any
            data += os.read(rfd, 65536)
    finally:
        for it in interps:
            try:
                close(it)
            except Exception:  # still running after Ctrl-C: left to the exit
                pass
        os.close(rfd)
        os.close(wfd)
    lines = data.decode().splitlines()
    # The lines come in finishing order; a task's index does not matter
    # here, as every task does the same work.  None ran in a main thread.
    results = [tuple(ast.literal_eval(line)) + (False,) for line in lines]
    return results + [None] * (args.tasks - len(results))


def process_task(conn, n, parent):
    """A child of processes mode: send the result back (nothing on error)."""
    die_with_parent(parent)
    conn.send(count_to(n))
    conn.close()


def run_processes(args, live, problems):
    procs = []
    for _ in range(args.tasks):
        ours, theirs = MP.Pipe(duplex=False)
        p = MP.Process(target=process_task, args=(theirs, args.iterations, MAIN_PID))
        p.start()
        live.append(p)
        theirs.close()   # so that recv sees EOF when the child dies
        procs.append((p, ours))
    results = [None] * args.tasks
    waiting = list(range(args.tasks))
    # Round-robin with short polls: a stop signal is seen promptly, and so is
    # a dead worker, whichever it is.  The first failure abandons the run
    # (the others are terminated), as in pool mode.
    while waiting:
        k = waiting[0]
        p, conn = procs[k]
        if conn.poll(0.05):
            try:
                results[k] = conn.recv()
            except (EOFError, IOError, OSError):
                pass   # died without a result: seen below
        if results[k] is not None or not p.is_alive():
            waiting.pop(0)
            p.join()
            if results[k] is None or p.exitcode != 0:
                problems.append("task %d: worker %d %s; run abandoned"
                                % (k, p.pid, describe_exit(p.exitcode)))
                return [r if r is not None and procs[j][0].exitcode == 0 else None
                        for j, r in enumerate(results)]
        else:
            waiting.append(waiting.pop(0))
    for p, conn in procs:
        conn.close()
    return results


def run_pool(args, problems):
    # The "parent" a worker checks is the forking thread: a replacement the
    # pool forks from its handler thread dies with that thread, which only
    # ends an abandoned run.
    pool = MP.Pool(args.workers, die_with_parent, (MAIN_PID,))
    finished = False
    try:
        # The workers, to notice one dying: Pool would quietly replace it and
        # wait forever for the lost task.
        workers = multiprocessing.active_children()
        pending = pool.map_async(count_to, [args.iterations] * args.tasks, chunksize=1)
        while not pending.ready():
            pending.wait(0.1)   # a timeout keeps Python 2 responsive to signals
            dead = [w for w in workers if w.exitcode is not None]
            if dead:
                for w in dead:
                    problems.append("pool worker %d %s; its task is lost, run abandoned"
                                    % (w.pid, describe_exit(w.exitcode)))
                return [None] * args.tasks
        pool.close()
        pool.join()
        finished = True
    finally:
        if not finished:
            kill_pool(pool)
    try:
        return pending.get()
    except Exception as e:  # a task raised in a worker
        problems.append("pool: %s: %s" % (type(e).__name__, e))
        return [None] * args.tasks


def kill_pool(pool):
    """Abandon a pool (a worker died, or a stop signal): SIGKILL and reap.

    Not pool.terminate(): it first takes the task queue's lock, which an idle
    worker holds while it waits for a task, so a worker that died idle (by
    Ctrl-C sent to the whole process group, say) leaves terminate() waiting
    forever.  The pool's own exit-time finalizer would do the same, so the
    process then ends without running it (os._exit in main, or death by the
    signal).
    """
    global POOL_ABANDONED
    POOL_ABANDONED = True
    # Private, in 2.7 and 3.x alike: stops the pool replacing killed workers.
    pool._worker_handler._state = mp_pool.TERMINATE
    for _ in range(100):
        kids = multiprocessing.active_children()
        if not kids:
            break
        for w in kids:
            try:
                os.kill(w.pid, signal.SIGKILL)
            except OSError:
                pass
        for w in kids:
            w.join()


def stop_children(live):
    """Terminate and reap processes mode's workers (on failure or Ctrl-C).

    SIGTERM first, then SIGKILL for a worker still there after a second: a
    SIGTERM that reaches a child in its first instants after fork is lost
    (CPython clears the signals pending in a new child before it runs any
    handler), and the worker would count on while we wait for it forever.
    """
    for p in live:
        if p.is_alive():
            p.terminate()
    for p in live:
        p.join(1.0)
        if p.exitcode is None:
            try:
                os.kill(p.pid, signal.SIGKILL)
            except OSError:
                pass
            p.join()


def cpu_times():
    t = os.times()
    return t[0] + t[2], t[1] + t[3]   # ours plus reaped children's


def measure(args, problems):
    live = []
    extra = {}
    u0, s0 = cpu_times()
    w0 = stamp()
    try:
        if args.mode == "seq":
            results = run_seq(args, problems)
        elif args.mode == "threads":
            results = run_threads(args, problems)
        elif args.mode == "processes":
            results = run_processes(args, live, problems)
        elif args.mode == "interpreters":
            results = run_interpreters(args, problems, extra)
        else:
            results = run_pool(args, problems)
    finally:
        stop_children(live)
    wall = stamp() - w0
    u1, s1 = cpu_times()
    done = [r for r in results if r is not None]
    return {
        "extra": extra,
        "results": results,
        "wall_s": wall,
        "measured_s": (max(r[2] for r in done) - min(r[1] for r in done)) if done else 0.0,
        "user_s": u1 - u0,
        "sys_s": s1 - s0,
    }


def print_table(r):
    """As bin/count: the result beside what it should be, then the timing,
    then what ran."""
    def rows(pairs):
        for label, value in pairs:
            print("%-25s%s" % (label, value))
    print("# count.py: %d task(s), mode %s, %d worker(s), %s"
          % (r["tasks"], r["mode"], r["workers"], r["impl"]))
    rows([("result", r["result"]), ("expected", r["expected"]),
          ("ok", "yes" if r["ok"] else "no"),
          ("wall", "%.3f s" % r["wall_s"]), ("measured", "%.3f s" % r["measured_s"]),
          ("user", "%.3f s" % r["user_s"]), ("sys", "%.3f s" % r["sys_s"]),
          ("failed tasks", r["failed_tasks"])])
    print("# each task counts to %d" % r["iterations"])
    rows([("case", r["case"]), ("impl", r["impl"]), ("mode", r["mode"]),
          ("tasks", r["tasks"]), ("workers", r["workers"]),
          ("online cpus", r["cpus"]), ("iterations", r["iterations"]),
          ("gil", "on" if r["gil_enabled"] else "off")])
    if r["mode"] == "interpreters":
        rows([("interpreters api", r["interpreters_api"]),
              ("create", "%.3f s" % r["create_s"])])


def main(argv):
    args = parse_args(argv)
    cpus = multiprocessing.cpu_count()
    workers = {"seq": 1, "threads": args.tasks, "processes": args.tasks,
               "pool": args.workers or cpus, "interpreters": args.tasks}[args.mode]
    args.workers = workers
    problems = []
    startup = process_age()
    m = measure(args, problems)
    counts = [r[0] if r is not None else None for r in m["results"]]
    failed = sum(1 for c in counts if c is None)
    result = sum(c for c in counts if c is not None)
    expected = args.tasks * args.iterations
    gil_enabled, free_threaded = gil_state()
    report = {
        "case": "count",
        "version": VERSION,
        "impl": impl_name(free_threaded),
        "python": platform.python_version(),
        "gil_enabled": gil_enabled,
        "free_threaded": free_threaded,
        "mode": args.mode,
        "tasks": args.tasks,
        "workers": workers,
        "cpus": cpus,
        "iterations": args.iterations,
        "result": result,
        "expected": expected,
        "ok": failed == 0 and result == expected
        and all(c == args.iterations for c in counts),
        "wall_s": m["wall_s"],
        "startup_s": startup,
        "measured_s": m["measured_s"],
        "user_s": m["user_s"],
        "sys_s": m["sys_s"],
        "failed_tasks": failed,
        # seq and threads: 0 (worker threads); processes and pool: every
        # task (each child's own main thread).
        "tasks_in_main_thread": sum(1 for r in m["results"] if r is not None and r[3]),
    }
    if args.mode == "interpreters":
        report["interpreters_api"] = args.interpreters_api[0]
        # creating the interpreters, one after another: part of wall_s
        report["create_s"] = m["extra"].get("create_s")
    for why in problems:
        sys.stderr.write("count.py: %s\n" % why)
    if failed:
        sys.stderr.write("count.py: %d of %d task(s) gave no result\n" % (failed, args.tasks))
    if args.json:
        print(json.dumps(report, sort_keys=True))
    else:
        print_table(report)
    code = 0 if report["ok"] else 1
    if POOL_ABANDONED:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)   # skip the abandoned pool's finalizer (see kill_pool)
    return code


if __name__ == "__main__":
    run(main)
