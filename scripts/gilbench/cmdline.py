"""The command-line prologue every gilbench command shares: its --version
line, its usage errors, and how it ends on a closed output.

Reads harness/harness.h (GILBENCH_VERSION) for the version; writes to stdout
and stderr only.  Usage errors raise SystemExit(2) after one line (and the
line that says how to get help) on stderr.
"""
import os
import sys
from typing import Callable, List, NoReturn

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def suite_version() -> str:
    """The suite's version, from harness/harness.h (GILBENCH_VERSION)."""
    try:
        with open(os.path.join(ROOT, "harness", "harness.h"), encoding="utf-8") as f:
            for line in f:
                if line.startswith("#define GILBENCH_VERSION"):
                    return line.split('"')[1]
    except OSError:
        pass
    return "unknown"


def version_line(name: str) -> str:
    """A command's --version line, in the binaries' format: NAME (gilbench) VERSION."""
    return "%s (gilbench) %s" % (name, suite_version())


def usage_error(name: str, message: str, script: str) -> NoReturn:
    """Bad usage: 'NAME: MESSAGE' and 'Try 'SCRIPT --help'.' on stderr, exit 2."""
    sys.stderr.write("%s: %s\nTry '%s --help'.\n" % (name, message, script))
    raise SystemExit(2)


def fail(name: str, message: str) -> int:
    """A failed run or write: 'NAME: MESSAGE' on stderr (one line); returns 1."""
    sys.stderr.write("%s: %s\n" % (name, " ".join(str(message).split())))
    return 1


def run(main: Callable[[List[str]], int], argv: List[str]) -> int:
    """main(argv)'s status; a reader that went away (a closed pipe) ends the
    command quietly with status 1, as a shell pipeline's writer would."""
    try:
        status = main(argv)
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        # Python flushes stdout again at exit; point it at /dev/null first.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
