#!/usr/bin/env python3
"""convoy.py - the convoy experiment in real CPython, beside bin/convoy.

An I/O thread does 1-byte round trips (send, then a blocking recv) over a
socketpair to an echo process forked at the start ("the network", with its
own interpreter and GIL).  It runs alone for --seconds, then beside
--cpu-threads threads that spin in a Python loop for as long.  Prints one JSON
object: round trips per second alone and contended, the slowdown, latencies.

Runs unchanged under Python 2.7 (old GIL), 3.x (new GIL, bpo-7946) and a
free-threaded 3.13t/3.14t (no GIL: gil_enabled false), so the same file gives
every reference row.  Exit 0 on a run whose every echo came
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
    p.add_argument("--switch-interval-us", type=positive(int, 1, 10000000),
                   help="Python 3: sys.setswitchinterval (default 5000)")
    p.add_argument("--check-interval", type=positive(int, 1, 1000000000),
                   help="Python 2: sys.setcheckinterval (default 100)")
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
    return args


def start_echo():
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


def io_phase(sock, seconds):
    """Round trips until seconds have passed (at least one)."""
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
    return {"round_trips": n, "seconds": t1 - start, "wrong": wrong,
            "median": median, "p99": percentile(lat, 99), "max": lat[-1]}


def spin(stop):
    x = 0
    while not stop[0]:
        x += 1
    return x


def contended_phase(sock, seconds, cpu_threads):
    stop = [False]
    threads = [threading.Thread(target=spin, args=(stop,)) for _ in range(cpu_threads)]
    for t in threads:
        t.start()
    try:
        return io_phase(sock, seconds)
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
    started, cpu_start = clock(), os.times()
    sock, pid = start_echo()
    try:
        alone = io_phase(sock, args.seconds)
        busy = contended_phase(sock, args.seconds, args.cpu_threads)
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
    gil_enabled, free_threaded = gil_state()
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
