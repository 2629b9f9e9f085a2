"""The lab handout (docs/lab/) with the answer key of one run: scripts/handout.sh (USAGE says what it does).

Reads a run's summary.csv, refcount.csv, convoy.csv, machine.json, lessons.json (scripts/lessons.sh, run as a
child, writes it first when the run has none) and raw/*.run.json, and the pages docs/lab/*.md; the answers
come from answerkey.  Writes RUN/handout/ (or --out=DIR) whole, each marker line "<!-- key ID -->" of a page
followed by its answer and "<!-- /key -->": staged beside it, then renamed.  main() raises nothing: exit 0
done, 1 an unreadable run or a failed write (one line on stderr), 2 bad usage (two lines).
"""
import json
import os
import shutil
import subprocess
import sys
from typing import Dict, List, Tuple

from .answerkey import Row, alt, answers, fill_page, joined, uniq
from .cmdline import ROOT, usage_error, version_line
from .files import publish_text
from .schema import read_table

NAME, SCRIPT = "handout", "scripts/handout.sh"
PAGES = os.path.join(ROOT, "docs", "lab")
USAGE = """Usage: scripts/handout.sh [--out=DIR] RUN_DIR     (make handout RUN=results/HOST-TIME)
       scripts/handout.sh --show=GROUP RUN_DIR
       scripts/handout.sh --newest=GROUP RESULTS_DIR

Write the lab handout (docs/lab/) with the answer key of one run: each
question's answer filled in from the run's own files (summary.csv,
refcount.csv, convoy.csv, machine.json, lessons.json, raw/*.run.json), the
machine and the date on top.  A question the run does not support (a group
not run, a failed row, a lesson that did not hold) says so.

Options:
  --out=DIR       where to write the pages (default: RUN_DIR/handout)
  --show=GROUP    print the rows of one bench group (e.g. count-2, refcount,
                  convoy) with the columns the handout's questions read
  --newest=GROUP  print the newest run folder under RESULTS_DIR (newest by
                  modification time, as ls -t) whose summary.csv has rows of
                  GROUP; exit 1 when none has
  --help, --version

Exit status: 0 written; 1 an unreadable run or a failed write; 2 bad usage.
"""
# The columns --show prints: summary.csv's, then refcount.csv's or convoy.csv's.
SHOW = ("experiment impl tasks workers param median_s rel_spread speedup status".split(),
        "runs runs_with_loss lost_median lost_max ns_per_op ok".split(),
        "runs alone_per_s contended_per_s slowdown slowdown_min slowdown_max pin waited_0_share waited_1_share"
        " waited_2_share".split())


class Failed(Exception):
    """A run that cannot be read or a key that cannot be written: exit 1."""


def tables(run: str) -> Tuple[List[Row], Dict[str, Row], Dict[str, Row]]:
    """summary.csv's rows, refcount.csv's and convoy.csv's by experiment; an empty field None."""
    rows = [[{k: (v if v != "" else None) for k, v in r.items()} for r in read_table(os.path.join(run, f))]
            for f in ("summary.csv", "refcount.csv", "convoy.csv")]
    return rows[0], {str(r.get("experiment")): r for r in rows[1]}, {str(r.get("experiment")): r for r in rows[2]}


def load_json(path: str) -> object:
    """A JSON file's value; None when it holds only blanks."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return json.loads(text) if text.strip() else None


def load_object(path: str, why: str, key: str = "") -> dict:
    """A JSON file's object (whose key, if given, is a list); Failed(why) when it is none."""
    try:
        obj = load_json(path)
    except (OSError, ValueError):
        obj = None
    if not isinstance(obj, dict) or key and not isinstance(obj.get(key), list):
        raise Failed(why)
    return obj


def raw_reports(run: str) -> Dict[str, object]:
    """Every raw/ID.run.json of the run as {ID: report}; {} and a warning when one is not JSON."""
    raw = os.path.join(run, "raw")
    names = sorted(n for n in os.listdir(raw) if n.endswith(".run.json") and n[0] != ".") if os.path.isdir(raw) else []
    try:
        return {n[:-len(".run.json")]: load_json(os.path.join(raw, n)) for n in names}  # a blank one: None, as missing
    except (OSError, ValueError):
        sys.stderr.write("handout: a report in %s/raw/ is not JSON: the answers that read one say so\n" % run)
        return {}


def check_run(run: str) -> dict:
    """A complete run's machine.json (RUN holds summary.csv and machine.json, a JSON object)."""
    if not os.path.isdir(run):
        usage_error(NAME, "no such run folder: '%s'" % run, SCRIPT)
    for f in ("summary.csv", "machine.json"):
        if not os.path.isfile(os.path.join(run, f)) or not os.access(os.path.join(run, f), os.R_OK):
            raise Failed("cannot read %s/%s: not a complete gilbench run" % (run, f))
    return load_object(os.path.join(run, "machine.json"), "%s/machine.json is not a JSON object" % run)


def show(summary: List[Row], refcount: Dict[str, Row], convoy: Dict[str, Row], group: str) -> List[str]:
    """--show=GROUP's lines: the group's rows in aligned columns, "-" for an empty cell."""
    rows = [r for r in summary if r.get("group") == group]
    if not rows:
        raise Failed("no rows of group '%s' in this run (groups: %s)" % (group, joined(uniq([r.get("group") for r in summary]), " ")))
    cells = []
    for r in rows:
        d = {k: r.get(k) for k in SHOW[0]}
        for more, cols in ((refcount, SHOW[1]), (convoy, SHOW[2])):
            d.update({k: more[str(r.get("experiment"))].get(k) for k in cols} if str(r.get("experiment")) in more else {})
        cells.append(d)
    cols = [k for k in uniq([k for d in cells for k in d]) if any(d.get(k) is not None for d in cells)]
    grid = [cols] + [[str(alt(d.get(k), "-")) for k in cols] for d in cells]  # type: ignore[misc]
    width = [max(len(line[i]) for line in grid) for i in range(len(cols))]
    return ["  ".join(c.ljust(w) for c, w in zip(line, width)).rstrip(" ") for line in grid]


def newest(results: str, group: str) -> str:
    """The newest folder under results (by modification time) whose summary.csv has rows of group."""
    with os.scandir(results) as it:
        dirs = sorted(((e.stat(follow_symlinks=False).st_mtime_ns, e.path) for e in it if e.is_dir(follow_symlinks=False)), reverse=True)
    for _, d in dirs:
        try:
            if os.access(os.path.join(d, "summary.csv"), os.R_OK) and any(
                    r.get("group") == group for r in read_table(os.path.join(d, "summary.csv"))):
                return d + "/"
        except (OSError, ValueError):
            continue
    raise Failed("no run under %s has rows of group '%s' (run make bench QUICK=1)" % (results, group))


def write_key(run: str, out: str) -> List[str]:
    """Write the handout with the run's answer key to out; the pages' paths."""
    machine = check_run(run)
    if not os.access(os.path.join(run, "lessons.json"), os.R_OK):
        sys.stderr.write("handout: %s has no lessons.json; checking the lessons first (scripts/lessons.sh)\n" % run)
        sys.stderr.flush()
        if subprocess.call(["bash", os.path.join(ROOT, "scripts", "lessons.sh"), run], stdout=subprocess.DEVNULL) != 0:
            raise Failed("cannot check the lessons of %s" % run)
    lessons = load_object(os.path.join(run, "lessons.json"), "%s/lessons.json has no lessons: not written by scripts/lessons.sh" % run,
                          "lessons")
    raw = raw_reports(run)
    # The run's page, linked from the key relative to the pages; not a bundle's, whose unpacked copy goes away.
    report = ""
    if os.path.isfile(os.path.join(run, "report.html")) and not os.environ.get("GILBENCH_FROM_BUNDLE"):
        report = os.path.relpath(os.path.realpath(os.path.join(run, "report.html")), os.path.realpath(out))
    try:
        ctx = dict(zip(("summary", "refcount", "convoy"), tables(run)), run=os.path.basename(run.rstrip("/")) or run[:1],
                   machine=machine, lessons=lessons, raw=raw)
        key = answers(ctx, report)
    except (OSError, ValueError, TypeError, AttributeError, KeyError):
        raise Failed("cannot work out the answers of %s" % run) from None
    pages = {}
    for name in sorted(n for n in os.listdir(PAGES) if n.endswith(".md") and n[0] != "."):
        try:
            with open(os.path.join(PAGES, name), encoding="utf-8") as f:
                text = f.read()
            pages[name] = fill_page(text, key)
        except (OSError, ValueError) as e:
            raise Failed("cannot fill in docs/lab/%s: %s" % (name, e)) from None
        if "<!-- key run -->" not in text.split("\n"):
            raise Failed("docs/lab/%s has no '<!-- key run -->' line" % name)
    parent = os.path.dirname(out.rstrip("/")).rstrip("/") or ("/" if out.startswith("/") else ".")
    try:
        os.makedirs(parent, exist_ok=True)
    except OSError as e:
        sys.stderr.write("mkdir: cannot create directory '%s': %s\n" % (e.filename, e.strerror))  # as mkdir -p said
        raise Failed("cannot create %s" % parent) from None
    staged = "%s.new.%d" % (out, os.getpid())  # then the old key goes, and the new one takes its name
    try:
        os.mkdir(staged)
        for name, text in pages.items():
            publish_text(os.path.join(staged, name), text)
        if os.path.isdir(out) and not os.path.islink(out):
            shutil.rmtree(out)
        elif os.path.lexists(out):
            os.unlink(out)
        os.rename(staged, out)
    except OSError:
        shutil.rmtree(staged, ignore_errors=True)
        raise Failed("cannot write %s" % out) from None
    return ["%s/%s" % (out, name) for name in pages]


def main(argv: List[str]) -> int:
    """scripts/handout.sh's command line; the exit status."""
    opts, runs, words = {"--out": "", "--show": "", "--newest": ""}, [], list(argv)
    while words:
        w = words.pop(0)
        opt, _, value = w.partition("=")
        if w in ("--help", "--version"):
            sys.stdout.write(USAGE if w == "--help" else version_line(NAME) + "\n")
            return 0
        if opt in opts and value:
            opts[opt] = value
        elif w == "--":
            if words and (runs or len(words) > 1):
                usage_error(NAME, "one run folder, got more", SCRIPT)
            runs, words = runs + words, []
        elif w.startswith("-") and w != "-":
            usage_error(NAME, "unknown option '%s'" % w, SCRIPT)
        elif runs:
            usage_error(NAME, "one run folder, got '%s' and '%s'" % (runs[0], w), SCRIPT)
        else:
            runs.append(w)
    run, (out, group, new) = (runs or [""])[0], opts.values()
    for wrong, message in ((not run, "RUN= is required: make handout RUN=results/HOST-TIME"),
                           (group and out, "--show and --out do not go together"),
                           (new and (group or out), "--newest goes alone with a results folder")):
        if wrong:
            usage_error(NAME, message, SCRIPT)
    folder = run[:-1] if run.endswith("/") else run
    try:
        if new:
            if not os.path.isdir(folder):
                usage_error(NAME, "no such results folder: '%s'" % folder, SCRIPT)
            print(newest(folder, new))
        elif group:
            check_run(run)
            try:
                lines = show(*tables(run), group)
            except (OSError, ValueError):
                raise Failed("cannot read %s/summary.csv" % run) from None
            sys.stdout.write("".join(line + "\n" for line in lines))
        else:
            sys.stdout.write("".join(p + "\n" for p in write_key(folder, out or folder + "/handout")))
    except Failed as e:
        sys.stderr.write("handout: %s\n" % e)  # not cmdline.fail: a path's own spaces stay as they are
        return 1
    return 0
