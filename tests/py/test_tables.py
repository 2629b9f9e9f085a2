"""Unit tests of scripts/gilbench/aggregate.py and tables.py: summary.csv's statistics on
hand-worked inputs, the samples of a run folder, refcount's and convoy's
aggregates, the caption, the noisy and beyond-ideal rows, the Markdown and
LaTeX rows, jq's number printing, and the command on a run made here."""
import collections
import contextlib
import io
import json
import os
import shutil
import tempfile
import unittest

from gilbench import aggregate, schema, tables

COLS = "id case impl group mode variant label tasks workers param baseline kind status".split()


def exp(i, case="count", group="g", mode="seq", workers="1", baseline="g.seq", kind="timed", status="ok", **kw):
    row = dict(id=i, case=case, impl="gilbench", group=group, mode=mode, variant="", label=kw.get("label", mode),
               tasks="2", workers=workers, param=kw.get("param", ""), baseline=baseline, kind=kind, status=status)
    return collections.defaultdict(str, row)


def by_id(rows):
    return {r["experiment"]: r for r in rows}


class TestNumbers(unittest.TestCase):
    def test_jq_text(self):
        got = [aggregate.jq_text(v) for v in (1.0, 200.0, 0.00001, 0.61, 78, None, True, "a", -0.0, 1e-300)]
        self.assertEqual(got, ["1", "200", "1e-05", "0.61", "78", "null", "true", "a", "-0", "1e-300"])

    def test_jq_semantics(self):
        self.assertEqual(aggregate.median([3, None, 1]), 1)  # null sorts first
        self.assertEqual(aggregate.median([4, None]), 2.0)  # and adds as 0
        self.assertEqual(aggregate.median([1, 2, 3, 10]), 2.5)
        self.assertEqual(aggregate.alt(None, False, 0, 5), 0)
        self.assertEqual(aggregate.alt(None, False), False)
        self.assertIsNone(aggregate.get({"gil": None}, "gil", "policy"))


class TestSummary(unittest.TestCase):
    def rows(self, paired=None):
        experiments = [exp("g.seq"), exp("g.threads", mode="threads", workers="4"),
                       exp("f.one", case="fetch", mode="async", workers="2"),
                       exp("f.even", case="fetch", workers="2", baseline="none", param="8"),
                       exp("f.failed", case="fetch", mode="fork", workers="2")]
        samples = {"g.seq": (0.5, 0.01, [2, 2, 2]), "g.threads": (0.9, 0.1, [5, 1, 4, 2, 3]),
                   "f.one": (0.1, 0.2, [0.5]), "f.even": (None, None, [4, 1, 3, 2]), "f.failed": None}
        return by_id(aggregate.summary_rows(experiments, samples, paired or {}, 2))

    def test_statistics(self):
        thr = self.rows()["g.threads"]
        self.assertEqual([thr[k] for k in ("runs", "median_s", "mean_s", "stddev_s", "min_s", "max_s", "user_s")],
                         ["5", "3", "3", "1.58114", "1", "5", "0.9"])
        self.assertEqual((thr["ci95_low_s"], thr["ci95_high_s"], thr["rel_spread"]), ("1.03707", "4.96293", "0.527046"))
        self.assertEqual((thr["speedup"], thr["efficiency"], thr["status"]), ("0.666667", "0.333333", "ok"))

    def test_edges(self):
        rows = self.rows()
        self.assertEqual((rows["g.seq"]["speedup"], rows["g.seq"]["stddev_s"], rows["g.seq"]["efficiency"]), ("1", "0", "1"))
        one = rows["f.one"]
        self.assertEqual((one["runs"], one["stddev_s"], one["ci95_low_s"], one["speedup"], one["efficiency"]),
                         ("1", "", "", "4", ""))
        self.assertEqual((rows["f.even"]["median_s"], rows["f.even"]["user_s"], rows["f.even"]["speedup"]), ("2.5", "", ""))
        failed = rows["f.failed"]
        self.assertEqual((failed["status"], failed["runs"], failed["mean_s"]), ("failed", "0", ""))

    def test_paired_and_low_end(self):
        thr = self.rows({"g.threads": {"estimate": "1.9", "low": "1.8", "high": "inf"}})["g.threads"]
        self.assertEqual([thr[k] for k in ("speedup", "speedup_low", "speedup_high", "efficiency")],
                         ["1.9", "1.8", "", "0.95"])
        two = aggregate.summary_rows([exp("two", baseline="two")], {"two": (0, 0, [0.1, 0.5])}, {}, 1)[0]
        self.assertEqual((two["ci95_low_s"], two["ci95_high_s"]), ("0", "2.8412"))


class TestRunFolder(unittest.TestCase):
    def setUp(self):
        self.run = tempfile.mkdtemp(prefix="gilbench tables ü ")
        os.makedirs(os.path.join(self.run, "raw"))
        self.addCleanup(shutil.rmtree, self.run)

    def write(self, name, text):
        with open(os.path.join(self.run, name), "w", encoding="utf-8") as f:
            f.write(text)

    def make(self):
        self.write("machine.json", json.dumps({"hostname": "lab_pc", "cpu_model": "CPU", "online_cpus": 4,
                                               "usable_cpus": 2, "date_utc": "D"}))
        rows = [exp("g.seq", group="count-2"), exp("g.gil", group="count-2", mode="gil", workers="2"),
                exp("c.gil", case="convoy", group="convoy", mode="gil", kind="sampled", baseline=""),
                exp("c.none", case="convoy", group="convoy", kind="sampled", baseline="")]
        self.write("experiments.tsv", schema.table_text(COLS, rows, "\t"))
        self.write("raw/g.seq.r1.hyperfine.json", '{"results": [{"times": [0.6, 0.8], "user": 0.5, "system": 0.1}]}')
        self.write("raw/g.seq.r2.hyperfine.json", '{"results": [{"times": [0.7], "user": 0.7, "system": 0.1}]}')
        self.write("raw/g.gil.r1.hyperfine.json", '{"results": [{"times": [0.7, 0.7], "user": 0.7, "system": 0}]}')
        same = dict(mode="gil", gil={"policy": "new"}, user_s=0.3, sys_s=0.1, io_ops_alone_per_s=2e4,
                    latency_contended_median_s=0.01, latency_contended_p99_s=0.02)
        self.write("raw/c.gil.runs.jsonl", "".join(json.dumps(dict(same, **r)) + "\n" for r in (
            {"wall_s": 0.5, "slowdown": 200, "io_ops_contended_per_s": 100},
            {"wall_s": 0.6, "slowdown": 50, "io_ops_contended_per_s": 300})))
        self.write("raw/c.none.runs.jsonl", '{"slowdown": 2, "gil_enabled": false}\n')

    def test_samples(self):
        self.make()
        found = aggregate.samples_by_id(self.run, aggregate.table(os.path.join(self.run, "experiments.tsv"), "\t"))
        self.assertEqual(sorted(found["g.seq"][2]), [0.6, 0.7, 0.8])  # the rounds pooled
        self.assertAlmostEqual(found["g.seq"][0], 0.6)
        self.assertEqual(found["c.gil"][2], [0.5, 0.6])
        self.assertEqual(found["c.none"], (None, None, []))  # runs without a wall time: ok, no runs

    def test_command(self):
        self.make()
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            self.assertEqual(tables.main([self.run]), 0)
            self.assertEqual(tables.main(["--headline", self.run]), 0)
        summary = by_id(schema.read_table(os.path.join(self.run, "summary.csv")))
        self.assertEqual((summary["g.seq"]["runs"], summary["g.seq"]["median_s"], summary["g.gil"]["efficiency"]),
                         ("3", "0.7", "0.5"))
        self.assertEqual((summary["c.none"]["status"], summary["c.none"]["runs"]), ("ok", "0"))
        convoy = by_id(schema.read_table(os.path.join(self.run, "convoy.csv")))
        self.assertEqual([convoy["c.gil"][k] for k in ("policy", "slowdown", "slowdown_min", "slowdown_max", "runs")],
                         ["new", "100", "50", "200", "2"])  # the geometric mean of 200 and 50
        self.assertEqual((convoy["c.none"]["mode"], convoy["c.none"]["policy"]), ("threads", ""))
        with open(os.path.join(self.run, "summary.tex"), encoding="utf-8") as f:
            self.assertIn("% gilbench results: lab\\_pc, CPU, 2 of 4 CPUs usable, D", f.read())
        self.assertIn("1.00x", out.getvalue())
        self.assertIn("100x slower  (50.0-200, 2 runs)", out.getvalue())
        self.assertEqual(err.getvalue(), "")

    def test_usage(self):
        for argv in ([], ["--bogus"], ["--headline"], ["--noisy=x", self.run], [self.run, self.run],
                     [os.path.join(self.run, "none")], [self.run]):
            with contextlib.redirect_stderr(io.StringIO()) as err, self.assertRaises(SystemExit) as done:
                tables.main(argv)
            self.assertEqual(done.exception.code, 2, argv)
            self.assertIn("Try 'scripts/summarize.sh --help'.", err.getvalue())

    def test_unreadable_report(self):
        self.make()
        os.remove(os.path.join(self.run, "raw", "c.none.runs.jsonl"))
        with contextlib.redirect_stderr(io.StringIO()) as err:
            self.assertEqual(tables.main([self.run]), 1)
        self.assertIn("writing %s/convoy.csv failed" % self.run, err.getvalue())
        self.assertFalse(os.path.exists(os.path.join(self.run, "summary.md")))


class TestFigures(unittest.TestCase):
    def test_refcount(self):
        reports = [{"mode": "threads", "sync": "none", "lost_updates": lost, "premature_deallocs": free,
                    "ns_per_op": ns, "ok": ok} for lost, free, ns, ok in
                   ((0, 0, 0.5, True), (10, 0, 0.7, False), (30, 0, 0.6, False), (0, 2, 0.9, False), (50, 0, 0.4, False))]
        got = aggregate.refcount_figures(reports)
        self.assertEqual([got[k] for k in ("lost_updates", "premature_deallocs", "ns_per_op", "ok", "runs",
                                           "runs_with_loss", "lost_max", "lost_min", "mode")],
                         [10, 2, 0.6, False, 5, 4, 50, 0, "threads"])

    def test_convoy_slowdown(self):
        # 15 samples, two of them hit (a slow moment each way): the estimate
        # is the geometric mean of the middle half, inside its interval.
        values = [300, 310, 290, 305, 295, 300, 302, 298, 301, 299, 303, 297, 300, 40, 2000]
        got = aggregate.convoy_slowdown([{"slowdown": v} for v in values])
        self.assertAlmostEqual(got["slowdown"], 300.0, delta=2)
        self.assertLess(got["slowdown_low"], got["slowdown"])
        self.assertGreater(got["slowdown_high"], got["slowdown"])
        self.assertLess(got["slowdown_high"] / got["slowdown_low"], 1.05)
        # The same samples give the same figures (a seeded bootstrap).
        self.assertEqual(got, aggregate.convoy_slowdown([{"slowdown": v} for v in values]))
        # One sample: no interval; none usable: no figure.
        one = aggregate.convoy_slowdown([{"slowdown": 250}])
        self.assertEqual((one["slowdown"], one["slowdown_low"], one["slowdown_high"]), (250.0, None, None))
        self.assertIsNone(aggregate.convoy_slowdown([{"mode": "gil"}])["slowdown_low"])

    def test_policy(self):
        self.assertEqual(aggregate.gil_policy({"gil": {"policy": "old"}, "mode": "gil"}), "old")
        self.assertEqual(aggregate.gil_policy({"mode": "fork"}), "")
        self.assertEqual(aggregate.gil_policy({"check_interval": 100, "switch_interval_us": None}), "old")
        self.assertEqual(aggregate.gil_policy({"switch_interval_us": 5000}), "new")
        self.assertEqual(aggregate.gil_policy({"gil_enabled": False}), "")


class TestPrints(unittest.TestCase):
    def test_noisy(self):
        rows = [dict(group=g, experiment=e, mode=m, status="ok", rel_spread=sp) for g, e, m, sp in (
            ("c", "c.seq", "seq", "0.01"), ("c", "c.threads", "threads", "0.03"), ("c", "c.shell", "fork", "0.04"),
            ("f", "f.threads", "threads", "0.5"), ("f", "f.conv", "gil", "0.9"), ("f", "f.none", "seq", ""))]
        kinds = [dict(id=e, kind=k) for e, k in (("c.shell", "shell"), ("f.conv", "sampled"))]
        kinds += [dict(id=r["experiment"], kind="timed") for r in rows[:2] + rows[3:4]]
        self.assertEqual(tables.noisy(rows, kinds, 0.10), "c\tc.shell\t0.04\nf\tf.threads\t0.5\n")
        self.assertEqual(tables.noisy(rows, kinds, 0.6), "c\tc.shell\t0.04\n")
        rows[1]["rel_spread"] = "0.05"  # the shell row no wider than the rows it bounds
        self.assertEqual(tables.noisy(rows, kinds, 0.6), "")

    def test_beyond_ideal_and_cells(self):
        row = collections.defaultdict(str, group="count-scaling", label="gil", param="1", status="ok", speedup="1.26",
                                      efficiency="1.26", impl="cpython-3.11", median_s="0.53", speedup_low="1.2",
                                      ci95_low_s="0.5", ci95_high_s="0.56", tasks="2", workers="1", runs="4")
        self.assertEqual(tables.beyond_ideal([row, dict(row, efficiency="1.1")]),
                         "count-scaling gil 1: 1.26x, efficiency 1.26\n")
        self.assertEqual(tables.cells(row, "md"), ["count-scaling", "gil (cpython-3.11)", "2", "1", "1", "4", "0.5300",
                                                   "0.5000-0.5600", "1.26 (1.20-?)", "1.26", "ok"])
        self.assertEqual(tables.cells(row, "tex")[:2], ["count-scaling", "gil (cpython-3.11)"])
        self.assertEqual(tables.tex("a_b%c&d#e$f"), "a\\_b\\%c\\&d\\#e\\$f")

    def test_caption(self):
        self.assertEqual(tables.caption({"hostname": "h", "cpu_model": "C", "online_cpus": 2, "date_utc": "D"}),
                         "h, C, 2 cores, D")
        self.assertEqual(tables.caption({"hostname": "h", "online_cpus": 4, "usable_cpus": 1.5, "date_utc": "D"}),
                         "h, null, 1.5 of 4 CPUs usable, D")


if __name__ == "__main__":
    unittest.main()
