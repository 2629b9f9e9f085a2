"""Reading a run folder for its pages: its tables by column name, its size,
and the figures `plots` draws from it (the figure table).

Reads summary.csv-like tables (csv, by header), JSON objects (machine.json,
lessons.json), experiments.tsv, scripts/matrix.sh's SIZES table (for a run
older than machine.json's "size") and the figure table
(scripts/plots/figures.txt, on import); writes nothing.  Raises OSError when
a file that exists (or the figure table) cannot be read, ValueError when a
JSON file is not one object.
"""
import csv
import json
import os
import re
from typing import Dict, List, Optional, Sequence, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# A run's size as the page names it (bench.sh --tiny, --quick, full).
SIZE_NAMES = {"tiny": "tiny", "quick": "QUICK", "full": "full"}
# The figure table (scripts/plots/figures.txt): one figure a row, its columns
# read by the header's names; `plots` draws from it.
FIGURE_TABLE = os.path.join(ROOT, "scripts", "plots", "figures.txt")


def figure_table(path: str = FIGURE_TABLE) -> List[Dict[str, str]]:
    """The figure table's rows in order, as dicts by its header's names, each
    field without its surrounding blanks; lines starting with '#' are comments."""
    with open(path, encoding="utf-8") as f:
        lines = [ln for ln in f.read().splitlines() if ln.strip() and not ln.startswith("#")]
    head = [h.strip() for h in lines[0].split("|")] if lines else []
    return [dict(zip(head, [c.strip() for c in ln.split("|")] + [""] * len(head))) for ln in lines[1:]]


def figure_needs(rows: List[Dict[str, str]]) -> Dict[str, Tuple[Sequence[str], Sequence[str]]]:
    """What each figure reads: the groups its data step names and those of
    its needs (one with an ok row is enough), and the files it needs besides
    summary.csv (the words of needs with a '.').  A figure whose groups have
    no ok row, or whose file is missing, is skipped by `plots` ("plots:
    skipping NAME: ..."), so the page does not expect it."""
    found: Dict[str, Tuple[Sequence[str], Sequence[str]]] = {}
    for row in rows:
        words = row["data"].split()[1:] + row["needs"].split()
        found[row["figure"]] = (tuple(w for w in words if "." not in w), tuple(w for w in words if "." in w))
    return found


FIGURE_NEEDS = figure_needs(figure_table())


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
    """text as a float (C locale rules), or None.

    >>> num("0.5"), num(""), num(None)
    (0.5, None, None)
    """
    try:
        return float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def sizes_table(matrix: str = os.path.join(ROOT, "scripts", "matrix.sh")) -> Dict[str, Dict[str, str]]:
    """matrix.sh's SIZES table: {variable: {size: value}}; {} when unreadable."""
    try:
        with open(matrix, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return {}
    m = re.search(r"SIZES='\n(.*?)'", text, flags=re.S)
    if not m:
        return {}
    lines = [ln.split() for ln in m.group(1).splitlines() if ln.strip()]
    if not lines or lines[0][0] != "variable":
        return {}
    head = lines[0]
    return {row[0]: dict(zip(head[1:], row[1:])) for row in lines[1:] if len(row) == len(head)}


def size_from_commands(run: str) -> Optional[str]:
    """The size whose COUNT_ITERATIONS the run's count rows used
    (experiments.tsv's commands, --iterations=N), or None."""
    iters = sizes_table().get("COUNT_ITERATIONS", {})
    for row in read_tsv(os.path.join(run, "experiments.tsv")):
        if row.get("group") == "count-2" and row.get("case") == "count":
            m = re.search(r"--iterations=(\S+)", row.get("command", ""))
            got = num(m.group(1)) if m else None
            found = [s for s, v in iters.items() if got is not None and num(v) == got]
            return found[0] if len(found) == 1 else None
    return None


def read_tsv(path: str) -> List[Dict[str, str]]:
    """The rows of a tab-separated file by its header; [] when absent."""
    if not os.path.isfile(path):
        return []
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def run_size(run: str, m: dict) -> str:
    """The run's size as the page names it: tiny, QUICK or full.

    machine.json's "size" (bench.sh writes it); a run from before it only
    has "quick", true for --tiny too, so its count commands tell which;
    when they cannot, "QUICK or tiny".
    """
    size = m.get("size")
    if size in SIZE_NAMES:
        return SIZE_NAMES[str(size)]
    if not m.get("quick"):
        return "full" if m else "unknown size"
    found = size_from_commands(run)
    return SIZE_NAMES[found] if found in ("quick", "tiny") else "QUICK or tiny"


def expected_figures(run: str, summary: List[Dict[str, str]]) -> List[str]:
    """The figures plots.sh draws from this run, in FIGURE_NEEDS's order."""
    ok = {r.get("group") for r in summary if r.get("status") == "ok"}
    return [name for name, (groups, files) in FIGURE_NEEDS.items()
            if ok.intersection(groups) and all(os.path.isfile(os.path.join(run, f)) for f in files)]
