# scripts/summary-stats.awk - the statistics of summary.csv (mawk-compatible).
#
# Input, TAB-separated, read by column name (load scripts/columns.awk first):
#   1. "id samples" and one line per experiment that ran, where samples is
#      "USER SYSTEM T1 T2 ..." (seconds; USER or SYSTEM "-" when unknown), or
#      "- -" when the runs report no time;
#   2. "experiment estimate low high": the speedups of the families timed in
#      time-paired blocks (ratios.csv's speedup rows), maybe none;
#   3. experiments.tsv: an experiment without samples is a failed row.
# Output: summary.csv's rows (no header), in the order of experiments.tsv, their
# fields in the order of -v columns (SUMMARY_COLUMNS).  -v cores=N.
#
#   median      middle of the sorted times (mean of the two middle ones)
#   stddev      sample standard deviation (n - 1)
#   ci95        mean -/+ t(0.975, n - 1) * stddev / sqrt(n), Student's t;
#               the low end stops at 0, as a time cannot be negative (two
#               spread runs give t = 12.7 and a low end far below 0)
#   rel_spread  stddev / mean: the noise warning of the bench reads it
#   speedup     median of the row's baseline / median of the row; for a row
#               timed in blocks, its paired speedup (ratios.csv: the
#               geometric mean of the middle half of its per-block
#               speedups), with its 95% bootstrap interval in speedup_low,
#               speedup_high
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

FILENAME == ARGV[1] {
    if (FNR == 1) header()
    else samples_of[get("id")] = get("samples")
    next
}

FILENAME == ARGV[2] {
    if (FNR == 1) header()
    else { paired[get("experiment")] = get("estimate"); low[get("experiment")] = get("low"); high[get("experiment")] = get("high") }
    next
}

FNR == 1 { header(); next }

{
    rows++
    r = rows
    # The experiment's own columns, under summary.csv's names.
    out[r, "case"] = get("case"); out[r, "impl"] = get("impl"); out[r, "group"] = get("group")
    out[r, "experiment"] = get("id"); out[r, "mode"] = get("mode"); out[r, "variant"] = get("variant")
    out[r, "label"] = get("label"); out[r, "tasks"] = get("tasks"); out[r, "workers"] = get("workers")
    out[r, "param"] = get("param")
    baseline[r] = get("baseline"); row_of_id[get("id")] = r
    sample_text = (get("id") in samples_of) ? samples_of[get("id")] : ""
    out[r, "status"] = (sample_text == "") ? "failed" : "ok"
    n = split(sample_text, s, " ")
    runs = n - 2
    out[r, "runs"] = (runs < 1) ? 0 : runs
    if (runs < 1) next
    # Insertion sort: a few dozen runs at most.
    for (i = 1; i <= runs; i++) {
        v = s[i + 2] + 0
        for (j = i - 1; j >= 1 && t[j] > v; j--) t[j + 1] = t[j]
        t[j + 1] = v
    }
    sum = 0
    for (i = 1; i <= runs; i++) sum += t[i]
    mean = sum / runs
    median[r] = (runs % 2) ? t[(runs + 1) / 2] : (t[runs / 2] + t[runs / 2 + 1]) / 2
    if (runs > 1) {
        ss = 0
        for (i = 1; i <= runs; i++) ss += (t[i] - mean) ^ 2
        sd = sqrt(ss / (runs - 1))
        half = t_quantile(runs - 1) * sd / sqrt(runs)
        out[r, "ci95_low_s"] = num(mean - half > 0 ? mean - half : 0); out[r, "ci95_high_s"] = num(mean + half)
        out[r, "rel_spread"] = (mean > 0) ? num(sd / mean) : ""
        out[r, "stddev_s"] = num(sd)
    }
    out[r, "median_s"] = num(median[r]); out[r, "mean_s"] = num(mean)
    out[r, "min_s"] = num(t[1]); out[r, "max_s"] = num(t[runs])
    out[r, "user_s"] = (s[1] == "-") ? "" : num(s[1])
    out[r, "system_s"] = (s[2] == "-") ? "" : num(s[2])
}

END {
    k = split(columns, names, " ")
    for (r = 1; r <= rows; r++) {
        b = row_of_id[baseline[r]]
        if (baseline[r] != "" && b != "" && (b in median) && (r in median) && median[r] > 0) {
            speedup = median[b] / median[r]
            e = out[r, "experiment"]
            if (e in paired) {
                speedup = paired[e] + 0
                out[r, "speedup_low"] = num(low[e]); out[r, "speedup_high"] = (high[e] == "inf") ? "" : num(high[e])
            }
            if (out[r, "case"] == "count" || out[r, "case"] == "refcount") {
                used = (out[r, "workers"] + 0 < cores) ? out[r, "workers"] + 0 : cores
                if (used >= 1) out[r, "efficiency"] = num(speedup / used)
            }
            out[r, "speedup"] = num(speedup)
        }
        split("", val)
        for (i = 1; i <= k; i++) val[names[i]] = out[r, names[i]]
        print row_of(columns, ",", val)
    }
}
