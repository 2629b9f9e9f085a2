"""Statistics of time-paired samples: medians, a seeded bootstrap, intervals.

Reads nothing and writes nothing: plain functions on lists of floats.  Raises
ValueError for an empty sample.  A ratio measured in blocks is summarised by
the median of its per-block values with a 95% percentile-bootstrap interval;
the generator is seeded, so a run summarised twice gives the same figures.

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


def geometric_mean(values: Sequence[float]) -> float:
    """exp(mean(log v)); every value must be positive."""
    if not values:
        raise ValueError("geometric mean of no values")
    return math.exp(sum(math.log(v) for v in values) / len(values))


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
    """The percentile-bootstrap interval of stat(values), resampling values.

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


def summarise(values: Sequence[float], min_blocks: int = 3) -> Tuple[float, float, float, int]:
    """(estimate, low, high, blocks) of per-block ratios: their median and
    its bootstrap interval.  Fewer than min_blocks blocks give an interval
    of the whole range seen, widened to infinity when there is one block."""
    vals: List[float] = [v for v in values if v > 0 and math.isfinite(v)]
    if not vals:
        raise ValueError("no usable block ratio")
    est = median(vals)
    if len(vals) < min_blocks:
        low, high = (min(vals), max(vals)) if len(vals) > 1 else (0.0, math.inf)
        return est, low, high, len(vals)
    low, high = bootstrap_interval(vals)
    return est, low, high, len(vals)
