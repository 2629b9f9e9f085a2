"""cases/pyref.py - what the CPython reference scripts (cases/count.py,
cases/convoy.py) share: the suite's command-line contract (one-line usage
errors, checked numbers) and its Ctrl-C behaviour, in Python.

- Bad usage: one line on stderr, then "Try 'NAME --help'.", exit 2.
- SIGINT, SIGTERM, SIGHUP: raised as Interrupted in the main process, so that
  its finally blocks terminate and reap the children; then the process dies
  of the signal, as the C cases do.  A forked child simply dies of it.
- stdout, as the C cases treat it (harness/report.c): a reader that went away
  (EPIPE, `| head -c0`) is not a failed run: the process dies quietly of
  SIGPIPE (141 in a shell), its children reaped on the way out; any other
  failed write (a full disk, a closed stdout) is one line on stderr, exit 1.

Runs under Python 2.7 and 3.x.
"""
from __future__ import print_function

import argparse
import errno
import os
import re
import signal
import sys

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
MAIN_PID = os.getpid()
# The suite's version: GILBENCH_VERSION of harness/harness.h, which these
# scripts cannot read when copied alone; tests/cli_commands.sh checks that
# every command reports the same one.
VERSION = "0.1.0"


class Interrupted(Exception):
    """A stop signal, raised in the main process so that cleanup runs."""

    def __init__(self, signum):
        Exception.__init__(self, signum)
        self.signum = signum


def die_of(signum):
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def on_stop_signal(signum, _frame):
    if os.getpid() != MAIN_PID:
        # A forked child inherits this handler: it must just die of the
        # signal (no traceback, no cleanup of the parent's children).
        die_of(signum)
        return
    raise Interrupted(signum)


class OneLineParser(argparse.ArgumentParser):
    """Bad usage: one line on stderr, then exit 2 (the suite's contract)."""

    def error(self, message):
        sys.stderr.write("%s: %s\nTry '%s --help'.\n" % (self.prog, message, self.prog))
        sys.exit(2)

    def format_help(self):
        # "Usage:", as the C cases and the scripts write it (argparse: "usage:").
        text = argparse.ArgumentParser.format_help(self)
        return "Usage:" + text[len("usage:"):] if text.startswith("usage:") else text


class PrintVersion(argparse.Action):
    """--version: "PROG (gilbench) VERSION" on stdout, the C cases' format
    (Python 2's action="version" writes to stderr)."""

    def __init__(self, option_strings, dest, **kwargs):
        kwargs.update(nargs=0, help="show the version and exit")
        argparse.Action.__init__(self, option_strings, dest, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        print("%s (gilbench) %s" % (parser.prog, VERSION))
        sys.exit(0)


def whole(low, high):
    """An argparse type: an integer in [low, high]; 1e7 style accepted when
    it is whole."""
    def parse(text):
        value = None
        if re.match(r"^[0-9]+$", text):
            value = int(text)
        elif re.match(r"^[0-9]+(\.[0-9]*)?[eE]\+?[0-9]+$", text):
            f = float(text)
            if f == float("inf"):
                raise argparse.ArgumentTypeError("expected %d to %d, got '%s'" % (low, high, text))
            if f == int(f):
                value = int(f)
        if value is None:
            raise argparse.ArgumentTypeError("expected a whole number, got '%s'" % text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError("expected %d to %d, got '%s'" % (low, high, text))
        return value
    return parse


def positive(kind, low, high):
    """An argparse type: kind(text) (int or float) in [low, high]."""
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError("expected a number, got '%s'" % text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError("expected %s to %s, got %s" % (low, high, text))
        return value
    return parse


def die_with_parent(parent=None):
    """PR_SET_PDEATHSIG, so that no child outlives a killed parent; with
    parent (the pid that forked us), exit at once if it is already gone."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError, ImportError):
        pass
    if parent is not None and os.getppid() != parent:
        os._exit(1)   # the parent died before prctl took effect


def gil_state():
    """(gil_enabled, free_threaded): whether the GIL is on now, and whether
    this is a free-threaded build (PEP 703, Py_GIL_DISABLED), whose GIL is
    off unless PYTHON_GIL=1 or -X gil=1 turned it on, or an extension module
    that does not support running without it was imported.  Call it when the
    work is done: that last case switches the GIL on mid-run.  Python 2.7 and
    3.x before 3.13: (True, False)."""
    try:
        import sysconfig
        free_threaded = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    except ImportError:
        free_threaded = False
    return getattr(sys, "_is_gil_enabled", lambda: True)(), free_threaded


def process_age():
    """Seconds since this process started (its fork and exec: the
    interpreter's own start-up and the imports included), or None where
    there is no /proc.  From /proc/self/stat's starttime (field 22, in clock
    ticks since boot) and /proc/uptime, so good to a tick or two (10-20 ms).
    It lets a report say how much of a short run was start-up, which runs
    serially in every mode and so caps a row's speedup."""
    try:
        with open("/proc/self/stat") as f:
            stat = f.read()
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        after_name = stat[stat.rindex(")") + 2:].split()   # fields 3.. of proc(5)
        started = int(after_name[22 - 3]) / float(os.sysconf("SC_CLK_TCK"))
        return max(0.0, uptime - started)
    except (IOError, OSError, ValueError, IndexError):
        return None


def impl_name(free_threaded):
    """The interpreter as the tables name it: cpython-3.11.7, and with the
    free-threaded build's "t" (as in python3.13t) cpython-3.13.5t."""
    import platform
    return "%s-%s%s" % (platform.python_implementation().lower(),
                        platform.python_version(), "t" if free_threaded else "")


class StdoutFailed(Exception):
    """A write to stdout failed with errno; raised through main so that its
    finally blocks reap the children."""

    def __init__(self, err):
        Exception.__init__(self, err)
        self.errno = err


class CheckedStdout(object):
    """sys.stdout whose failed writes raise StdoutFailed, told apart from the
    other OSErrors (a socket's EPIPE is a failed run, not a reader gone).
    stream None: Python 3's sys.stdout when fd 1 was closed (>&-), where
    print() would drop the output silently; a write fails as C's does."""

    def __init__(self, stream):
        self.stream = stream

    def call(self, name, *args):
        if self.stream is None:
            raise StdoutFailed(errno.EBADF)
        try:
            return getattr(self.stream, name)(*args)
        except (IOError, OSError) as e:
            raise StdoutFailed(e.errno)
        except ValueError:   # a closed file object
            raise StdoutFailed(errno.EBADF)

    def write(self, text):
        return self.call("write", text)

    def flush(self):
        return self.call("flush")

    def __getattr__(self, name):
        return getattr(self.stream, name)


def stdout_failed(err):
    """After a failed write to stdout, the children already reaped: a reader
    gone dies of SIGPIPE without a word; anything else is one line, exit 1.
    os._exit: the interpreter's own flush at exit would fail again."""
    if err == errno.EPIPE:
        sys.stderr.flush()
        die_of(signal.SIGPIPE)
    sys.stderr.write("%s: cannot write to stdout: %s\n"
                     % (os.path.basename(sys.argv[0]),
                        os.strerror(err) if err else "write error"))
    sys.stderr.flush()
    os._exit(1)


def run(main):
    """Run main(argv) with the stop signals handled and stdout checked (its
    last flush included); exit with its status."""
    for stop in STOP_SIGNALS:
        if signal.getsignal(stop) != signal.SIG_IGN:
            signal.signal(stop, on_stop_signal)
    sys.stdout = CheckedStdout(sys.stdout)
    try:
        try:
            code = main(sys.argv[1:])
        except SystemExit as e:   # --help, --version, a usage error
            code = e.code
        sys.stdout.flush()
    except Interrupted as e:
        # The children were terminated and reaped on the way out; now die
        # of the signal, as a C program would.
        die_of(e.signum)
    except StdoutFailed as e:
        stdout_failed(e.errno)
    sys.exit(code)
