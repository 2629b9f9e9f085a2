# scripts/compare/join.awk - join the runs' summary.csv files on (case, impl, group, label,
# tasks, param): one TAB-separated line per row and run, rows in order of first appearance,
# runs 1..n within a row.  Columns (the header line names them):
#   case impl group label mode tasks param run workers median_s speedup slowdown value plotted kind
# workers is not part of the key: a pool has one worker per core, so on machines with
# different core counts the same experiment differs in workers.
# value is what the runs are compared on (the median; a convoy row's slowdown, see below),
# plotted what the figure shows: the run's own speedup (kind "speedup"), convoy.csv's
# slowdown ("slowdown") or the median ("time").  "-" = missing or failed in that run.
# Input: file arguments "run=R kind=convoy R/convoy.csv kind=summary R/summary.csv" per run;
# columns are found by their header names.  Variables: n (runs), slowmode (1: every run has
# convoy.csv).  mawk-compatible.
function f(name) { return (name in col) ? $col[name] : "" }
BEGIN { FS = ","; OFS = "\t" }
{ sub(/\r$/, ""); gsub(/"/, "") }
FNR == 1 { split("", col); for (i = 1; i <= NF; i++) col[$i] = i; next }
kind == "convoy" { slow[run, f("experiment")] = f("slowdown"); next }
{
    key = f("case") OFS f("impl") OFS f("group") OFS f("label")
    key2 = f("tasks") OFS f("param")
    if (!((key, key2) in order)) {
        order[key, key2] = ++nkeys; keyat[nkeys] = key; key2at[nkeys] = key2
        mode[nkeys] = f("mode"); grp[nkeys] = f("group")
    }
    k = order[key, key2]
    ok = (f("status") == "ok" && f("median_s") != "")
    wk[run, k] = f("workers")
    med[run, k] = ok ? f("median_s") : "-"
    spd[run, k] = ok ? f("speedup") : ""
    if (ok && f("mode") == "seq") isseq[run, k] = 1
    if (ok && f("speedup") != "") hasspd[f("group")] = 1
    if (f("case") == "convoy" && slowmode) {
        isconvoy[f("group")] = 1
        sd[run, k] = (ok && (run, f("experiment")) in slow && slow[run, f("experiment")] != "") ? slow[run, f("experiment")] : "-"
    }
}
END {
    print "case", "impl", "group", "label", "mode", "tasks", "param", "run", "workers", "median_s", "speedup", "slowdown", "value", "plotted", "kind"
    for (k = 1; k <= nkeys; k++) {
        g = grp[k]
        plot = (g in isconvoy) ? "slowdown" : ((g in hasspd) ? "speedup" : "time")
        split(keyat[k], kf, OFS); split(key2at[k], kf2, OFS)
        for (r = 1; r <= n; r++) {
            m = ((r, k) in med) ? med[r, k] : "-"
            s = ((r, k) in sd) ? sd[r, k] : "-"
            sp = ((r, k) in spd) && spd[r, k] != "" ? spd[r, k] : (((r, k) in isseq) ? 1 : "-")
            # A convoy run lasts as long as --seconds says: its time teaches nothing, so its
            # slowdown is what the runs are compared on.
            value = (plot == "slowdown") ? s : m
            plotted = (plot == "slowdown") ? s : (plot == "time") ? m : sp
            print kf[1], kf[2], kf[3], kf[4], mode[k], kf2[1], kf2[2], r, (((r, k) in wk) ? wk[r, k] : "-"), \
                m, (plot == "speedup" ? sp : "-"), s, value, plotted, plot
        }
    }
}
