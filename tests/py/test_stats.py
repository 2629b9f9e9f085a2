"""Unit tests of scripts/gilbench/stats.py: known inputs, a fixed seed."""
import math
import random
import unittest

from gilbench import stats


class TestStats(unittest.TestCase):
    def test_median(self):
        self.assertEqual(stats.median([3.0, 1.0, 2.0]), 2.0)
        self.assertEqual(stats.median([4.0, 1.0, 2.0, 3.0]), 2.5)
        with self.assertRaises(ValueError):
            stats.median([])

    def test_geometric_mean(self):
        self.assertAlmostEqual(stats.geometric_mean([1.0, 4.0]), 2.0)

    def test_percentile(self):
        self.assertEqual(stats.percentile([1.0, 2.0, 3.0], 0.5), 2.0)
        self.assertEqual(stats.percentile([1.0, 3.0], 0.25), 1.5)
        self.assertEqual(stats.percentile([5.0], 0.9), 5.0)

    def test_bootstrap_is_repeatable(self):
        values = [0.97, 1.02, 1.01, 0.99, 1.05, 0.98, 1.0, 1.03]
        self.assertEqual(stats.bootstrap_interval(values), stats.bootstrap_interval(list(values)))
        lo, hi = stats.bootstrap_interval(values)
        self.assertLessEqual(lo, stats.median(values))
        self.assertGreaterEqual(hi, stats.median(values))
        self.assertGreaterEqual(lo, min(values))
        self.assertLessEqual(hi, max(values))

    def test_bootstrap_another_seed_may_differ_but_stays_in_range(self):
        values = [1.0, 1.1, 0.9, 1.2, 0.8, 1.05]
        lo, hi = stats.bootstrap_interval(values, seed=7)
        self.assertTrue(min(values) <= lo <= hi <= max(values))

    def test_bootstrap_covers_the_true_median(self):
        # 95% intervals from 12 samples of a known distribution cover its
        # median (1.0) most of the time; fixed seeds, so the count is fixed.
        rng = random.Random(1)
        covered = 0
        for trial in range(100):
            sample = [rng.lognormvariate(0.0, 0.1) for _ in range(12)]
            lo, hi = stats.bootstrap_interval(sample, seed=trial)
            covered += lo <= 1.0 <= hi
        self.assertGreaterEqual(covered, 85)
        self.assertLess(covered, 100)

    def test_constant_values_give_a_point(self):
        self.assertEqual(stats.bootstrap_interval([2.0] * 6), (2.0, 2.0))

    def test_relative_halfwidth(self):
        self.assertAlmostEqual(stats.relative_halfwidth(1.0, 0.97, 1.03), 0.03)
        self.assertAlmostEqual(stats.relative_halfwidth(100.0, 50.0, 200.0, log_scale=True), 1.0)
        self.assertEqual(stats.relative_halfwidth(1.0, 0.0, 2.0), math.inf)

    def test_summarise(self):
        est, lo, hi, n = stats.summarise([1.0, 2.0, 3.0, 4.0, 5.0])
        self.assertEqual((est, n), (3.0, 5))
        self.assertTrue(lo <= 3.0 <= hi)
        # too few blocks: the range seen; one block: no bound at all
        self.assertEqual(stats.summarise([1.0, 2.0]), (1.5, 1.0, 2.0, 2))
        self.assertEqual(stats.summarise([1.0])[1:], (0.0, math.inf, 1))
        # a failed block (0, inf, nan) is left out
        self.assertEqual(stats.summarise([1.0, 0.0, float("nan"), 3.0])[3], 2)
        with self.assertRaises(ValueError):
            stats.summarise([0.0])


if __name__ == "__main__":
    unittest.main()
