"""One page per comparison: compare.html beside scripts/compare.sh's tables.

Reads the folder compare.sh wrote: ratios.csv (every row on every machine,
by column name), ratios.md (its agreement line) and compare-GROUP.svg (or
.png) figures.  Writes DIR/compare.html (htmlpage): a warning when the
runs are of different sizes, the agreement line, the machines with their
sizes, the rows that differ most from the reference run, the figures of
each group (#group-NAME), and the command that made it (as compare.sh
hands it over, one argument a word: quoted here for a shell to paste).  Raises OSError
when a file cannot be read or the page cannot be written, ValueError when
ratios.csv is missing or not compare.sh's.
"""
import math
import os
import shlex
from typing import Dict, List, Optional, Sequence, Tuple

from .files import publish_text
from .htmlpage import figure, keep, page, slug, table
from .runfiles import read_csv

# How many of the rows that differ most the page lists.
TOP = 20


def agreement(folder: str) -> str:
    """ratios.md's agreement line, or a sentence saying there is none."""
    path = os.path.join(folder, "ratios.md")
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.startswith("agreement:"):
                    return line.strip()
    return "no agreement line (ratios.md is missing or has none)"


def differing(rows: List[Dict[str, str]], ref: str) -> List[Tuple[float, Dict[str, str]]]:
    """The rows of other runs than ref, the farthest ratio from 1 first."""
    out = []
    for r in rows:
        try:
            q = float(r.get("ratio", ""))
        except ValueError:
            continue
        if r.get("run") != ref and q > 0:
            out.append((abs(math.log(q)), r))
    out.sort(key=lambda t: -t[0])
    return out


def size_warning(machines: Sequence[Dict[str, str]]) -> str:
    """The warning when the runs are of different sizes (ratios.csv's size
    column, as compare.sh prints it on stderr), or "".

    >>> size_warning([{"size": "quick"}, {"size": "tiny"}, {"size": "quick"}])
    'these runs are of different sizes (quick, tiny): their rows differ by design; compare runs of one size'
    """
    sizes = sorted({m.get("size") or "unknown size" for m in machines})
    if len(sizes) < 2:
        return ""
    return ("these runs are of different sizes (%s): their rows differ by design; compare runs of one size"
            % ", ".join(sizes))


def made_by(words: Sequence[str], runs: Sequence[str]) -> str:
    """The "Made by" section: the command, each word quoted for a shell
    (shlex.quote), to paste in the gilbench folder; without one (the page
    made by hand) the runs' names and how to make it.

    >>> print(made_by(["scripts/compare.sh", "results/mé run", "results/B"], []).split("</pre>")[0])
    <pre>scripts/compare.sh &#x27;results/mé run&#x27; results/B
    """
    if words:
        return ('<pre>%s</pre><p class="note">Run it in the gilbench folder: the paths are relative to it, '
                'or absolute.</p>' % keep(" ".join(shlex.quote(w) for w in words)))
    return ('<p>The command was not recorded (the page was made by <code>compare-page</code> by hand). The runs: %s; '
            '<code>scripts/compare.sh RUN RUN ...</code> with their folders makes it again.</p>'
            % ", ".join(keep(r) for r in runs))


def render(folder: str, words: Sequence[str] = ()) -> Tuple[str, Dict[str, int]]:
    """The page of the comparison in folder, made by the command words; and
    counts of the runs and figures on it."""
    rows = read_csv(os.path.join(folder, "ratios.csv"))
    if not rows or "ratio" not in rows[0] or "machine" not in rows[0]:
        raise ValueError("%s/ratios.csv is missing or not written by make compare" % folder)
    machines: List[Dict[str, str]] = []
    seen = set()
    for r in rows:
        if r.get("run") not in seen:
            seen.add(r.get("run"))
            machines.append(r)
    ref = machines[0].get("run", "")
    groups: List[str] = []
    for r in rows:
        if r["group"] not in groups:
            groups.append(r["group"])
    figs = sorted(f[len("compare-"):-4] for f in os.listdir(folder)
                  if f.startswith("compare-") and f.endswith(".svg"))
    nav = ('<li><a href="#machines">machines</a></li><li><a href="#differ">rows that differ most</a></li>'
           + "".join('<li><a href="#group-%s">%s</a></li>' % (slug(g), keep(g)) for g in figs))
    fabricated = any(m.get("fabricated") == "true" for m in machines)
    sizes = size_warning(machines)
    body = ['<header><h1>gilbench compare: %d runs</h1>%s<p class="machine agreement"><b>%s</b></p>'
            '<p class="note">Ratio = median time on a machine / median time on the reference run <b>%s</b> '
            '(convoy rows: their slowdown). A time compares CPUs; the speedups in the figures compare what '
            'the GIL and the cores did.%s</p><nav aria-label="contents"><ul>%s</ul></nav></header><main>'
            % (len(machines), '<p class="warn" id="sizes"><b>%s</b></p>' % keep(sizes.capitalize()) if sizes else "",
               keep(agreement(folder)), keep(machines[0].get("machine", ref)),
               " Includes FABRICATED test runs." if fabricated else "", nav)]
    body.append('<h2 id="machines">Machines</h2>' + table(
        ["machine", "run", "size", "host", "CPU", "usable CPUs", "online", "Python", "date (UTC)", "note"],
        [(m.get("machine", ""), m.get("run", ""), m.get("size") or "unknown size", m.get("host", ""), m.get("cpu_model", ""),
          m.get("usable_cpus", ""), m.get("online_cpus", ""), m.get("python", ""), m.get("date_utc", ""),
          ("reference " if m is machines[0] else "") + ("fabricated" if m.get("fabricated") == "true" else ""))
         for m in machines], numeric=[5, 6]))
    far = differing(rows, ref)
    body.append('<h2 id="differ">The rows that differ most</h2><p>%d of %d rows of the other runs, the ratio '
                'farthest from 1 first; every row is in ratios.csv.</p>' % (min(TOP, len(far)), len(far)))
    # The ratio first: on a phone the table scrolls sideways, the ratio stays in view.
    body.append(table(["ratio to the reference", "machine", "group", "label", "tasks", "param", "median s"],
                      [(r.get("ratio", "") + "x", r.get("machine", ""), r.get("group", ""), r.get("label", ""),
                        r.get("tasks", ""), r.get("param") or "-", r.get("median_s", "")) for _, r in far[:TOP]],
                      numeric=[0, 4, 5, 6]))
    body.append('<h2 id="figures">Each group on each machine</h2>')
    placed = 0
    for g in figs:
        alt = "Figure of group %s: one value per machine (%d runs)" % (g, len(machines))
        f = figure(folder, "compare-" + g, alt, alt + ".")
        placed += bool(f)
        body.append('<section id="group-%s"><h3>%s</h3>%s</section>' % (slug(g), keep(g), f))
    body.append('<h2 id="commands">Made by</h2>' + made_by(words, [m.get("run", "") for m in machines]))
    body.append("</main>")
    return page("gilbench compare: %d runs" % len(machines), body), {"runs": len(machines), "figures": placed}


def write_page(folder: str, out: Optional[str] = None, words: Sequence[str] = ()) -> Dict[str, object]:
    """Write compare.html of folder (default DIR/compare.html), made by the
    command words; what was written."""
    out = out or os.path.join(folder, "compare.html")
    text, counts = render(folder, words)
    publish_text(out, text)
    return {"report": out, "bytes": len(text.encode("utf-8")), **counts}
