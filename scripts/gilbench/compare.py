"""compare: runs from several machines (or back-to-back runs on one) side by
side, from 2 to a class of 40 (scripts/compare.sh; make compare).

Reads run folders or their bundles (opened by bundle.open_bundle), through comparedata.  Writes,
in a folder beside OUT that is renamed to OUT when every file is whole (or
whose files are moved into an existing OUT): ratios.csv (every row on every
machine, with the machine's details), ratios.md, compare-GROUP.{png,svg,pdf}
per group with data (the figure data in a temporary folder, drawn by gnuplot
with scripts/compare/*.gp) and compare.html (comparepage).  Prints each run's
size, the count-2 and fetch ratios, the agreement line and the paths
written.  Exit 0 written, 1 a failure or a damaged bundle, 2 bad usage.

Why the figures plot speedup and not time: a time says how fast the CPU is, a
speedup over seq on the same machine what the GIL (or the cores) did, and
that compares across machines.  Groups without a seq baseline plot time;
convoy its slowdown (convoy.csv) when every run has one.  A few runs are
overlaid (bars, lines); more get one row per machine (rows.gp).
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from typing import Any, Dict, List, Optional, Tuple

from . import comparepage
from .bundle import Damaged, is_bundle, open_bundle
from .cmdline import ROOT, usage_error, version_line
from .comparedata import Refused, anum, isnum, join, machines, plot_data
from .files import is_complete, publish_text
from .schema import ratio_text, read_table, write_table

PROG, SCRIPT = "compare", "scripts/compare.sh"
LIB, COMMON_GP = os.path.join(ROOT, "scripts", "compare"), os.path.join(ROOT, "scripts", "plots", "common.gp")
# Columns of summary.csv compare reads.
NEEDED = "case impl group experiment mode label tasks workers param median_s speedup status".split()
HEADLINE = ("count-2", "fetch")  # groups whose ratios are printed: the suite's two lessons
OVERLAY_MAX = 4  # up to this many runs are overlaid in one plot; more get one row each
META = "host cpu_model online_cpus usable_cpus cpu_quota governor compiler python date_utc fabricated size".split()
# ratios.csv of a comparison: one line per row and machine.
RATIOS = "group case impl label mode tasks param machine run workers median_s speedup slowdown ratio".split() + META
USAGE = """\
Usage: scripts/compare.sh [--out DIR] [--tolerance PCT] [--layout L] RUN RUN [RUN...]
       make compare RUNS="results/A results/B.tar.gz ..." [OUT=DIR] [TOLERANCE=PCT]

Put runs side by side: run folders (each with summary.csv and machine.json) or their bundles
(make pack).  The first run is the reference: every other run's median time is divided by
its median for the same row.

Options:
  --out DIR          where to write (default: plots/compare-<UTC timestamp>/ in the repository)
  --tolerance PCT    rows whose ratio is within +-PCT % of 1 count as agreeing (default: 10)
  --layout L         overlay (the runs in one plot), rows (one row per machine) or auto
                     (default: overlay up to 4 runs, rows from 5)
  -h, --help         print this help and exit
  --version          print the version and exit

Writes ratios.csv (every row on every machine, one line each, with the machine's CPU model,
CPUs, quota, governor, compiler, Python), ratios.md, compare-<group>.{png,svg,pdf} for
each group with data, and compare.html: one page with the agreement line, the machines, the
rows that differ most and every figure inline (open it in a browser).  Prints the count-2 and fetch ratios, an agreement line and the paths
written.  A row missing or failed in a run shows as "-" and is left out of the agreement.
Exit 0 when the report is written (whether or not the runs agree), 1 on a failure or a
damaged bundle, 2 on bad usage.
"""
EXPECTS = {"--out": "a folder", "--tolerance": "a percentage", "--layout": "overlay, rows or auto"}


def bpad(s: str, w: int, left: bool = True) -> str:
    """s padded with spaces to w bytes (awk's printf counts bytes)."""
    fill = " " * max(0, w - len(s.encode()))
    return s + fill if left else fill + s


def parse(argv: List[str]) -> Optional[Tuple[Dict[str, str], List[str]]]:
    """The options (out, tolerance, layout) and the runs as given; None after --help or --version."""
    o, sources, i = {"out": "", "tolerance": "10", "layout": "auto"}, [], 0
    while i < len(argv):
        a = argv[i]
        name, eq, value = a.partition("=")
        if a in ("-h", "--help", "--version"):
            sys.stdout.write(USAGE if a != "--version" else version_line(PROG) + "\n")
            return None
        if a in EXPECTS:
            if i + 1 == len(argv):
                usage_error(PROG, "%s: expected %s" % (a, EXPECTS[a]), SCRIPT)
            o[a[2:]], i = argv[i + 1], i + 2
            continue
        if eq and name in EXPECTS:
            o[name[2:]] = value
        elif a == "--":
            sources += argv[i + 1:]
            break
        elif a.startswith("-") and len(a) > 1:
            usage_error(PROG, "unknown option '%s'" % a, SCRIPT)
        else:
            sources.append(a)
        i += 1
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)?", o["tolerance"]):
        usage_error(PROG, "--tolerance: expected a percentage such as 10, got '%s'" % o["tolerance"], SCRIPT)
    if o["layout"] not in ("overlay", "rows", "auto"):
        usage_error(PROG, "--layout: expected overlay, rows or auto, got '%s'" % o["layout"], SCRIPT)
    if len(sources) < 2:
        usage_error(PROG, 'RUNS= needs two or more run folders: make compare RUNS="results/A results/B"' if not sources else
                    "needs two or more run folders, got only '%s': make compare RUNS=\"results/A results/B\"" % sources[0], SCRIPT)
    if o["out"] and os.path.exists(o["out"]) and not os.path.isdir(o["out"]):
        usage_error(PROG, "--out: '%s' exists and is not a folder" % o["out"], SCRIPT)
    for src in sources:
        if not os.path.exists(src):
            usage_error(PROG, "%s: no such run folder or bundle" % src, SCRIPT)
        if not os.path.isdir(src) and not is_bundle(src):
            usage_error(PROG, "%s: not a run folder or a bundle (*.tar.gz)" % src, SCRIPT)
    return o, sources


def check_run(run: str, source: str) -> None:
    """run is a run folder with summary.csv (with compare's columns) and machine.json."""
    missing = [f for f in ("summary.csv", "machine.json") if not os.path.isfile(os.path.join(run, f))]
    if missing:
        raise Refused("%s: not a run folder, no %s" % (source, " ".join(missing)), 2)
    try:
        with open(os.path.join(run, "summary.csv"), "rb") as f:
            header = f.readline().rstrip(b"\n").decode("utf-8", "replace").replace('"', "").replace("\r", "")
    except OSError:
        header = ""
    for col in NEEDED:
        if col not in header.split(","):
            raise Refused("%s: summary.csv: the header lacks column '%s'" % (source, col), 2)


def report(ms: List[Dict[str, str]], rows: List[Dict[str, str]], tol: str, ref: str, wide: bool) -> Dict[str, Any]:
    """ratios.csv's rows; ratios.md's head, its wide table (one column per
    machine) and its agreement line; the lines for stdout."""
    n, ids = len(ms), [m["id"] for m in ms]
    w = max(8, max(len(i) + 2 for i in ids))
    rw = max(8, max(len(i + "/" + ids[0]) + 2 for i in ids[1:]))
    out, wides, heads = [], [], []
    counted = agreeing = 0
    worst, worstq, worstname, worstrow = 0.0, 0.0, "", ""
    for at in range(0, len(rows), n):
        rs = rows[at:at + n]
        v = [x["value"] for x in rs]
        kind, g, lab, p = rs[-1]["kind"], rs[-1]["group"], rs[-1]["label"], rs[-1]["param"]
        ok1 = isnum(v[0]) and anum(v[0]) > 0
        ratio = lambda i, d: "%.*f" % (d, anum(v[i]) / anum(v[0])) if ok1 and isnum(v[i]) else "-"  # noqa: E731
        shown = lambda x: "-" if not isnum(x) else ratio_text(anum(x)) + "x" if kind == "slowdown" else "%.3f" % anum(x)  # noqa: E731
        for i, (x, m) in enumerate(zip(rs, ms)):
            q = ratio(i, 3)
            out.append(dict({c: x[c] for c in RATIOS[:7]}, machine=m["id"], run=m["name"], ratio=q if q != "-" else "",
                            **{c: x[c] if isnum(x[c]) else "" for c in ("workers", "median_s", "speedup", "slowdown")},
                            **{c: m[c] for c in META}))
        workers: List[str] = []
        for x in rs:
            if isnum(x["workers"]) and "/%s/" % x["workers"] not in "/%s/" % "/".join(workers):
                workers.append(x["workers"])
        if wide:
            wides.append("| %s | %s | %s | %s | %s |" % (g, lab, rs[-1]["tasks"], "/".join(workers), p)
                         + "".join(" %s |" % shown(x) for x in v) + "".join(" %s |" % ratio(i, 2) for i in range(1, n)))
        if g in HEADLINE:
            h = bpad(g, 9) + bpad(lab + (" " + p if p else ""), 12)
            if wide:
                h += "".join(bpad(shown(x), w, False) for x in v) + "".join(bpad(ratio(i, 2), rw, False) for i in range(1, n))
            else:
                # Many machines: the spread of the ratios, and where its ends are.
                qs = [(float(ratio(i, 3)), ids[i]) for i in range(1, n) if ratio(i, 3) != "-"]
                lo, hi = min(qs, key=lambda t: t[0]) if qs else None, max(qs, key=lambda t: t[0]) if qs else None
                s, nq = sorted(q for q, _ in qs), len(qs)
                h += ("%.2f (%s) .. %.2f .. %.2f (%s)" % (lo[0], lo[1], s[nq // 2] if nq % 2 else (s[nq // 2 - 1] + s[nq // 2]) / 2,
                                                           hi[0], hi[1]) if qs else "no other machine has this row")
            heads.append(h)
        if not ok1 or not all(isnum(x) for x in v):
            continue
        counted += 1
        within = True
        for i in range(1, n):
            q = anum(v[i]) / anum(v[0])
            dev = q if q >= 1 else 1 / q if q else float("inf")
            within = within and not ((q - 1) * 100 > float(tol) + 1e-9 or (1 - q) * 100 > float(tol) + 1e-9)
            if dev > worst:
                worst, worstq, worstname, worstrow = dev, q, ids[i], g + " " + lab + (" (" + p + ")" if p else "")
        agreeing += within
    md = lambda s: s.replace("|", "\\|")  # noqa: E731
    head = ["# gilbench compare", "", "Ratio = median time on a machine / median time on **%s** (`%s`); \"-\" = the row is"
            % (md(ms[0]["label"]), md(ref)),
            "missing or failed there; convoy rows compare their slowdown.  Times compare CPUs; to compare",
            "what the GIL does, look at the speedups in the compare-*.png figures.  ratios.csv has every",
            "row on every machine, one line each, with the machine's details.", "",
            "| machine | host | run | CPU | online | usable | quota | governor | compiler | Python | date (UTC) | size | note |",
            "|---|---|---|---|--:|--:|--:|---|---|---|---|---|---|"]
    head += ["| %s | %s | `%s` | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
        md(m["label"]), md(m["host"]), md(m["source"]), md(m["cpu_model"]), m["online_cpus"], m["usable_cpus"],
        m["cpu_quota"], md(m["governor"]), md(m["compiler"]), md(m["python"]), m["date_utc"], md(m["size"]),
        "**fabricated**" if m["fabricated"] == "true" else "") for m in ms]
    table = ("| group | label | tasks | workers | param |" + "".join(" %s (s) |" % md(m["label"]) for m in ms)
             + "".join(" %s / %s |" % (md(i), md(ids[0])) for i in ids[1:]) + "\n|---|---|--:|--:|--:|" + "--:|" * (2 * n - 1)
             + "\n" + "".join(r + "\n" for r in wides) + "\n")
    sizes = [m["size"] for m in ms]
    # Each run's size: a few runs or runs of different sizes one by one, else the one size they share.
    lines = ["# run sizes: all %d runs %s" % (n, sizes[0]) if len(set(sizes)) == 1 and not wide else
             "# run sizes:" + ",".join(" %s %s" % (i, s) for i, s in zip(ids, sizes))]
    if heads and wide:
        lines += ["# median seconds (convoy: slowdown); ratio = median / median on " + ids[0],
                  bpad("group", 9) + bpad("label", 12) + "".join(bpad(i, w, False) for i in ids)
                  + "".join(bpad(i + "/" + ids[0], rw, False) for i in ids[1:])]
    elif heads:
        lines += ["# ratio = median / median on %s, over the other %d machines: lowest .. median .. highest" % (ids[0], n - 1),
                  bpad("group", 9) + bpad("label", 12) + "ratios"]
    agree = "agreement: %d of %d rows within \u00b1%s%% of %s" % (agreeing, counted, tol, ref)
    agree += " (no row ran in every run)" if not counted else " (worst: %s %.2fx%s)" % (
        worstrow, worstq, " on " + worstname if n > 2 else "")
    return {"csv": out, "head": "\n".join(head) + "\n\n", "wide": table, "tail": agree + "\n",
            "stdout": lines + heads + [agree]}


def sweep_param(group: str, axis: bool) -> str:
    """What param means in group's sweep: the x axis's label, or the words in a title."""
    words = {"count-scaling": ("workers (= tasks), same total work", "worker count"), "fetch-n": ("requests", "request count"),
             "convoy-interval": ("switch interval (µs)", "switch interval")}.get(group, ("param", "param"))
    return words[0 if axis else 1]


def gpq(s: str) -> str:
    """s as a gnuplot single-quoted string ('' is a quote)."""
    return "'%s'" % s.replace("'", "''")


def draw(ms: List[Dict[str, str]], rows: List[Dict[str, str]], plots: List[Dict[str, str]], stage: str) -> List[str]:
    """One figure (PNG, SVG, PDF) per plot in stage, gnuplot's stderr passed on
    (a warning shows); the files written.  With one row per machine, each
    figure's table goes to ratios.md: plot["md"] becomes that section."""
    n, written = len(ms), []
    note = " · includes FABRICATED test runs" if any(m["fabricated"] == "true" for m in ms) else ""
    sweeps = {r["group"] for r in rows if r["param"] != ""}
    for s in plots:
        group = re.sub(r"[^A-Za-z0-9._-]", lambda c: "_" * len(c.group().encode()), s["group"])
        base, kind, style = "compare-" + group, s["kind"], s["style"]
        ttl, vlab = {"speedup": ("speedup over seq on the same machine", "speedup over seq (higher is faster)"),
                     "slowdown": ("slowdown of a round trip beside a CPU task", "slowdown (lower is better)")}.get(
                         kind, ("median wall time", "median wall time, s (lower is faster)"))
        ttl, sub = group + ": " + ttl, "%d runs%s" % (n, note)
        if style == "rows":
            sub = "%d runs, one row each, fewest usable CPUs at the top%s" % (n, note)
            if any(re.fullmatch("".join("." if c == "." else re.escape(c) for c in group), g) for g in sweeps):
                # Kept short: a title wider than the figure would be cut at both ends.
                ttl = group + {"speedup": ": best speedup over seq, any %s", "slowdown": ": slowdown at the largest %s"}.get(
                    kind, ": median time at the largest %s") % sweep_param(group, False)
        nlab = int(s["nlab"])
        e = ["common=" + gpq(COMMON_GP), "formats='png svg pdf'", "data=" + gpq(s["file"]), "out=" + gpq(stage + "/" + base),
             "ttl=" + gpq(ttl), "sub=" + gpq(sub), "nser=%d" % n] + ["%s=%s" % (k, s[k]) for k in ("vmin", "vmax", "logv", "logx")]
        e += ["xticks=" + gpq(s["xticks"]), "bymode=" + s["bymode"], "has=" + gpq(s["has"]), "nlab=" + s["nlab"],
              "labs=" + gpq(s["labs"]), "modes=" + gpq(s["modes"]), "ref=%d" % (kind != "time")]
        if style == "bars":
            # Values over the bars only while they fit: upright past 12 bars, none past 40.
            # Labels slant when they would run into each other (refcount's are long).
            e += ["ylab=" + gpq(vlab), "vfont=%d" % (18 if nlab * n <= 40 else 0), "vrot=%d" % (nlab * n > 12),
                  "xrot=%d" % (len(s["labs"]) > nlab * 10 or nlab > 10)]
        elif style == "lines":
            e += ["ylab=" + gpq(vlab), "xlab=" + gpq(sweep_param(group, True))]
        else:
            ytics = "set ytics (%s)" % ", ".join('"%s" %s' % (m["label"], m["rank"]) for m in ms)
            e += ["xlab=" + gpq(vlab), "ytics_cmd=" + gpq(ytics), "canvas_h=%d" % max(n * 30 + 300, 900)]
        e += ["t%d=%s" % (i, gpq(m["label"])) for i, m in enumerate(ms, 1)]
        sys.stdout.flush()
        p = subprocess.run(["gnuplot"] + [w for x in e for w in ("-e", x)] + [os.path.join(LIB, style + ".gp")],
                           stderr=subprocess.PIPE)
        err = p.stderr.decode("utf-8", "replace")
        if p.returncode:
            raise Refused("gnuplot failed drawing %s: %s" % (base, "".join(err.splitlines(True)[:3]).replace("\n", " ")))
        sys.stderr.write(err)
        written += [base + ".png", base + ".svg", base + ".pdf"]
        s["md"] = "\n### %s\n\n%s\n\n" % (ttl, s["md"].rstrip("\n")) if style == "rows" else ""
    return written


def repo_path(path: str) -> str:
    """path relative to the repository when it is inside it, else absolute
    (symbolic links kept as named), for a command to paste there."""
    p = os.path.normpath(os.path.join(os.getcwd(), path))
    p = "/" + p.lstrip("/") if p.startswith("//") else p
    return "." if p == ROOT else p[len(ROOT) + 1:] if p.startswith(ROOT + "/") else p


def compare(o: Dict[str, str], sources: List[str], work: str, stage: List[str]) -> int:
    """Write the comparison of sources with the options o (parse), through a
    temporary folder work and a stage folder beside the output (stage[0])."""
    tol, runs = o["tolerance"], []
    for i, src in enumerate(sources):
        if os.path.isdir(src):
            runs.append(src[:-1] if src.endswith("/") else src)
        else:
            os.mkdir(os.path.join(work, "bundle%d" % i))
            runs.append(open_bundle(src, os.path.join(work, "bundle%d" % i), PROG))
    for run, src in zip(runs, sources):
        check_run(run, src)
    layout = o["layout"] if o["layout"] != "auto" else "overlay" if len(runs) <= OVERLAY_MAX else "rows"
    out = o["out"] or os.path.join(ROOT, "plots", time.strftime("compare-%Y%m%dT%H%M%SZ", time.gmtime()))
    out = out[:-1] if out.endswith("/") else out
    try:
        os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    except OSError:
        raise Refused("cannot create the parent of '%s'" % out)
    try:
        stage.append(tempfile.mkdtemp(prefix=".compare.", dir=os.path.dirname(out) or "."))
    except OSError:
        raise Refused("cannot write beside '%s'" % out)
    summaries = [read_table(os.path.join(r, "summary.csv")) for r in runs]
    ms = machines(sources, runs, summaries)
    sizes = sorted({m["size"] for m in ms})
    if len(sizes) > 1:
        sys.stderr.write("%s: warning: these runs are of different sizes (%s): their rows differ by design; compare runs"
                         " of one size\n" % (PROG, ", ".join(sizes)))
    rows = join(runs, summaries)
    rep = report(ms, rows, tol, sources[0], layout == "overlay")
    try:
        write_table(os.path.join(stage[0], "ratios.csv"), RATIOS, rep["csv"])
    except OSError:
        raise Refused("writing ratios.csv and ratios.md into %s failed" % stage[0])
    print("\n".join(rep["stdout"]))
    plots = plot_data(ms, rows, layout, work)
    written = ["ratios.csv", "ratios.md"] + draw(ms, rows, plots, stage[0]) + ["compare.html"]
    groups = "Every ratio is in ratios.csv; here, per group, the values the figures show.\n" + "".join(s["md"] for s in plots)
    publish_text(os.path.join(stage[0], "ratios.md"), rep["head"] + (rep["wide"] if layout == "overlay" else groups) + rep["tail"])
    # The command that makes this comparison again, run in the repository; compare.html shows it.
    remake = [SCRIPT, "--out", repo_path(out)] + (["--tolerance", tol] if tol != "10" else []) + (
        ["--layout", o["layout"]] if o["layout"] != "auto" else []) + [repo_path(s) for s in sources]
    try:
        comparepage.write_page(stage[0], None, remake)
    except (OSError, ValueError, KeyError) as e:
        raise Refused("compare.html was not written: gilbench: %s" % " ".join(str(e).split()))
    # Each file checked whole first: gnuplot exits 0 when cairo cannot write.
    for f in written:
        if not is_complete(os.path.join(stage[0], f)):
            raise Refused("%s was not written completely (disk full?); nothing was published" % f)
    if os.path.isdir(out):
        for f in written:
            os.replace(os.path.join(stage[0], f), os.path.join(out, f))
    else:
        os.rename(stage.pop(), out)
    sys.stdout.write("".join("%s/%s\n" % (out, f) for f in written))
    return 0


def main(argv: List[str]) -> int:
    """compare's command line (scripts/compare.sh ARGS): the exit status."""
    given = parse(argv)
    if given is None:
        return 0
    if not shutil.which("gnuplot"):
        sys.stderr.write("%s: gnuplot is not installed (make deps installs it)\n" % PROG)
        return 1
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    work, stage = "", []  # type: ignore[var-annotated]
    try:
        work = tempfile.mkdtemp()
        return compare(given[0], given[1], work, stage)
    except Refused as e:
        if e.status == 2:
            usage_error(PROG, str(e), SCRIPT)
        sys.stderr.write("%s: %s\n" % (PROG, e))
    except Damaged as e:  # its line names the program and the bundle
        sys.stderr.write("%s\n" % e)
    except BrokenPipeError:
        raise  # a closed output: cmdline.run ends quietly
    except OSError as e:
        sys.stderr.write("%s: %s\n" % (PROG, "cannot create a temporary folder" if not work else e))
    except KeyboardInterrupt:
        return 130
    finally:
        for d in [work] + stage:
            if d:
                shutil.rmtree(d, ignore_errors=True)
    return 1
