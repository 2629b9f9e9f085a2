"""One page per run: RUN/report.html, self-contained, readable offline.

Reads a run folder (summary.csv, and when present ratios.csv, lessons.json,
lessons.md, machine.json, convoy.csv, refcount.csv, by column or key name)
and its figures (plots/RUN/NAME.svg, drawn by scripts/plots.sh; NAME.png
for one too large as SVG); when the run has no lessons.json, the lessons'
ids and titles come from scripts/lessons-table.json.  Writes one HTML page
(htmlpage): the machine in one line; the lessons first (anchors #L1..#L7),
each with its verdict, its sentence, its checks with their intervals and
its figure; then each group's rows and paired ratios and figures
(#group-NAME); the noise warnings; the commands that redraw and compare.
Raises OSError when a file cannot be read or the page cannot be written,
ValueError when summary.csv or a JSON file is not what it should be.
"""
import csv
import json
import os
import shlex
from typing import Dict, List, Optional, Set, Tuple

from .files import publish_text
from .htmlpage import esc, figure, page, slug, table

# The figures of each lesson (docs/lab's pages name the same), the first drawn beside it.
LESSON_FIGURES = {
    "L1": ["count-speedup", "count-2-time", "count-10-time", "gil-timeline"],
    "L2": ["count-scaling", "count-speedup", "count-2-time", "count-10-time"],
    "L3": ["gil-timeline", "count-speedup", "count-2-time"],
    "L4": ["fetch-time", "fetch-n"],
    "L5": ["interleave-time"],
    "L6": ["refcount-lost", "refcount-cost"],
    "L7": ["convoy", "convoy-interval"],
    "L8": ["count-speedup", "count-2-time", "convoy"],
}
# The figures of each group (scripts/plots.sh FIGURES: the groups each data step reads).
GROUP_FIGURES = {
    "count-2": ["count-2-time", "count-speedup", "gil-timeline"], "count-10": ["count-10-time", "count-speedup"],
    "count-2-cpython": ["count-2-time", "count-speedup"], "count-scaling": ["count-scaling"],
    "fetch": ["fetch-time"], "fetch-n": ["fetch-n"], "interleave": ["interleave-time"],
    "refcount": ["refcount-lost", "refcount-cost"], "convoy": ["convoy"], "convoy-interval": ["convoy-interval"],
}
# What each figure draws, for its alt text (a figure not named here: its name).
ALT = {
    "count-2-time": "Bars: median wall time of 2 CPU-bound tasks in each mode, ours beside CPython",
    "count-10-time": "Bars: median wall time of 10 CPU-bound tasks in each mode",
    "count-speedup": "Bars: speedup over seq of each count mode, whiskers the 95% interval of the block ratios",
    "fetch-time": "Bars: median wall time of the delayed requests in each mode",
    "interleave-time": "Bars: median wall time of the print-and-sleep tasks in each mode",
    "count-scaling": "Lines: speedup over seq against the number of workers, one line per mode, the usable CPUs marked",
    "fetch-n": "Lines: wall time against the number of requests, log scales, one line per mode",
    "refcount-lost": "Bars: reference-count updates lost without synchronisation, per variant",
    "refcount-cost": "Bars: nanoseconds per reference-count update, per synchronisation variant",
    "convoy": "Bars: round trips per second of an I/O thread alone and beside a CPU-bound thread, per mode",
    "convoy-interval": "Lines: round trips per second against the switch interval, ours and CPython",
    "gil-timeline": "Timeline: which of two CPU-bound threads holds the GIL over time, new GIL above, old GIL below",
}
VERDICT = {"holds": "holds", "fails": "fails", "not_shown": "not shown by this run", "not_measured": "not run"}
CHECK = {"pass": "pass", "fail": "fail", "not_shown": "not shown", "not_run": "not run",
         "not_applicable": "not applicable", "failed_row": "row failed", "no_data": "no data"}
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def read_csv(path: str) -> List[Dict[str, str]]:
    """The rows of a CSV file as dicts by its header; [] when it is absent."""
    if not os.path.isfile(path):
        return []
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def read_json(path: str) -> dict:
    """A JSON object from a file; {} when it is absent."""
    if not os.path.isfile(path):
        return {}
    with open(path, encoding="utf-8") as f:
        obj = json.load(f)
    if not isinstance(obj, dict):
        raise ValueError("%s: not a JSON object" % path)
    return obj


def num(text: object) -> Optional[float]:
    try:
        return float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def ratio_text(x: float) -> str:
    """A ratio as the lessons print it (scripts/columns.awk ratio_text)."""
    a = abs(x)
    return "%.2f" % x if a < 10 else "%.1f" % x if a < 100 else "%.0f" % x


def interval_text(est: Optional[float], low: Optional[float], high: Optional[float]) -> str:
    """0.99x (0.97-1.01), or 0.99x without an interval, or '-'."""
    if est is None:
        return "-"
    if low is None or high is None:
        return ratio_text(est) + "x"
    return "%sx (%s-%s)" % (ratio_text(est), ratio_text(low), ratio_text(high))


def machine_line(m: dict, run: str) -> str:
    """The machine in one line."""
    if not m:
        return "unknown machine (no machine.json) · run %s" % os.path.basename(run)
    cpus = "%s usable CPUs (%s online)" % (m.get("usable_cpus", m.get("online_cpus", "?")), m.get("online_cpus", "?"))
    date = str(m.get("date_utc", "date unknown")).replace("T", " ").replace("Z", " UTC")
    parts = [m.get("hostname", "?"), m.get("cpu_model", "unknown CPU"), cpus, m.get("os"),
             m.get("kernel") and "kernel %s" % m["kernel"], m.get("python"), date,
             "suite %s%s" % (m.get("suite_version", "?"), " at %s" % str(m["git_commit"])[:10] if m.get("git_commit") else ""),
             "QUICK run" if m.get("quick") else "full run"]
    return " · ".join(str(p) for p in parts if p)


class Page:
    """The parts of one run's page, each figure placed once (self.placed)."""

    def __init__(self, run: str, plots: str) -> None:
        self.run, self.plots = run, plots
        self.placed: Set[str] = set()
        self.where: Dict[str, str] = {}
        self.available = sorted(f[:-4] for f in os.listdir(plots) if f.endswith((".svg", ".png"))) \
            if os.path.isdir(plots) else []
        self.available = sorted(set(self.available))

    def fig(self, name: str, place: str) -> str:
        """The figure inline the first time, later a link to it."""
        if name not in self.available:
            return ""
        if name in self.placed:
            return ('<p class="note">Figure <a href="#fig-%s">%s</a> (under %s).</p>'
                    % (slug(name), esc(name), esc(self.where[name])))
        alt = ALT.get(name, "Figure " + name)
        html = figure(self.plots, name, alt, alt + ".")
        if html:
            self.placed.add(name)
            self.where[name] = place
        return html

    def lesson(self, les: dict) -> str:
        lid = str(les.get("id", "?"))
        status = str(les.get("status", "not_measured"))
        verdict = VERDICT.get(status, status.replace("_", " "))
        if status == "not_measured" and not any(str(c).startswith("not run") for c in les.get("causes", [])):
            verdict = "not measured on this machine"
        rows = []
        for c in les.get("checks", []):
            iv = c.get("interval") or {}
            val = c.get("value") if isinstance(c.get("value"), (int, float)) else None
            shown = interval_text(val, num(iv.get("low")), num(iv.get("high"))) if val is not None else "-"
            rows.append((c.get("name", ""), c.get("text") or "-", shown, c.get("wanted") or "-",
                         CHECK.get(str(c.get("status")), str(c.get("status")))))
        checks = table(["check", "this run", "figure (95% interval)", "wanted", "verdict"], rows, numeric=[2],
                       marked=[r[4] in ("fail", "row failed", "no data") for r in rows]) if rows else ""
        causes = "".join("<li>%s</li>" % esc(c) for c in les.get("causes", []))
        not_run = "".join("<li>not run: %s</li>" % esc(c) for c in les.get("not_run", []))
        figs = LESSON_FIGURES.get(lid, [])
        side = self.fig(figs[0], lid) if figs else ""
        more = ", ".join('<a href="#fig-%s">%s</a>' % (slug(n), esc(n)) for n in figs[1:] if n in self.available)
        text = ('<div><h3><span class="verdict">%s %s</span> %s</h3><p>%s</p>%s%s%s</div>'
                % (esc(lid), esc(verdict), esc(les.get("title", "")), esc(les.get("sentence") or les.get("line", "")),
                   "<p>Likely cause:</p><ul>%s</ul>" % causes if causes else "",
                   "<ul>%s</ul>" % not_run if not_run else "",
                   '<p class="note">More figures: %s.</p>' % more if more else ""))
        return ('<section class="lesson %s" id="%s" aria-labelledby="%s-h">%s<div>%s</div>%s</section>'
                % (slug(status), esc(lid), esc(lid), text.replace("<h3>", '<h3 id="%s-h">' % esc(lid), 1),
                   side or '<p class="note">No figure for this lesson in %s.</p>' % esc(self.plots),
                   '<div style="grid-column: 1 / -1">%s</div>' % checks if checks else ""))


def lessons_of(run: str) -> Tuple[List[dict], bool]:
    """The run's lessons (lessons.json), or the table's ids and titles and False."""
    les = read_json(os.path.join(run, "lessons.json")).get("lessons")
    if isinstance(les, list):
        return les, True
    path = os.path.join(ROOT, "scripts", "lessons-table.json")
    if not os.path.isfile(path):
        return [], False
    with open(path, encoding="utf-8") as f:
        return [{"id": t.get("id"), "title": t.get("title"), "status": "not_evaluated",
                 "sentence": "Not evaluated: this run has no lessons.json (bash scripts/lessons.sh RUN writes it)."}
                for t in json.load(f)], False


def group_section(p: Page, group: str, rows: List[Dict[str, str]], ratios: List[Dict[str, str]],
                  extra: List[Dict[str, str]], extra_cols: List[str]) -> str:
    body = ['<section id="group-%s"><h3>%s</h3>' % (slug(group), esc(group))]
    trs = []
    for r in rows:
        sp = num(r.get("speedup"))
        trs.append((r.get("label", ""), r.get("tasks", ""), r.get("workers", ""), r.get("param") or "-",
                    r.get("median_s") or "-", interval_text(sp, num(r.get("speedup_low")), num(r.get("speedup_high"))),
                    r.get("status", "")))
    body.append(table(["label", "tasks", "workers", "param", "median s", "speedup", "status"], trs,
                      numeric=[1, 2, 3, 4, 5], marked=[t[6] != "ok" for t in trs],
                      caption="%s: each row's median wall time and speedup over seq (summary.csv)" % group))
    if ratios:
        rr = [(r.get("ratio", ""), r.get("kind", ""),
               interval_text(num(r.get("estimate")), num(r.get("low")), num(r.get("high"))),
               r.get("blocks", ""), "±%.1f%%" % (100 * (num(r.get("halfwidth")) or 0))) for r in ratios]
        body.append(table(["ratio", "kind", "estimate (95% interval)", "blocks", "half-width"], rr, numeric=[2, 3, 4],
                          caption="%s: paired ratios over time-paired blocks (ratios.csv); speedup: seq over the row, "
                                  "share: the ceiling over the row, aa: seq against itself" % group))
    if extra:
        body.append(table(extra_cols, [[e.get(c, "") for c in extra_cols] for e in extra],
                          numeric=list(range(1, len(extra_cols)))))
    figs = [p.fig(n, "group " + group) for n in GROUP_FIGURES.get(group, [])]
    body.append('<div class="figs">%s</div></section>' % "".join(figs))
    return "".join(body)


def warnings(run: str, m: dict) -> List[str]:
    """What lessons.md and machine.json say about the run's noise, one item each."""
    out = []
    md = os.path.join(run, "lessons.md")
    if os.path.isfile(md):
        with open(md, encoding="utf-8") as f:
            out += [ln.strip().strip("*") for ln in f if ln.startswith("**")]
    for fam, aa in sorted((m.get("aa") or {}).items()):
        out.append("A/A control %s against itself: %s over %s blocks%s" % (
            fam, interval_text(num(aa.get("estimate")), num(aa.get("low")), num(aa.get("high"))), aa.get("blocks", "?"),
            "" if aa.get("contains_one", True) else ": the interval leaves out 1.00, differences of that size are noise"))
    usable = num(m.get("usable_cpus") or m.get("online_cpus"))
    for when in ("load_before", "load_after"):
        load = m.get(when)
        if isinstance(load, list) and load and usable:
            busy = "above" if num(load[0]) and num(load[0]) > usable else "within"  # type: ignore[operator]
            out.append("load average %s the run: %s (%s the %g usable CPUs)"
                       % (when.split("_")[1], ", ".join(str(x) for x in load), busy, usable))
    others = num(m.get("cpu_used_by_others"))
    if others is not None:
        out.append("other programs kept %.2f CPUs busy on the run's CPUs%s"
                   % (others, " (0.2 or more: do not cite the rows it slowed)" if others >= 0.2 else ""))
    return out


def render(run: str, plots: str) -> Tuple[str, Dict[str, int]]:
    """The page of one run and counts of what is on it."""
    summary = read_csv(os.path.join(run, "summary.csv"))
    if not summary or "group" not in summary[0]:
        raise ValueError("%s/summary.csv has no rows with a group column" % run)
    m = read_json(os.path.join(run, "machine.json"))
    ratios = read_csv(os.path.join(run, "ratios.csv"))
    convoy = read_csv(os.path.join(run, "convoy.csv"))
    refcount = read_csv(os.path.join(run, "refcount.csv"))
    lessons, evaluated = lessons_of(run)
    p = Page(run, plots)
    name = os.path.basename(os.path.normpath(run))
    groups: List[str] = []
    for r in summary:
        if r["group"] not in groups:
            groups.append(r["group"])
    nav = "".join('<li><a href="#%s">%s</a></li>' % (esc(les.get("id")), esc(les.get("id"))) for les in lessons)
    nav += "".join('<li><a href="#group-%s">%s</a></li>' % (slug(g), esc(g)) for g in groups)
    nav += '<li><a href="#noise">noise</a></li><li><a href="#commands">redraw and compare</a></li>'
    body = ['<header><h1>gilbench run %s</h1><p class="machine">%s</p><nav aria-label="contents"><ul>%s</ul></nav></header>'
            % (esc(name), esc(machine_line(m, run)), nav), "<main>", '<h2 id="lessons">The lessons</h2>']
    if not evaluated:
        body.append('<p class="warn">This run has no lessons.json: <code>bash scripts/lessons.sh %s</code> writes it.</p>'
                    % esc(shlex.quote(run)))
    body += [p.lesson(les) for les in lessons]
    body.append('<h2 id="groups">The groups</h2>')
    for g in groups:
        extra, cols = [], []
        if g.startswith("convoy"):
            extra = [c for c in convoy if c.get("group", "convoy") == g]
            cols = ["label", "switch_interval_us", "alone_per_s", "contended_per_s", "slowdown", "slowdown_min", "slowdown_max"]
        elif g == "refcount":
            extra, cols = refcount, ["label", "runs", "runs_with_loss", "lost_median", "lost_max", "ns_per_op"]
        body.append(group_section(p, g, [r for r in summary if r["group"] == g],
                                  [r for r in ratios if r.get("group") == g], extra, cols))
    rest = [n for n in p.available if n not in p.placed]
    if rest:
        body.append('<h2 id="other-figures">Other figures</h2><div class="figs">%s</div>'
                    % "".join(p.fig(n, "other figures") for n in rest))
    if not p.available:
        body.append('<p class="warn">No figures in %s: <code>make plots RUN=%s</code> draws them.</p>'
                    % (esc(plots), esc(shlex.quote(run))))
    warn = warnings(run, m)
    body.append('<h2 id="noise">Noise warnings</h2>' + ("<ul>%s</ul>" % "".join("<li>%s</li>" % esc(w) for w in warn)
                                                        if warn else "<p>None recorded for this run.</p>"))
    q = shlex.quote(run)
    body.append('<h2 id="commands">Redraw and compare</h2><pre>%s</pre><p>%s</p>' % (esc(
        "make plots RUN=%s          # the figures and this page again\n"
        "make compare RUNS=\"%s results/OTHER\"   # beside another run: compare.html\n"
        "make handout RUN=%s        # the lab handout with this run's answer key\n"
        "make pack RUN=%s           # one .tar.gz of the run to hand in" % (q, q, q, q)),
        esc("Figures: %s (SVG, PNG and PDF). Tables: summary.csv, ratios.csv, lessons.md in %s. "
            "Link a lesson as report.html#L7 (each lesson by its id), a group as report.html#group-NAME." % (plots, run))))
    body.append("</main>")
    counts = {"lessons": len(lessons), "groups": len(groups), "figures": len(p.placed)}
    return page("gilbench run %s" % name, body), counts


def default_plots(run: str) -> str:
    """The run's figures: plots/NAME beside its results/ folder, else this checkout's plots/NAME."""
    name = os.path.basename(os.path.normpath(run))
    beside = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(run))), "plots", name)
    return beside if os.path.isdir(beside) else os.path.join(ROOT, "plots", name)


def write_report(run: str, out: Optional[str] = None, plots: Optional[str] = None) -> Dict[str, object]:
    """Write the page of run to out (default RUN/report.html); what was written."""
    out = out or os.path.join(run, "report.html")
    plots = plots or default_plots(run)
    text, counts = render(run, plots)
    publish_text(out, text)
    return {"report": out, "bytes": len(text.encode("utf-8")), "plots": plots, **counts}
