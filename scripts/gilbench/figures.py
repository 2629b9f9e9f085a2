"""plots (scripts/plots.sh): draw the figures of a stored run as PNG, SVG and
PDF, or the count-2 speedup as ASCII art in the terminal.

Reads the figure table (scripts/plots/figures.txt), RUN/machine.json for the
caption, and what each data step of figdata reads.  Writes each figure's data
and drawing (gnuplot, scripts/plots/*.gp) into a temporary folder; when every
figure is whole, copies NAME.png/.svg/.pdf into the out folder (a temporary
name, checked, renamed), printing each path, then writes the run's page
(report.write_report), its path printed last.  Exit 0; 1 a failed draw, copy
or page (a line on stderr); 2 bad usage.  On SIGINT or SIGTERM the temporary
folder is removed and the command dies of that signal.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
from typing import Dict, List, Optional

from . import report
from .cmdline import ROOT, usage_error, version_line
from .figdata import STEPS, speedup_bars
from .files import is_complete, publish_text
from .runfiles import figure_table

PROG, SCRIPT = "plots", "scripts/plots.sh"
GP_DIR = os.path.join(ROOT, "scripts", "plots")
USAGE = """Usage: scripts/plots.sh RUN_DIR [--out DIR] [--report FILE]
       scripts/plots.sh --terminal RUN_DIR
       scripts/plots.sh --help | --version

Draw the figures of a stored run (a folder written by make bench).

  RUN_DIR          the run folder, e.g. results/HOST-TIME; needs summary.csv,
                   uses machine.json, refcount.csv, convoy.csv and
                   raw/trace-gil-{new,old}.csv when present
  --out DIR        where to write (default: plots/<name of RUN_DIR>/)
  --report FILE    the run's page, the figures inline (default: RUN_DIR/report.html,
                   or DIR/report.html with --out DIR)
  --terminal       draw the count-2 speedup in the terminal, write nothing
  --help           show this help
  --version        print the version

Figures, each as NAME.png, .svg and .pdf (a row each of the figure table,
scripts/plots/figures.txt):
%s.
A figure without data in the run is skipped (a note on stderr); failed
experiments are left out.  Then writes the run's page (report.html: the
lessons, the tables and these figures, python3 -m gilbench report).  Prints
each path written; a page that cannot be written is exit 1.
"""


class Failed(Exception):
    """The command fails: its message, one line after 'plots: '."""


class Stopped(BaseException):
    """SIGINT or SIGTERM (no except clause for errors catches it)."""


def note(message: str) -> None:
    sys.stderr.write("%s: %s\n" % (PROG, message))
    sys.stderr.flush()


def basename(path: str) -> str:
    """basename(1): the last part of path, trailing slashes dropped."""
    return os.path.basename(path.rstrip("/")) or path[:1]


def locale_out(args: List[str], env: Optional[Dict[str, str]] = None) -> str:
    try:
        return subprocess.run(["locale"] + args, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              universal_newlines=True).stdout
    except OSError:
        return ""


def terminal_utf8() -> bool:
    """The user's terminal takes UTF-8: the charmap of their locale says so,
    or its name does (one not installed here too); else the chart is ASCII.
    Their locale is the one this process started with (/proc/self/environ):
    Python coerces a C locale to C.UTF-8 in its own environment (PEP 538)."""
    try:
        with open("/proc/self/environ", "rb") as f:
            env = dict(os.fsdecode(kv).split("=", 1) for kv in f.read().split(b"\0") if b"=" in kv)
    except OSError:
        env = dict(os.environ)
    name = env.get("LC_ALL") or env.get("LC_CTYPE") or env.get("LANG") or ""
    return locale_out(["charmap"], env).rstrip("\n") == "UTF-8" or re.search("[Uu][Tt][Ff]-?8", name) is not None


def caption(run: str) -> List[str]:
    """[caption, usable CPUs]: "host · cpu · N cores · date UTC" from
    machine.json ("unknown" for a missing part), the usable CPUs ("0" when
    unknown; online_cpus in a run from before usable_cpus)."""
    try:
        with open(os.path.join(run, "machine.json"), encoding="utf-8") as f:
            m = json.load(f)
        m = {} if m is None else m
        # jq's A // B: B where A is null or false; jq -r's text of a value.
        pick = lambda *vs: next(v for v in vs if v is not None and v is not False)  # noqa: E731
        host, cpu, online, usable, date = (v if isinstance(v, str) else json.dumps(v) for v in (
            pick(m.get("hostname"), "unknown"), pick(m.get("cpu_model"), "unknown"), pick(m.get("online_cpus"), 0),
            pick(m.get("usable_cpus"), m.get("online_cpus"), 0), pick(m.get("date_utc"), "unknown")))
    except (OSError, ValueError, AttributeError):
        note("no readable machine.json in %s: captions say 'unknown machine'" % run)
        return ["unknown machine · " + basename(run), "0"]
    date = date.replace("T", " ", 1)
    date = date[:date.rindex(":")] if date.endswith("Z") and ":" in date else date  # no seconds
    cpus = online + " cores" if usable == online else "%s of %s CPUs usable" % (usable, online)
    return ["%s · %s · %s · %s UTC" % (host, cpu, cpus, date), usable if re.fullmatch("[0-9]+", usable) else "0"]


def gp_setup(args: List[str]) -> str:
    """gnuplot's -e line of variables: VAR=TEXT as a quoted string, VAR:=NUMBER as it is."""
    def one(arg: str) -> str:
        if ":=" in arg:
            return "%s=%s" % tuple(arg.split(":=", 1))
        var, eq, text = arg.partition("=")
        return "%s='%s'" % (var, (text if eq else arg).replace("'", "''"))
    return "; ".join(map(one, args))


class Drawing:
    """A run's figures, drawn into a temporary folder (work)."""

    def __init__(self, run: str, work: str) -> None:
        self.run, self.work, self.drawn = run, work, []  # type: str, str, List[str]
        self.caption, self.cores = caption(run)
        utf8 = any(re.fullmatch("c\\.utf-?8", n, re.I) for n in locale_out(["-a"]).split("\n"))
        # Numbers are drawn with "." whatever the user's locale; C.UTF-8 keeps the labels' UTF-8.
        self.env = dict(os.environ, LC_ALL="C.UTF-8" if utf8 else "C")

    def draw(self, script: str, name: str, formats: str, args: List[str]) -> None:
        """One gnuplot script, its output in WORK/out/NAME.*; fails on a gnuplot
        error or a file it did not write whole (cairo exits 0 on a full disk)."""
        out = os.path.join(self.work, "out", name)
        setup = gp_setup(["dir=" + GP_DIR, "out=" + out, "formats=" + formats, "sub=" + self.caption] + args)
        sys.stdout.flush()
        done = subprocess.run(["gnuplot", "-e", setup, os.path.join(GP_DIR, script)], stderr=subprocess.PIPE, env=self.env)
        sys.stderr.buffer.write(done.stderr)
        sys.stderr.flush()
        if done.returncode != 0:
            raise Failed("gnuplot failed drawing %s" % name)
        for fmt in formats.split():
            if fmt != "dumb" and not is_complete("%s.%s" % (out, fmt)):
                raise Failed("gnuplot did not write %s.%s completely in %s (disk full?); nothing was published"
                             % (name, fmt, self.work))
        self.drawn.append(name)

    def figure(self, row: Dict[str, str]) -> None:
        """One row of the figure table: its data step's variables go to
        gnuplot first, then the row's own, {NAME} in them and in the title
        filled in from the data step's (and CORES)."""
        name, step = row["figure"], row["data"].split()
        path = os.path.join(self.work, name + ".tsv")
        if step[0] not in STEPS:
            raise Failed("the figure table: %s: no data step %s in figdata.py" % (name, step[0]))
        try:
            meta = STEPS[step[0]](self.run, path, *step[1:])
        except (OSError, ValueError, ArithmeticError) as e:
            note(" ".join(str(e).split()))
            raise Failed("could not prepare the data of %s" % name)
        known = {"CORES": self.cores}
        for line in meta:
            var, _, value = line.partition("=")
            if var == "skip":
                return note("skipping %s: %s" % (name, value))
            known[var[:-1] if var.endswith(":") else var] = value

        def fill(text: str) -> str:
            for key, value in known.items():
                text = text.replace("{%s}" % key, value)
            return text
        extra = [fill(v.strip()) for v in row["variables"].split(";") if v.strip()]
        self.draw(row["gnuplot"], name, "png svg pdf", ["data=" + path, "ttl=" + fill(row["title"])] + meta + extra)

    def terminal(self, utf8: bool) -> None:
        """The count-2 speedup as ASCII bars on stdout (x for ×, - for · on
        a terminal that is not UTF-8)."""
        path = os.path.join(self.work, "terminal.tsv")
        meta = speedup_bars(self.run, path, "count-2", "count-2-cpython")
        if any(line.startswith("skip=") for line in meta):
            raise Failed("no ok count-2 rows in %s/summary.csv: nothing to draw" % self.run)
        if not utf8:
            with open(path, encoding="utf-8") as f:
                text = f.read()
            publish_text(path, text.replace("×", "x").replace("·", "-"))
            self.caption = self.caption.replace("·", "-")
        self.draw("bars.gp", "terminal", "dumb", ["data=" + path] + meta +
                  ["ttl=count, 2 tasks: speedup over seq (higher is better)", "xtitle=speedup"])

    def publish(self, out: str) -> None:
        """Every drawn file checked, then copied into out, its path printed."""
        names = ["%s.%s" % (n, ext) for n in self.drawn for ext in ("png", "svg", "pdf")]
        for name in names:
            if not is_complete(os.path.join(self.work, "out", name)):
                raise Failed("gnuplot did not write %s completely in %s (disk full?); nothing was published" % (name, self.work))
        try:
            os.makedirs(out, exist_ok=True)
        except OSError as e:
            raise Failed("cannot create %s: %s" % (out, e.strerror))
        for name in names:
            src, dst, tmp = os.path.join(self.work, "out", name), out + "/" + name, out + "/." + name + ".partial"
            try:
                shutil.copyfile(src, tmp)
                if not is_complete(tmp, dst):
                    raise OSError(0, "not written completely (disk full?); the old one, if any, is kept")
                os.replace(tmp, dst)
            except OSError as e:
                if os.path.exists(tmp):
                    os.unlink(tmp)
                note("cannot copy %s to %s: %s" % (src, dst, e.strerror))
                raise Failed("publishing stopped at %s; the files printed before it are complete" % name)
            print(dst, flush=True)


def write_page(run: str, page: str, plots: str) -> None:
    """The run's page, the figures in plots inline, its path on stdout; fails
    when it cannot be written or has none of the run's figures (a note of
    some of them missing goes to stderr, as python3 -m gilbench report says it)."""
    try:
        done = report.write_report(run, page, plots)
    except (OSError, ValueError, KeyError) as e:
        raise Failed("the run's page: gilbench: " + " ".join(str(e).split()))
    missing, expected = done.get("missing_figures") or [], done.get("expected_figures") or 0
    if missing and isinstance(missing, list) and isinstance(expected, int):
        line = ("gilbench: report: warning: %d of the %d figures of this run %s not in '%s' (%s); the page says so%s"
                % (len(missing), expected, "is" if len(missing) == 1 else "are", done.get("plots"), " ".join(missing),
                   ": it has none of them" if len(missing) == expected else ""))
        if len(missing) == expected:
            raise Failed("the run's page: " + line)
        sys.stderr.write(line + "\n")
    print(done["report"])


def options(argv: List[str]) -> Optional[Dict[str, str]]:
    """The command line (as plots.sh read it); None after --help or --version."""
    o = {"run": "", "out": "", "report": "", "out_given": "", "terminal": ""}
    words, runs = list(argv), 0
    while words:
        arg = words.pop(0)
        if arg in ("--help", "-h"):
            names = " ".join(row["figure"] for row in figure_table())
            print(USAGE % textwrap.fill(names, 71, break_on_hyphens=False), end="")
            return None
        if arg == "--version":
            print(version_line(PROG))
            return None
        key = arg[2:].split("=", 1)[0]
        if arg == "--terminal":
            o["terminal"] = "1"
        elif key in ("out", "report") and arg.startswith("--"):
            o[key] = arg.split("=", 1)[1] if "=" in arg else words.pop(0) if words else ""
            o["out_given"] = o["out_given"] or ("1" if key == "out" else "")
            if key == "report" and not o[key]:
                usage_error(PROG, "--report: expected a file", SCRIPT)
        elif arg.startswith("-"):
            usage_error(PROG, "unknown option '%s'" % arg, SCRIPT)
        elif runs:
            usage_error(PROG, "one RUN_DIR only, got '%s' and '%s'" % (o["run"], arg), SCRIPT)
        else:
            o["run"], runs = arg, 1
    run = o["run"]
    for bad, message in ((o["out_given"] and not o["out"], "--out: expected a folder"),
                         (not run, "RUN= is required: make plots RUN=results/HOST-TIME"),
                         (not os.path.isdir(run), "no such run folder: '%s'" % run),
                         (not os.path.isfile(os.path.join(run, "summary.csv")), "'%s' has no summary.csv: not a run folder" % run),
                         (o["terminal"] and o["out"], "--out and --terminal do not go together"),
                         (o["terminal"] and o["report"], "--report and --terminal do not go together")):
        if bad:
            usage_error(PROG, message, SCRIPT)
    return o


def main(argv: List[str]) -> int:
    o = options(argv)
    if o is None:
        return 0
    if not shutil.which("gnuplot"):
        note("gnuplot is not installed (make deps installs it)")
        return 1
    run, out = o["run"], o["out"] or os.path.join(ROOT, "plots", basename(o["run"]))
    # A bundle's unpacked copy goes away (bundle.sh with): its page goes with the figures.
    page = o["report"] or (out if o["out_given"] or os.environ.get("GILBENCH_FROM_BUNDLE") else run) + "/report.html"

    def stop(signum: int, frame: object) -> None:
        raise Stopped(signum)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, stop)
    work = ""
    try:
        work = tempfile.mkdtemp(prefix="tmp.")
        os.mkdir(os.path.join(work, "out"))
        d = Drawing(run, work)
        if o["terminal"]:
            d.terminal(terminal_utf8())
            return 0
        for row in figure_table():
            d.figure(row)
        if not d.drawn:
            raise Failed("nothing to draw in %s: no ok rows the figures use" % run)
        d.publish(out)
        write_page(run, page, out)
        return 0
    except Stopped as e:  # die of the signal, once the temporary folder is gone
        shutil.rmtree(work, ignore_errors=True)
        signal.signal(e.args[0], signal.SIG_DFL)
        os.kill(os.getpid(), e.args[0])
        return 1
    except Failed as e:
        note(str(e))
        return 1
    except OSError as e:
        note(" ".join(str(e).split()))
        return 1
    finally:
        if work:
            shutil.rmtree(work, ignore_errors=True)
