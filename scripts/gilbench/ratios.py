"""Per-block ratios of a run and their intervals: RUN/ratios.csv.

Reads RUN/experiments.tsv (each row's group, label, kind, baseline and
status, by column name) and RUN/raw/FAMILY.blocks.jsonl (blocks.py).  For
every block of a family it takes, for each row R timed in it:
  speedup  baseline / R          (R's speedup over seq, in that block)
  share    shell / R             (R's share of the machine's ceiling: the
                                  shell row, two independent processes,
                                  timed in the same block), CPU-bound groups
  aa       baseline / baseline#aa  (the A/A control, which should be 1)
and, from RUN/raw/BASELINE.costs.jsonl (experiments.sh run_cost_blocks: a
block's order; each row's k-th report in raw/ID.runs.jsonl is block k's),
  cost     R's ns_per_op / baseline's (what a contended atomic or mutex
           costs over a plain add, in that block)
and summarises each ratio over the blocks as the geometric mean of the
middle half of its per-block values with a 95% bootstrap interval over
whole blocks (stats.summarise_pairs).  Writes RUN/ratios.csv through a
temporary name (RATIO_COLUMNS), and the A/A controls into RUN/machine.json
(`aa`: the noise floor, one entry per family).  cited_ratios reads the
lessons' table (scripts/lessons-table.json) for the ratios the lessons read,
which the stopping rule (too_wide) looks at.  Raises OSError when a file
cannot be read or written, ValueError when one is not what it should be.
"""
import csv
import io
import json
import os
from typing import Dict, List, Optional, Set, Tuple

from . import stats
from .blocks import AA_SUFFIX
from .files import publish_json, publish_text

RATIO_COLUMNS = ["ratio", "kind", "group", "label", "experiment", "over", "estimate", "low", "high",
                 "blocks", "halfwidth"]


def read_tsv(path: str) -> List[Dict[str, str]]:
    """The rows of a TSV file as dicts keyed by its header."""
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def read_blocks(path: str) -> List[dict]:
    """The blocks of one FAMILY.blocks.jsonl (blank lines skipped)."""
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def block_pairs(blocks: List[dict], num: str, den: str) -> List[Tuple[float, float]]:
    """(num's seconds, den's seconds) of every block that timed both (> 0)."""
    out = []
    for b in blocks:
        s = b["seconds"]
        if s.get(num, 0) > 0 and s.get(den, 0) > 0:
            out.append((s[num], s[den]))
    return out


def family_ratios(blocks: List[dict], rows: Dict[str, Dict[str, str]], baseline: str) -> List[dict]:
    """The ratios of one family: each row's speedup, its share of the
    ceiling where the family has a shell row, and the A/A control."""
    ids = [i for i in rows if rows[i]["status"] == "ok"]
    shell = next((i for i in ids if rows[i]["kind"] == "shell"), None)
    want = []
    for i in ids:
        if i != baseline:
            want.append(("speedup", i, baseline, block_pairs(blocks, baseline, i)))
        if shell and i not in (shell, baseline):
            want.append(("share", i, shell, block_pairs(blocks, shell, i)))
    if baseline in ids:
        want.append(("aa", baseline, baseline + AA_SUFFIX, block_pairs(blocks, baseline, baseline + AA_SUFFIX)))
    out = []
    for kind, exp, over, values in want:
        if not values:
            continue
        est, low, high, n = stats.summarise_pairs(values)
        row = rows[exp]
        out.append({"ratio": "%s/%s" % (exp, over), "kind": kind, "family": baseline, "group": row["group"],
                    "label": row["label"], "experiment": exp, "over": over,
                    "estimate": est, "low": low, "high": high, "blocks": n,
                    "halfwidth": stats.relative_halfwidth(est, low, high)})
    return out


def cost_ratios(run: str, name: str, rows: Dict[str, Dict[str, str]]) -> List[dict]:
    """The cost ratios of one raw/BASELINE.costs.jsonl: each row's report
    figure (ns_per_op) over the baseline's, block by block; none when a
    row's reports do not match the blocks one for one."""
    raw = os.path.join(run, "raw")
    blocks = read_blocks(os.path.join(raw, name))
    baseline = name[:-len(".costs.jsonl")]
    ids = [i for i in rows if any(i in b["order"] for b in blocks)]  # the plan's order
    figures: Dict[str, List[float]] = {}
    for i in ids:
        reports = read_blocks(os.path.join(raw, i + ".runs.jsonl")) \
            if os.path.isfile(os.path.join(raw, i + ".runs.jsonl")) else []
        if len(reports) != len(blocks):
            return []
        figures[i] = [float(r.get("ns_per_op") or 0) for r in reports]
    if baseline not in figures:
        return []
    seconds = [{"block": k, "seconds": {i: figures[i][k] for i in ids}} for k in range(len(blocks))]
    out = []
    for i in ids:
        if i == baseline or rows[i]["status"] != "ok":
            continue
        est, low, high, n = stats.summarise_pairs(block_pairs(seconds, i, baseline))
        out.append({"ratio": "%s/%s" % (i, baseline), "kind": "cost", "family": baseline,
                    "group": rows[i]["group"], "label": rows[i]["label"], "experiment": i, "over": baseline,
                    "estimate": est, "low": low, "high": high, "blocks": n,
                    "halfwidth": stats.relative_halfwidth(est, low, high)})
    return out


def run_ratios(run: str) -> List[dict]:
    """Every ratio of the run's blocked families, family by family, then
    the costs of its cost blocks."""
    exps = {r["id"]: r for r in read_tsv(os.path.join(run, "experiments.tsv"))}
    raw = os.path.join(run, "raw")
    out: List[dict] = []
    for name in sorted(os.listdir(raw)) if os.path.isdir(raw) else []:
        if not name.endswith(".blocks.jsonl"):
            continue
        blocks = read_blocks(os.path.join(raw, name))
        if not blocks:
            continue
        timed = {i.replace(AA_SUFFIX, "") for b in blocks for i in b["order"]}
        rows = {i: r for i, r in exps.items() if i in timed}  # the plan's order
        baselines = {rows[i].get("baseline") for i in rows} - {None, "", "-"}
        if len(baselines) != 1:
            raise ValueError("%s: its rows name %d baselines, not one" % (name, len(baselines)))
        out.extend(family_ratios(blocks, rows, baselines.pop()))
    for name in sorted(os.listdir(raw)) if os.path.isdir(raw) else []:
        if name.endswith(".costs.jsonl"):
            out.extend(cost_ratios(run, name, exps))
    return out


def fmt_number(v: float) -> str:
    """A figure of ratios.csv: 6 significant digits, "inf" for no bound."""
    return "inf" if v == float("inf") else "%.6g" % v


def write_ratios(run: str, ratios: Optional[List[dict]] = None) -> str:
    """Write RUN/ratios.csv (header only when no family ran in blocks)."""
    ratios = run_ratios(run) if ratios is None else ratios
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(RATIO_COLUMNS)
    for r in ratios:
        w.writerow([fmt_number(r[c]) if isinstance(r[c], float) else r[c] for c in RATIO_COLUMNS])
    path = os.path.join(run, "ratios.csv")
    publish_text(path, buf.getvalue())
    return path


def cited_ratios(table_path: str) -> Set[Tuple[str, str, str]]:
    """The (group, label, kind) of every ratio a lesson reads: a check of a
    row's speedup "of" the ceiling reads its share, any other its speedup
    (a check "of" best reads the ceiling's own speedup)."""
    try:
        with open(table_path, encoding="utf-8") as f:
            table = json.load(f)
    except ValueError as e:
        raise ValueError("%s: not JSON (%s)" % (table_path, e))
    if not isinstance(table, list) or not all(isinstance(l, dict) and isinstance(l.get("checks", []), list)
                                              for l in table):
        raise ValueError("%s: not a lessons table (a list of lessons with checks)" % table_path)
    found = set()
    for lesson in table:
        for check in lesson["checks"] if "checks" in lesson else []:
            if not isinstance(check, dict):
                raise ValueError("%s: a check that is not an object" % table_path)
            if check.get("kind") == "value" and check.get("figure") == "speedup":
                kind = "share" if check.get("of") == "ceiling" else "speedup"
                # a check with prefer reads the first of its labels that ran
                for label in [check["label"]] if "label" in check else check.get("prefer", []):
                    found.add((check["group"], label, kind))
    return found


def too_wide(ratios: List[dict], groups: Optional[List[str]], target: float,
             cited: Optional[Set[Tuple[str, str, str]]] = None) -> List[Tuple[str, float]]:
    """The families (by baseline) whose speedup or share ratios in the
    given groups (all when None; only those in `cited`, when given: the ones the lessons
    read) are wider than target (relative half-width), widest first, each
    with its widest half-width."""
    worst: Dict[str, float] = {}
    for r in ratios:
        if r["kind"] == "aa" or (groups is not None and r["group"] not in groups):
            continue
        if cited is not None and (r["group"], r["label"], r["kind"]) not in cited:
            continue
        if r["halfwidth"] > target:
            worst[r["family"]] = max(worst.get(r["family"], 0.0), r["halfwidth"])
    return sorted(worst.items(), key=lambda kv: (-kv[1], kv[0]))


def record_aa(run: str, ratios: List[dict]) -> None:
    """machine.json's aa: {family: {estimate, low, high, blocks, contains_one}}."""
    path = os.path.join(run, "machine.json")
    with open(path, encoding="utf-8") as f:
        machine = json.load(f)
    machine["aa"] = {r["family"]: {"estimate": round(r["estimate"], 6), "low": round(r["low"], 6),
                                   "high": round(r["high"], 6), "blocks": r["blocks"],
                                   "contains_one": r["low"] <= 1.0 <= r["high"]}
                     for r in ratios if r["kind"] == "aa"}
    publish_json(path, machine, indent=2)
