/* stats.c - see stats.h */
#include "stats.h"

#include <stdlib.h>

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void stats_sort(double *v, size_t n)
{
    if (n > 1)
        qsort(v, n, sizeof *v, compare_double);
}

double stats_median(const double *sorted, size_t n)
{
    return n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

double stats_percentile(const double *sorted, size_t n, int p)
{
    long long k = ((long long)n * p + 99) / 100 - 1;   /* nearest rank */
    return sorted[k < 0 ? 0 : k];
}
