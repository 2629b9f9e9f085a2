"""Unit tests of scripts/gilbench/ratios.py on runs made here: paired
ratios (speedup, share of the ceiling, A/A), ratios.csv, the stopping rule,
and the A/A control over 20 simulated runs."""
import csv
import json
import math
import os
import random
import shutil
import tempfile
import unittest

from gilbench import ratios

HEADER = "id\tgroup\tlabel\tkind\tbaseline\tstatus\n"


def make_run(root, blocks, rows, name="fam.seq"):
    """A run folder: experiments.tsv of rows (id, group, label, kind,
    baseline, status) and raw/NAME.blocks.jsonl of blocks ({id: seconds})."""
    os.makedirs(os.path.join(root, "raw"))
    with open(os.path.join(root, "experiments.tsv"), "w") as f:
        f.write(HEADER + "".join("\t".join(r) + "\n" for r in rows))
    with open(os.path.join(root, "raw", name + ".blocks.jsonl"), "w") as f:
        for i, secs in enumerate(blocks):
            f.write(json.dumps({"block": i, "round": 1, "order": sorted(secs), "seconds": secs}) + "\n")
    with open(os.path.join(root, "machine.json"), "w") as f:
        json.dump({"hostname": "t"}, f)
    return root


ROWS = [("g.seq", "g", "seq", "timed", "g.seq", "ok"),
        ("g.threads", "g", "threads", "timed", "g.seq", "ok"),
        ("g.shell", "g", "shell", "shell", "g.seq", "ok"),
        ("other.seq", "other", "seq", "timed", "other.seq", "ok")]


class TestRatios(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="gilbench ratios ü ")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def run_of(self, blocks, rows=ROWS):
        return make_run(os.path.join(self.tmp, "run"), blocks, rows, name="g.seq")

    def test_paired_over_the_same_blocks(self):
        # The machine's speed halves in the second half: threads' ratio
        # stays 2 and the shell's 1.9, read over the same blocks.
        blocks = [{"g.seq": 1.0 * f, "g.threads": 0.5 * f, "g.shell": 1.0 / 1.9 * f, "g.seq#aa": 1.0 * f}
                  for f in (1, 1, 1, 2, 2, 2)]
        found = {r["ratio"]: r for r in ratios.run_ratios(self.run_of(blocks))}
        self.assertAlmostEqual(found["g.threads/g.seq"]["estimate"], 2.0)
        self.assertAlmostEqual(found["g.threads/g.seq"]["low"], 2.0)
        self.assertAlmostEqual(found["g.shell/g.seq"]["estimate"], 1.9)
        self.assertAlmostEqual(found["g.threads/g.shell"]["estimate"], 2.0 / 1.9)
        self.assertEqual(found["g.threads/g.shell"]["kind"], "share")
        self.assertAlmostEqual(found["g.seq/g.seq#aa"]["estimate"], 1.0)
        self.assertEqual(found["g.threads/g.seq"]["blocks"], 6)
        self.assertNotIn("g.shell/g.shell", found)

    def test_pairs_not_medians(self):
        # seq and threads alternate fast and slow together: per block the
        # speedup is 2 every time; medians taken apart would say otherwise.
        blocks = []
        for i in range(8):
            f = 1.0 if i % 2 else 3.0
            blocks.append({"g.seq": 2.0 * f, "g.threads": 1.0 * f, "g.seq#aa": 2.0 * f})
        blocks[0]["g.threads"] = 1.0  # one block's threads caught the fast moment
        found = {r["ratio"]: r for r in ratios.run_ratios(self.run_of(blocks))}
        r = found["g.threads/g.seq"]
        self.assertAlmostEqual(r["estimate"], 2.0)
        self.assertLessEqual(r["low"], 2.0)

    def test_one_sided_noise(self):
        # The lab VM's noise: quiet, seq 0.2 s and threads 0.1 s; in about a
        # third of the blocks one row (never both) is slowed 1.4-2.2x for
        # its run.  The middle half of the per-block ratios reads 2.0
        # within 2%, a narrow interval around it, and an A/A interval with 1
        # in it.
        rnd = random.Random(7)
        blocks = []
        for _ in range(16):
            b = {"g.seq": 0.2 * rnd.gauss(1, 0.01), "g.threads": 0.1 * rnd.gauss(1, 0.01),
                 "g.seq#aa": 0.2 * rnd.gauss(1, 0.01)}
            if rnd.random() < 0.35:
                b[rnd.choice(sorted(b))] *= rnd.uniform(1.4, 2.2)
            blocks.append(b)
        found = {r["ratio"]: r for r in ratios.run_ratios(self.run_of(blocks, ROWS[:2]))}
        r = found["g.threads/g.seq"]
        self.assertAlmostEqual(r["estimate"], 2.0, delta=0.04)
        self.assertLessEqual(r["low"], 2.0)
        self.assertGreaterEqual(r["high"], 1.98)
        self.assertLess(r["halfwidth"], 0.05)
        aa = found["g.seq/g.seq#aa"]
        self.assertLessEqual(aa["low"], 1.0)
        self.assertGreaterEqual(aa["high"], 1.0)

    def test_csv_and_aa_record(self):
        blocks = [{"g.seq": 1.0, "g.threads": 0.5 + 0.01 * i, "g.shell": 0.55, "g.seq#aa": 1.0 + 0.01 * (i - 2)}
                  for i in range(5)]
        run = self.run_of(blocks)
        found = ratios.run_ratios(run)
        ratios.write_ratios(run, found)
        ratios.record_aa(run, found)
        with open(os.path.join(run, "ratios.csv")) as f:
            rows = list(csv.DictReader(f))
        self.assertEqual(list(rows[0]), ratios.RATIO_COLUMNS)
        self.assertEqual([r["ratio"] for r in rows],
                         ["g.threads/g.seq", "g.threads/g.shell", "g.shell/g.seq", "g.seq/g.seq#aa"])
        self.assertEqual(rows[0]["blocks"], "5")
        with open(os.path.join(run, "machine.json")) as f:
            aa = json.load(f)["aa"]["g.seq"]
        self.assertTrue(aa["contains_one"])
        self.assertEqual(aa["blocks"], 5)
        with open(os.path.join(run, "machine.json")) as f:
            self.assertEqual(json.load(f)["hostname"], "t")
        # re-summarised, the same figures (fixed seed)
        self.assertEqual(found, ratios.run_ratios(run))

    def test_failed_row_left_out(self):
        rows = [r if r[0] != "g.threads" else r[:5] + ("failed",) for r in ROWS]
        blocks = [{"g.seq": 1.0, "g.threads": 0.5, "g.shell": 0.5, "g.seq#aa": 1.0}] * 4
        found = [r["ratio"] for r in ratios.run_ratios(self.run_of(blocks, rows))]
        self.assertNotIn("g.threads/g.seq", found)
        self.assertIn("g.shell/g.seq", found)

    def test_stopping_rule(self):
        rnd = random.Random(3)
        blocks = [{"g.seq": 1.0, "g.threads": 0.5 * rnd.uniform(0.6, 1.4), "g.shell": 0.5, "g.seq#aa": 1.0}
                  for _ in range(6)]
        found = ratios.run_ratios(self.run_of(blocks))
        wide = ratios.too_wide(found, ["g"], 0.03)
        self.assertEqual([f for f, _ in wide], ["g.seq"])
        self.assertGreater(wide[0][1], 0.03)
        self.assertEqual(ratios.too_wide(found, ["g"], 10.0), [])
        self.assertEqual(ratios.too_wide(found, ["other"], 0.03), [])
        # Only the ratios a lesson reads count, when the lessons' table is given:
        # threads' share of the ceiling is wide here, its speedup as wide.
        self.assertEqual([f for f, _ in ratios.too_wide(found, ["g"], 0.03, {("g", "threads", "share")})], ["g.seq"])
        self.assertEqual(ratios.too_wide(found, ["g"], 0.03, {("g", "shell", "speedup")}), [])
        self.assertEqual(ratios.too_wide(found, ["g"], 0.03, set()), [])

    def test_cited_ratios_from_the_lessons_table(self):
        path = os.path.join(self.tmp, "lessons-table.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump([{"id": "L1", "checks": [
                {"group": "g", "label": "gil", "kind": "value", "figure": "speedup", "of": "one"},
                {"group": "g", "label": "threads", "kind": "value", "figure": "speedup", "of": "ceiling"},
                {"group": "g", "label": "shell", "kind": "value", "figure": "speedup", "of": "best"},
                {"group": "r", "label": "x", "kind": "value", "figure": "ns_per_op", "of": "one"},
                {"group": "r", "labels": ["a", "b"], "kind": "exact"}]}], f)
        self.assertEqual(ratios.cited_ratios(path),
                         {("g", "gil", "speedup"), ("g", "threads", "share"), ("g", "shell", "speedup")})
        # The real table: L2's shares and L1's speedups are among them.
        real = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "lessons-table.json")
        cited = ratios.cited_ratios(real)
        self.assertIn(("count-2", "threads", "share"), cited)
        self.assertIn(("count-2", "gil", "speedup"), cited)
        self.assertNotIn(("count-2", "gil", "share"), cited)

    def test_aa_contains_one_in_19_of_20_runs(self):
        # 20 runs of 8 blocks on a machine whose speed moves from block to
        # block (x0.6..x1.6) and within a block (3% noise): the A/A interval
        # must contain 1 in at least 19 of them.
        rnd = random.Random(2026)
        contains = 0
        for run_no in range(20):
            blocks = []
            for _ in range(8):
                f = rnd.uniform(0.6, 1.6)
                blocks.append({"g.seq": f * rnd.gauss(1, 0.03), "g.threads": f * 0.5 * rnd.gauss(1, 0.03),
                               "g.seq#aa": f * rnd.gauss(1, 0.03)})
            root = os.path.join(self.tmp, "aa%d" % run_no)
            aa = [r for r in ratios.run_ratios(make_run(root, blocks, ROWS[:2], name="g.seq"))
                  if r["kind"] == "aa"][0]
            contains += aa["low"] <= 1.0 <= aa["high"]
        self.assertGreaterEqual(contains, 19)

    def test_two_baselines_in_one_file_is_an_error(self):
        rows = ROWS[:2] + [("g.x", "g", "x", "timed", "other.seq", "ok")]
        blocks = [{"g.seq": 1.0, "g.threads": 0.5, "g.x": 0.5}]
        with self.assertRaises(ValueError):
            ratios.run_ratios(self.run_of(blocks, rows))

    def test_infinite_bound_in_csv(self):
        self.assertEqual(ratios.fmt_number(math.inf), "inf")
        self.assertEqual(ratios.fmt_number(1.23456789), "1.23457")


if __name__ == "__main__":
    unittest.main()


COST_ROWS = [("r.none", "refcount", "seq-none", "timed", "-", "ok"),
             ("r.atomic", "refcount", "threads-atomic", "timed", "r.none", "ok"),
             ("r.mutex", "refcount", "threads-mutex", "timed", "r.none", "ok")]


class TestCostRatios(unittest.TestCase):
    """Cost blocks (experiments.sh run_cost_blocks): each row's k-th report
    is block k's; a cost is ns_per_op over the baseline's, block by block."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="gilbench costs ü ")
        self.run = os.path.join(self.tmp, "run")
        os.makedirs(os.path.join(self.run, "raw"))
        with open(os.path.join(self.run, "experiments.tsv"), "w") as f:
            f.write(HEADER + "".join("\t".join(r) + "\n" for r in COST_ROWS))

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def write(self, figures, blocks=None):
        """figures: {id: [ns_per_op of block 0, 1, ...]}; blocks: how many
        lines the costs file has (default: as many as the figures)."""
        n = len(next(iter(figures.values()))) if blocks is None else blocks
        raw = os.path.join(self.run, "raw")
        with open(os.path.join(raw, "r.none.costs.jsonl"), "w") as f:
            for b in range(n):
                f.write(json.dumps({"block": b, "order": sorted(figures)}) + "\n")
        for i, values in figures.items():
            with open(os.path.join(raw, i + ".runs.jsonl"), "w") as f:
                f.write("".join(json.dumps({"ns_per_op": v, "ok": True}) + "\n" for v in values))

    def test_cost_is_paired_block_by_block(self):
        # The plain add's own figure doubles in the last blocks (a slow
        # minute); the atomic's with it: paired, the cost stays 30.
        speed = [1, 1, 1, 2, 2, 2]
        self.write({"r.none": [1.2 * s for s in speed], "r.atomic": [36.0 * s for s in speed],
                    "r.mutex": [120.0 * s for s in speed]})
        found = {r["ratio"]: r for r in ratios.run_ratios(self.run)}
        atomic = found["r.atomic/r.none"]
        self.assertEqual(atomic["kind"], "cost")
        self.assertAlmostEqual(atomic["estimate"], 30.0)
        self.assertAlmostEqual(atomic["low"], 30.0)
        self.assertAlmostEqual(atomic["high"], 30.0)
        self.assertEqual(atomic["blocks"], 6)
        self.assertAlmostEqual(found["r.mutex/r.none"]["estimate"], 100.0)
        # Blocks that disagree give an interval around the estimate.
        self.write({"r.none": [1.0, 1.0, 1.0, 1.0], "r.atomic": [30.0, 31.0, 29.0, 30.0],
                    "r.mutex": [90.0, 110.0, 100.0, 100.0]})
        found = {r["ratio"]: r for r in ratios.run_ratios(self.run)}
        self.assertAlmostEqual(found["r.atomic/r.none"]["estimate"], 30.0)
        self.assertLess(found["r.atomic/r.none"]["low"], 30.0)
        self.assertGreater(found["r.atomic/r.none"]["high"], 30.0)

    def test_reports_that_do_not_match_the_blocks_give_no_cost(self):
        self.write({"r.none": [1.0, 1.0, 1.0], "r.atomic": [30.0, 30.0, 30.0], "r.mutex": [100.0] * 3}, blocks=4)
        self.assertEqual([r for r in ratios.run_ratios(self.run) if r["kind"] == "cost"], [])

    def test_written_to_ratios_csv(self):
        self.write({"r.none": [1.0] * 4, "r.atomic": [30.0] * 4, "r.mutex": [100.0] * 4})
        with open(ratios.write_ratios(self.run)) as f:
            rows = list(csv.DictReader(f))
        self.assertEqual([(r["ratio"], r["kind"], r["estimate"]) for r in rows],
                         [("r.atomic/r.none", "cost", "30"), ("r.mutex/r.none", "cost", "100")])
