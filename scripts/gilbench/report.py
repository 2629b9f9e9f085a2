"""One page per run: RUN/report.html, self-contained, readable offline.

Reads a run folder (summary.csv, and when present ratios.csv, lessons.json,
lessons.md, machine.json, convoy.csv, refcount.csv, by column or key name:
runfiles) and its figures (plots/RUN/NAME.svg, drawn by scripts/plots.sh;
NAME.png for one too large as SVG); when the run has no lessons.json, the
lessons' ids and titles come from scripts/lessons-table.json.  Writes one
HTML page (htmlpage): the machine in one line, with the run's size (tiny,
QUICK, full); the lessons first (each anchored by its id, #L1 ...), each in
lessons.md's words with its sentence, its checks with their intervals and
its figure; then each group's rows, paired ratios, convoy or refcount table
and figures (#group-NAME); the noise warnings; the commands that redraw and
compare.  A figure the run should have (runfiles.expected_figures) that the
figures' folder lacks is named at the top and noted where it belongs.
Raises OSError when a file cannot be read or the page cannot be written,
ValueError when summary.csv or a JSON file is not what it should be.
"""
import json
import os
import shlex
from typing import Dict, List, Optional, Set, Tuple

from .files import publish_text
from .htmlpage import esc, figure, keep, page, slug, table
from .runfiles import ROOT, expected_figures, num, read_csv, read_json, run_size
from .schema import interval_text, ratio_text

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
# A lesson's status (lessons.json) in lessons.md's words (scripts/gilbench/lessons.py);
# a check's status is lessons.json's word, "_" read as a blank.
VERDICT = {"holds": "holds", "fails": "DOES NOT HOLD", "not_measured": "not measured",
           "not_shown": "not shown by this run"}
# The convoy columns the page shows (convoy.csv, by name; a column an older
# run lacks is blank): header, column, how its value is written.
CONVOY_COLUMNS = [("label", "label", "text"), ("pin", "pin", "text"), ("switch interval us", "switch_interval_us", "text"),
                  ("alone per s", "alone_per_s", "rate"), ("contended per s", "contended_per_s", "rate"),
                  ("slowdown", "slowdown", "ratio"), ("slowdown min", "slowdown_min", "ratio"),
                  ("slowdown max", "slowdown_max", "ratio"), ("waited 0 intervals", "waited_0_share", "share"),
                  ("waited 1", "waited_1_share", "share"), ("waited 2+", "waited_2_share", "share")]


def check_unit(check: dict) -> str:
    """A check's unit: the one lessons.json records for it (scripts/gilbench/lessonchecks.py),
    else, for a run summarised before it did, the one its wanted bound ends
    with ("<= 500 ms"), else x."""
    unit = check.get("unit")
    if unit:
        return str(unit)
    return "ms" if str(check.get("wanted") or "").endswith(" ms") else "x"


def machine_line(m: dict, run: str) -> str:
    """The machine in one line."""
    if not m:
        return "unknown machine (no machine.json) · run %s" % os.path.basename(run)
    cpus = "%s usable CPUs (%s online)" % (m.get("usable_cpus", m.get("online_cpus", "?")), m.get("online_cpus", "?"))
    date = str(m.get("date_utc", "date unknown")).replace("T", " ").replace("Z", " UTC")
    parts = [m.get("hostname", "?"), m.get("cpu_model", "unknown CPU"), cpus, m.get("os"),
             m.get("kernel") and "kernel %s" % m["kernel"], m.get("python"), date,
             "suite %s%s" % (m.get("suite_version", "?"), " at %s" % str(m["git_commit"])[:10] if m.get("git_commit") else ""),
             "%s run" % run_size(run, m)]
    return " · ".join(str(p) for p in parts if p)


class Page:
    """The parts of one run's page, each figure placed once (self.placed);
    a figure the run should have (expected) but plots lacks is noted once
    where it belongs (self.noted)."""

    def __init__(self, run: str, plots: str, expected: List[str]) -> None:
        self.run, self.plots, self.expected = run, plots, expected
        self.placed: Set[str] = set()
        self.noted: Set[str] = set()
        self.where: Dict[str, str] = {}
        self.available = sorted({f[:-4] for f in os.listdir(plots) if f.endswith((".svg", ".png"))}) \
            if os.path.isdir(plots) else []

    @property
    def missing(self) -> List[str]:
        """The expected figures plots does not hold."""
        return [n for n in self.expected if n not in self.available]

    def fig(self, name: str, place: str) -> str:
        """The figure inline the first time, later a link to it; a missing
        expected figure: a visible note, the first time."""
        if name not in self.available:
            if name not in self.expected or name in self.noted:
                return ""
            self.noted.add(name)
            return ('<p class="warn missing" id="missing-%s">Figure <b>%s</b> is missing: this run has its data, '
                    'but %s holds no %s or %s (<code>make plots RUN=%s</code> draws it).</p>'
                    % (slug(name), keep(name), keep(self.plots), keep(name + ".svg"), keep(name + ".png"),
                       keep(shlex.quote(self.run))))
        if name in self.placed:
            return ('<p class="note">Figure <a href="#fig-%s">%s</a> (under %s).</p>'
                    % (slug(name), keep(name), keep(self.where[name])))
        alt = ALT.get(name, "Figure " + name)
        html = figure(self.plots, name, alt, alt + ".")
        if html:
            self.placed.add(name)
            self.where[name] = place
        return html

    def lesson(self, les: dict) -> str:
        """A lesson as lessons.md says it: its status word, its sentence, the
        causes after the first (the sentence has it), the rows not run
        (unless the whole lesson was not measured: its sentence names
        them), its checks, and its first figure beside it."""
        lid = str(les.get("id", "?"))
        status = str(les.get("status", "not_measured"))
        verdict = VERDICT.get(status, status.replace("_", " "))
        checks = [c for c in les.get("checks", []) if isinstance(c, dict)]
        rows = []
        for c in checks:
            iv = c.get("interval") or {}
            val = c.get("value") if isinstance(c.get("value"), (int, float)) else None
            shown = interval_text(val, num(iv.get("low")), num(iv.get("high")), check_unit(c)) \
                if val is not None else "-"
            rows.append((c.get("name", ""), c.get("text") or "-", shown, c.get("wanted") or "-",
                         str(c.get("status")).replace("_", " ")))
        if all(c.get("status") == "not_run" for c in checks):
            rows = []  # nothing ran: the sentence says which groups
        table_html = table(["check", "this run", "figure (95% interval)", "wanted", "verdict"], rows, numeric=[2],
                           marked=[r[4] in ("fail", "failed row", "no data") for r in rows], stack=True) if rows else ""
        also = [] if status in ("holds", "not_measured") else list(les.get("causes", []))[1:]
        not_run = [] if status == "not_measured" else list(les.get("not_run", []))
        items = ["<li>also: %s</li>" % keep(c) for c in also] + ["<li>not run: %s</li>" % keep(c) for c in not_run]
        figs = LESSON_FIGURES.get(lid, [])
        side = self.fig(figs[0], lid) if figs else ""
        more = ", ".join('<a href="#fig-%s">%s</a>' % (slug(n), keep(n)) for n in figs[1:] if n in self.available)
        text = ('<div><h3 id="%s-h"><span class="verdict">%s %s</span> %s</h3><p>%s</p>%s%s</div>'
                % (esc(lid), esc(lid), esc(verdict), keep(les.get("title", "")),
                   keep(les.get("sentence") or les.get("line", "")),
                   "<ul>%s</ul>" % "".join(items) if items else "",
                   '<p class="note">More figures: %s.</p>' % more if more else ""))
        return ('<section class="lesson %s" id="%s" aria-labelledby="%s-h">%s<div>%s</div>%s</section>'
                % (slug(status), esc(lid), esc(lid), text,
                   side or '<p class="note">No figure for this lesson in %s.</p>' % keep(self.plots),
                   '<div style="grid-column: 1 / -1">%s</div>' % table_html if table_html else ""))


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


def cell(value: Optional[str], how: str) -> str:
    """A value of convoy.csv as the page shows it: a share as a percentage,
    a ratio as the lessons print it, a rate in whole round trips; blank when
    the column is absent or empty (an older run).

    >>> cell("0.255813953", "share"), cell("186.680871", "ratio"), cell(None, "share")
    ('25.6%', '187', '')
    """
    x = num(value) if how != "text" else None
    if how == "text" or x is None:
        return value or ""
    return "%.1f%%" % (100 * x) if how == "share" else ratio_text(x) if how == "ratio" else "%.0f" % x


def convoy_table(group: str, convoy: List[Dict[str, str]]) -> str:
    """The group's rows of convoy.csv (its group column, or an older run's
    experiment id's first word), the columns of CONVOY_COLUMNS by name."""
    rows = [c for c in convoy if (c.get("group") or c.get("experiment", "").split(".")[0]) == group]
    if not rows:
        return ""
    return table([h for h, _, _ in CONVOY_COLUMNS], [[cell(r.get(c), how) for _, c, how in CONVOY_COLUMNS] for r in rows],
                 numeric=[i for i, (_, _, how) in enumerate(CONVOY_COLUMNS) if how != "text" or i == 2],
                 caption="%s: round trips alone and beside a CPU-bound task over the samples (convoy.csv); "
                         "waited: the share of round trips that waited 0, 1, 2 or more switch intervals" % group)


def group_section(p: Page, group: str, rows: List[Dict[str, str]], ratios: List[Dict[str, str]],
                  extra: str) -> str:
    """A group's rows (summary.csv), paired ratios, extra table and figures."""
    body = ['<section id="group-%s"><h3>%s</h3>' % (slug(group), keep(group))]
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
    body.append(extra)
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


def render(run: str, plots: str, out: Optional[str] = None) -> Tuple[str, Dict[str, object]]:
    """The page of one run, to be written to out (default RUN/report.html),
    and what is on it: counts of lessons, groups and figures placed, the
    figures expected, the names of those missing."""
    summary = read_csv(os.path.join(run, "summary.csv"))
    if not summary or "group" not in summary[0]:
        raise ValueError("%s/summary.csv has no rows with a group column" % run)
    m = read_json(os.path.join(run, "machine.json"))
    ratios = read_csv(os.path.join(run, "ratios.csv"))
    convoy = read_csv(os.path.join(run, "convoy.csv"))
    refcount = read_csv(os.path.join(run, "refcount.csv"))
    lessons, evaluated = lessons_of(run)
    p = Page(run, plots, expected_figures(run, summary))
    name = os.path.basename(os.path.normpath(run))
    groups: List[str] = []
    for r in summary:
        if r["group"] not in groups:
            groups.append(r["group"])
    nav = "".join('<li><a href="#%s">%s</a></li>' % (esc(les.get("id")), esc(les.get("id"))) for les in lessons)
    nav += "".join('<li><a href="#group-%s">%s</a></li>' % (slug(g), keep(g)) for g in groups)
    nav += '<li><a href="#noise">noise</a></li><li><a href="#commands">redraw and compare</a></li>'
    body = ['<header><h1>gilbench run %s</h1><p class="machine">%s</p><nav aria-label="contents"><ul>%s</ul></nav></header>'
            % (keep(name), keep(machine_line(m, run)), nav), "<main>"]
    if p.missing:
        body.append('<p class="warn" id="missing-figures"><b>%d of the %d figures this run should have %s missing</b> '
                    '(%s): %s holds no file of %s. <code>make plots RUN=%s</code> draws them; <code>report --plots DIR'
                    '</code> names the folder that holds them.</p>'
                    % (len(p.missing), len(p.expected), "is" if len(p.missing) == 1 else "are",
                       ", ".join(keep(n) for n in p.missing), keep(plots), "it" if len(p.missing) == 1 else "them",
                       esc(shlex.quote(run))))
    body.append('<h2 id="lessons">The lessons</h2>')
    if not evaluated:
        body.append('<p class="warn">This run has no lessons.json: <code>bash scripts/lessons.sh %s</code> writes it.</p>'
                    % esc(shlex.quote(run)))
    body += [p.lesson(les) for les in lessons]
    body.append('<h2 id="groups">The groups</h2>')
    for g in groups:
        extra = ""
        if g.startswith("convoy"):
            extra = convoy_table(g, convoy)
        elif g == "refcount" and refcount:
            cols = ["label", "runs", "runs_with_loss", "lost_median", "lost_max", "ns_per_op"]
            extra = table(cols, [[e.get(c, "") for c in cols] for e in refcount], numeric=list(range(1, len(cols))))
        body.append(group_section(p, g, [r for r in summary if r["group"] == g],
                                  [r for r in ratios if r.get("group") == g], extra))
    rest = [n for n in p.available if n not in p.placed]
    if rest:
        body.append('<h2 id="other-figures">Other figures</h2><div class="figs">%s</div>'
                    % "".join(p.fig(n, "other figures") for n in rest))
    if not p.available and not p.expected:
        body.append('<p class="warn">No figures in %s: <code>make plots RUN=%s</code> draws them.</p>'
                    % (keep(plots), esc(shlex.quote(run))))
    warn = warnings(run, m)
    body.append('<h2 id="noise">Noise warnings</h2>' + ("<ul>%s</ul>" % "".join("<li>%s</li>" % keep(w) for w in warn)
                                                        if warn else "<p>None recorded for this run.</p>"))
    q = shlex.quote(run)
    default_out = os.path.join(run, "report.html")
    # make plots writes RUN/report.html: this page only when it is that file.
    redrawn = "this page again" if out is None or os.path.abspath(out) == os.path.abspath(default_out) \
        else "%s (not this page: it was written with --out)" % default_out
    body.append('<h2 id="commands">Redraw and compare</h2><pre>%s</pre><p>%s</p>' % (keep(
        "make plots RUN=%s          # the figures and %s\n"
        "make compare RUNS=\"%s results/OTHER\"   # beside another run: compare.html\n"
        "make handout RUN=%s        # the lab handout with this run's answer key\n"
        "make pack RUN=%s           # one .tar.gz of the run to hand in" % (q, redrawn, q, q, q)),
        keep("Figures: %s (SVG, PNG and PDF). Tables: summary.csv, ratios.csv, lessons.md in %s. "
            "Link a lesson as report.html#L7 (each lesson by its id), a group as report.html#group-NAME." % (plots, run))))
    body.append("</main>")
    counts = {"lessons": len(lessons), "groups": len(groups), "figures": len(p.placed),
              "expected_figures": len(p.expected), "missing_figures": p.missing}
    return page("gilbench run %s" % name, body), counts


def default_plots(run: str) -> str:
    """The run's figures: plots/NAME beside its results/ folder, else this checkout's plots/NAME."""
    name = os.path.basename(os.path.normpath(run))
    beside = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(run))), "plots", name)
    return beside if os.path.isdir(beside) else os.path.join(ROOT, "plots", name)


def write_report(run: str, out: Optional[str] = None, plots: Optional[str] = None) -> Dict[str, object]:
    """Write the page of run to out (default RUN/report.html); what was
    written (render's counts, the page's path and size, the figures' folder).
    A page whose expected figures are missing is written all the same, with
    a note for each: the caller decides how loudly to say so."""
    out = out or os.path.join(run, "report.html")
    plots = plots or default_plots(run)
    text, counts = render(run, plots, out)
    publish_text(out, text)
    return {"report": out, "bytes": len(text.encode("utf-8")), "plots": plots, **counts}
