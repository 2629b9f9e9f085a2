"""The columns of every data file a run holds, defined once, and the one
reading and writing of those files by column name.

Reads CSV and tab-separated tables by their header (read_table); writes them
through files.publish_text (write_table), so a reader never sees half a file.
Raises OSError when a file that exists cannot be read or a write fails.
The one formatting of a ratio (ratio_text) and of a figure with its unit and
interval is here too: a table, a lesson, a figure and a page print the same
number the same way.
A new column is one word here plus the line that fills it; no reader counts
columns.
"""
import csv
import io
import os
from typing import Dict, Iterable, List, Mapping, Optional, Sequence

from .files import publish_text

# plan.tsv (bench.sh, from matrix.sh): one experiment a row; command is the
# last column and takes the rest of the row, one word a field.
PLAN = "id case impl group mode variant label tasks param baseline kind command".split()
# experiments.tsv: the plan as it ran; workers from each binary's own --json
# report, status ok|failed; command's words joined by spaces.
EXPERIMENTS = ("id case impl group mode variant label tasks workers param baseline kind status"
               " command").split()
# summary.csv: one row per experiment.
SUMMARY = ("case impl group experiment mode variant label tasks workers param runs median_s mean_s"
           " stddev_s min_s max_s user_s system_s ci95_low_s ci95_high_s rel_spread speedup"
           " speedup_low speedup_high efficiency status").split()
# refcount.csv and convoy.csv: the figures those cases report, aggregated over
# an experiment's runs, with the experiment's group, label and status.
REFCOUNT = ("experiment group label status impl mode sync tasks ops final_count expected lost_updates"
            " premature_deallocs ns_per_op ok runs runs_with_loss lost_median lost_max lost_min").split()
CONVOY = ("experiment group label status impl mode policy switch_interval_us cpu_tasks runs alone_per_s"
          " contended_per_s slowdown latency_contended_median_s latency_contended_p99_s slowdown_min"
          " slowdown_max contended_per_s_min contended_per_s_max pin waited_0_share waited_1_share"
          " waited_2_share slowdown_low slowdown_high").split()
# summarize --noisy: the timed rows bench.sh re-runs.
NOISY = "group experiment rel_spread".split()


def read_table(path: str, sep: str = ",") -> List[Dict[str, str]]:
    """The rows of a CSV (sep ",") or tab-separated (sep "\\t") file as dicts
    by its header; [] when the file is absent.  A tab-separated file has no
    quoting; a row shorter than the header gets "" for the missing fields."""
    if not os.path.isfile(path):
        return []
    with open(path, encoding="utf-8", newline="") as f:
        if sep == "\t":
            reader = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE, restval="")
        else:
            reader = csv.DictReader(f, restval="")
        return list(reader)


def table_text(columns: Sequence[str], rows: Iterable[Mapping[str, object]], sep: str = ",") -> str:
    """A table's text: the header line, then each row's fields in columns'
    order ("" for a missing one), lines ending in a newline.  CSV fields are
    quoted only where they must be; tab-separated ones never."""
    out = io.StringIO()
    if sep == "\t":
        out.write("\t".join(columns) + "\n")
        for row in rows:
            out.write("\t".join(str(row.get(c, "")) for c in columns) + "\n")
    else:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(columns)
        for row in rows:
            w.writerow([row.get(c, "") for c in columns])
    return out.getvalue()


def write_table(path: str, columns: Sequence[str], rows: Iterable[Mapping[str, object]], sep: str = ",") -> None:
    """Publish table_text(columns, rows, sep) at path."""
    publish_text(path, table_text(columns, rows, sep))


def ratio_text(x: float) -> str:
    """A ratio as every table, lesson and figure prints it: 0.76 1.98 12.3 208
    (a figure that rounded 0.76 to 0.8 could show a failed check as passed)."""
    a = abs(x)
    return "%.2f" % x if a < 10 else "%.1f" % x if a < 100 else "%.0f" % x


def unit_text(x: float, unit: str) -> str:
    """A figure in its unit as lessons.md writes it (scripts/gilbench/lessonchecks.py fmt):
    a ratio with "x", milliseconds whole with " ms", anything else whole.

    >>> unit_text(36.7, "x"), unit_text(36.7, "ms"), unit_text(8.83, "ms")
    ('36.7x', '37 ms', '9 ms')
    """
    if unit == "x":
        return ratio_text(x) + "x"
    return "%.0f%s" % (x, " ms" if unit == "ms" else "")


def interval_text(est: Optional[float], low: Optional[float], high: Optional[float], unit: str = "x") -> str:
    """0.99x (0.97-1.01), or 0.99x without an interval, or '-'; a figure in
    another unit (unit_text) the same way: 37 ms, 37 ms (35-39)."""
    if est is None:
        return "-"
    if low is None or high is None:
        return unit_text(est, unit)
    bound = ratio_text if unit == "x" else lambda v: "%.0f" % v
    return "%s (%s-%s)" % (unit_text(est, unit), bound(low), bound(high))
