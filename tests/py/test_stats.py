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

    def test_middle_mean(self):
        # the quarter at each end left out, the rest's geometric mean
        self.assertAlmostEqual(stats.middle_mean([1.0, 2.0, 8.0, 100.0]), 4.0)
        self.assertAlmostEqual(stats.middle_mean([0.01, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 500.0]), 2.0)
        self.assertAlmostEqual(stats.middle_mean([7.0]), 7.0)
        self.assertAlmostEqual(stats.middle_mean([2.0, 8.0]), 4.0)  # too few to trim
        self.assertAlmostEqual(stats.middle_mean([1.0, 4.0, 9.0, 16.0], trim=0.0), math.sqrt(24.0))
        with self.assertRaises(ValueError):
            stats.middle_mean([])

    def test_summarise_pairs(self):
        rnd = random.Random(11)
        pairs = [(2.0 * f, 1.0 * f) for f in (rnd.uniform(0.5, 3.0) for _ in range(12))]
        # each block's rows move together: every resample says 2 exactly
        est, low, high, n = stats.summarise_pairs(pairs)
        self.assertAlmostEqual(est, 2.0)
        self.assertAlmostEqual(low, 2.0)
        self.assertAlmostEqual(high, 2.0)
        self.assertEqual(n, 12)
        # independent noise: an interval around the estimate, the same twice (seeded)
        noisy = [(2.0 * rnd.gauss(1, 0.05), rnd.gauss(1, 0.05)) for _ in range(20)]
        first = stats.summarise_pairs(noisy)
        self.assertEqual(first, stats.summarise_pairs(list(noisy)))
        self.assertLess(first[1], first[0])
        self.assertLess(first[0], first[2])
        # too few blocks: the per-block range; one block: no interval at all
        est, low, high, n = stats.summarise_pairs([(2.0, 1.0), (3.0, 1.0)])
        self.assertAlmostEqual(est, math.sqrt(6.0))
        self.assertEqual((low, high, n), (2.0, 3.0, 2))
        self.assertEqual(stats.summarise_pairs([(2.0, 1.0)]), (2.0, 0.0, math.inf, 1))
        # unusable samples are dropped; none left is an error
        self.assertEqual(stats.summarise_pairs([(2.0, 1.0), (0.0, 1.0), (2.0, float("nan"))])[3], 1)
        with self.assertRaises(ValueError):
            stats.summarise_pairs([(0.0, 1.0)])


if __name__ == "__main__":
    unittest.main()
