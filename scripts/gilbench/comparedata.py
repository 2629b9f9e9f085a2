"""The data of a comparison (compare, scripts/compare.sh): each run's
machine named, their rows joined, and the data of each figure.  (A bundle
is opened by bundle.open_bundle first: the runs here are folders.)

Reads RUN/machine.json and RUN/convoy.csv (summary.csv's rows are given; an
old run's size: its experiments.tsv).  Writes the figure data files (gK.tsv)
into a folder the caller gives.  Raises Refused: a message and an exit
status (2 a machine.json that is not one JSON object, else 1); OSError when
a file cannot be read or written.
"""
import json
import os
import re
from collections import Counter
from typing import Dict, List, Sequence, Tuple

from .files import publish_text
from .runfiles import run_size
from .schema import ratio_text, read_table

NUMBER = re.compile(r"[ \t\n\v\f\r]*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?")


class Refused(Exception):
    """A run that cannot be compared: why (without the program's name) and the exit status."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


def anum(v: object) -> float:
    """v as a number; a text as awk reads one: its leading number, else 0."""
    if not isinstance(v, str):
        return float(v)  # type: ignore[arg-type]
    m = NUMBER.match(v)
    return float(m.group()) if m else 0.0


def looks_numeric(text: str) -> bool:
    """True when text is all a number (awk compares such a field as a number)."""
    m = NUMBER.match(text)
    return bool(m) and not text[m.end():].strip()


def isnum(v: object) -> bool:
    """A value, not "-" (missing or failed) or ""."""
    return v not in ("-", "")


def awk_str(x: float) -> str:
    """A number as awk turns it into text (CONVFMT %.6g, whole numbers whole)."""
    return "%d" % x if x == int(x) else "%.6g" % x


def jq_text(v: object) -> str:
    """A JSON value as jq's tostring prints it (jq 1.6)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e17:
        return "%d" % v
    if isinstance(v, (str, int, float)):
        return str(v)
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def cpu_short(m: str) -> str:
    """The words that tell CPUs apart: 'Intel(R) Core(TM) i5-8250U CPU @ 1.60GHz' -> 'Core i5-8250U'."""
    if m in ("unknown", ""):
        return ""
    m = re.sub(r" @ .*$", "", re.sub(r"\((R|TM|r|tm)\)", "", m), count=1)
    m = re.sub(r"[0-9]+-Core", "", re.sub(r" (CPU|Processor|processor)", " ", m))
    m = re.sub(r"  +", " ", re.sub(r"(^| )(Intel|AMD|Genuine|Core)( |$)", " ", m)).strip(" ")
    if len(m) > 16:
        m = re.sub(r"^[0-9]+(st|nd|rd|th) Gen ", "", m, count=1)
    return m[:15] + "…" if len(m) > 16 else m


def name_machines(ms: List[Dict[str, str]]) -> None:
    """Add each machine's id (ratios.csv: its host, '#K' when a host repeats),
    label (the figures': short host, CPU model, usable CPUs; unique) and rank
    (the figures' order: by usable CPUs, then as given)."""
    hosts = Counter(m["host"] for m in ms)
    short = {h: h.split(".")[0] or h for h in hosts}
    two = {h: re.match(r"[^.]*\.[^.]*", h) for h in hosts}  # pc017.cs of pc017.cs.example.edu
    mid = {h: two[h].group() if two[h] else h for h in hosts}  # type: ignore[union-attr]
    shorts, mids = Counter(short.values()), Counter(mid.values())
    k: Counter = Counter()
    for m in ms:
        h = m["host"]
        base = short[h] if shorts[short[h]] == 1 else mid[h] if mids[mid[h]] == 1 else h
        m["id"], m["label"] = re.sub(r"[^A-Za-z0-9._-]", "_", h), base[:7] + "…" + base[-7:] if len(base) > 15 else base
        if hosts[h] > 1:
            k[h] += 1
            m["id"], m["label"] = "%s#%d" % (m["id"], k[h]), "%s #%d" % (m["label"], k[h])
        u, cpu = m["usable_cpus"], cpu_short(m["cpu_model"])
        one = anum(u) == 1 if looks_numeric(u) else u == "1"
        m["label"] += (" · " + cpu if cpu else "") + " · " + u + (" CPU" if one else " CPUs")
        m["label"] = re.sub(r"[\"'\\]", "", m["label"])
    labels, ids = Counter(m["label"] for m in ms), Counter(m["id"] for m in ms)
    for i, m in enumerate(ms, 1):
        m["label"] += " (%d)" % i if labels[m["label"]] > 1 else ""
        m["id"] += "-%d" % i if ids[m["id"]] > 1 else ""
    for rank, m in enumerate(sorted(ms, key=lambda m: anum(m["usable_cpus"])), 1):
        m["rank"] = str(rank)


def machines(sources: Sequence[str], runs: Sequence[str], summaries: Sequence[List[Dict[str, str]]]) -> List[Dict[str, str]]:
    """One dict per run: what its machine.json says, its size, the CPython its
    reference rows ran on, and its names (name_machines).  Refused (status 2)
    names a machine.json that is not one JSON object."""
    ms = []
    for i, (src, run, rows) in enumerate(zip(sources, runs, summaries)):
        try:
            with open(os.path.join(run, "machine.json"), encoding="utf-8", errors="replace") as f:
                j = json.load(f)
        except (OSError, ValueError):
            j = None
        if not isinstance(j, dict):
            raise Refused("%s: machine.json: not a JSON object" % src, 2)
        get = lambda key, d: d if j.get(key) is None or j[key] is False else j[key]  # noqa: E731  (jq's //)
        m = {"run": i + 1, "source": src, "name": os.path.basename(run.rstrip("/")) or "/",
             "host": get("hostname", "unknown"), "cpu_model": get("cpu_model", "unknown"),
             "online_cpus": get("online_cpus", "?"), "usable_cpus": get("usable_cpus", get("online_cpus", "?")),
             "cpu_quota": get("cpu_quota", "none"), "governor": get("governor", "unknown"),
             "compiler": get("compiler", "unknown"), "python": get("python", "unknown"),
             "date_utc": get("date_utc", "unknown"), "fabricated": get("fabricated", False) is not False}
        m = {key: re.sub(r"[\t\r\n]", " ", jq_text(v)) for key, v in m.items()}
        impls = list(dict.fromkeys(r.get("impl") for r in rows if r.get("impl") not in ("gilbench", "", None)))
        m["python"] += " · rows: " + " ".join(impls) if impls else ""
        try:
            m["size"] = run_size(run, j).lower()
        except (OSError, ValueError) as e:
            raise Refused("cannot read the runs' sizes from their machine.json") from e
        ms.append(m)
    name_machines(ms)
    return ms


def join(runs: Sequence[str], summaries: Sequence[List[Dict[str, str]]]) -> List[Dict[str, str]]:
    """The rows of every run joined on (case, impl, group, label, tasks, param):
    per row, in order of first appearance, one dict per run 1..n with its
    workers, median_s, speedup, slowdown ('-': missing or failed), value (what
    the runs are compared on: the median, a convoy row's slowdown), plotted
    (what the figure shows) and kind (speedup, slowdown or time).  workers is
    not part of the key: a pool has one worker per core."""
    slowmode = all(os.path.isfile(os.path.join(r, "convoy.csv")) for r in runs)
    order: Dict[Tuple[str, ...], Dict[str, object]] = {}
    hasspd, isconvoy = set(), set()
    for r, (run, rows) in enumerate(zip(runs, summaries), 1):
        slow = {c.get("experiment", ""): c.get("slowdown", "") for c in read_table(os.path.join(run, "convoy.csv"))} if slowmode else {}
        for row in rows:
            f = lambda name: row.get(name) or ""  # noqa: E731
            key = tuple(f(c) for c in ("case", "impl", "group", "label", "tasks", "param"))
            e = order.setdefault(key, {"mode": f("mode"), "runs": {}})
            ok = f("status") == "ok" and f("median_s") != ""
            d = e["runs"].setdefault(r, {})  # type: ignore[union-attr]
            d.update(wk=f("workers"), med=f("median_s") if ok else "-", spd=f("speedup") if ok else "")
            d["seq"] = d.get("seq") or (ok and f("mode") == "seq")
            if ok and f("speedup") != "":
                hasspd.add(f("group"))
            if f("case") == "convoy" and slowmode:
                isconvoy.add(f("group"))
                d["sd"] = slow[f("experiment")] if ok and slow.get(f("experiment"), "") != "" else "-"
    out = []
    for key, e in order.items():
        plot = "slowdown" if key[2] in isconvoy else "speedup" if key[2] in hasspd else "time"
        for r in range(1, len(runs) + 1):
            d = e["runs"].get(r, {})  # type: ignore[union-attr]
            m, s = d.get("med", "-"), d.get("sd", "-")
            sp = d["spd"] if d.get("spd") else "1" if d.get("seq") else "-"
            out.append(dict(zip(("case", "impl", "group", "label", "tasks", "param"), key), mode=e["mode"], run=str(r),
                            workers=d.get("wk", "-"), median_s=m, speedup=sp if plot == "speedup" else "-", slowdown=s,
                            value=s if plot == "slowdown" else m,
                            plotted=s if plot == "slowdown" else m if plot == "time" else sp, kind=plot))
    return out


def plot_data(ms: List[Dict[str, str]], rows: List[Dict[str, str]], layout: str, work: str) -> List[Dict[str, str]]:
    """Per group, a data file for one figure in work and its settings.  overlay,
    a few machines side by side: "bars" (clusters of one bar per machine) or,
    for a sweep (rows with a param), "lines" (blocks of param, value: one per
    label and machine, label-major).  rows, many machines: "rows", one line
    per machine in rank order; a sweep reduced to one number per machine (its
    best speedup, or its value at the largest param it ran), with its table
    for ratios.md ("md")."""
    n, at = len(ms), {int(m["rank"]): r for r, m in enumerate(ms, 1)}
    groups: Dict[str, dict] = {}
    for row in rows:
        g = groups.setdefault(row["group"], {"kind": row["kind"], "sweep": False, True: {}, False: {}, "val": {}, "px": {},
                                             "best": {}, "top": {}})
        p, lab, r, v = row["param"], row["label"], int(row["run"]), row["plotted"]
        g["sweep"] = g["sweep"] or p != ""
        g[p == ""].setdefault(lab, row["mode"])  # labels in order of first appearance, and their mode
        g["val"][p == "", lab, r, p] = v
        if p != "":
            g["px"].setdefault((lab, r), []).append(p)
            if isnum(v):
                if (lab, r) not in g["best"] or (g["kind"] == "speedup" and anum(v) > g["best"][lab, r]):
                    g["best"][lab, r] = anum(v)
                if (lab, r) not in g["top"] or anum(p) >= g["top"][lab, r][0]:
                    g["top"][lab, r] = (anum(p), anum(v))
    plots = []
    for k, (name, g) in enumerate(groups.items(), 1):
        out, kind, labs = os.path.join(work, "g%d.tsv" % k), g["kind"], list(g[not g["sweep"]].items())
        val = lambda lab, r: g["val"].get((True, lab, r, ""), "")  # noqa: E731
        got: Dict[int, List[float]] = {}  # each run's values drawn
        xs: Dict[str, float] = {}
        xstep, logx, text = "0", False, ""
        if layout == "rows":
            text = "y\tmachine" + "".join("\t" + lab for lab, _ in labs) + "\n"
            md = ["| machine |" + "".join(" %s |" % lab for lab, _ in labs), "|---|" + "--:|" * len(labs)]
            for y in range(1, n + 1):
                r, cells = at[y], []
                for lab, _ in labs:
                    v = val(lab, r) if not g["sweep"] else g["best"].get((lab, r), "-") if kind == "speedup" else \
                        g["top"][lab, r][1] if (lab, r) in g["top"] else "-"
                    cells.append(v)
                    got.setdefault(r, []).extend([anum(v)] if isnum(v) else [])
                text += "%d\t%s" % (y, ms[r - 1]["label"]) + "".join(
                    "\t" + (v if isinstance(v, str) else awk_str(v)) if isnum(v) else "\t-" for v in cells) + "\n"
                # A cell as every table rounds a ratio, a time to 3 digits.
                md.append("| %s |" % ms[r - 1]["label"] + "".join(" %s |" % ("-" if not isnum(v) else "%.3g" % anum(v)
                                                                          if kind == "time" else ratio_text(anum(v))) for v in cells))
            # Only the labels with a value somewhere get a key entry (an empty column warns).
            has = [str(j) for j, (lab, _) in enumerate(labs, 1) if any(
                isnum(val(lab, r)) if not g["sweep"] else (lab, r) in g["best" if kind == "speedup" else "top"]
                for r in range(1, n + 1))]
            style = "rows"
        elif g["sweep"]:
            has, integral = [], True
            for j, (lab, _) in enumerate(labs):
                for r in range(1, n + 1):
                    text += "# %s on machine %d\n" % (lab, r)
                    pts = [(x, g["val"][False, lab, r, x]) for x in sorted(g["px"].get((lab, r), []), key=anum)]
                    pts = [(x, v) for x, v in pts if isnum(v)]
                    for x, v in pts:
                        text += "%s\t%s\n" % (x, v)
                        got.setdefault(r, []).append(anum(v))
                        integral = integral and looks_numeric(x) and anum(x) == int(anum(x))
                        xs.setdefault(x, anum(x))
                    # Only blocks with points are plotted (has); an empty block still needs a line.
                    has += [str(j * n + r - 1)] if pts else []
                    text += "\n\n" if pts else "NaN\tNaN\n\n\n"
            xlo, xhi = min(xs.values(), default=0), max([0.0] + list(xs.values()))
            logx = xlo > 0 and xhi / xlo > 20
            # A few params: a tick at each.  Many whole numbers: whole-number ticks, 1 2 5 10 20 ... apart.
            if len(xs) <= 12:
                xstep = " ".join(awk_str(x) for x in sorted(xs.values()))
            elif integral and not logx:
                step = 1.0
                while (xhi - xlo) / step > 12:
                    step *= 2.5 if awk_str(step)[0] == "2" else 2
                xstep = awk_str(step)
            style = "lines"
        else:
            for lab, _ in labs:
                for r in range(1, n + 1):
                    got.setdefault(r, []).extend([anum(val(lab, r))] if isnum(val(lab, r)) else [])
            # A machine without a value in this group gets zeros, not "-" (an all-missing column warns).
            has = ["1" if got.get(r) else "0" for r in range(1, n + 1)]
            text = "label" + "".join("\tm%d" % r for r in range(1, n + 1)) + "".join(
                "\n" + lab + "".join("\t" + ((val(lab, r) if isnum(val(lab, r)) else "-") if got.get(r) else "0")
                                     for r in range(1, n + 1)) for lab, _ in labs) + "\n"
            style = "bars"
        publish_text(out, text)
        values = [x for r in got.values() for x in r]
        lo, hi = min(values, default=0.0), max([0.0] + values)
        if hi == 0:
            continue
        logv = lo > 0 and hi / lo >= 30
        modes = [mode for _, mode in labs]
        plots.append({"group": name, "kind": kind, "style": style, "file": out, "vmin": "%g" % (lo / 2 if logv else 0),
                      "vmax": "%g" % (hi * 2 if logv else hi * 1.12), "logv": "%d" % logv, "logx": "%d" % logx,
                      "nlab": str(len(labs)), "has": " ".join(has) or "-", "labs": " ".join(lab for lab, _ in labs),
                      "modes": " ".join(modes), "xticks": xstep, "bymode": "%d" % (len(set(modes)) == len(modes)),
                      "md": "\n".join(md) if style == "rows" else ""})
    return plots
