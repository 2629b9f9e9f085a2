# scripts/summary-tables.awk - summary.csv as a table (mawk-compatible).
# -v format=md|tex|text; with text, -v groups="g1 g2" picks the groups shown.
# Columns by name: load scripts/columns.awk first (awk -f columns.awk -f this).
# Failed rows stay in the tables, marked, so that a gap is never silent.

# One precision a column: seconds to 0.1 ms (%.4g printed 0.53 under 0.4719),
# a speedup as the lessons print it (columns.awk ratio_text), an efficiency
# to 2 decimals.
function secs(x) { return (x == "") ? "-" : sprintf("%.4f", x) }
function ci(lo, hi) { return (lo == "") ? "-" : sprintf("%.4f-%.4f", lo, hi) }
function ratio(x) { return (x == "") ? "-" : ratio_text(x) }
# a speedup with its 95% interval where the row was timed in blocks:
# "0.99 (0.97-1.01)"; the ratio alone elsewhere
function paired(x, lo, hi) {
    if (x == "" || lo == "") return ratio(x)
    return ratio_text(x) " (" ratio_text(lo) "-" (hi == "" ? "?" : ratio_text(hi)) ")"
}
function eff(x) { return (x == "") ? "-" : sprintf("%.2f", x) }
function tex(s) { gsub(/[_%&#$]/, "\\\\&", s); return s }
function impl_note(impl) { return (impl == "gilbench") ? "" : " (" impl ")" }

BEGIN {
    if (format == "md") {
        print "| group | label | tasks | workers | param | runs | median s | 95% CI of mean, s | speedup | efficiency | status |"
        print "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    } else if (format == "tex") {
        print "\\begin{tabular}{llrrrrrrl}"
        print "\\toprule"
        print "Group & Label & Tasks & Workers & Param & Median (s) & 95\\% CI (s) & Speedup & Status \\\\"
    } else {
        n = split(groups, g, " ")
        for (i = 1; i <= n; i++) wanted[g[i]] = 1
    }
}

FNR == 1 { header(); next }

format == "md" {
    printf "| %s | %s%s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", get("group"), get("label"), impl_note(get("impl")), get("tasks"), get("workers"),
        (get("param") == "" ? "-" : get("param")), get("runs"), secs(get("median_s")), ci(get("ci95_low_s"), get("ci95_high_s")), paired(get("speedup"), get("speedup_low"), get("speedup_high")), eff(get("efficiency")), get("status")
}

format == "tex" {
    if (get("group") != last) print "\\midrule"
    last = get("group")
    printf "%s & %s%s & %s & %s & %s & %s & %s & %s & %s \\\\\n", tex(get("group")), tex(get("label")), tex(impl_note(get("impl"))),
        get("tasks"), get("workers"), (get("param") == "" ? "--" : get("param")), secs(get("median_s")), ci(get("ci95_low_s"), get("ci95_high_s")), paired(get("speedup"), get("speedup_low"), get("speedup_high")), get("status")
}

format == "text" && (get("group") in wanted) {
    # The header over the first row shown, none over no rows: the sections
    # that follow (convoy, refcount: sampled) have headings of their own.
    if (!shown++)
        printf "%-16s %-16s %5s %7s %10s %8s  %s\n", "group", "label", "tasks", "workers", "median s", "speedup", "(95% interval, blocks)"
    printf "%-16s %-16s %5s %7s %10s %8s%s%s\n", get("group"), get("label"), get("tasks"), get("workers"), secs(get("median_s")),
        (get("speedup") == "" ? "-" : ratio_text(get("speedup")) "x"),
        (get("speedup_low") == "" ? "" : "  (" ratio_text(get("speedup_low")) "-" (get("speedup_high") == "" ? "?" : ratio_text(get("speedup_high"))) ")"),
        (get("status") == "ok" ? "" : "  FAILED")
}

END {
    if (format == "tex") {
        print "\\bottomrule"
        print "\\end{tabular}"
    }
}
