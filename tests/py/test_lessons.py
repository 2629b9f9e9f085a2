"""Unit tests of scripts/gilbench/lessons.py and lessonchecks.py: jq's number
printing, the figures' formatting, one check and one lesson on small made-up
runs, the causes named, and the command on a copy of a fixture run."""
import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from gilbench import lessonchecks as lc
from gilbench import lessons

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
MACHINE = {"cpu_model": "Test CPU", "usable_cpus": 2, "online_cpus": 2, "affinity_cpus": 2,
           "date_utc": "2026-11-20T10:00:00Z", "cpu_used_by_others": 0.0}
SUMMARY = ("case,impl,group,experiment,label,tasks,workers,param,median_s,rel_spread,speedup,status\n"
           "count,gilbench,count-2,count-2.seq,seq,2,1,,0.5,0.01,1,ok\n"
           "count,gilbench,count-2,count-2.gil,gil,2,2,,0.5,0.01,{gil},ok\n"
           "count,gilbench,count-2,count-2.shell,shell,2,2,,0.25,0.01,1.9,ok\n"
           "count,gilbench,count-2,count-2.threads,threads,2,2,,0.26,{spread},{threads},ok\n")
GIL = {"name": "count-2 gil", "group": "count-2", "label": "gil", "kind": "value", "figure": "speedup",
       "min": 0.8, "max": 1.25, "of": "one", "unit": "x", "say": "our GIL {v}"}
THREADS = {"name": "count-2 threads", "group": "count-2", "label": "threads", "kind": "value", "figure": "speedup",
           "min": 0.8, "of": "ceiling", "unit": "x", "say": "threads {v}"}
LESSON = {"id": "L9", "title": "A test lesson", "lead": "Threads scale", "needs_cpus": 2, "checks": [THREADS]}


def texts(gil="1.0", threads="1.85", spread="0.02", ratios=""):
    return {"summary": SUMMARY.format(gil=gil, threads=threads, spread=spread), "refcount": "", "convoy": "",
            "ratios": ratios, "experiments": ""}


def lesson_of(lesson=LESSON, machine=MACHINE, **kw):
    return lessons.evaluate([lesson], dict(machine), texts(**kw), {})["lessons"][0]


class TestNumbers(unittest.TestCase):
    def test_jq_number(self):
        cases = {1e-05: "1e-05", 0.1 + 0.2: "0.30000000000000004", 1e17: "1e+17", 1e16: "1e+16",
                 1e15: "1000000000000000", 123456789012345678: "123456789012345680", 2.0: "2", -0.0: "-0",
                 0.0001: "0.0001", 1.5e-07: "1.5e-07", float("inf"): "1.7976931348623157e+308",
                 float("nan"): "null", 0.05: "0.05", 250: "250"}
        for x, want in cases.items():
            self.assertEqual(lc.jq_number(x), want, x)

    def test_jq_json_indents_as_jq(self):
        self.assertEqual(lc.jq_json({"a": [], "b": {}, "c": [1.0, None, "é\x7f", True]}),
                         '{\n  "a": [],\n  "b": {},\n  "c": [\n    1,\n    null,\n    "é\\u007f",\n    true\n  ]\n}')

    def test_fixed_rounds_half_away_from_zero_after_scaling(self):
        self.assertEqual(lc.fixed(0.125, 2), "0.13")  # printf's "%.2f" gives 0.12
        self.assertEqual(lc.fixed(2.5, 0), "3")
        self.assertEqual(lc.fixed(-2.5, 0), "-3")
        self.assertEqual(lc.fixed(-0.001, 2), "0.00")
        self.assertEqual(lc.fixed(0.004, 4), "0.0040")

    def test_fmt_and_fmt_apart(self):
        self.assertEqual([lc.fmt(x, "x") for x in (0.764, 12.34, 208.4)], ["0.76x", "12.3x", "208x"])
        self.assertEqual(lc.fmt(36.7, "ms"), "37 ms")
        self.assertEqual(lc.fmt(None, "x"), "n/a")
        self.assertEqual(lc.fmt_apart(1.25077, "x", [0.8, 1.25]), "1.2508x")
        self.assertEqual(lc.fmt_apart(1.2, "x", [0.8, 1.25]), "1.20x")

    def test_num_reads_fields_as_jq_did(self):
        self.assertEqual([lc.num(s) for s in ("1.5", " 2", ".5", "inf", None, "", "x", "nan", "1_0")],
                         [1.5, 2.0, 0.5, float("inf"), None, None, None, None, None])

    def test_table_by_header(self):
        rows = lessons.table("a,b,c\r\n1,,3\n\n4\n", ",")
        self.assertEqual(rows, [{"a": "1", "b": None, "c": "3"}, {"a": "4", "b": None, "c": None}])
        self.assertEqual(lessons.table("", ","), [])


class TestChecks(unittest.TestCase):
    def test_value_within_and_outside_its_band(self):
        self.assertEqual(lesson_of({**LESSON, "checks": [GIL]}, gil="1.0")["status"], "holds")
        got = lesson_of({**LESSON, "checks": [GIL]}, gil="1.25077")
        self.assertEqual(got["status"], "fails")
        self.assertIn("our GIL 1.2508x (wanted 0.80x..1.25x; row count-2.gil)", got["line"])

    def test_ceiling_scales_the_bound(self):
        # 0.8 x the ceiling (count-2 shell, 1.9x): 1.52x
        got = lesson_of(threads="1.3")
        self.assertEqual(got["checks"][0]["wanted"], ">= 1.52x")
        self.assertEqual(got["status"], "fails")
        self.assertEqual(lesson_of(threads="1.6")["status"], "holds")

    def test_interval_across_a_bound_is_not_shown(self):
        ratios = ("ratio,kind,group,label,experiment,over,estimate,low,high,blocks,halfwidth\n"
                  "x,share,count-2,threads,count-2.threads,count-2.shell,0.82,0.70,0.95,8,0.15\n")
        got = lesson_of(ratios=ratios)
        self.assertEqual(got["status"], "not_shown")
        self.assertIn("threads 0.82x (0.70-0.95) of the ceiling (wanted >= 0.80x; its interval crosses the bound)",
                      got["line"])
        self.assertIn("count-2.threads ±15% over 8 blocks", got["causes"][0])

    def test_slowdown_below_one_reads_faster(self):
        c = {"name": "convoy", "group": "convoy", "label": "gil", "kind": "value", "figure": "slowdown",
             "min": 10, "of": "one", "unit": "x", "say": "{v} slower with our new GIL"}
        ctx = {"summary": [{"group": "convoy", "label": "gil", "experiment": "convoy.gil", "status": "ok"}],
               "convoy": {"convoy.gil": {"slowdown": "0.5"}}, "ratios": [], "usable": 2}
        got = lc.evaluate_check(c, ctx)
        self.assertEqual((got["status"], got["text"]), ("fail", "0.50x (faster) with our new GIL"))

    def test_convoy_slowdown_on_its_interval(self):
        # convoy.csv's interval over the samples decides: inside the band
        # holds, across the bound is not shown, wholly outside fails.
        c = {"name": "convoy", "group": "convoy", "label": "gil", "kind": "value", "figure": "slowdown",
             "min": 10, "of": "one", "unit": "x", "say": "{v} slower with our new GIL"}
        summary = [{"group": "convoy", "label": "gil", "experiment": "convoy.gil", "status": "ok"}]

        def check(est, low, high):
            row = {"slowdown": est, "slowdown_low": low, "slowdown_high": high, "runs": "15"}
            return lc.evaluate_check(c, {"summary": summary, "convoy": {"convoy.gil": row}, "ratios": [], "usable": 2})
        got = check("250", "220", "290")
        self.assertEqual((got["status"], got["text"]), ("pass", "250x (220-290) slower with our new GIL"))
        self.assertEqual((got["interval"]["low"], got["interval"]["high"], got["interval"]["blocks"]), (220, 290, 15))
        self.assertEqual(check("12", "8", "20")["status"], "not_shown")
        self.assertEqual(check("6", "4", "8")["status"], "fail")
        # An interval reaching 1 does not read "(faster)".
        self.assertEqual(check("0.97", "0.9", "1.04")["text"], "0.97x (0.90-1.04) slower with our new GIL")
        # No interval (an older run): the value alone, as before.
        self.assertEqual(check("250", "", "")["interval"], None)

    def test_refcount_cost_from_the_cost_blocks(self):
        c = {"name": "atomic cost", "group": "refcount", "label": "threads-atomic", "over": "seq-none",
             "kind": "value", "figure": "ns_per_op", "min": 1.5, "of": "one", "unit": "x",
             "say": "a contended atomic costs {v} a plain add"}
        summary = [{"group": "refcount", "label": "seq-none", "experiment": "r.none", "status": "ok"},
                   {"group": "refcount", "label": "threads-atomic", "experiment": "r.atomic", "status": "ok"}]
        refcount = {"r.none": {"ns_per_op": "1.0"}, "r.atomic": {"ns_per_op": "40"}}
        cost = {"kind": "cost", "experiment": "r.atomic", "over": "r.none", "estimate": "30", "low": "28",
                "high": "32", "blocks": "10", "halfwidth": "0.067"}
        ctx = {"summary": summary, "refcount": refcount, "ratios": [cost], "usable": 2}
        got = lc.evaluate_check(c, ctx)
        self.assertEqual((got["status"], got["value"], got["text"]),
                         ("pass", 30, "a contended atomic costs 30.0x (28.0-32.0) a plain add"))
        # Without the cost blocks: the medians' ratio, no interval.
        got = lc.evaluate_check(c, dict(ctx, ratios=[]))
        self.assertEqual((got["value"], got["interval"]), (40, None))
        self.assertEqual(lc.evaluate_check(c, dict(ctx, ratios=[dict(cost, low="1.2")]))["status"], "not_shown")

    def test_rows_not_run_and_not_applicable(self):
        ctx = {"summary": [{"group": "count-2-cpython", "label": "py-threads", "impl": "cpython-2.7.18",
                            "experiment": "e", "status": "ok"}], "usable": 2}
        check = {"name": "c", "group": "count-2-cpython", "label": "py-threads", "impl": "^cpython-3", "kind": "value"}
        self.assertEqual(lc.evaluate_check(check, ctx)["status"], "not_applicable")
        self.assertEqual(lc.evaluate_check(dict(check, label="pyft"), ctx)["status"], "not_run")


class TestLessons(unittest.TestCase):
    def test_not_measured_on_one_cpu(self):
        got = lesson_of(machine=dict(MACHINE, usable_cpus=1))
        self.assertEqual(got["status"], "not_measured")
        self.assertEqual(got["line"], "L9 cannot show on this machine: only 1 usable CPU (it needs 2)")

    def test_causes_named(self):
        got = lesson_of(threads="1.3", spread="0.15", machine=dict(MACHINE, cpu_quota=1.5, cpu_used_by_others=0.93))
        self.assertEqual(got["causes"], ["a CPU quota of 1.5 CPUs (of 2 online)",
                                         "load: other programs kept 0.93 CPUs busy on average during the run (of 2 usable)",
                                         "spread too wide (stddev above 10% of the mean): count-2.threads 15%"])
        self.assertTrue(got["sentence"].endswith("likely cause: a CPU quota of 1.5 CPUs (of 2 online); 2 more below"
                                                 " (Test CPU, 2 usable CPUs, 2026-11-20)."))
        self.assertTrue(lesson_of(threads="1.3")["causes"][0].startswith("no cause found"))

    def test_load_the_cpus_outside_the_mask_hold_is_not_named(self):
        m = {k: v for k, v in MACHINE.items() if k != "cpu_used_by_others"}
        m.update(online_cpus=2, affinity_cpus=1, load_before=[1.05, 1, 1])
        self.assertEqual(lessons.load_causes(m, 1), [])
        m["load_before"] = [1.6, 1, 1]
        self.assertEqual(lessons.load_causes(m, 1), ["load: the load average was 1.6 before the run, on the machine's"
                                                     " 2 online CPUs, more than the 1 outside the run's affinity mask hold"
                                                     " (other programs were running)"])

    def test_groups_not_run(self):
        got = lesson_of({**LESSON, "checks": [dict(THREADS, group="fetch")]})
        self.assertEqual((got["status"], got["line"]), ("not_measured", "L9 not measured: group fetch was not run"))


class TestCommand(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="gilbench lessons ü ")
        self.run = os.path.join(self.tmp, "run")
        shutil.copytree(os.path.join(FIXTURES, "lessons-hold"), self.run)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def main(self, *args):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = lessons.main(list(args))
            except SystemExit as e:
                status = e.code
        return status, out.getvalue(), err.getvalue()

    def command(self, *args):
        return subprocess.run([sys.executable, "-E", "-m", "gilbench", "lessons"] + list(args), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, universal_newlines=True, cwd=os.path.dirname(lessons.TABLE))

    def test_writes_both_files_and_prints_the_lines(self):
        done = self.command(self.run)
        self.assertEqual((done.returncode, done.stderr), (0, ""))
        lines = done.stdout.splitlines()
        self.assertEqual([ln.split(" ")[:2] for ln in lines], [["L%d" % i, "holds:"] for i in range(1, 8)]
                         + [["L8", "not"]])
        with open(os.path.join(self.run, "lessons.md"), encoding="utf-8") as f:
            md = f.read()
        self.assertTrue(md.startswith("# What this run shows\n\nIntel"))
        self.assertEqual(md.count("holds.** "), 7)
        self.assertEqual(sorted(n for n in os.listdir(self.run) if "lessons" in n), ["lessons.json", "lessons.md"])
        done = self.command("--json", self.run)
        with open(os.path.join(self.run, "lessons.json"), encoding="utf-8") as f:
            self.assertEqual(done.stdout, f.read())
        self.assertAlmostEqual(json.loads(done.stdout)["lessons"][5]["numbers"]["atomic cost"], 8.2667, places=4)

    def test_usage_errors(self):
        self.assertEqual(self.main()[0], 2)
        self.assertEqual(self.main("--fast", self.run)[0], 2)
        status, _, err = self.main(self.run, self.run)
        self.assertEqual((status, err.splitlines()[0]), (2, "lessons: one run folder, got more"))
        status, _, err = self.main(os.path.join(self.tmp, "none"))
        self.assertEqual(status, 1)
        self.assertIn("is not a folder", err)

    def test_broken_machine_json(self):
        with open(os.path.join(self.run, "machine.json"), "w") as f:
            f.write("[1, 2]")
        status, _, err = self.main(self.run)
        self.assertEqual(status, 1)
        self.assertIn("machine.json is not a JSON object", err)


if __name__ == "__main__":
    unittest.main()
