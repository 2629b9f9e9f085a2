# scripts/compare/join.awk - join the runs' summary.csv files on (case, impl, group, label,
# tasks, param); see join_runs in scripts/compare.sh for the output columns.
# Input: file arguments "run=R kind=convoy R/convoy.csv kind=summary R/summary.csv" per run.
# Variables: n (runs), slowmode (1: every run has convoy.csv).  mawk-compatible.
# With slowmode, a convoy row's "median" is its slowdown (see below).
function f(name) { return (name in col) ? $col[name] : "" }
BEGIN { FS = ","; OFS = "\t" }
{ sub(/\r$/, ""); gsub(/"/, "") }
FNR == 1 { split("", col); for (i = 1; i <= NF; i++) col[$i] = i; next }
kind == "convoy" { slow[run, f("experiment")] = f("slowdown"); next }
{
    key = f("case") OFS f("impl") OFS f("group") OFS f("label") OFS f("tasks") OFS f("param")
    if (!(key in order)) { order[key] = ++nkeys; keyat[nkeys] = key; grp[key] = f("group") }
    wk[run, key] = f("workers")
    ok = (f("status") == "ok" && f("median_s") != "")
    med[run, key] = ok ? f("median_s") : "-"
    spd[run, key] = ok ? f("speedup") : ""
    if (ok && f("mode") == "seq") isseq[run, key] = 1
    if (ok && f("speedup") != "") hasspd[f("group")] = 1
    if (f("case") == "convoy" && slowmode) {
        isconvoy[f("group")] = 1
        sd[run, key] = (ok && (run, f("experiment")) in slow) ? slow[run, f("experiment")] : "-"
        # A convoy run lasts as long as --seconds says: its time teaches
        # nothing, so its slowdown is what the runs are compared on.
        med[run, key] = sd[run, key]
    }
}
END {
    for (k = 1; k <= nkeys; k++) {
        key = keyat[k]; g = grp[key]
        plot = (g in isconvoy) ? "slowdown" : ((g in hasspd) ? "speedup" : "time")
        workers = ""
        for (r = 1; r <= n; r++) {
            w = ((r, key) in wk) ? wk[r, key] : ""
            if (w != "" && index("/" workers "/", "/" w "/") == 0) workers = workers (workers == "" ? "" : "/") w
        }
        split(key, kf, OFS)
        line = kf[1] OFS kf[2] OFS kf[3] OFS kf[4] OFS kf[5] OFS workers OFS kf[6] OFS plot
        for (r = 1; r <= n; r++) line = line OFS (((r, key) in med) ? med[r, key] : "-")
        for (r = 1; r <= n; r++) {
            v = "-"
            if (plot == "slowdown") v = ((r, key) in sd) && sd[r, key] != "" ? sd[r, key] : "-"
            else if (plot == "time") v = ((r, key) in med) ? med[r, key] : "-"
            else if (spd[r, key] != "") v = spd[r, key]
            else if ((r, key) in isseq) v = 1
            line = line OFS v
        }
        print line
    }
}
