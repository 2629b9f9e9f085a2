"""Does a run show what the suite teaches?  The lessons on its own numbers (scripts/lessons.sh).

Reads RUN/summary.csv and machine.json (required), and when present
refcount.csv, convoy.csv, ratios.csv, experiments.tsv (columns by header
name) and raw/*.run.json (startup_s, wall_s), and scripts/lessons-table.json
(the lessons and their checks, as data: lessonchecks).  A lesson holds when
every check that could be evaluated passes, fails when one does not, is not
shown when an interval crosses a bound or its ceiling is not one, is not
measured when none could be evaluated; one that does not hold names its
likely causes.  Writes RUN/lessons.md (a slide sentence per lesson) and
RUN/lessons.json, and a line per lesson on stdout (--json: lessons.json).
Exit 0 evaluated (whether or not the lessons hold), 1 an input unreadable or
an output not written (LessonsError), 2 bad usage.
"""
import glob
import json
import os
import re
import sys
from typing import Any, Dict, List, Tuple

from .cmdline import fail, usage_error, version_line
from .files import publish_text
from .lessonchecks import (BOUNDED, alt, by_experiment, evaluate_check, fixed, fmt, jq_json, jq_text, join, lt,
                           num, order_key, rtrim, table, truthy, uniq)

TABLE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lessons-table.json")
SCRIPT = "scripts/lessons.sh"
# Where a run is too short or too noisy to trust (causes); max_startup_share: startup_s / (startup_s + wall_s)
THRESHOLDS = {"min_median_s": 0.05, "max_rel_spread": 0.10, "max_sample_ratio": 2, "min_samples": 3,
              "max_startup_share": 0.25}
MIN_OTHERS_CPUS = 0.2        # machine.json cpu_used_by_others (bench.sh) worth naming
MAX_RATIO_HALFWIDTH = 0.03   # a block ratio's interval, half its width over the estimate (bench.sh RATIO_TARGET)
VERDICT = {"holds": "holds", "fails": "DOES NOT HOLD", "not_measured": "not measured",
           "not_shown": "not shown by this run"}
NO_CAUSE = ("no cause found in the run's data (load, quota, run length and spread look normal): run it again"
            " and compare the runs (make compare)")
USAGE = """Usage: scripts/lessons.sh [--json] RUN_DIR

Check each lesson of gilbench against a run's own numbers; print one line per
lesson and write RUN_DIR/lessons.md (slide sentences) and RUN_DIR/lessons.json.

Options:
  --json      print lessons.json on stdout instead of the lines
  --help, --version

Exit status: 0 evaluated (whether the lessons hold or not); 1 unreadable
input or a failed write; 2 bad usage.
"""


class LessonsError(Exception):
    """An input that cannot be read, or an output that cannot be written."""


def read_text(path: str) -> str:
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def startup_times(run: str) -> Dict[str, dict]:
    """{experiment: {startup_s, wall_s}} from RUN/raw/*.run.json: each line a JSON
    object with numeric startup_s and wall_s (our binaries and failed rows have none)."""
    found = {}
    for path in sorted(glob.glob(os.path.join(glob.escape(run), "raw", "*.run.json"))):
        for line in read_text(path).split("\n"):
            try:
                o = json.loads(line)
            except ValueError:
                continue
            if isinstance(o, dict) and all(type(o.get(k)) in (int, float) for k in ("startup_s", "wall_s")) \
                    and o["startup_s"] + o["wall_s"] > 0:
                found[os.path.basename(path)[:-len(".run.json")]] = {"startup_s": o["startup_s"], "wall_s": o["wall_s"]}
    return found


def load_causes(m: dict, u: Any) -> List[str]:
    """Other programs during the run: measured on the run's own CPUs
    (cpu_used_by_others, bench.sh) when it has it; else the load averages,
    which lag, count the bench's own work and are the whole machine's, so a
    load the CPUs outside the run's affinity mask could hold is not named."""
    others = m.get("cpu_used_by_others")
    if type(others) in (int, float):
        return [] if lt(others, MIN_OTHERS_CPUS) else [
            "load: other programs kept %s CPUs busy on average during the run (of %s usable)" % (jq_text(others), jq_text(u))]
    outside = max(alt(m.get("online_cpus"), u) - alt(m.get("affinity_cpus"), u), 0)
    on = "on %s usable CPUs" % jq_text(u) if outside == 0 else \
        "on the machine's %s online CPUs, more than the %s outside the run's affinity mask hold" % (
            jq_text(m.get("online_cpus")), jq_text(outside))
    first = [(lb[0] if isinstance(lb, list) and lb else None) for lb in (m.get("load_before"), m.get("load_after"))]
    out = []
    if not lt(alt(first[0], 0), outside + 0.5):
        out.append("load: the load average was %s before the run, %s (other programs were running)" % (jq_text(first[0]), on))
    if lt(outside + u + 0.5, alt(first[1], 0)):
        out.append("load: the load average was %s at the end of the run, above %s" % (jq_text(first[1]), (
            "the %s usable CPUs" % jq_text(u) if outside == 0 else
            "the %s CPUs outside the run's affinity mask and its %s usable" % (jq_text(outside), jq_text(u)))))
    return out


def causes(bad: List[dict], ctx: dict, lesson: dict) -> List[str]:
    """Why the checks in bad may have failed, read from the machine and from
    their rows (with each row's baseline); never empty."""
    m, u, base, t = ctx["machine"], ctx["usable"], ctx["baseline"], THRESHOLDS

    def listed(what: str, items: List[Any]) -> List[str]:
        return ["%s: %s" % (what, join(items))] if items else []

    def with_baselines(ids: List[Any]) -> List[Any]:
        return sorted(set(ids + [base[i] for i in ids if truthy(base.get(i))]), key=order_key)

    ids = with_baselines([i for b in bad for i in b["rows"]] + [b["over_row"] for b in bad if truthy(b.get("over_row"))])
    rs = [r for r in ctx["summary"] if r.get("experiment") in ids]
    ok = [dict(r, median=num(r.get("median_s")), spread=num(r.get("rel_spread"))) for r in rs if r.get("status") == "ok"]
    convoys = [dict(x, n=num(x.get("runs")), lo=num(x.get("slowdown_min")), hi=num(x.get("slowdown_max")))
               for x in (ctx["convoy"].get(r.get("experiment")) for r in ok if r.get("case") == "convoy") if truthy(x)]
    out = ["one usable CPU: threads and processes cannot run at the same time"] \
        if lt(u, 2) and truthy(lesson.get("needs_parallel")) else []
    quota, online = m.get("cpu_quota"), alt(m.get("online_cpus"), u)
    if type(quota) in (int, float) and lt(quota, online):
        out.append("a CPU quota of %s CPUs (of %s online)" % (jq_text(quota), jq_text(online)))
    out += load_causes(m, u)
    out += listed("the machine's ceiling was not a ceiling (two independent processes gained too little, or less than"
                  " a mode they bound), so nothing read against it can show the lesson",
                  sorted({b["rows"][0] if b["rows"] else None for b in bad if truthy(b.get("guard_failed"))}, key=order_key))
    # An interval across a bound (never a failure), after what the machine did, which may be why it is wide.
    wide = [(b["rows"][0], b["interval"]) for b in bad if b["status"] == "not_shown" and b.get("interval") is not None
            and not truthy(b.get("guard_failed")) and not truthy(b.get("under_guard"))
            and lt(MAX_RATIO_HALFWIDTH, b["interval"]["halfwidth"])]
    out += listed("a 95% interval too wide to decide (the machine's capacity moved between blocks, or too few blocks)",
                  ["%s%s ±%s%% over %s blocks" % (jq_text(e), " against the fastest mode" if truthy(i["best"]) else "",
                                                  fixed(i["halfwidth"] * 100, 0), jq_text(i["blocks"])) for e, i in wide])
    out += listed("failed rows (their logs: raw/ID.*)", [r.get("experiment") for r in rs if r.get("status") != "ok"])
    out += listed("runs too short (median below %s s)" % jq_text(t["min_median_s"]),
                  ["%s %s s" % (jq_text(r.get("experiment")), fixed(r["median"], 4)) for r in ok if r.get("case") != "convoy"
                   and r["median"] is not None and r["median"] < t["min_median_s"]])
    # start-up: an interpreter's start-up runs serially in seq and threads
    # alike, so it caps a short row's speedup; only for checks it can explain
    # (toward_one), as a share of the one --json run that measured both parts.
    short = with_baselines([i for b in bad if truthy(b.get("toward_one")) for i in b["rows"]])
    started = [(r.get("experiment"), ctx["startup"].get(r.get("experiment"))) for r in ok if r.get("experiment") in short]
    out += listed("runs too short for their start-up (the interpreter's start-up, serial in every mode, was over %s%% of"
                  " the run)" % fixed(t["max_startup_share"] * 100, 0),
                  ["%s %s%% (%s s of %s s)" % (jq_text(e), fixed(x["share"] * 100, 0), fixed(x["startup_s"], 2),
                                               fixed(x["startup_s"] + x["wall_s"], 2))
                   for e, x in started if x and x["share"] > t["max_startup_share"]])
    # a row timed in blocks (in ratios.csv) is read by its paired ratio, which its own spread does not decide
    paired = {q.get("experiment") for q in ctx["ratios"]}
    out += listed("spread too wide (stddev above %s%% of the mean)" % fixed(t["max_rel_spread"] * 100, 0),
                  ["%s %s%%" % (jq_text(r.get("experiment")), fixed(r["spread"] * 100, 0)) for r in ok
                   if r.get("case") != "convoy" and r["spread"] is not None and r["spread"] > t["max_rel_spread"]
                   and r.get("experiment") not in paired])
    out += listed("few samples (runs, below %s)" % t["min_samples"], ["%s %s" % (jq_text(x.get("experiment")), jq_text(x["n"]))
                                                                       for x in convoys if x["n"] is not None and x["n"] < t["min_samples"]])
    out += listed("spread too wide (slowdown over the runs, more than %sx apart)" % t["max_sample_ratio"],
                  ["%s %s..%s" % (jq_text(x.get("experiment")), fmt(x["lo"], "x"), fmt(x["hi"], "x")) for x in convoys
                   if x["lo"] is not None and x["hi"] is not None and x["lo"] > 0 and x["hi"] / x["lo"] > t["max_sample_ratio"]])
    out += ["no figures for %s in refcount.csv/convoy.csv" % join(b["rows"]) for b in bad if b["status"] == "no_data"]
    out += ["one sample: the racy refcount ran once; its threads may hardly have overlapped" for b in bad
            if b["name"] == "threads-none" and isinstance(b.get("value"), dict) and b["value"].get("runs") == 1]
    return uniq(out) or [NO_CAUSE]


def not_run_text(lesson: dict, missing: List[dict], ctx: dict) -> List[str]:
    """What was not run: a whole group, or one row of a group that ran, with
    why where an interpreter was not found (a quiet check speaks only when it fails)."""
    names = [r["name"] for r in missing]
    m = ctx["machine"]
    pythons, hints = m.get("pythons"), m.get("pythons_missing")
    out = []
    for c in lesson["checks"]:
        if truthy(alt(c.get("quiet"), False)) or c.get("name") not in names:
            continue
        g, role = c.get("group"), c.get("role")
        why = ""
        if truthy(role) and truthy(pythons) and role not in pythons:
            hint = hints.get(role) if isinstance(hints, dict) else None
            why = " (%s)" % jq_text(alt(hint, "%s not found or none: scripts/pythons.sh" % jq_text(role)))
        if any(r.get("group") == g for r in ctx["summary"]):
            prefer = join(alt(c.get("prefer"), []), " or ")
            what = c["label"] if truthy(c.get("label")) else prefer if prefer != "" else "rows"
            impl = c.get("impl")
            out.append("%s %s%s%s" % (jq_text(g), jq_text(what), " of " + (impl[1:] if impl.startswith("^") else impl)
                                      if truthy(impl) else "", why))
        elif any(x.get("group") == g and not truthy(x.get("role")) for x in lesson["checks"]):
            out.append("group %s" % jq_text(g))  # a group every check of which reads one interpreter's rows
        else:
            out.append("group %s%s" % (jq_text(g), why))
    return uniq(out)


def evaluate_lesson(lesson: dict, ctx: dict) -> dict:
    """A lesson's entry of lessons.json: {id, title, numbers, rows, checks,
    not_run, status: holds|fails|not_shown|not_measured, causes, line, sentence}."""
    checks = lesson["checks"]
    res = []
    for c in checks:
        r = evaluate_check(c, ctx)
        # the row a cost ratio divides by, for the causes
        r["over_row"] = next((x.get("experiment") for x in ctx["summary"] if x.get("group") == c.get("group")
                              and x.get("label") == c.get("over")), None) if truthy(c.get("over")) else None
        res.append(r)
    # A guard out of its band: the ceiling is not one, so a figure read against it that fails shows nothing either.
    if any(truthy(r.get("guard_failed")) for r in res):
        for c, r in zip(checks, res):
            if r["status"] == "fail" and (truthy((r.get("interval") or {}).get("share")) or c.get("of") == "ceiling"):
                r.update(status="not_shown", under_guard=True)
    bad = [r for r in res if r["status"] in ("fail", "failed_row", "no_data")]
    good = [r for r in res if r["status"] == "pass"]
    missing = [r for r in res if r["status"] == "not_run"]
    unsure = [r for r in res if r["status"] == "not_shown"]
    not_run = not_run_text(lesson, missing, ctx)
    required = [c.get("name") for c in checks if truthy(alt(c.get("required"), False))]
    lid, title, lead = (jq_text(lesson.get(k)) for k in ("id", "title", "lead"))
    out = {"id": lesson.get("id"), "title": lesson.get("title"),
           "numbers": {jq_text(r["name"]): r["value"] for r in res if r.get("value") is not None},
           "rows": uniq([i for r in res if r["status"] != "not_run" for i in r["rows"]]),
           "checks": [{k: v for k, v in r.items() if k != "over_row"} for r in res], "not_run": not_run}
    also = " (not run: %s)" % join(not_run) if not_run else ""
    m, u = ctx["machine"], ctx["usable"]  # the machine each sentence names: Intel(R) ..., 2 usable CPUs, 2026-11-20
    where = "%s, %s usable CPU%s, %s" % (jq_text(alt(m.get("cpu_model"), "unknown CPU")), jq_text(u),
                                         "" if u == 1 else "s", alt(m.get("date_utc"), "")[0:10])

    def text(r: dict) -> str:
        return r.get("text") or ""

    if (not bad and not good and not unsure) or any(r["name"] in required for r in missing):
        out.update(status="not_measured", causes=["not run: " + join(not_run)],
                   line="%s not measured: %s %s not run" % (lid, join(not_run), "was" if len(not_run) == 1 else "were"),
                   sentence="%s: not measured in this run (%s not run)." % (title, join(not_run)))
    elif lt(ctx["usable"], alt(lesson.get("needs_cpus"), 1)):
        u, n = jq_text(ctx["usable"]), jq_text(lesson.get("needs_cpus"))
        out.update(status="not_measured",
                   causes=["%s usable CPU: the lesson needs %s (threads cannot run in parallel here)" % (u, n)],
                   line="%s cannot show on this machine: only %s usable CPU (it needs %s)" % (lid, u, n),
                   sentence="%s: cannot show on this machine, which has %s usable CPU (%s)." % (title, u, where))
    elif bad or unsure:
        why = causes(bad or unsure, ctx, lesson)
        if bad:
            shown = "; ".join(text(r) + (" (wanted %s)" % jq_text(r["wanted"]) if r["status"] == "fail" else
                                         "row %s failed" % join(r["failed"]) if r["status"] == "failed_row" else
                                         "no figures for %s" % join(r["rows"]) if r["status"] == "no_data" else "")
                              for r in res if r["status"] not in ("not_run", "not_applicable")
                              and (r["status"] != "pass" or not truthy(r.get("quiet"))))
            which = "; ".join(text(r) + (" (wanted %s; row %s)" % (jq_text(r["wanted"]), join(r["rows"]))
                                         if r["status"] == "fail" else "row %s failed" % join(r["failed"])
                                         if r["status"] == "failed_row" else " (no figures for %s)" % join(r["rows"]))
                              for r in bad)
            status, verdict, says = "fails", "DOES NOT HOLD", "does not show it: " + shown
        else:
            which = "; ".join("%s (wanted %s; %s)" % (text(r), jq_text(r["wanted"]), (
                "a check of the ceiling the lesson is read against" if truthy(r.get("guard_failed")) else
                "read against that ceiling" if truthy(r.get("under_guard")) else "its interval crosses the bound"))
                for r in unsure)
            status, verdict, says = "not_shown", "not shown by this run", "cannot tell: " + which
        # a slide takes one sentence: the first (strongest) cause in it, the others in lessons.md's list
        out.update(status=status, causes=why,
                   line="%s %s: %s; likely cause: %s%s" % (lid, verdict, which, "; ".join(why), also),
                   sentence="%s, but this run %s; likely cause: %s%s (%s)." % (
                       lead, says, why[0], "; %d more below" % (len(why) - 1) if len(why) > 1 else "", where))
    else:
        shown = "; ".join(text(r) for r in good if not truthy(r.get("quiet")))
        out.update(status="holds", causes=[], line="%s holds: %s%s" % (lid, shown, also),
                   sentence="%s: %s (%s)." % (lead, shown, where))
    return out


def evaluate(lessons: List[dict], m: dict, texts: Dict[str, str], startup: Dict[str, dict]) -> dict:
    """lessons.json's object: the machine, the date, the thresholds and each
    lesson evaluated; texts holds each table's text ("" when absent)."""
    summary = table(texts["summary"], ",")
    ctx = {"machine": m, "usable": alt(m.get("usable_cpus"), m.get("online_cpus"), 1), "summary": summary,
           "startup": {k: dict(v, share=v["startup_s"] / (v["startup_s"] + v["wall_s"])) for k, v in startup.items()},
           "refcount": by_experiment(table(texts["refcount"], ",")), "convoy": by_experiment(table(texts["convoy"], ",")),
           "ratios": table(texts["ratios"], ","),
           "baseline": {r.get("id"): r["baseline"] for r in table(texts["experiments"], "\t") if r.get("baseline") is not None}}
    count2 = [r for r in summary if r.get("group") == "count-2" and r.get("status") == "ok"]
    ctx["ceiling"] = next((num(r.get("speedup")) for r in count2 if r.get("label") == "shell"), None)
    ctx["best"] = max([num(r.get("speedup")) for r in count2 if r.get("label") in BOUNDED] or [None], key=order_key)
    return {"machine": {"hostname": m.get("hostname"), "cpu_model": m.get("cpu_model"), "online_cpus": m.get("online_cpus"),
                        "usable_cpus": ctx["usable"], "affinity_cpus": m.get("affinity_cpus"), "cpu_quota": m.get("cpu_quota"),
                        "load_before": m.get("load_before"), "load_after": m.get("load_after"),
                        "aa": alt(m.get("aa"), {}), "size": alt(m.get("size"), None)},
            "date": m.get("date_utc"), "thresholds": THRESHOLDS,
            "lessons": [evaluate_lesson(lesson, ctx) for lesson in lessons]}


def render_md(doc: dict) -> str:
    """lessons.md: the machine, then one sentence per lesson, its other causes and what was not run under it."""
    m = doc["machine"]
    out = ["# What this run shows", "",
           "%s, %s usable CPUs (%s online), %s, host %s." % (
               jq_text(alt(m.get("cpu_model"), "unknown CPU")), jq_text(m.get("usable_cpus")),
               jq_text(alt(m.get("online_cpus"), "?")), jq_text(alt(doc.get("date"), "date unknown")),
               jq_text(alt(m.get("hostname"), "?"))),
           "Each lesson is checked against this run's own numbers (speedups are the group's sequential median over"
           " the row's median; for the groups timed in time-paired blocks, the geometric mean of the middle half of"
           " the per-block speedups, with its 95% interval in brackets).", ""]
    if m.get("size") == "tiny":  # its rows last milliseconds, its families take two blocks
        out += ["**A tiny run** (`--tiny`, the sizes of the suite's own tests): its rows last milliseconds and its"
                " intervals rest on two or three samples, so a lesson it shows is shown on too little to cite; cite"
                " a QUICK or full run.", ""]
    # The A/A control first when it failed: seq against itself in the same blocks should be 1.
    for key, aa in alt(m.get("aa"), {}).items():
        if aa.get("contains_one") is False:
            out += ["**Noise floor: the A/A control (%s against itself, in the same blocks) is %s (%s-%s), an interval"
                    " without 1.00: on this machine, differences of that size between two rows are noise.**" % (
                        key, fmt(aa.get("estimate"), "x"), rtrim(fmt(aa.get("low"), "x"), "x"),
                        rtrim(fmt(aa.get("high"), "x"), "x")), ""]
    for lesson in doc["lessons"]:
        out.append("- **%s %s.** %s" % (jq_text(lesson["id"]), jq_text(VERDICT.get(lesson["status"])), jq_text(lesson["sentence"])))
        if lesson["status"] in ("fails", "not_shown"):
            out += ["  - also: %s" % jq_text(c) for c in lesson["causes"][1:]]
        if lesson["status"] != "not_measured" and lesson["not_run"]:
            out.append("  - not run: %s" % join(lesson["not_run"]))
    return "".join(line + "\n" for line in out)


def lessons_of(run: str) -> Tuple[str, str]:
    """lessons.json and the lines of RUN, a complete run with a gilbench
    summary.csv (else LessonsError); lessons.md and lessons.json written into RUN."""
    if not os.path.isdir(run):
        raise LessonsError("'%s' is not a folder" % run)
    for name in ("summary.csv", "machine.json"):
        if not os.path.isfile(run + "/" + name) or not os.access(run + "/" + name, os.R_OK):
            raise LessonsError("cannot read %s/%s: not a complete gilbench run" % (run, name))
    try:
        m = json.loads(read_text(run + "/machine.json"))
    except ValueError:
        m = None
    if not isinstance(m, dict):
        raise LessonsError("%s/machine.json is not a JSON object" % run)
    if not re.search(r"(^|,)speedup(,|$)", read_text(run + "/summary.csv").split("\n", 1)[0]):
        raise LessonsError("%s/summary.csv has no speedup column: not a gilbench summary" % run)
    try:
        texts = {k: read_text(run + "/" + f) if k == "summary" or os.path.exists(run + "/" + f) else ""
                 for k, f in (("summary", "summary.csv"), ("refcount", "refcount.csv"), ("convoy", "convoy.csv"),
                              ("ratios", "ratios.csv"), ("experiments", "experiments.tsv"))}
        startup = startup_times(run)
    except OSError as e:
        raise LessonsError("cannot read %s" % e.filename) from None
    try:
        with open(TABLE, encoding="utf-8") as f:
            doc = jq_json(evaluate(json.load(f), m, texts, startup)) + "\n"
        back = json.loads(doc)  # lessons.md and the lines from lessons.json as written, as lessons.jq read them
        md, lines = render_md(back), "\n".join(jq_text(x["line"]) for x in back["lessons"]).rstrip("\n") + "\n"
    except (OSError, ValueError, TypeError, KeyError, AttributeError, IndexError, ZeroDivisionError) as e:
        raise LessonsError("cannot evaluate the lessons of %s: %s" % (run, e)) from None
    for name, text in (("lessons.md", md), ("lessons.json", doc)):
        try:
            publish_text(run + "/" + name, text)
        except OSError:
            raise LessonsError("cannot write %s/%s" % (run, name)) from None
    return doc, lines


def main(argv: List[str]) -> int:
    """scripts/lessons.sh [--json] RUN_DIR: evaluate, write lessons.md and lessons.json, print the lines."""
    as_json, run, args = False, "", list(argv)
    while args:
        a = args.pop(0)
        if a in ("--help", "--version"):
            sys.stdout.write(USAGE if a == "--help" else version_line("lessons") + "\n")
            return 0
        if a == "--json":
            as_json = True
        elif a == "--":
            if args and (run or len(args) > 1):
                usage_error("lessons", "one run folder, got more", SCRIPT)
            run = args[0] if args else run
            break
        elif a.startswith("-") and a != "-":
            usage_error("lessons", "unknown option '%s'" % a, SCRIPT)
        elif run:
            usage_error("lessons", "one run folder, got more", SCRIPT)
        else:
            run = a
    if not run:
        usage_error("lessons", "a run folder is required", SCRIPT)
    if os.path.isfile(run) and run.endswith((".tar.gz", ".tgz", ".tar")):
        usage_error("lessons", "'%s' is a bundle (make pack's one file), not a run folder: scripts/bundle.sh with '%s'"
                    " bash scripts/lessons.sh reads the folder inside, make plots RUN='%s' draws it" % (run, run, run), SCRIPT)
    try:
        doc, lines = lessons_of(run)
    except LessonsError as e:
        return fail("lessons", str(e))
    try:
        sys.stdout.buffer.write((doc if as_json else lines).encode("utf-8"))
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        raise  # cmdline.run: a quiet exit 1
    except OSError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing left to flush at exit
        return fail("lessons", "cannot print %s/lessons.json" % run if as_json else "cannot write to stdout")
    return 0
