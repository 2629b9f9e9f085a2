# scripts/summary-tables.awk - summary.csv as a table (mawk-compatible).
# -v format=md|tex|text; with text, -v groups="g1 g2" picks the groups shown.
# Failed rows stay in the tables, marked, so that a gap is never silent.

function fmt(x) { return (x == "") ? "-" : sprintf("%.4g", x) }
function ci(lo, hi) { return (lo == "") ? "-" : sprintf("%.4g-%.4g", lo, hi) }
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
        printf "%-16s %-16s %5s %7s %10s %8s\n", "group", "label", "tasks", "workers", "median s", "speedup"
    }
}

NR == 1 { next }

format == "md" {
    printf "| %s | %s%s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $3, $7, impl_note($2), $8, $9,
        ($10 == "" ? "-" : $10), $11, fmt($12), ci($19, $20), fmt($22), fmt($23), $24
}

format == "tex" {
    if ($3 != last) print "\\midrule"
    last = $3
    printf "%s & %s%s & %s & %s & %s & %s & %s & %s & %s \\\\\n", tex($3), tex($7), tex(impl_note($2)),
        $8, $9, ($10 == "" ? "--" : $10), fmt($12), ci($19, $20), fmt($22), $24
}

format == "text" && ($3 in wanted) {
    printf "%-16s %-16s %5s %7s %10s %8s%s\n", $3, $7, $8, $9, fmt($12),
        ($22 == "" ? "-" : sprintf("%.2fx", $22)), ($24 == "ok" ? "" : "  FAILED")
}

END {
    if (format == "tex") {
        print "\\bottomrule"
        print "\\end{tabular}"
    }
}
