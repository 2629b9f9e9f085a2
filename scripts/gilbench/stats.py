"""Statistics of time-paired samples: a robust mean, a seeded bootstrap, intervals.

Reads nothing and writes nothing: plain functions on lists of floats.  Raises
ValueError for an empty sample.  A ratio of two rows timed in the same
blocks (summarise_pairs) is taken in each block, and summarised by the
geometric mean of the middle half of those per-block ratios (middle_mean:
the quarter at each end left out), with a 95% percentile-bootstrap interval
that resamples whole blocks.  Why not the plain median: a shared VM's host
slows things in two ways, for minutes every row (the pairing in blocks
cancels that) and for part of a second one run of one row, which spreads the
per-block ratios both ways; the mean of their middle half uses more of the
blocks than the median does and still drops the hit ones
(docs/measurement.md: "Why the middle half", with the measurements).  The
generator is seeded, so a run summarised twice gives the same figures.

>>> median([3.0, 1.0, 2.0])
2.0
>>> lo, hi = bootstrap_interval([1.0, 1.1, 0.9, 1.05, 0.95], seed=1)
>>> lo <= 1.0 <= hi
True
"""
import math
import random
from typing import Callable, List, Sequence, Tuple

SEED = 20261207          # fixed: the same samples give the same interval
TRIM = 0.25              # middle_mean leaves out this share at each end
RESAMPLES = 2000
CONFIDENCE = 0.95


def median(values: Sequence[float]) -> float:
    """The median of values (the mean of the middle two for an even count)."""
    if not values:
        raise ValueError("median of no values")
    s = sorted(values)
    n = len(s)
    mid = n // 2
    return s[mid] if n % 2 else (s[mid - 1] + s[mid]) / 2.0


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The q-quantile (0..1) of already sorted values, linear between ranks."""
    if not sorted_values:
        raise ValueError("percentile of no values")
    pos = q * (len(sorted_values) - 1)
    lo = int(math.floor(pos))
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def bootstrap_interval(values: Sequence[float], stat: Callable[[Sequence[float]], float] = median,
                       seed: int = SEED, resamples: int = RESAMPLES,
                       confidence: float = CONFIDENCE) -> Tuple[float, float]:
    """The percentile-bootstrap interval of stat(values), resampling values
    (a block's ratio each: whole blocks).

    One value gives (v, v): a single block says nothing of its spread, and
    the stopping rule (relative_halfwidth) treats that as unknown, not narrow.
    """
    if not values:
        raise ValueError("interval of no values")
    if len(values) == 1:
        return values[0], values[0]
    rng = random.Random(seed)
    n = len(values)
    stats = sorted(stat([values[rng.randrange(n)] for _ in range(n)]) for _ in range(resamples))
    tail = (1.0 - confidence) / 2.0
    return percentile(stats, tail), percentile(stats, 1.0 - tail)


def relative_halfwidth(estimate: float, low: float, high: float, log_scale: bool = False) -> float:
    """Half the interval's width relative to the estimate (on a log scale:
    half the log-width, as a factor - 1), the stopping rule's measure."""
    if estimate <= 0 or low <= 0:
        return math.inf
    if log_scale:
        return math.exp((math.log(high) - math.log(low)) / 2.0) - 1.0
    return (high - low) / 2.0 / estimate


def middle_mean(values: Sequence[float], trim: float = TRIM) -> float:
    """The geometric mean of the values left when the lowest and the highest
    trim share are left out (each end floor(n * trim) values); all positive.

    >>> round(middle_mean([1.0, 2.0, 8.0, 100.0]), 6)
    4.0
    """
    if not values:
        raise ValueError("mean of no values")
    s = sorted(math.log(v) for v in values)
    cut = int(len(s) * trim)
    kept = s[cut:len(s) - cut]
    return math.exp(sum(kept) / len(kept))


def summarise_pairs(pairs: Sequence[Tuple[float, float]], min_blocks: int = 3,
                    seed: int = SEED, resamples: int = RESAMPLES,
                    confidence: float = CONFIDENCE) -> Tuple[float, float, float, int]:
    """(estimate, low, high, blocks) of a ratio a / b over the blocks that
    timed both rows, pairs[i] = (a's seconds, b's seconds) in block i: the
    middle_mean of the per-block ratios, and its percentile-bootstrap
    interval, whole blocks resampled.  Fewer than min_blocks blocks give an
    interval of the per-block ratios' whole range, widened to infinity when
    there is one block.

    >>> summarise_pairs([(2.0, 1.0)] * 4)
    (2.0, 2.0, 2.0, 4)
    """
    ratios = [a / b for a, b in pairs if a > 0 and b > 0 and math.isfinite(a) and math.isfinite(b)]
    if not ratios:
        raise ValueError("no usable block")
    n = len(ratios)
    est = middle_mean(ratios)
    if n < min_blocks:
        low, high = (min(ratios), max(ratios)) if n > 1 else (0.0, math.inf)
        return est, low, high, n
    low, high = bootstrap_interval(ratios, middle_mean, seed, resamples, confidence)
    return est, low, high, n
