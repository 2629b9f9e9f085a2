#!/usr/bin/env python3
"""convoy.py - the convoy experiment in real CPython, beside bin/convoy.

An I/O thread does 1-byte round trips (send, then a blocking recv) over a
socketpair to an echo process forked at the start ("the network", with its
own interpreter and GIL).  It runs alone for --seconds, then beside
--cpu-threads threads that spin in a Python loop for as long.  Prints one JSON
object: round trips per second alone and contended, the slowdown, latencies.

Runs unchanged under Python 2.7 (old GIL), 3.x (new GIL, bpo-7946) and a
free-threaded 3.13t/3.14t (no GIL: gil_enabled false), so the same file gives
every reference row.  --mode=interpreters (CPython 3.12+) spins in isolated
interpreters instead of threads, each with a GIL of its own (PEP 684): the
I/O thread never waits for theirs.  Exit 0 on a run whose every echo came
back right, 1 when the echo peer failed, 2 on a bad option.
"""
from __future__ import division, print_function

import json
import os
import platform
import signal
import socket
import sys
import threading
import time

from pyref import (STOP_SIGNALS, OneLineParser, PrintVersion, die_with_parent, gil_state,
                   positive, run)

clock = getattr(time, "perf_counter", time.time)


def parse_args(argv):
    p = OneLineParser(description="The convoy effect in real CPython: I/O round "
                      "trips alone and beside spinning threads.")
    p.add_argument("--seconds", type=positive(float, 0.001, 3600), default=2.0,
                   help="length of each phase (default 2)")
    p.add_argument("--cpu-threads", type=positive(int, 1, 64), default=1,
                   help="spinning threads in phase 2 (default 1)")
    p.add_argument("--mode", choices=("threads", "interpreters"), default="threads",
                   help="where the spinning loops run: threads of this interpreter "
                   "(default) or, CPython 3.12+, one isolated interpreter each (a "
                   "GIL of its own), each in a thread")
    p.add_argument("--switch-interval-us", type=positive(int, 1, 10000000),
                   help="Python 3: sys.setswitchinterval (default 5000)")
    p.add_argument("--check-interval", type=positive(int, 1, 1000000000),
                   help="Python 2: sys.setcheckinterval (default 100)")
    p.add_argument("--pin", choices=PIN_CHOICES, default="none",
                   help="where the threads run: none (the scheduler decides, "
                   "default), same (all of them and the echo process on one CPU), "
                   "apart (the I/O thread and the echo on one CPU, the spinning "
                   "threads on another), as bin/convoy --pin")
    p.add_argument("--json", action="store_true",
                   help="print the report as one JSON object (its only format; "
                   "accepted so that it is called like the C cases)")
    p.add_argument("--version", action=PrintVersion)
    args = p.parse_args(argv)
    if args.switch_interval_us is not None and not hasattr(sys, "setswitchinterval"):
        p.error("--switch-interval-us: this Python has no switch interval "
                "(use --check-interval)")
    if args.check_interval is not None and hasattr(sys, "setswitchinterval"):
        p.error("--check-interval: only Python 2 counts ticks "
                "(use --switch-interval-us)")
    args.interpreters_api = None
    if args.mode == "interpreters":
        from count import interpreters_api   # cases/count.py, beside this file
        args.interpreters_api = interpreters_api()
        if isinstance(args.interpreters_api, str):
            p.error(args.interpreters_api)
    return args


PIN_CHOICES = ("none", "same", "apart")


def allowed_cpus():
    """The CPUs of this process's affinity mask, in order (Linux)."""
    if hasattr(os, "sched_getaffinity"):
        return sorted(os.sched_getaffinity(0))
    mask = _libc_mask(get=True)
    return [cpu for cpu in range(len(mask) * 8) if mask[cpu // 8] & (1 << cpu % 8)]


def _libc_mask(get=False, cpu=None):
    """Python 2 has no os.sched_*affinity: call libc's with a 128-byte mask."""
    import ctypes
    import ctypes.util
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    mask = (ctypes.c_ubyte * 128)()
    if get:
        rc = libc.sched_getaffinity(0, ctypes.sizeof(mask), mask)
    else:
        mask[cpu // 8] = 1 << cpu % 8
        rc = libc.sched_setaffinity(0, ctypes.sizeof(mask), mask)
    if rc != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return bytearray(mask)


def pin_to(cpu):
    """Pin the calling thread (sched_setaffinity(0) is per thread) to cpu."""
    if cpu is None:
        return
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {cpu})
    else:
        _libc_mask(cpu=cpu)


def placement(pin):
    """(CPU of the I/O thread and the echo, CPU of the spinners), None: free."""
    if pin == "none":
        return None, None
    cpus = allowed_cpus()
    if pin == "same":
        return cpus[0], cpus[0]
    if len(cpus) < 2:
        raise OSError("needs two CPUs in the affinity mask; this process may "
                      "use only CPU %d" % cpus[0])
    return cpus[0], cpus[1]


def start_echo(cpu=None):
    """Fork the echo process; returns (our socket, its pid)."""
    ours, theirs = socket.socketpair()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            for sig in STOP_SIGNALS:
                signal.signal(sig, signal.SIG_DFL)
            die_with_parent()
            if os.getppid() != parent:
                os._exit(1)
            ours.close()
            pin_to(cpu)
            while True:
                data = theirs.recv(256)
                if not data:
                    status = 0
                    break
                theirs.sendall(data)
        finally:
            os._exit(status)
    theirs.close()
    return ours, pid


def percentile(sorted_values, percent):
    """Nearest rank, as bin/convoy reports it."""
    n = len(sorted_values)
    return sorted_values[max(0, (n * percent + 99) // 100 - 1)]


def io_phase(sock, seconds, unit=0):
    """Round trips until seconds have passed (at least one); with a switch
    interval unit (s), the shares that waited 0, 1 and 2+ intervals."""
    lat = []
    wrong = 0
    start = clock()
    end = start + seconds
    while True:
        sent = b"abcdefghijklmnopqrstuvwxyz"[len(lat) % 26:len(lat) % 26 + 1]
        t0 = clock()
        sock.send(sent)
        back = sock.recv(1)
        t1 = clock()
        if not back:
            raise IOError("the echo peer closed the socket")
        if back != sent:
            wrong += 1
        lat.append(t1 - t0)
        if t1 >= end:
            break
    lat.sort()
    n = len(lat)
    median = lat[n // 2] if n % 2 else (lat[n // 2 - 1] + lat[n // 2]) / 2
    waited = [0, 0, 0]
    if unit > 0:
        for t in lat:
            waited[min(2, int(t / unit + 0.5))] += 1
    return {"round_trips": n, "seconds": t1 - start, "wrong": wrong,
            "median": median, "p99": percentile(lat, 99), "max": lat[-1],
            "waited": [w / n for w in waited] if unit > 0 else [None] * 3}


def spin(stop, cpu):
    pin_to(cpu)
    x = 0
    while not stop[0]:
        x += 1
    return x


# What a spinning interpreter runs: pinned as spin() is, it counts until a
# byte arrives on the pipe STOP (non-blocking, read every 65536 counts); an
# isolated interpreter shares no object, so no flag can stop it.
SPIN_SOURCE = """
import os
%(pin)s
x = 0
while True:
    x += 1
    if not x & 0xffff:
        try:
            if os.read(%(stop)d, 1):
                break
        except BlockingIOError:
            pass
"""


def spin_in_interpreter(api, cpu, stop_fd, failures):
    """One isolated interpreter spinning in this thread until stopped."""
    _name, create, run_code, close = api
    it = create()
    try:
        pin = "" if cpu is None else "os.sched_setaffinity(0, {%d})" % cpu
        run_code(it, SPIN_SOURCE % {"pin": pin, "stop": stop_fd})
    except Exception as e:   # reported, the run fails
        failures.append(str(e))
    finally:
        close(it)


def contended_phase(sock, seconds, cpu_threads, cpu, unit, api=None):
    stop = [False]
    failures = []
    if api is not None:
        rfd, wfd = os.pipe()
        os.set_blocking(rfd, False)
        threads = [threading.Thread(target=spin_in_interpreter, args=(api, cpu, rfd, failures))
                   for _ in range(cpu_threads)]
        for t in threads:
            t.start()
        try:
            result = io_phase(sock, seconds, unit)
        finally:
            os.write(wfd, b"x" * cpu_threads)
            for t in threads:
                t.join()
            os.close(rfd)
            os.close(wfd)
        if failures:
            raise OSError("a spinning interpreter failed: %s" % failures[0])
        return result
    threads = [threading.Thread(target=spin, args=(stop, cpu)) for _ in range(cpu_threads)]
    for t in threads:
        t.start()
    try:
        return io_phase(sock, seconds, unit)
    finally:
        stop[0] = True
        for t in threads:
            t.join()


def main(argv):
    args = parse_args(argv)
    if args.switch_interval_us is not None:
        sys.setswitchinterval(args.switch_interval_us / 1e6)
    if args.check_interval is not None:
        sys.setcheckinterval(args.check_interval)
    try:
        io_cpu, spin_cpu = placement(args.pin)
        pin_to(io_cpu)   # the main thread is the I/O thread
    except (IOError, OSError) as e:
        sys.stderr.write("convoy.py: --pin=%s: %s\n" % (args.pin, e.strerror or e))
        return 1
    gil_enabled, free_threaded = gil_state()
    # A round trip's wait, counted in switch intervals (new GIL only).
    unit = sys.getswitchinterval() if gil_enabled and hasattr(sys, "getswitchinterval") else 0
    started, cpu_start = clock(), os.times()
    sock, pid = start_echo(io_cpu)
    try:
        # One round trip before the clock starts: the forked echo process
        # takes 50-150 ms to be ready (die_with_parent loads ctypes), which
        # a short alone phase counted as one slow round trip (a fresh user's
        # trial: 1 round trip alone in 0.05 s, five runs of five).
        sock.send(b"w")
        if sock.recv(1) != b"w":
            raise IOError("the echo peer did not echo the first byte")
        alone = io_phase(sock, args.seconds)
        busy = contended_phase(sock, args.seconds, args.cpu_threads, spin_cpu, unit,
                               args.interpreters_api)
    except (IOError, OSError) as e:
        sys.stderr.write("convoy.py: %s\n" % e)
        return 1
    finally:
        sock.close()
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
        os.waitpid(pid, 0)

    wall, cpu = clock() - started, os.times()
    a = alone["round_trips"] / alone["seconds"]
    c = busy["round_trips"] / busy["seconds"]
    interval = sys.getswitchinterval() if hasattr(sys, "getswitchinterval") else None
    ticks = None if interval is not None else sys.getcheckinterval()
    result = {
        "case": "convoy.py",
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "gil_enabled": gil_enabled,
        "free_threaded": free_threaded,
        "switch_interval_us": None if interval is None else int(round(interval * 1e6)),
        "check_interval": ticks,
        "seconds": args.seconds,
        "cpu_threads": args.cpu_threads,
        "mode": args.mode,
        "interpreters_api": args.interpreters_api and args.interpreters_api[0],
        "pin": args.pin,
        # The I/O thread and the CPU-bound ones, as the C case reports them.
        "tasks": args.cpu_threads + 1,
        "workers": args.cpu_threads + 1,
        "round_trips_alone": alone["round_trips"],
        "round_trips_contended": busy["round_trips"],
        "io_ops_alone_per_s": a,
        "io_ops_contended_per_s": c,
        "slowdown": a / c,
        "latency_alone_median_s": alone["median"],
        "latency_alone_p99_s": alone["p99"],
        "latency_contended_median_s": busy["median"],
        "latency_contended_p99_s": busy["p99"],
        "latency_contended_max_s": busy["max"],
        "waited_0_share": busy["waited"][0],
        "waited_1_share": busy["waited"][1],
        "waited_2_share": busy["waited"][2],
        "ok": alone["wrong"] == 0 and busy["wrong"] == 0,
        # The same whole-run figures as the C cases report (this process only).
        "wall_s": wall,
        "user_s": cpu[0] - cpu_start[0],
        "sys_s": cpu[1] - cpu_start[1],
    }
    print(json.dumps(result, sort_keys=True))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    run(main)
