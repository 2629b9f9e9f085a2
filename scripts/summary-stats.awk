# scripts/summary-stats.awk - the statistics of summary.csv (mawk-compatible).
#
# Input, TAB-separated, one experiment a line:
#   id case impl group mode variant label tasks workers param baseline samples
# where samples is "USER SYSTEM T1 T2 ..." (seconds; USER or SYSTEM "-" when
# unknown), "- -" when the runs report no time, or empty for a failed row.
# Output: summary.csv's rows (no header), in input order.  -v cores=N.
#
#   median      middle of the sorted times (mean of the two middle ones)
#   stddev      sample standard deviation (n - 1)
#   ci95        mean -/+ t(0.975, n - 1) * stddev / sqrt(n), Student's t;
#               the low end stops at 0, as a time cannot be negative (two
#               spread runs give t = 12.7 and a low end far below 0)
#   rel_spread  stddev / mean: the noise warning of the bench reads it
#   speedup     median of the row's baseline / median of the row
#   efficiency  speedup / min(workers, cores): how much of the cores the
#               parallelism used; for the CPU-bound cases (count, refcount) only

BEGIN {
    split("12.706 4.303 3.182 2.776 2.571 2.447 2.365 2.306 2.262 2.228 " \
          "2.201 2.179 2.160 2.145 2.131 2.120 2.110 2.101 2.093 2.086 " \
          "2.080 2.074 2.069 2.064 2.060 2.056 2.052 2.048 2.045 2.042", t975, " ")
    if (cores < 1) cores = 1
}

# t_quantile(df): two-sided 95% Student's t; past 30 degrees of freedom
# 1.96 + 2.4/df is within 0.005 of the exact value.
function t_quantile(df) {
    return (df <= 30) ? t975[df] + 0 : 1.96 + 2.4 / df
}

function num(x) { return sprintf("%.6g", x) }

{
    rows++
    id[rows] = $1
    prefix[rows] = $2 "," $3 "," $4 "," $1 "," $5 "," $6 "," $7 "," $8 "," $9 "," $10
    kase[rows] = $2; workers[rows] = $9; baseline[rows] = $11; row_of[$1] = rows
    stats[rows] = ",,,,,,,,,,"
    status[rows] = ($12 == "") ? "failed" : "ok"
    n = split($12, s, " ")
    runs = n - 2
    if (runs < 1) { stats[rows] = "0" stats[rows]; next }
    # Insertion sort: a few dozen runs at most.
    for (i = 1; i <= runs; i++) {
        v = s[i + 2] + 0
        for (j = i - 1; j >= 1 && t[j] > v; j--) t[j + 1] = t[j]
        t[j + 1] = v
    }
    sum = 0
    for (i = 1; i <= runs; i++) sum += t[i]
    mean = sum / runs
    median[rows] = (runs % 2) ? t[(runs + 1) / 2] : (t[runs / 2] + t[runs / 2 + 1]) / 2
    sd = ""; lo = ""; hi = ""; spread = ""
    if (runs > 1) {
        ss = 0
        for (i = 1; i <= runs; i++) ss += (t[i] - mean) ^ 2
        sd = sqrt(ss / (runs - 1))
        half = t_quantile(runs - 1) * sd / sqrt(runs)
        lo = num(mean - half > 0 ? mean - half : 0); hi = num(mean + half)
        spread = (mean > 0) ? num(sd / mean) : ""
        sd = num(sd)
    }
    user = (s[1] == "-") ? "" : num(s[1])
    sys = (s[2] == "-") ? "" : num(s[2])
    stats[rows] = runs "," num(median[rows]) "," num(mean) "," sd "," num(t[1]) "," \
                  num(t[runs]) "," user "," sys "," lo "," hi "," spread
}

END {
    for (r = 1; r <= rows; r++) {
        speedup = ""; efficiency = ""
        b = row_of[baseline[r]]
        if (baseline[r] != "" && b != "" && (b in median) && (r in median) && median[r] > 0) {
            speedup = median[b] / median[r]
            if (kase[r] == "count" || kase[r] == "refcount") {
                used = (workers[r] + 0 < cores) ? workers[r] + 0 : cores
                efficiency = num(speedup / used)
            }
            speedup = num(speedup)
        }
        print prefix[r] "," stats[r] "," speedup "," efficiency "," status[r]
    }
}
