"""One check of a lesson on a run's own numbers; numbers printed as jq 1.6 printed them.

Reads nothing from disk: a check of scripts/lessons-table.json and the run's
tables as lessons.py loads them (table: rows as dicts, an empty field None);
returns the check's result in lessons.json's key order.  A check's fields:
name; group and label (or labels; or prefer, the first of its labels with
rows); impl, a regex on the rows' impl; role, the interpreter (PYTHON2,
PYTHON_FT, PYTHON_INTERP: scripts/pythons.sh) whose rows it reads, not run
when machine.json's pythons lacks it; kind: value (figure within min..max
times the scale of), lost (the racy refcount lost updates in a run), exact
(every run exact), monotone (contended round trips fall as the switch
interval grows: tolerance, span); figure: speedup, ns_per_op (over the row
labelled over), extra_ms (median less its baseline's) or a convoy.csv column;
unit; say and say_fail, its phrase ({v} the figure, {impl}, {tasks}); advice
(after the figure where it did not pass); quiet (its phrase only when it
fails); guard (checks the measurement, the ceiling: out of its band the lesson
is not shown, never failed); required (must run for the lesson to be
measured).  jq_number and fixed keep lessons.json and lessons.md byte for
byte what scripts/lessons.jq wrote.  Raises TypeError where a check cannot be
computed (a bound without its scale).
"""
import json
import math
import re
import sys
from typing import Any, Dict, List, Optional

Row = Dict[str, Optional[str]]
DBL_MAX = sys.float_info.max
NUMBER = re.compile(r"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|(?i:inf|infinity|nan))")
RATIO_FIGURES = ("estimate", "low", "high", "blocks", "halfwidth")
BOUNDED = ("threads", "fork", "pool", "threadpool")  # the count-2 modes the ceiling bounds


def truthy(x: Any) -> bool:
    """jq's truth: everything but null and false."""
    return x is not None and x is not False


def alt(*xs: Any) -> Any:
    """jq's a // b // c: the first truthy value, else the last."""
    return next((x for x in xs[:-1] if truthy(x)), xs[-1])


def order_key(x: Any) -> tuple:
    """jq's order of values (null, false, true, numbers, strings) as a sort key."""
    return (0, 0) if x is None else (1, x) if isinstance(x, bool) else (2, x) if isinstance(x, (int, float)) \
        else (3, x) if isinstance(x, str) else (4, 0)


def lt(a: Any, b: Any) -> bool:
    return order_key(a) < order_key(b)


def num(text: Any) -> Optional[float]:
    """A field as jq 1.6's `tonumber? // null` read it (a JSON number, inf, NaN; not 1_0)."""
    s = str(text).strip(" \t\r\n")
    return float(s) if text is not None and NUMBER.fullmatch(s) and not s.startswith("n") else None


def jq_number(x: float) -> str:
    """A number as jq 1.6 prints it: the shortest digits that read back, an
    exponent below 1e-4 or past 17 digits (1e-05, 2, 1e+17), inf as the largest double."""
    try:
        x = float(x)
    except OverflowError:
        x = math.copysign(DBL_MAX, x)
    if x != x:
        return "null"
    sign, whole, frac, exp = re.fullmatch(r"(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?",
                                          repr(max(-DBL_MAX, min(DBL_MAX, x)))).groups()  # type: ignore[union-attr]
    digits = (whole + (frac or "")).rstrip("0")
    decpt = len(whole) + int(exp or 0) - (len(digits) - len(digits.lstrip("0")))
    digits = digits.lstrip("0")
    n = len(digits)
    if not n:
        return sign + "0"
    if decpt <= -4 or decpt > n + 15:
        e = decpt - 1
        return "%s%s%s%se%s%02d" % (sign, digits[0], "." if n > 1 else "", digits[1:], "-" if e < 0 else "+", abs(e))
    if decpt <= 0:
        return sign + "0." + "0" * -decpt + digits
    return sign + (digits + "0" * (decpt - n) if decpt >= n else digits[:decpt] + "." + digits[decpt:])


def jq_json(v: Any, level: int = 0) -> str:
    """v as jq 1.6 prints it (2 spaces an indent)."""
    if v is None or isinstance(v, (bool, int, float)):
        return "null" if v is None else ("true" if v else "false") if isinstance(v, bool) else jq_number(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False).replace("\x7f", "\\u007f")
    pairs = [(jq_json(k) + ": ", x) for k, x in v.items()] if isinstance(v, dict) else [("", x) for x in v]
    ends, pad = "{}" if isinstance(v, dict) else "[]", "\n" + "  " * (level + 1)
    return ends if not pairs else (ends[0] + pad + ("," + pad).join(k + jq_json(x, level + 1) for k, x in pairs)
                                   + "\n" + "  " * level + ends[1])


def jq_text(v: Any) -> str:
    """v as jq's string interpolation writes it: a string as it is, else its JSON."""
    return v if isinstance(v, str) else jq_json(v)


def fixed(x: float, d: int) -> str:
    """x with d decimals as lessons.jq's fixed wrote it: x * 10^d rounded half
    away from zero (not printf's rounding of the exact binary value)."""
    v = x * 10.0 ** d
    if math.isfinite(v):
        f = float(math.floor(abs(v)))
        v = math.copysign(f + 1 if abs(v) - f >= 0.5 else f, v)
    s, sign = jq_number(abs(v)), "-" if v < 0 else ""
    p = "0" * (d + 1 - len(s)) + s
    return sign + (s if d == 0 else p[:len(p) - d] + "." + p[len(p) - d:])


def fmt(x: Optional[float], unit: Any) -> str:
    """A figure in its unit: 0.76x 1.98x 12.3x 208x, 37 ms, 37; n/a for none."""
    if x is None:
        return "n/a"
    if unit == "x":
        return fixed(x, 2 if abs(x) < 10 else 1 if abs(x) < 100 else 0) + "x"
    return fixed(x, 0) + (" ms" if unit == "ms" else "")


def fmt_apart(v: Optional[float], unit: Any, bounds: List[Optional[float]]) -> str:
    """fmt, with 4 decimals where it would print a value the same as a bound
    it differs from (1.2508x against 1.25x would read as passed)."""
    s = fmt(v, unit)
    if v is not None and unit == "x" and any(b is not None and b != v and fmt(b, unit) == s for b in bounds):
        return fixed(v, 4) + "x"
    return s


def rtrim(s: str, end: str) -> str:
    return s[:len(s) - len(end)] if end and s.endswith(end) else s


def join(xs: List[Any], sep: str = ", ") -> str:
    """jq's join: null as "", a number as its JSON."""
    return sep.join("" if x is None else jq_text(x) for x in xs)


def impl_name(impl: str) -> str:
    return "CPython " + impl[len("cpython-"):] if impl.startswith("cpython-") else impl


def table(text: str, sep: str) -> List[Row]:
    """A CSV (no quoted fields: gilbench writes none) or TSV text as rows by
    its header, split as lessons.jq split them; an empty field is None."""
    lines = [ln.split(sep) for ln in (ln[:-1] if ln.endswith("\r") else ln for ln in text.split("\n")) if ln]
    return [{h: (f[i] if i < len(f) else "") or None for i, h in enumerate(lines[0])} for f in lines[1:]]


def by_experiment(rows: List[Row]) -> Dict[Any, Row]:
    return {r.get("experiment"): r for r in rows}


def uniq(xs: List[Any]) -> List[Any]:
    return list(dict.fromkeys(xs))


def fill(text: str, words: Dict[str, Any]) -> str:
    """A phrase with its {name}s replaced, in words' order."""
    for k, v in words.items():
        text = text.replace("{%s}" % k, jq_text(v))
    return text


def check_rows(c: dict, summary: List[Row]) -> List[Row]:
    """The summary rows a check reads (any status): its label's, its labels',
    or those of the first label of its prefer list that has rows."""
    want = c.get("label")
    if truthy(c.get("prefer")):
        want = next((p for p in c["prefer"] if any(r.get("group") == c.get("group") and r.get("label") == p
                                                   for r in summary)), None)
    labels, impl = c.get("labels"), c.get("impl")
    return [r for r in summary if r.get("group") == c.get("group")
            and (r.get("label") in labels if truthy(labels) else r.get("label") == want)
            and (not truthy(impl) or re.search(impl, r.get("impl") or ""))]


def scale(c: dict, r: Row, ctx: dict) -> Any:
    """The bound's scale for row r, the check's of: one 1; tasks the row's tasks
    (what I/O-bound work can gain); par min(tasks, workers, usable CPUs) (what
    CPU-bound work can); ceiling count-2 shell's speedup (two independent
    processes) capped at par; best the best speedup of count-2's threads,
    fork, pool, threadpool (the ceiling must not be well below them)."""
    t = num(r.get("tasks"))
    par = min([t, alt(num(r.get("workers")), t), ctx["usable"]], key=order_key)
    of = c.get("of")
    return 1 if of == "one" else t if of == "tasks" else par if of == "par" \
        else alt(ctx["best"], 0) if of == "best" else min([alt(ctx["ceiling"], par), par], key=order_key)


def bound_text(c: dict, k: Any) -> str:
    lo, hi, unit = c.get("min"), c.get("max"), c.get("unit")
    if lo is not None and hi is not None:
        return "%s..%s" % (fmt(lo * k, unit), fmt(hi * k, unit))
    return ">= " + fmt(lo * k, unit) if lo is not None else "<= " + fmt(hi * k, unit)


def ratio_of(c: dict, r: Row, ctx: dict) -> Optional[dict]:
    """The row's ratio with an interval: timed in paired blocks (ratios.csv),
    its share of the ceiling for a check against the ceiling, the ceiling
    over the fastest mode it bounds for one of "best", else its speedup; a
    cost (ns_per_op over the row "over") from the cost blocks; a convoy
    slowdown over its samples (convoy.csv slowdown_low, slowdown_high);
    None where none."""
    if c.get("figure") == "ns_per_op":
        over = next((x.get("experiment") for x in ctx["summary"]
                     if x.get("group") == c.get("group") and x.get("label") == c.get("over")), None)
        q = next((q for q in ctx["ratios"] if q.get("kind") == "cost" and q.get("experiment") == r.get("experiment")
                  and q.get("over") == over), None)
        return None if q is None else dict({"share": False}, **{k: num(q.get(k)) for k in RATIO_FIGURES})
    if c.get("figure") == "slowdown":
        x = ctx["convoy"].get(r.get("experiment")) or {}
        est, low, high = (num(x.get(k)) for k in ("slowdown", "slowdown_low", "slowdown_high"))
        if est is None or low is None or high is None or not lt(0, low):
            return None
        return {"share": False, "estimate": est, "low": low, "high": high, "blocks": num(x.get("runs")),
                "halfwidth": (high - low) / 2 / est}
    if c.get("figure") != "speedup":
        return None
    if c.get("of") == "best":  # 1 / the fastest mode's share of the ceiling, its interval turned over
        best = None
        for q in ctx["ratios"]:
            if q.get("group") == r.get("group") and q.get("kind") == "share" and q.get("label") in BOUNDED:
                x = {k: num(q.get(k)) for k in RATIO_FIGURES}
                if best is None or not lt(x["estimate"], best["estimate"]):
                    best = x
        if best is None or not lt(0, best["estimate"]) or not lt(0, best["low"]):
            return None
        return {"share": False, "best": True, "estimate": 1 / best["estimate"], "low": 1 / best["high"],
                "high": 1 / best["low"], "blocks": best["blocks"], "halfwidth": best["halfwidth"]}
    mine = [q for q in ctx["ratios"] if q.get("experiment") == r.get("experiment")]
    share = next((q for q in mine if q.get("kind") == "share"), None)
    if c.get("of") == "ceiling" and share is not None:
        found: Optional[dict] = dict(share, share=True)
    else:
        found = next((q for q in mine if q.get("kind") == "speedup"), None)
    return None if found is None else \
        dict({"share": alt(found.get("share"), False)}, **{k: num(found.get(k)) for k in RATIO_FIGURES})


def interval_suffix(q: dict, unit: Any) -> str:
    """" (0.97-1.01)": the interval in the estimate's format."""
    high = "?" if not lt(q["high"], 1e300) else rtrim(fmt(q["high"], unit), unit)
    return " (%s-%s)" % (rtrim(fmt(q["low"], unit), unit), high)


def figure_of(c: dict, r: Row, ctx: dict) -> Optional[float]:
    """The check's figure of row r where no paired ratio gives it."""
    fig = c.get("figure")
    if fig == "speedup":
        return num(r.get("speedup"))
    if fig == "ns_per_op":
        v = num((ctx["refcount"].get(r.get("experiment")) or {}).get("ns_per_op"))
        over = next((x.get("experiment") for x in ctx["summary"]
                     if x.get("group") == c.get("group") and x.get("label") == c.get("over")), None)
        b = None if over is None else num((ctx["refcount"].get(over) or {}).get("ns_per_op"))
        return v / b if v is not None and b is not None and b > 0 else None
    if fig == "extra_ms":
        # what the row's median adds to its baseline's (start-cpython: the
        # same interpreter counting to 1 in seq), in milliseconds
        base = alt(ctx["baseline"].get(r.get("experiment")), "")
        b = next((num(x.get("median_s")) for x in ctx["summary"] if x.get("experiment") == base), None)
        m = num(r.get("median_s"))
        return (m - b) * 1000 if b is not None and m is not None else None
    return num((ctx["convoy"].get(r.get("experiment")) or {}).get(fig))


def eval_value(c: dict, rs: List[Row], ctx: dict) -> dict:
    """One figure within min..max times the scale; on a paired ratio, its interval decides."""
    r = rs[0]
    q = ratio_of(c, r, ctx)
    v = q["estimate"] if q is not None else figure_of(c, r, ctx)
    # a share of the ceiling, or the ceiling over the best mode, is read against the bound itself
    best = q is not None and truthy(alt(q.get("best"), False))
    k = 1 if q is not None and (truthy(q["share"]) or best) else scale(c, r, ctx)
    mn, mx, unit = c.get("min"), c.get("max"), c.get("unit")
    lo = mn * k if truthy(mn) else None
    hi = mx * k if truthy(mx) else None
    say = c.get("say")
    if v is not None and v < 1 and c.get("figure") == "slowdown" and (q is None or q["high"] < 1):  # "0.50x (faster)"
        say = say.replace("{v} slower", "{v} (faster)") if "{v} slower" in say else say.replace("{v}", "{v} (faster)", 1)
    shown = fmt_apart(v, unit, [lo, hi]) + (interval_suffix(q, unit) if q is not None else "") \
        + (" of the ceiling" if q is not None and truthy(q["share"]) else "") \
        + (" the speed of the fastest mode" if best else "")
    res = {"value": v, "wanted": bound_text(c, k), "unit": unit, "quiet": alt(c.get("quiet"), False),
           "interval": None if q is None else {"low": q["low"], "high": q["high"], "blocks": q["blocks"],
                                               "halfwidth": q["halfwidth"], "share": q["share"], "best": best},
           "text": fill(say, {"v": shown, "impl": impl_name(alt(r.get("impl"), "")), "tasks": r.get("tasks")})}
    guard = truthy(alt(c.get("guard"), False))
    if v is None:
        res["status"] = "no_data"
    elif q is not None and not guard:
        # On the interval: inside the band holds, wholly outside fails,
        # across a bound is not shown by this run.
        if (lo is None or not lt(q["low"], lo)) and (hi is None or not lt(hi, q["high"])):
            res["status"] = "pass"
        else:
            out = (lo is not None and lt(q["high"], lo)) or (hi is not None and lt(hi, q["low"]))
            res.update(status="fail" if out else "not_shown",
                       toward_one=bool((lo is not None and v < lo and lo > 1 and v >= 0.97)
                                       or (hi is not None and v > hi and hi < 1 and v <= 1.03)))
    elif (mn is None or v >= mn * k) and (mx is None or v <= mx * k):
        res["status"] = "pass"
    elif q is not None and (lo is None or not lt(q["high"], lo)) and (hi is None or not lt(hi, q["low"])):
        res.update(status="not_shown", toward_one=False)  # a guard whose interval reaches the band
    elif guard:  # wholly out: the ceiling is not one, the run cannot show the lesson
        res.update(status="not_shown", guard_failed=True, toward_one=False)
    else:
        # A serial start-up pulls a speedup towards 1: it can explain a value
        # stuck between 1 and a bound away from 1, never one past 1 (3% slack).
        res.update(status="fail", toward_one=bool(c.get("figure") == "speedup" and (
            (mn is not None and v < mn * k and mn * k > 1 and v >= 0.97)
            or (mx is not None and v > mx * k and mx * k < 1 and v <= 1.03))))
    if res["status"] in ("fail", "not_shown") and c.get("advice") is not None:
        res["text"] += c["advice"]
    return res


def losses(x: Row) -> dict:
    """The racy refcount's runs, runs_with_loss, lost_median, lost_max (several
    runs), else its one run's figures; a run with loss lost updates or freed
    the object early (premature_deallocs)."""
    if x.get("runs_with_loss") is not None:
        return {"runs": num(x.get("runs")), "runs_with_loss": num(x.get("runs_with_loss")),
                "lost_median": num(x.get("lost_median")), "lost_max": num(x.get("lost_max"))}
    lost, early = num(x.get("lost_updates")), num(alt(x.get("premature_deallocs"), "0"))
    return {"runs": 1, "lost_median": lost, "lost_max": lost, "premature_deallocs": early,
            "runs_with_loss": 1 if lt(0, lost) or lt(0, early) or x.get("ok") == "false" else 0}


def eval_lost(c: dict, rs: List[Row], ctx: dict) -> dict:
    x = ctx["refcount"].get(rs[0].get("experiment"))
    if x is None:
        return {"status": "no_data"}
    n = losses(x)
    if n["runs"] == 1 and n["lost_median"] == 0 and n["runs_with_loss"] == 1:
        lost = "freed the object early in its one run (the count hit zero %s times while references were held)" \
            % jq_text(n["premature_deallocs"])
    elif n["runs"] == 1:
        lost = "lost %s updates in its one run" % fmt(n["lost_median"], "")
    else:
        lost = "went wrong (lost updates or an early free) in %s of %s runs; lost updates median %s, max %s" % (
            jq_text(n["runs_with_loss"]), jq_text(n["runs"]), fmt(n["lost_median"], ""), fmt(n["lost_max"], ""))
    return {"value": n, "wanted": "lost updates or an early free in at least 1 run",
            "text": fill(c.get("say"), {"lost": lost}), "status": "pass" if not lt(n["runs_with_loss"], 1) else "fail"}


def eval_exact(c: dict, rs: List[Row], ctx: dict) -> dict:
    xs = [(r.get("label"), ctx["refcount"].get(r.get("experiment"))) for r in rs]
    bad = [label for label, x in xs if not (x is not None and x.get("ok") == "true" and losses(x)["runs_with_loss"] == 0
                                            and num(alt(x.get("premature_deallocs"), "0")) == 0)]
    n = len(xs)
    count = "all %d" % n if not bad else "%d of %d" % (n - len(bad), n)
    return {"value": {"exact": n - len(bad), "of": n, "inexact": bad}, "wanted": "every one exact",
            "text": fill(c.get("say"), {"count": count}) + (" (not: %s)" % join(bad) if bad else ""),
            "status": "pass" if not bad else "fail"}


def eval_monotone(c: dict, rs: List[Row], ctx: dict) -> dict:
    """Contended round trips fall as the switch interval grows."""
    pts = sorted(({"p": num(r.get("param")), "v": num((ctx["convoy"].get(r.get("experiment")) or {}).get(c.get("figure")))}
                  for r in rs), key=lambda x: order_key(x["p"]))
    if len(pts) < 2 or any(x["v"] is None for x in pts):
        return {"status": "no_data"}
    ok = all(pts[i]["v"] <= c["tolerance"] * pts[i - 1]["v"] for i in range(1, len(pts))) \
        and pts[0]["v"] >= c["span"] * pts[-1]["v"]
    res = {"value": {"params": [x["p"] for x in pts], "values": [x["v"] for x in pts]},
           "wanted": "each longer interval at most %sx the round trips of the shorter, the shortest >= %sx the longest"
                     % (jq_text(c.get("tolerance")), jq_text(c.get("span"))),
           "status": "pass" if ok else "fail"}
    say = alt(c.get("say_fail"), c.get("say")) if not ok else c.get("say")
    res["text"] = fill(say, {"series": ", ".join(fmt(x["v"], "") for x in pts),
                             "params": ", ".join(jq_text(x["p"]) for x in pts),
                             "impl": impl_name(alt(rs[0].get("impl"), ""))})
    return res


def evaluate_check(c: dict, ctx: dict) -> dict:
    """A check's result: {name, rows, status: pass|fail|not_shown|failed_row|no_data|
    not_run|not_applicable, value, wanted, text, ...}."""
    rs = check_rows(c, ctx["summary"])
    res: Dict[str, Any] = {"name": c.get("name"), "rows": [r.get("experiment") for r in rs]}
    if not rs:
        # a row of another interpreter (CPython 2 instead of 3) is no gap
        other = truthy(c.get("impl")) and any(r.get("group") == c.get("group") and r.get("label") == c.get("label")
                                              for r in ctx["summary"])
        res["status"] = "not_applicable" if other else "not_run"
    elif any(r.get("status") != "ok" for r in rs):
        res.update(status="failed_row", failed=[r.get("experiment") for r in rs if r.get("status") != "ok"])
    if "status" in res:
        res.update(text="", wanted="")
        return res
    kind = c.get("kind")
    res.update((eval_value if kind == "value" else eval_lost if kind == "lost"
                else eval_exact if kind == "exact" else eval_monotone)(c, rs, ctx))
    return res
