"""The tables of a run (scripts/summarize.sh): summary.csv, refcount.csv,
convoy.csv, summary.md, summary.tex; on stdout the headline, the noisy rows
(--noisy) and the rows beyond the ideal speedup (--beyond-ideal).

Reads what aggregate.py reads; the headline and --beyond-ideal read the
tables.  Writes the five tables in that order (files.publish_text), stopping
at the first that fails: one line on stderr, exit 1, its old file kept.
Usage errors: two lines on stderr, exit 2.
"""
import os
import re
import sys
from typing import Dict, List

from . import schema
from .aggregate import Row, alt, awk_num, case_rows, convoy_figures, jq_key, jq_text, refcount_figures, run_summary, table
from .cmdline import usage_error, version_line
from .files import publish_text
from .runfiles import read_json
from .schema import ratio_text

PROG, SCRIPT = "summarize", "scripts/summarize.sh"
HEADLINE_GROUPS = ("count-2", "count-2-cpython", "fetch", "interleave")
USAGE = """Usage: scripts/summarize.sh RUN_DIR             write the tables of a run
       scripts/summarize.sh --headline RUN_DIR  print its headline table
       scripts/summarize.sh --noisy=LIMIT RUN_DIR  print the timed rows bench.sh
           re-runs: group, experiment, rel_spread (TAB-separated, a header first)
       scripts/summarize.sh --beyond-ideal RUN_DIR  print the CPU-bound rows of its
           summary.csv with an efficiency above 1.1, one line each
       scripts/summarize.sh --help | --version
RUN_DIR holds experiments.tsv, machine.json and raw/ as scripts/bench.sh writes them.
"""


def caption(m: dict) -> str:
    """host, CPU, N cores, date; "N of M CPUs usable" when fewer are usable."""
    u, online = alt(m.get("usable_cpus"), m.get("online_cpus")), m.get("online_cpus")
    cpus = ("%s of %s CPUs usable" % (jq_text(u), jq_text(online)) if jq_key(u) < jq_key(online)
            else "%s cores" % jq_text(online))
    return ", ".join((jq_text(m.get("hostname")), jq_text(m.get("cpu_model")), cpus,
                      jq_text(m.get("date_utc")))).rstrip("\n")


def secs(x: str) -> str:
    return "-" if x == "" else "%.4f" % awk_num(x)


def ratio(x: str) -> str:
    return "-" if x == "" else ratio_text(awk_num(x))


def interval(r: Row) -> str:
    """A paired speedup's interval: 0.97-1.01 (? for no upper bound)."""
    return "%s-%s" % (ratio(r["speedup_low"]), "?" if r["speedup_high"] == "" else ratio(r["speedup_high"]))


def tex(s: str) -> str:
    return re.sub(r"([_%&#$])", r"\\\1", s)


def cells(r: Row, fmt: str) -> List[str]:
    """A row of summary.md (fmt md) or summary.tex (tex); failed rows stay, marked."""
    impl = "" if r["impl"] == "gilbench" else " (%s)" % r["impl"]
    ci = "-" if r["ci95_low_s"] == "" else "%.4f-%.4f" % (awk_num(r["ci95_low_s"]), awk_num(r["ci95_high_s"]))
    speedup = ratio(r["speedup"]) + ("" if "" in (r["speedup"], r["speedup_low"]) else " (%s)" % interval(r))
    if fmt == "tex":
        return [tex(r["group"]), tex(r["label"] + impl), r["tasks"], r["workers"], r["param"] or "--",
                secs(r["median_s"]), ci, speedup, r["status"]]
    return [r["group"], r["label"] + impl, r["tasks"], r["workers"], r["param"] or "-", r["runs"],
            secs(r["median_s"]), ci, speedup, "-" if r["efficiency"] == "" else "%.2f" % awk_num(r["efficiency"]),
            r["status"]]


def markdown(rows: List[Row], cap: str) -> str:
    return "\n".join([
        "# gilbench results: " + cap, "",
        "Median of each experiment's runs; 95% confidence interval of the mean; speedup is",
        "the group's baseline (seq) median over the row's median, or, for the groups timed in",
        "time-paired blocks, the geometric mean of the middle half of the per-block speedups,",
        "with its 95% interval;", "efficiency is speedup over min(workers, usable CPUs), for the CPU-bound cases.",
        "", "| group | label | tasks | workers | param | runs | median s | 95% CI of mean, s | speedup | efficiency"
        " | status |", "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
        + ["| %s |" % " | ".join(cells(r, "md")) for r in rows]) + "\n"


def latex(rows: List[Row], cap: str) -> str:
    out = ["% gilbench results: " + tex(cap), "% needs \\usepackage{booktabs}", "\\begin{tabular}{llrrrrrrl}",
           "\\toprule", "Group & Label & Tasks & Workers & Param & Median (s) & 95\\% CI (s) & Speedup & Status \\\\"]
    for i, r in enumerate(rows):
        out += ["\\midrule"] * (r["group"] != (rows[i - 1]["group"] if i else ""))
        out.append(" & ".join(cells(r, "tex")) + " \\\\")
    return "\n".join(out + ["\\bottomrule", "\\end{tabular}"]) + "\n"


def headline(run: str) -> str:
    """The lecture's opening table under the machine's caption: the headline
    groups' rows, then convoy.csv's and refcount.csv's, a heading only over rows."""
    out = ["gilbench: " + caption(read_json(run + "/machine.json"))]
    rows = [r for r in table(run + "/summary.csv") if r["group"] in HEADLINE_GROUPS]
    out += ["%-16s %-16s %5s %7s %10s %8s  %s" % ("group", "label", "tasks", "workers", "median s", "speedup",
                                                  "(95% interval, blocks)")] * bool(rows)
    out += ["%-16s %-16s %5s %7s %10s %8s%s%s" % (
        r["group"], r["label"], r["tasks"], r["workers"], secs(r["median_s"]),
        ratio(r["speedup"]) + "x" * (r["speedup"] != ""), "" if r["speedup_low"] == "" else "  (%s)" % interval(r),
        "" if r["status"] == "ok" else "  FAILED") for r in rows]
    convoy = [r for r in table(run + "/convoy.csv") if r["group"] != "convoy-interval"]
    out += ["", "convoy: I/O round trips per second, alone and beside one CPU-bound task",
            "(sampled, not timed in blocks: the median of the runs of a row; in brackets, the lowest and highest)"
            ] * bool(convoy)
    for r in convoy:
        s, lo, hi, n = (awk_num(r[k]) for k in ("slowdown", "slowdown_min", "slowdown_max", "runs"))
        spread = ("  (%s-%s, %d runs)" % (ratio_text(lo if s >= 1 else 1 / hi), ratio_text(hi if s >= 1 else 1 / lo), n)
                  if n > 1 and lo > 0 and hi > 0 else "")
        said = ("-" if r["slowdown"] == "" or s <= 0 else ratio_text(s) + "x slower" if s >= 1
                else ratio_text(1 / s) + "x faster")
        out.append("  %-15s %-16s FAILED (its log: raw/%s.*)" % (r["label"], r["impl"], r["experiment"])
                   if r["status"] != "ok" else "  %-15s %-16s %9.0f alone %9.0f contended  %13s%s" % (
                       r["label"], r["impl"], awk_num(r["alone_per_s"]), awk_num(r["contended_per_s"]), said, spread))
    refcount = table(run + "/refcount.csv")
    out += ["", "refcount: what a reference count costs, and what it loses without a lock"] * bool(refcount)
    for r in refcount:
        aggregated = "runs_with_loss" in r and awk_num(r["runs"]) > 1
        k, n, med, top, once = (int(awk_num(r[c])) for c in
                                ("runs_with_loss", "runs", "lost_median", "lost_max", "lost_updates"))
        lost = ("wrong in %d of %d runs, lost median %d, max %d" % (k, n, med, top) if aggregated
                else "%9d lost updates" % once)
        out.append("  %-16s FAILED (its log: raw/%s.*)" % (r["label"], r["experiment"]) if r["status"] != "ok"
                   else "  %-8s %-7s %7.2f ns/op  %s  %s" % (r["mode"], r["sync"], awk_num(r["ns_per_op"]), lost,
                                                           "ok" if r["ok"] == "true" else "CORRUPTED"))
    return "\n".join(out) + "\n"


def noisy(rows: List[Row], experiments: List[Row], limit: float) -> str:
    """The timed rows bench.sh re-runs: rel_spread above LIMIT, or a shell row
    (the machine's ceiling) above 2% and above the widest of the rows it bounds."""
    kind = {e["id"]: e["kind"] for e in experiments}
    rows = [r for r in rows if r["status"] == "ok" and r["rel_spread"] != "" and kind.get(r["experiment"]) != "sampled"]
    widest: Dict[str, float] = {}
    for r in rows:
        if r["mode"] in ("threads", "interp", "fork", "pool", "threadpool") and kind.get(r["experiment"]) == "timed":
            widest[r["group"]] = max(widest.get(r["group"], 0), awk_num(r["rel_spread"]))
    return "".join("%s\t%s\t%s\n" % (r["group"], r["experiment"], r["rel_spread"]) for r in rows
                   if awk_num(r["rel_spread"]) > limit or kind.get(r["experiment"]) == "shell" and
                   awk_num(r["rel_spread"]) > max(0.02, widest.get(r["group"], 0)))


def beyond_ideal(rows: List[Row]) -> str:
    """The ok rows faster than the usable CPUs allow (efficiency above 1.1):
    another program's load slowed the baseline, not a superlinear speedup."""
    return "".join("%s %s%s: %sx, efficiency %.2f\n" % (
        r["group"], r["label"], " " * bool(r["param"]) + r["param"], ratio(r["speedup"]), awk_num(r["efficiency"]))
        for r in rows if r["status"] == "ok" and r["efficiency"] != "" and awk_num(r["efficiency"]) > 1.1)


def write_tables(run: str) -> int:
    """Write the five tables of RUN; 1 at the first that fails (said on stderr)."""
    made: List[List[Row]] = []
    for name, text in (
            ("summary.csv", lambda: schema.table_text(schema.SUMMARY, made.append(run_summary(run)) or made[0])),
            ("refcount.csv", lambda: schema.table_text(schema.REFCOUNT, case_rows(run, "refcount", refcount_figures))),
            ("convoy.csv", lambda: schema.table_text(schema.CONVOY, case_rows(run, "convoy", convoy_figures))),
            ("summary.md", lambda: markdown(made[0], caption(read_json(run + "/machine.json")))),
            ("summary.tex", lambda: latex(made[0], caption(read_json(run + "/machine.json"))))):
        try:
            publish_text(run + "/" + name, text())
        except (OSError, ValueError, TypeError, LookupError, ArithmeticError) as e:
            sys.stderr.write("%s: writing %s/%s failed (%s); the old one, if any, is kept\n"
                             % (PROG, run, name, " ".join(str(e).split())))
            return 1
    return 0


def main(argv: List[str]) -> int:
    """scripts/summarize.sh's command line: the tables, or one of its prints."""
    first = argv[0] if argv else ""
    if first in ("--help", "--version"):
        sys.stdout.write(USAGE if first == "--help" else version_line(PROG) + "\n")
        return 0
    mode = first.split("=")[0] if first in ("--headline", "--beyond-ideal") or first[:8] == "--noisy=" != first else ""
    if mode and len(argv) != 2:
        usage_error(PROG, "%s takes one run folder" % mode, SCRIPT)
    if not mode and (first == "" or first[0] == "-"):
        usage_error(PROG, "unknown option '%s'" % first if first else "a run folder is required", SCRIPT)
    if not mode and len(argv) != 1:
        usage_error(PROG, "one run folder, got %d" % len(argv), SCRIPT)
    run, limit = argv[-1], first[8:]
    if mode == "--noisy" and not re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", limit):
        usage_error(PROG, "--noisy=LIMIT: a number, not '%s'" % limit, SCRIPT)
    if not os.path.isdir(run):
        usage_error(PROG, "'%s' is not a folder" % run, SCRIPT)
    for f in ("experiments.tsv", "machine.json"):
        if not (os.path.isfile(run + "/" + f) and os.access(run + "/" + f, os.R_OK)):
            usage_error(PROG, "'%s' has no %s: not a gilbench run folder" % (run, f), SCRIPT)
    if not mode:
        return write_tables(run)
    try:
        if mode == "--noisy":
            sys.stdout.write("\t".join(schema.NOISY) + "\n")
            sys.stdout.write(noisy(run_summary(run), table(run + "/experiments.tsv", "\t"), float(limit)))
        else:
            if not os.path.isfile(run + "/summary.csv"):
                raise FileNotFoundError("cannot read %s/summary.csv: no such file" % run)
            sys.stdout.write(headline(run) if mode == "--headline" else beyond_ideal(table(run + "/summary.csv")))
    except (OSError, ValueError, TypeError, LookupError, ArithmeticError) as e:
        sys.stdout.flush()
        sys.stderr.write("%s: %s\n" % (PROG, " ".join(str(e).split())))
        return 1
    return 0
