"""Time-paired blocks: a family's rows timed once each, back to back.

A family is a baseline row (seq), the rows read against it and, for a
CPU-bound group, the machine's ceiling (the shell row).  Its rows are timed
in blocks: one hyperfine call per block (--runs 1, every row once), in an
order that changes from block to block, so that a ratio is taken between
samples seconds apart (duet benchmarking) and no row always follows another.
The baseline is timed twice in each block, the second time as the A/A
control (AA_SUFFIX): the ratio of a row to itself, which should be 1.

Reads: the family's rows, "ID<TAB>WORD<TAB>WORD..." lines (the command's
words).  Writes, in the run's raw/ folder: FAMILY.blocks.jsonl (one line per
block: block, round, order, seconds per row), and for each row and round
the hyperfine-shaped ID.rROUND.hyperfine.json that the tables read (the
row's samples of that round's blocks), each through a temporary name.
Raises BlockError when hyperfine fails or writes no times (the caller names
the row that failed from hyperfine's log).
"""
import json
import os
import subprocess
from typing import Dict, List, Sequence, Tuple

from .files import publish_json

AA_SUFFIX = "#aa"


class BlockError(Exception):
    """A block could not be timed; the message names the block and why."""


def block_order(ids: Sequence[str], block: int) -> List[str]:
    """The order of block number `block` (0-based): blocks come in pairs,
    the rows rotated by the pair's number, then the same order reversed
    (ABBA), so that each row follows each of its two neighbours in turn and,
    over 2n blocks, every row is first and last equally often.

    >>> block_order(["a", "b", "c"], 0), block_order(["a", "b", "c"], 1), block_order(["a", "b", "c"], 2)
    (['a', 'b', 'c'], ['c', 'b', 'a'], ['b', 'c', 'a'])
    """
    n = len(ids)
    k = (block // 2) % n
    rotated = list(ids[k:]) + list(ids[:k])
    return rotated if block % 2 == 0 else rotated[::-1]


def hyperfine_words(words: Sequence[str]) -> str:
    """One string that hyperfine -N splits back into words (POSIX quoting)."""
    return " ".join("'" + w.replace("'", "'\\''") + "'" for w in words)


def read_rows(lines: Sequence[str]) -> List[Tuple[str, List[str]]]:
    """The (id, words) of "ID<TAB>WORD..." lines; blank lines are skipped."""
    rows = []
    for line in lines:
        line = line.rstrip("\n")
        if line:
            fields = line.split("\t")
            rows.append((fields[0], fields[1:]))
    return rows


def time_block(rows: Dict[str, List[str]], order: Sequence[str], out: str, log: str) -> Dict[str, dict]:
    """Run one block with hyperfine; {id: hyperfine's result of that row}.
    A baseline timed twice is ID and ID#aa."""
    words = [hyperfine_words(rows[i.replace(AA_SUFFIX, "")]) for i in order]
    cmd = ["hyperfine", "-N", "--style=none", "--output=null", "--runs", "1", "--warmup", "0",
           "--export-json", out, "--"] + words
    with open(log, "a", encoding="utf-8") as lf:
        rc = subprocess.call(cmd, stdout=lf, stderr=lf, stdin=subprocess.DEVNULL)
    if rc != 0:
        raise BlockError("hyperfine exited %d" % rc)
    try:
        with open(out, encoding="utf-8") as f:
            results = json.load(f)["results"]
    except (OSError, ValueError, KeyError) as e:
        raise BlockError("hyperfine wrote no times to %s (%s)" % (out, e))
    if len(results) != len(order) or any(not r.get("times") for r in results):
        raise BlockError("hyperfine wrote %d results for %d rows" % (len(results), len(order)))
    return dict(zip(order, results))


def run_blocks(raw: str, family: str, rows: List[Tuple[str, List[str]]], round_no: int,
               first_block: int, count: int, aa: bool = True) -> int:
    """Time `count` blocks of the family (numbered from first_block), append
    them to raw/FAMILY.blocks.jsonl and write each row's round file; returns
    the next block number."""
    by_id = dict(rows)
    ids = [i for i, _ in rows]
    slots = ids + ([ids[0] + AA_SUFFIX] if aa and ids else [])
    samples: Dict[str, List[dict]] = {i: [] for i in slots}
    log = os.path.join(raw, "%s.blocks.log" % family)
    tmp = os.path.join(raw, "%s.block.json" % family)
    with open(os.path.join(raw, "%s.blocks.jsonl" % family), "a", encoding="utf-8") as jl:
        for b in range(first_block, first_block + count):
            order = block_order(slots, b)
            got = time_block(by_id, order, tmp, log)
            for i in slots:
                samples[i].append(got[i])
            jl.write(json.dumps({"block": b, "round": round_no, "order": order,
                                 "seconds": {i: got[i]["times"][0] for i in order}}) + "\n")
            jl.flush()
    if os.path.exists(tmp):
        os.unlink(tmp)
    for i in ids:
        res = samples[i]
        times = [r["times"][0] for r in res]
        merged = {"command": res[0]["command"], "times": times,
                  "mean": sum(times) / len(times),
                  "user": sum(r.get("user", 0.0) for r in res) / len(res),
                  "system": sum(r.get("system", 0.0) for r in res) / len(res),
                  "exit_codes": [c for r in res for c in r.get("exit_codes", [])]}
        publish_json(os.path.join(raw, "%s.r%d.hyperfine.json" % (i, round_no)), {"results": [merged]})
    return first_block + count
