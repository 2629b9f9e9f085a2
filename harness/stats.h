/*
 * stats.h - order statistics of a sample of seconds (latencies).
 */
#ifndef GILBENCH_STATS_H
#define GILBENCH_STATS_H

#include <stddef.h>

/* Sort v[0..n-1] ascending in place (n may be 0). */
void stats_sort(double *v, size_t n);

/* Of a sorted sample with n >= 1: the median (the mean of the middle two
 * when n is even) and the nearest-rank percentile p (0 < p <= 100). */
double stats_median(const double *sorted, size_t n);
double stats_percentile(const double *sorted, size_t n, int p);

#endif
