"""The aggregates of a run's raw records: summary.csv's rows (median, mean,
spread, 95% interval, speedup, efficiency) and refcount.csv's and
convoy.csv's (each case's figures over its runs), for tables.py to write.

Reads RUN/experiments.tsv, machine.json, ratios.csv (the paired speedups),
raw/ID.rN.hyperfine.json (hyperfine's runs, every round) and raw/ID.runs.jsonl
(a sampled row's runs; refcount's and convoy's reports, else raw/ID.run.json).
Writes nothing.  Raises OSError, ValueError, TypeError or LookupError on a
file that cannot be read or is not what it should be.  The numbers are those
the awk/jq pipeline printed: %.6g in summary.csv, a report's figures as jq
prints them (jq_text), sums added left to right, nulls ordered as jq does.
"""
import collections
import functools
import json
import math
import operator
import os
import re
from typing import Callable, Dict, List, Optional, Sequence

from . import schema, stats
from .runfiles import read_json

# Two-sided 95% Student's t for 1..30 degrees of freedom; past 30,
# 1.96 + 2.4/df is within 0.005 of the exact value.
T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
        2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042)
ROUND_FILE = re.compile(r"\.r[0-9]+\.hyperfine\.json$")
Row = Dict[str, str]
add = functools.partial(functools.reduce, operator.add)  # left to right, as awk and jq add (not sum())


def jq_text(v: object) -> str:
    """A JSON value as jq 1.6 prints it in a string: a number in its shortest
    digits, integral ones without ".0" (past 1e16 jq has all the digits).

    >>> jq_text(1.0), jq_text(0.00001), jq_text(0.61), jq_text(None), jq_text("a")
    ('1', '1e-05', '0.61', 'null', 'a')
    """
    if isinstance(v, str):
        return v
    finite = isinstance(v, float) and math.isfinite(v)
    text = repr(v) if finite else json.dumps(v, separators=(",", ":"), ensure_ascii=False)
    return text[:-2] if text.endswith(".0") else text


def awk_num(text: str) -> float:
    """A field as awk reads it as a number ("" is 0)."""
    return float(text or 0)


def g6(x: float) -> str:
    return "%.6g" % x


def jq_key(v: object) -> tuple:
    """jq's order of null and numbers (null first)."""
    return (v is not None and v is not False, v if isinstance(v, (int, float)) else 0)


def alt(*values: object) -> object:
    """jq's a // b // ...: the first that is neither null nor false, else the last."""
    return next((v for v in values if v is not None and v is not False), values[-1])


def get(obj: object, *keys: str) -> object:
    """jq's .a.b: null where an object or a key is missing."""
    for k in keys:
        obj = obj.get(k) if isinstance(obj, dict) else None
    return obj


def median(values: Sequence[object]) -> object:
    """jq's median of a report's figure (a null sorts first and adds as 0)."""
    s, h = sorted(values, key=jq_key), len(values) // 2
    if len(s) % 2:
        return s[h]
    a, b = s[h - 1], s[h]
    return (a if b is None else b if a is None else a + b) / 2  # type: ignore[operator]


def mean(runs: List[object], key: str) -> float:
    return add([v for v in (get(r, key) for r in runs) if v is not None]) / len(runs)


def json_values(path: str) -> List[object]:
    """The JSON values of a file, as jq -s reads them: one (maybe indented), or one a line."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        return [json.loads(text)]
    except ValueError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]


def table(path: str, sep: str = ",") -> List[Row]:
    """A table's rows by column name, "" for a column it lacks; [] when absent."""
    return [collections.defaultdict(str, r) for r in schema.read_table(path, sep)]


def samples_by_id(run: str, experiments: List[Row]) -> Dict[str, Optional[tuple]]:
    """(user, system, times) of each ok experiment: hyperfine's runs over every round, or a
    sampled row's own wall times ((None, None, []) if they report none); None without a record."""
    timed: Dict[str, list] = {}
    sampled: Dict[str, list] = {}
    raw = run + "/raw"
    for name in sorted(os.listdir(raw)) if os.path.isdir(raw) else []:
        m, path = ROUND_FILE.search(name), raw + "/" + name
        if name[0] == "." or not os.path.isfile(path):
            continue
        if m:
            timed.setdefault(name[:m.start()], []).extend(d["results"][0] for d in json_values(path))  # type: ignore
        elif name.endswith(".runs.jsonl"):
            sampled.setdefault(name[:-len(".runs.jsonl")], []).extend(json_values(path))
    found: Dict[str, Optional[tuple]] = {}
    for e in (e for e in experiments if e["status"] == "ok"):
        runs = (sampled if e["kind"] == "sampled" else timed).get(e["id"])
        if runs is None or e["kind"] != "sampled":
            times = runs and [t for r in runs for t in get(r, "times")]  # type: ignore
            found[e["id"]] = runs and (mean(runs, "user"), mean(runs, "system"), times)
        elif all(isinstance(r, dict) and "wall_s" in r for r in runs):
            found[e["id"]] = (mean(runs, "user_s"), mean(runs, "sys_s"), [get(r, "wall_s") for r in runs])
        else:
            found[e["id"]] = (None, None, [])
    return found


def summary_rows(experiments: List[Row], samples: Dict[str, Optional[tuple]], paired: Dict[str, Row],
                 cores: float) -> List[Row]:
    """summary.csv's rows, in the order of experiments.tsv: median, mean,
    sample stddev, min, max, mean's 95% interval (Student's t, its low end
    at least 0), rel_spread = stddev/mean; speedup = the baseline's median
    over the row's, or the paired one of ratios.csv with its interval;
    efficiency = speedup / min(workers, cores) for count and refcount."""
    rows, medians, index = [], {}, {}
    for r, e in enumerate(experiments):
        out = dict.fromkeys(schema.SUMMARY, "")
        out.update({k: e[k] for k in "case impl group mode variant label tasks workers param".split()}, experiment=e["id"])
        index[e["id"]], got = r, samples.get(e["id"])
        user, system, t = got if got else (None, None, [])
        t, n = sorted(float(x) for x in t), len(t)  # type: ignore[union-attr]
        rows.append(out)
        out.update(status="ok" if got else "failed", runs=str(n))
        if not n:
            continue
        mu, medians[r] = add(t) / n, t[n // 2] if n % 2 else (t[n // 2 - 1] + t[n // 2]) / 2
        if n > 1:
            sd = math.sqrt(add([(x - mu) ** 2 for x in t]) / (n - 1))
            half = (T975[n - 2] if n <= 31 else 1.96 + 2.4 / (n - 1)) * sd / math.sqrt(n)
            out.update(ci95_low_s=g6(mu - half if mu - half > 0 else 0), ci95_high_s=g6(mu + half), stddev_s=g6(sd),
                       rel_spread=g6(sd / mu) if mu > 0 else "")
        out.update(median_s=g6(medians[r]), mean_s=g6(mu), min_s=g6(t[0]), max_s=g6(t[-1]),
                   user_s="" if user is None else g6(user), system_s="" if system is None else g6(system))
    for r, (e, out) in enumerate(zip(experiments, rows)):
        b = index.get(e["baseline"])
        if b not in medians or r not in medians or not medians[r] > 0:
            continue
        speedup, p = medians[b] / medians[r], paired.get(e["id"])
        if p is not None:
            speedup = awk_num(p["estimate"])
            high = "" if p["high"] == "inf" else g6(awk_num(p["high"]))
            out.update(speedup_low=g6(awk_num(p["low"])), speedup_high=high)
        used = min(awk_num(out["workers"]), max(cores, 1))
        if out["case"] in ("count", "refcount") and used >= 1:
            out["efficiency"] = g6(speedup / used)
        out["speedup"] = g6(speedup)
    return rows


def run_summary(run: str) -> List[Row]:
    """summary.csv's rows of a run folder."""
    experiments, m = table(run + "/experiments.tsv", "\t"), read_json(run + "/machine.json")
    paired = {p["experiment"]: p for p in table(run + "/ratios.csv") if p["kind"] == "speedup"}
    cores = awk_num(jq_text(alt(m.get("usable_cpus"), m.get("online_cpus"), 1)))
    return summary_rows(experiments, samples_by_id(run, experiments), paired, cores)


def refcount_figures(reports: List[object]) -> dict:
    """A refcount row's figures: as the first run reports them; lost_updates, ns_per_op
    the median, premature_deallocs the max, ok whether every run was exact; runs_with_loss
    the runs with lost updates or a premature free; lost_median, _max, _min."""
    lost = sorted([get(r, "lost_updates") for r in reports], key=jq_key)
    return dict({k: get(reports[0], k) for k in "mode sync tasks ops final_count expected".split()},
                lost_updates=median(lost), ns_per_op=median([get(r, "ns_per_op") for r in reports]),
                premature_deallocs=max([get(r, "premature_deallocs") for r in reports], key=jq_key),
                ok=all(alt(get(r, "ok"), None) is not None for r in reports), runs=len(reports),
                runs_with_loss=sum(jq_key(get(r, "lost_updates")) > (True, 0) or
                                   jq_key(get(r, "premature_deallocs")) > (True, 0) for r in reports),
                lost_median=median(lost), lost_max=lost[-1], lost_min=lost[0])


def gil_policy(r: object) -> str:
    """The GIL that ran: ours reports it (gil.policy); cases/convoy.py's is
    none without a GIL, the old one in CPython 2, else the new one."""
    if alt(get(r, "gil", "policy"), None) is not None:
        return jq_text(get(r, "gil", "policy"))
    if get(r, "mode") is not None or get(r, "gil_enabled") is False:
        return ""
    return "old" if get(r, "check_interval") is not None and get(r, "switch_interval_us") is None else "new"


def convoy_slowdown(reports: List[object]) -> Dict[str, object]:
    """The slowdown over a row's samples, as the blocked ratios are summarised
    (stats.summarise_pairs): each sample's own slowdown (its two phases, one
    after the other, are a pair), the geometric mean of their middle half,
    and a 95% bootstrap interval over the samples.  One 0.5 s sample of
    CPython 3.11's reads 213x and the next 682x; the median of five left two
    runs 30% apart."""
    values = [get(r, "slowdown") for r in reports]
    usable = [float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0]
    if not usable:
        return {"slowdown": median(values), "slowdown_low": None, "slowdown_high": None}
    est, low, high, _ = stats.summarise_pairs([(v, 1.0) for v in usable])
    bounded = len(usable) > 1 and low > 0 and math.isfinite(high)
    return {"slowdown": float("%.6g" % est), "slowdown_low": float("%.6g" % low) if bounded else None,
            "slowdown_high": float("%.6g" % high) if bounded else None}


def convoy_figures(reports: List[object]) -> dict:
    """A convoy row's figures: the median of each over its runs (the waiting
    shares': of those that report them), the slowdown summarised as the
    paired ratios are (convoy_slowdown), the slowdown's and contended rate's range."""
    first = reports[0]
    col = {k: sorted([get(r, k) for r in reports], key=jq_key) for k in ("io_ops_contended_per_s", "slowdown")}
    fig = {k: median([get(r, j) for r in reports]) for k, j in (
        ("alone_per_s", "io_ops_alone_per_s"), ("contended_per_s", "io_ops_contended_per_s"),
        ("latency_contended_median_s",) * 2, ("latency_contended_p99_s",) * 2)}
    fig.update(convoy_slowdown(reports))
    for k in ("waited_0_share", "waited_1_share", "waited_2_share"):
        shares = [v for v in (get(r, k) for r in reports) if v is not None]
        fig[k] = median(shares) if shares else None
    return dict(fig, mode=alt(get(first, "mode"), "threads" if get(first, "gil_enabled") is False else "gil"),
                policy=gil_policy(first), runs=len(reports), pin=alt(get(first, "pin"), ""),
                switch_interval_us=alt(get(first, "gil", "switch_interval_us"), get(first, "switch_interval_us"), ""),
                cpu_tasks=alt(get(first, "cpu_tasks"), get(first, "cpu_threads")),
                slowdown_min=col["slowdown"][0], slowdown_max=col["slowdown"][-1],
                contended_per_s_min=col["io_ops_contended_per_s"][0],
                contended_per_s_max=col["io_ops_contended_per_s"][-1])


def case_rows(run: str, case: str, figures: Callable[[List[object]], dict]) -> List[Row]:
    """One row per experiment of CASE, its figures over its runs (raw/ID.runs.jsonl, else
    raw/ID.run.json); a failed row keeps its key and status, without figures."""
    rows = []
    for e in (e for e in table(run + "/experiments.tsv", "\t") if e["case"] == case):
        row: Dict[str, object] = {k: e[k] for k in ("group", "label", "status", "impl", "mode")}
        row["experiment"] = e["id"]
        if e["status"] == "ok":
            path = "%s/raw/%s.runs.jsonl" % (run, e["id"])
            if not (os.path.isfile(path) and os.path.getsize(path) > 0):
                path = "%s/raw/%s.run.json" % (run, e["id"])
            row.update(figures(json_values(path)))
        rows.append({k: "" if v is None else jq_text(v) for k, v in row.items()})
    return rows
