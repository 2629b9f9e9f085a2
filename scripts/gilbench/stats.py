"""Statistics of time-paired samples: quantiles, a seeded bootstrap, intervals.

Reads nothing and writes nothing: plain functions on lists of floats.  Raises
ValueError for an empty sample.  A ratio of two rows timed in the same
blocks (summarise_pairs) is the ratio of their lower quartiles (QUANTILE)
over those blocks, with a 95% percentile-bootstrap interval that resamples
whole blocks, so the pairing of the two rows' samples is kept in every
resample.  Why a lower quartile and not the median of the per-block ratios:
on a shared VM the host's interference only ever adds time, for a part of a
second and one row at a time (measured on the lab VM: in one block seq took
0.42 s, threads 0.21 s and fork 0.11 s, where the quiet figures are 0.20,
0.105 and 0.105), so a per-block ratio carries the noise of both its rows
and its median moves with the share of blocks hit; each row's lower
quartile reads its quiet moments, which the blocks' interleaving gives every
row alike.  The generator is seeded, so a run summarised twice gives the
same figures.

>>> median([3.0, 1.0, 2.0])
2.0
>>> lo, hi = bootstrap_interval([1.0, 1.1, 0.9, 1.05, 0.95], seed=1)
>>> lo <= 1.0 <= hi
True
"""
import math
import random
from typing import Callable, List, Sequence, Tuple, TypeVar

T = TypeVar("T")

SEED = 20261207          # fixed: the same samples give the same interval
QUANTILE = 0.25          # each row's lower quartile over the blocks
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


def bootstrap_interval(values: Sequence[T], stat: Callable[[Sequence[T]], float] = median,
                       seed: int = SEED, resamples: int = RESAMPLES,
                       confidence: float = CONFIDENCE) -> Tuple[float, float]:
    """The percentile-bootstrap interval of stat(values), resampling values
    (floats, or whole blocks: pairs of a block's two times).

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


def quantile_ratio(pairs: Sequence[Tuple[float, float]], q: float = QUANTILE) -> float:
    """quantile q of the first items over quantile q of the second."""
    return (percentile(sorted(a for a, _ in pairs), q) /
            percentile(sorted(b for _, b in pairs), q))


def summarise_pairs(pairs: Sequence[Tuple[float, float]], min_blocks: int = 3,
                    seed: int = SEED, resamples: int = RESAMPLES,
                    confidence: float = CONFIDENCE) -> Tuple[float, float, float, int]:
    """(estimate, low, high, blocks) of a ratio a / b over the blocks that
    timed both rows, pairs[i] = (a's seconds, b's seconds) in block i: the
    ratio of their lower quartiles, and its percentile-bootstrap interval,
    whole blocks resampled.  Fewer than min_blocks blocks give an interval
    of the per-block ratios' whole range, widened to infinity when there is
    one block.

    >>> summarise_pairs([(2.0, 1.0)] * 4)
    (2.0, 2.0, 2.0, 4)
    """
    usable = [(a, b) for a, b in pairs if a > 0 and b > 0 and math.isfinite(a) and math.isfinite(b)]
    if not usable:
        raise ValueError("no usable block")
    n = len(usable)
    est = quantile_ratio(usable)
    if n < min_blocks:
        per_block = [a / b for a, b in usable]
        low, high = (min(per_block), max(per_block)) if n > 1 else (0.0, math.inf)
        return est, low, high, n
    low, high = bootstrap_interval(usable, quantile_ratio, seed, resamples, confidence)
    return est, low, high, n
