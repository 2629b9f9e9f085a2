"""Each figure's data, from a run's files: the data steps the figure table
(scripts/plots/figures.txt) names, for the gnuplot scripts in scripts/plots/.

A step STEP(run, path, *args) reads RUN/summary.csv, refcount.csv, convoy.csv
or raw/trace-gil-{new,old}.csv by column name, writes path (TAB-separated, a
"# " header line first, which gnuplot skips) and returns the figure's
variables for gnuplot, NAME=TEXT or NAME:=NUMBER, or skip=REASON when the run
has no data for it.  Raises OSError when a file cannot be read or written,
ValueError or ArithmeticError on data it cannot draw.  Numbers it computes
are written as mawk wrote them before the port (awk_text), so the files stay
the same.
"""
import os
import re
from typing import Callable, Dict, List, Optional, Sequence

from .files import publish_text
from .schema import ratio_text, read_table

# The layouts of the files, the contract with the gnuplot scripts.
BAR = "label value low high mode style text".split()                              # bars.gp
SERIES = "x y low high".split()                                                    # lines.gp, a block a series
CONVOY_BAR = "label alone_per_s contended_per_s mode style text low high".split()  # convoy.gp
MODES_ORDER = "seq threads gil interp fork pool threadpool async".split()
Row = Dict[str, str]
_NUM = re.compile(r"\s*([-+]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|inf(?:inity)?|nan))", re.I)


def val(text: str) -> float:
    """text's number as awk reads it: its leading number, else 0."""
    m = _NUM.match(text)
    return float(m.group(1)) if m else 0.0


def awk_text(x: float) -> str:
    """A computed number as mawk prints it: a whole one within its integer
    range whole, any other %.6g (3, 1.04351, 2.14748e+09)."""
    return "%d" % x if x == x and abs(x) <= 2147483647 and x == int(x) else "%.6g" % x


def cpython_label(label: str, impl: str) -> str:
    """A reference row's name, its interpreter with its version (impl's
    major.minor): py-threads of cpython-3.11.7 is "CPython 3.11 threads",
    pyft-gil-threads of cpython-3.13.1t "CPython 3.13t+GIL threads", the
    convoy row py "CPython 3.11"; another impl is named as it is."""
    name, v = ("CPython", impl[8:]) if impl.startswith("cpython-") else (impl, "")
    m = re.match(r"[0-9]+\.[0-9]+", v)
    v = m.group(0) + ("t" if v.endswith("t") else "") if m else v
    rest = re.sub(r"^py[a-z0-9]*(-|$)", "", label, count=1)
    if re.match(r"pyft-gil(-|$)", label):
        rest, v = re.sub(r"^gil(-|$)", "", rest, count=1), v + "+GIL"
    return name + (" " + v if v else "") + (" " + rest if rest else "")


def _line(columns: Sequence[str], row: Row) -> str:
    return "\t".join(row.get(c, "") for c in columns) + "\n"


def _ok(run: str) -> List[Row]:
    """summary.csv's ok rows that were timed."""
    return [r for r in read_table(os.path.join(run, "summary.csv")) if r.get("status") == "ok" and r.get("median_s")]


def bar_rows(run: str, what: str, groups: Sequence[str]) -> List[Row]:
    """The ok rows of groups (in that order), as bar rows: the median
    (min..max), or the speedup (its 95% interval where timed in blocks);
    CPython rows cross-hatched (style 2) and named "CPython ...", variants
    hatched (1); an empty row between groups."""
    by: Dict[str, List[Row]] = {}
    for r in _ok(run):
        g = lambda k: r.get(k) or ""  # noqa: E731
        sp, seq = g("speedup"), g("label").endswith("seq")
        style = 2 if g("impl") != "gilbench" else 1 if g("variant") else 0
        v = {"label": cpython_label(g("label"), g("impl")) if style == 2 else g("label"), "mode": g("mode")}
        if what == "speedup":
            s = sp or ("1" if seq else "")
            if not s:
                continue
            v.update(value=s, style="0", text=ratio_text(val(s)) + "×")
            if g("speedup_low") and g("speedup_high"):
                v.update(low=g("speedup_low"), high=g("speedup_high"))
                v["text"] += " (%s-%s)" % (ratio_text(val(v["low"])), ratio_text(val(v["high"])))
        else:
            v.update(value=g("median_s"), low=g("min_s"), high=g("max_s"), style=str(style), text="%.3g s" % val(g("median_s")))
            v["text"] += "  (%s×)" % ratio_text(val(sp)) if sp and not seq else ""
        by.setdefault(g("group"), []).append(v)
    out: List[Row] = []
    for group in (x for x in groups if x in by):
        out += ([{}] if out else []) + by[group]
    return out


def write_bars(path: str, rows: List[Row]) -> List[str]:
    """Bar rows (an empty one a spacer) into path; bars.gp's variables: xmax,
    the modes present, the bar count n, has1..has3 for the fill styles used."""
    text, n, modes, styles, xmax = "# " + "\t".join(BAR) + "\n", 0, set(), set(), 0.0
    for v in rows:
        if v.get("value"):
            if not v.get("low"):  # no whisker: a zero-length one (gnuplot warns of none)
                v = dict(v, low=v["value"], high=v["value"])
            n += 1
            modes.add(v["mode"])
            styles.add(v["style"])
            room = 1 - 0.014 * len(v["text"].encode("utf-8")) - 0.04  # for the text: ~1.4% of the axis a byte
            xmax = max(xmax, val(v["high"]) / room)
        text += _line(BAR, v)
    publish_text(path, text)
    return (["xmax:=%g" % (xmax if xmax > 0 else 1), "modes=" + " ".join(m for m in MODES_ORDER if m in modes), "n:=%d" % n]
            + ["has%d:=%d" % (i, str(i) in styles) for i in (1, 2, 3)] + (["skip=no data in this run"] if n == 0 else []))


def time_bars(run: str, path: str, *groups: str) -> List[str]:
    """The median time of each ok row of groups (bars.gp); tasks, for the
    title, is the first ok row's of the first group."""
    meta = write_bars(path, bar_rows(run, "time", groups)) + ["xtitle=median wall time (s), whiskers min..max"]
    first = [r.get("tasks") or "" for r in _ok(run) if r.get("group") == (groups + ("",))[0]]
    return meta + ["tasks=" + first[0]] if first else meta


def speedup_bars(run: str, path: str, *groups: str) -> List[str]:
    """The speedup of each ok row of groups (bars.gp)."""
    return write_bars(path, bar_rows(run, "speedup", groups))


def write_series(path: str, rows: List[Row]) -> List[str]:
    """Series rows (series mode x y low high) into path, by x, a data block a
    series (in order of first appearance at the smallest x); lines.gp's
    variables: titles, modes, xmax."""
    blocks: Dict[str, str] = {}
    modes = []
    for r in sorted(rows, key=lambda r: val(r["x"])):
        if r["series"] not in blocks:
            blocks[r["series"]] = ""
            modes.append(r["mode"])
        blocks[r["series"]] += _line(SERIES, dict(r, low=r["y"], high=r["y"]) if not r["low"] else r)
    publish_text(path, "# " + " ".join(SERIES) + "\n" + "".join(b + "\n\n" for b in blocks.values()))
    return (["titles=" + " ".join('"%s"' % s for s in blocks), "modes=" + " ".join(modes),
             "xmax:=%g" % max([val(r["x"]) for r in rows] + [0])] + ([] if blocks else ["skip=no data in this run"]))


def series_rows(run: str, y: str, group: str) -> List[Row]:
    """The ok rows of group that have a param, a series per label: x the
    param, y the y column (speedup, or median_s with min_s..max_s whiskers);
    the seq rows only with median_s."""
    t = y == "median_s"
    return [{"series": r.get("label") or "", "mode": r.get("mode") or "", "x": r["param"], "y": r[y],
             "low": r.get("min_s") or "" if t else "", "high": r.get("max_s") or "" if t else ""}
            for r in _ok(run) if r.get("group") == group and r.get("param") and r.get(y) and (t or r.get("label") != "seq")]


def speedup_series(run: str, path: str, group: str) -> List[str]:
    return write_series(path, series_rows(run, "speedup", group))


def time_series(run: str, path: str, group: str) -> List[str]:
    return write_series(path, series_rows(run, "median_s", group))


def refcount_rows(run: str) -> List[Row]:
    """refcount.csv's rows that did not fail: the label (mode-sync in a file
    without one), the sync as the fill style, the lost updates (with several
    runs: their median, min..max, in how many the count went wrong) out of
    every INCREF and DECREF made (ops x tasks), the cost per update."""
    rows = []
    for r in read_table(os.path.join(run, "refcount.csv")):
        g = lambda k: r.get(k) or ""  # noqa: E731
        if g("status") == "failed" or not g("ns_per_op"):
            continue
        n = val(g("runs")) if "runs" in r else 1
        rows.append({"label": g("label") or g("mode") + "-" + g("sync"), "mode": g("mode"), "runs": awk_text(n),
                     "style": str({"atomic": 1, "mutex": 2, "biased": 3}.get(g("sync"), 0)), "ns_per_op": g("ns_per_op"),
                     "lost": g("lost_median") if n > 1 and "lost_median" in r else g("lost_updates"),
                     "total": awk_text(val(g("ops")) * val(g("tasks"))), "runs_with_loss": g("runs_with_loss") if n > 1 else "",
                     "lost_min": g("lost_min") if n > 1 else "", "lost_max": g("lost_max") if n > 1 else ""})
    return rows


def _human(x: str) -> str:
    f = val(x)
    return "%.3g M" % (f / 1e6) if f >= 1e6 else "%.3g k" % (f / 1e3) if f >= 1e3 else "%d" % f


def refcount_lost(run: str, path: str) -> List[str]:
    """The lost updates of each refcount row (bars.gp), counted in millions
    once any count reaches 100 000 and in thousands from 10 000, so that the
    axis labels stay short."""
    if not os.path.isfile(os.path.join(run, "refcount.csv")):
        return ["skip=no refcount.csv in this run"]
    rows, bars = refcount_rows(run), []
    top = max([val(r[k]) for r in rows for k in ("lost", "lost_max")] + [0])
    unit, unit_name = (1000000, ", millions") if top >= 1e5 else (1000, ", thousands") if top >= 1e4 else (1, "")
    for r in rows:
        lost, total, k, runs = val(r["lost"]), val(r["total"]), r["runs_with_loss"], val(r["runs"])
        text = ("exact in all %d runs" % runs if k == "0" else
                "wrong in %d of %d runs, median %s, max %s" % (val(k), runs, _human(r["lost"]), _human(r["lost_max"])) if k else
                "%s of %s updates (%.2g%%)" % (_human(r["lost"]), _human(r["total"]), 100 * lost / total)
                if lost > 0 and total > 0 else _human(r["lost"]))
        bars.append({"label": r["label"], "value": awk_text(lost / unit), "mode": r["mode"], "style": r["style"], "text": text,
                     "low": r["lost_min"] and awk_text(val(r["lost_min"]) / unit),
                     "high": r["lost_max"] and awk_text(val(r["lost_max"]) / unit)})
    return write_bars(path, bars) + ["xtitle=lost updates%s (median of the runs, whiskers min..max)" % unit_name]


def refcount_cost(run: str, path: str) -> List[str]:
    """Nanoseconds per update of each refcount row (bars.gp)."""
    if not os.path.isfile(os.path.join(run, "refcount.csv")):
        return ["skip=no refcount.csv in this run"]
    return write_bars(path, [dict(r, value=r["ns_per_op"], text="%.3g ns" % val(r["ns_per_op"]), low="")
                             for r in refcount_rows(run)])


def convoy_rows(run: str, group: str) -> Optional[List[Row]]:
    """convoy.csv's rows of group that did not fail, with figures for log
    axes (no zeros), contended_min and _max the range over the runs (empty in
    an older run); None without convoy.csv.  A convoy.csv from before its
    group column holds only rows that ran, each named GROUP.LABEL[.PARAM]."""
    path, rows = os.path.join(run, "convoy.csv"), []
    if not os.path.isfile(path):
        return None
    for r in read_table(path):
        g = lambda k: r.get(k) or ""  # noqa: E731
        if ((g("group") if "group" in r else g("experiment").split(".")[0]) != group or g("status") == "failed"
                or not (val(g("contended_per_s")) > 0 and val(g("alone_per_s")) > 0)):
            continue
        low, high = g("contended_per_s_min"), g("contended_per_s_max")
        low, high = (low, high) if not low or val(low) > 0 else ("", "")
        rows.append(dict({k: g(k) for k in ("label", "impl", "mode", "switch_interval_us", "alone_per_s", "contended_per_s",
                                            "slowdown")}, contended_min=low, contended_max=high))
    return rows


def convoy(run: str, path: str, group: str) -> List[str]:
    """I/O round trips alone and contended, a row a pair of bars (convoy.gp)."""
    rows = convoy_rows(run, group)
    if rows is None:
        return ["skip=no convoy.csv in this run"]
    text = "# " + " ".join(CONVOY_BAR) + "\n"
    for r in rows:
        ours, s = r["impl"] == "gilbench", val(r["slowdown"])
        text += _line(CONVOY_BAR, dict(
            r, label=r["label"] if ours else cpython_label(r["label"], r["impl"]),
            style="2" if not ours else "1" if "-" in r["label"] else "0",
            text=ratio_text(s) + "× slower" if s >= 1 else ratio_text(1 / s) + "× faster",
            low=r["contended_min"] or r["contended_per_s"], high=r["contended_max"] or r["contended_per_s"]))
    publish_text(path, text)
    return [] if rows else ["skip=no convoy rows in this run"]


def convoy_interval(run: str, path: str, group: str) -> List[str]:
    """Round trips against the switch interval (lines.gp), series in order of
    first appearance: ours contended, ours alone, CPython contended (named
    with its version) when the run has CPython's."""
    rows, series = convoy_rows(run, group), []
    if rows is None:
        return ["skip=no convoy.csv in this run"]
    for r in (r for r in rows if r["switch_interval_us"]):
        at = {"mode": "gil", "x": r["switch_interval_us"], "y": r["contended_per_s"], "low": r["contended_min"],
              "high": r["contended_max"]}
        if r["impl"] == "gilbench":
            series += [dict(at, series="simulated GIL, beside a CPU-bound thread"),
                       dict(at, series="simulated GIL, alone", y=r["alone_per_s"], low="", high="")]
        else:
            series.append(dict(at, series=cpython_label(r["label"], r["impl"]) + ", beside a CPU-bound thread"))
    return write_series(path, series)


def gil_timeline(run: str, path: str) -> List[str]:
    """Both GIL traces over one common window (the shorter trace, at most
    100 ms) from each trace's first hold, in ms, so the two hand-off rhythms
    compare at one scale (timeline.gp: PATH-new.tsv, PATH-old.tsv, thread
    start_ms end_ms); same-thread holds less than a pixel (window/1400)
    apart merged, so the old GIL's thousands of holds stay a few hundred
    boxes.  Variables: the window, the threads, per trace the holds and
    hand-offs (holder changes) in the window."""
    traces = [os.path.join(run, "raw", "trace-gil-%s.csv" % k) for k in ("new", "old")]
    if not all(os.path.isfile(t) for t in traces):
        return ["skip=raw/trace-gil-new.csv or raw/trace-gil-old.csv is missing"]
    rows = [[(r.get("thread") or "", val(r.get("start_s") or ""), val(r.get("end_s") or "")) for r in read_table(t)]
            for t in traces]
    t0 = [min(s for _, s, _ in trace) if trace else 0.0 for trace in rows]
    t1 = [max([e for _, _, e in trace] + [0.0]) for trace in rows]
    threads = max([val(th) + 1 for trace in rows for th, _, _ in trace] + [0])
    w = min(t1[0] - t0[0], t1[1] - t0[1], 0.1) * 1000
    base, counts = path[:-4] if path.endswith(".tsv") else path, []
    for p, trace in enumerate(rows):
        holds, moves, out = 0, 0, []  # out: the merged holds, each [thread, start, end]
        for th, s, e in trace:
            s, e = (s - t0[p]) * 1000, min((e - t0[p]) * 1000, w)
            if s >= w:
                continue
            holds, moves = holds + 1, moves + (bool(out) and th != out[-1][0])
            if out and th == out[-1][0] and s - out[-1][2] <= w / 1400:
                out[-1][2] = e
            else:
                out.append([th, s, e])
        publish_text("%s-%s.tsv" % (base, ("new", "old")[p]),
                     "# thread start_ms end_ms\n" + "".join("%s\t%s\t%s\n" % (th, awk_text(s), awk_text(e)) for th, s, e in out))
        counts.append("%d %d" % (holds, moves) if holds else "")
    if not all(counts):
        return ["skip=a GIL trace has no holds"]
    return ["window:=%.6f" % w, "threads:=%d" % threads, "counts_new=" + counts[0], "counts_old=" + counts[1],
            "data_new=%s-new.tsv" % base, "data_old=%s-old.tsv" % base]


# The data steps the figure table names.
STEPS: Dict[str, Callable[..., List[str]]] = {
    "time_bars": time_bars, "speedup_bars": speedup_bars, "speedup_series": speedup_series,
    "time_series": time_series, "refcount_lost": refcount_lost, "refcount_cost": refcount_cost,
    "convoy": convoy, "convoy_interval": convoy_interval, "gil_timeline": gil_timeline,
}
