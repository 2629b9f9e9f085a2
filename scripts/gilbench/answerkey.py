"""The answer key's text: each question's answer from one run's files (handout's half that reads no file but one).

Reads scripts/handout-table.json: one answer a question, "expect" (what the lesson predicts, in words only) and
"measured", a template whose placeholders are copied verbatim from the run's files, by column or key name,
never computed:
  {s:EXPERIMENT:COLUMN} summary.csv   {r:EXPERIMENT:COLUMN} refcount.csv   {c:EXPERIMENT:COLUMN} convoy.csv
  {m:KEY} machine.json                {j:EXPERIMENT:A.B} raw/EXPERIMENT.run.json, the key path A.B
  {S:GROUP:LABEL:COLUMN}  summary.csv, the group's rows of that label, "FIGURE at PARAM" by param
  {C:GROUP:LABEL:COLUMN}  the same rows' figure in convoy.csv
  {L:ID}                  the lesson's line in lessons.json
A placeholder that cannot be read (its row not run, failed, or without that figure) makes the answer say why,
without figures; a lesson that did not hold on the answer's rows makes it say that the run does not support
the expected answer, and why ("checked": false: figures the lesson check does not read, beside which a failing
lesson is only noted).  Writes nothing; raises OSError or ValueError when the table cannot be read, TypeError,
AttributeError or KeyError when a run's lessons.json is not what scripts/lessons.sh writes.
"""
import json
import os
import re
from typing import Callable, Dict, List, Optional, Tuple

from .runfiles import ROOT, num

TABLE = os.path.join(ROOT, "scripts", "handout-table.json")
# The interpreters a row needs that the bench may not have found (matrix.sh's roles), by the row's id.
ROLES = (("PYTHON2", r"\.py2(-|$)"), ("PYTHON_FT", r"\.pyft(-|$)"),
         ("PYTHON_INTERP", r"\.(pyi-[a-z]+|py-interpreters)$|^start-cpython\."))
Row = Dict[str, Optional[str]]
Result = Tuple[bool, List[object], str]  # ok, the rows it read, its text (or why not)


def text_of(v: object) -> str:
    """A value in a sentence, as jq wrote it: a string verbatim, 2.0 as 2, else JSON (1e-05, true)."""
    if isinstance(v, str):
        return v
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e16:
        return "%d" % v
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)


def alt(v: object, default: object) -> object:
    """v, or default when v is null or false (jq's v // default)."""
    return default if v is None or v is False else v


def joined(items: object, sep: str) -> str:
    return sep.join("" if x is None else text_of(x) for x in items)  # type: ignore[attr-defined]


def uniq(items: List[object]) -> List[object]:
    return [x for i, x in enumerate(items) if x not in items[:i]]


def scalar(v: object) -> Optional[str]:
    return text_of(v) if isinstance(v, (str, bool, int, float)) else None


def value_of(v: Optional[str], row: str, what: str) -> Result:
    return (True, [row], v) if v is not None else (False, [row], "%s has no %s" % (row, what))


def series(rows: List[Row], name: str, figure: Callable[[Row], object]) -> Result:
    """The ok rows of one group's label: "FIGURE at PARAM", by param."""
    points = sorted(((num(r.get("param")), figure(r)) for r in rows if r.get("status") == "ok"),
                    key=lambda pv: (pv[0] is not None, pv[0] or 0))
    if not points:
        return False, [name], "no rows of %s were run" % name
    if any(p is None or v is None for p, v in points):
        return False, [name], "%s lacks a figure" % name
    return True, [r.get("experiment") for r in rows], ", ".join("%s at %s" % (text_of(v), text_of(p)) for p, v in points)


def resolve(placeholder: str, ctx: dict) -> Result:
    """One placeholder's text, or why the run cannot give it."""
    f = placeholder.split(":")
    if f[0] == "m":
        return value_of(scalar(ctx["machine"].get(f[1])), "machine.json", f[1])
    if f[0] == "L":
        found = [x for x in ctx["lessons"].get("lessons") or [] if x.get("id") == f[1]]
        return (True, [], alt(found[0].get("line"), "")) if found else (False, [], "lessons.json has no %s" % f[1])
    if f[0] in ("S", "C"):
        name = "%s %s" % (f[1], f[2])
        rows = [r for r in ctx["summary"] if r.get("group") == f[1] and r.get("label") == f[2]]
        if not rows:
            return False, [name], "group %s (%s) was not run" % (f[1], f[2])
        if f[0] == "S":
            return series(rows, name, lambda r: r.get(f[3]))
        return series(rows, name, lambda r: ctx["convoy"].get(str(r.get("experiment")), {}).get(f[3]))
    exp = f[1]
    row = next((r for r in ctx["summary"] if r.get("experiment") == exp), None)
    role = next((r for r, pattern in ROLES if re.search(pattern, exp)), None)
    if row is None and role is not None and role not in alt(ctx["machine"].get("pythons"), {}):  # type: ignore[operator]
        return False, [exp], "row %s was not run: the bench found no %s (scripts/pythons.sh says how to get one)" % (exp, role)
    if row is None:
        return False, [exp], "row %s was not run (its group left out with --only?)" % exp
    if alt(row.get("status"), "ok") != "ok":
        return False, [exp], "row %s failed (its log: raw/%s.*)" % (exp, exp)
    if f[0] in "src":
        files = {"s": ("summary", row), "r": ("refcount", ctx["refcount"].get(exp, {})), "c": ("convoy", ctx["convoy"].get(exp, {}))}
        return value_of(files[f[0]][1].get(f[2]), exp, "%s in %s.csv" % (f[2], files[f[0]][0]))
    report = ctx["raw"].get(exp)
    if report is None:
        return False, [exp], "the run has no raw/%s.run.json (the binary's own report)" % exp
    for key in f[2].split("."):
        report = report.get(key) if isinstance(report, dict) else None
    return value_of(scalar(report), exp, "%s in raw/%s.run.json" % (f[2], exp))


def fill(template: str, ctx: dict) -> Tuple[List[object], str, List[str]]:
    """The template with every placeholder replaced: the rows it read, its text, why it cannot be."""
    places = re.findall(r"\{([A-Za-z]+:[^{}]+)\}", template)
    found = [resolve(p, ctx) for p in places]
    for p, (ok, _, value) in zip(places, found):
        template = template.replace("{" + p + "}", text_of(value)) if ok else template
    return uniq([r for _, rows, _ in found for r in rows]), template, uniq([why for ok, _, why in found if not ok])  # type: ignore


def caveat(a: dict, rows: List[object], ctx: dict) -> List[str]:
    """What the lesson's status means for this answer."""
    found = [x for x in ctx["lessons"].get("lessons") or [] if x.get("id") == a["lesson"]]
    if not found:
        return ["lessons.json has no %s: the expected answer above is not checked against this run." % a["lesson"]]
    les, checks = found[0], found[0].get("checks") or []
    lid, status = text_of(les.get("id")), les.get("status")
    if status in ("holds", None):
        return []
    if status == "not_measured":
        return ["This run does not measure lesson %s: %s." % (lid, joined(les.get("causes"), "; "))]
    causes = "Likely cause (lessons.json): %s." % joined(les.get("causes"), "; ")
    if status == "not_shown":
        return ["This run cannot tell whether lesson %s holds: the 95%% interval of %s crosses its bound. %s Run it again,"
                " or quote the interval, not the figure alone." % (
                    lid, joined([c.get("text") for c in checks if c.get("status") == "not_shown"], "; "), causes)]
    bad = [c for c in checks if c.get("status") in ("fail", "failed_row", "no_data")]
    mine = [c for c in bad if any(r in rows for r in c["rows"])]
    bad_rows = joined(uniq([r for c in bad for r in c["rows"]]), ", ")
    if a.get("checked") is False:
        return ["Lesson %s did not hold in this run (rows %s); the figures of this question are not the ones it checks." % (lid, bad_rows)]
    if not mine:
        return ["Lesson %s did not hold in this run on other rows (%s); this question's rows agree with it." % (lid, bad_rows)]
    said = ["%s%s%s" % (text_of(alt(c.get("text"), "")),
                        " (wanted %s)" % text_of(c["wanted"]) if alt(c.get("wanted"), "") != "" else "",
                        "row %s failed" % joined(c.get("failed"), ", ") if c.get("status") == "failed_row" else "") for c in mine]
    return ["**This run does not support the expected answer**: lesson %s did not hold on this question's rows: %s. %s"
            " Answer from the figures below, and say why they differ." % (lid, "; ".join(said), causes)]


def answer(a: dict, ctx: dict) -> str:
    """One question's answer: what is expected, then what this run measured."""
    parts = ["**Expected.** " + a["expect"]]
    if a.get("measured") is None:
        parts.append("**This run.** Not measured by the bench: check it with the commands above.")
    else:
        rows, text, why = fill(a["measured"], ctx)
        parts += ["**This run cannot answer this**: %s." % "; ".join(why)] if why else caveat(a, rows, ctx) + ["**This run.** " + text]
    return "\n>\n".join("> " + p for p in parts)


def header(ctx: dict) -> str:
    """The key's first lines: the run, its machine and date."""
    m = ctx["machine"]
    at = " at " + m["git_commit"] if alt(m.get("git_commit"), None) is not None else ""
    said = (ctx["run"], alt(m.get("cpu_model"), "unknown CPU"), alt(alt(m.get("usable_cpus"), m.get("online_cpus")), "?"),
            alt(m.get("online_cpus"), "?"), alt(m.get("date_utc"), "date unknown"), alt(m.get("hostname"), "?"),
            alt(m.get("suite_version"), "?"), at)
    return ("> **Answer key** for the run `%s`: %s, %s usable CPUs (%s online), %s, host %s, suite %s%s.\n> Every figure in"
            " the answers is copied from that run's summary.csv, refcount.csv, convoy.csv, machine.json, lessons.json or"
            " raw/*.run.json, by column or key name." % tuple(text_of(v) for v in said))


def answers(ctx: dict, report: str) -> Dict[str, str]:
    """{ID: markdown} for every question of the table, and "run": the header; the first
    answer of each lesson links to the run's page (report.html#Lk) when there is one."""
    with open(TABLE, encoding="utf-8") as f:
        questions = json.load(f)
    first: Dict[str, str] = {}
    key = {}
    for a in questions:
        key[a["id"]] = answer(a, ctx)
        if report and first.setdefault(a["lesson"], a["id"]) == a["id"]:
            link = "%s#%s" % (report, a["lesson"])
            key[a["id"]] += ("\n>\n> **Figure.** [%s on this run's page](%s): its verdict, its checks with their intervals"
                             " and its figure." % (a["lesson"], "<%s>" % link if re.search(r"[ ()<>]", report) else link))
    key["run"] = header(ctx)
    return key


def fill_page(page: str, key: Dict[str, str]) -> str:
    """The page with every marker line followed by its answer and "<!-- /key -->"."""
    out = []
    for line in (page[:-1] if page.endswith("\n") else page).split("\n"):
        out.append(line)
        m = re.fullmatch(r"<!-- key ([^ ]+) -->", line)
        if m and m.group(1) not in key:
            raise ValueError("no answer for marker %s" % m.group(1))
        out += [key[m.group(1)], "<!-- /key -->"] if m else []
    return "\n".join(out) + "\n"
