# scripts/compare/report.awk - ratios.csv, the table of ratios.md, and on stdout the headline
# rows and the agreement line, from the joined rows (see join.awk).  Variables: n (runs), names
# (TAB-separated series names), tol (percent), ref (the first run folder), csv and md (paths),
# headline (space-separated groups), slowmode (convoy rows carry their slowdown, not a
# time: see join.awk).  mawk-compatible.
function ratio(r, digits) {
    if (m[r] == "-" || m[1] == "-" || m[1] + 0 <= 0) return "-"
    return sprintf("%." digits "f", m[r] / m[1])
}
function pad(s, w) { return sprintf("%-" w "s", s) }
function secs(v) {
    if (v == "-") return v
    return ($1 == "convoy" && slowmode) ? sprintf("%.1fx", v) : sprintf("%.3f", v)
}
BEGIN {
    split(names, name, "\t"); split(headline, hl, " ")
    for (i in hl) isheadline[hl[i]] = 1
    head = "case,impl,group,label,tasks,workers,param"
    for (r = 1; r <= n; r++) head = head ",median_s_" name[r]
    for (r = 1; r <= n; r++) head = head ",ratio_" name[r]
    print head > csv
    mdhead = "| group | label | tasks | workers | param |"; mdrule = "|---|---|--:|--:|--:|"
    for (r = 1; r <= n; r++) { mdhead = mdhead " " name[r] " (s) |"; mdrule = mdrule "--:|" }
    for (r = 2; r <= n; r++) { mdhead = mdhead " " name[r] " / " name[1] " |"; mdrule = mdrule "--:|" }
    print mdhead >> md; print mdrule >> md
    w = 8; for (r = 1; r <= n; r++) if (length(name[r]) + 2 > w) w = length(name[r]) + 2
    rw = 8; for (r = 2; r <= n; r++) if (length(name[r] "/" name[1]) + 2 > rw) rw = length(name[r] "/" name[1]) + 2
    worst = 0; counted = 0; agreeing = 0; nhead = 0
}
{
    for (r = 1; r <= n; r++) m[r] = $(8 + r)
    line = $1 "," $2 "," $3 "," $4 "," $5 "," $6 "," $7
    for (r = 1; r <= n; r++) line = line "," m[r]
    for (r = 1; r <= n; r++) line = line "," ratio(r, 3)
    print line > csv
    row = "| " $3 " | " $4 " | " $5 " | " $6 " | " $7 " |"
    for (r = 1; r <= n; r++) row = row " " secs(m[r]) " |"
    for (r = 2; r <= n; r++) row = row " " ratio(r, 2) " |"
    print row >> md
    if ($3 in isheadline) {
        h = pad($3, 9) pad($4 ($7 != "" ? " " $7 : ""), 12)
        for (r = 1; r <= n; r++) h = h sprintf("%" w "s", secs(m[r]))
        for (r = 2; r <= n; r++) h = h sprintf("%" rw "s", ratio(r, 2))
        headrows[++nhead] = h
    }
    complete = 1
    for (r = 1; r <= n; r++) if (m[r] == "-" || m[1] + 0 <= 0) complete = 0
    if (!complete) next
    counted++; within = 1
    for (r = 2; r <= n; r++) {
        q = m[r] / m[1]; dev = q >= 1 ? q : 1 / q
        if ((q - 1) * 100 > tol + 1e-9 || (1 - q) * 100 > tol + 1e-9) within = 0
        if (dev > worst) {
            worst = dev; worstq = q; worstname = name[r]
            worstrow = $3 " " $4 ($7 != "" ? " (" $7 ")" : "")
        }
    }
    agreeing += within
}
END {
    if (nhead > 0) {
        h = "# median seconds (convoy: slowdown); ratio = median / median on " name[1]
        print h
        h = pad("group", 9) pad("label", 12)
        for (r = 1; r <= n; r++) h = h sprintf("%" w "s", name[r])
        for (r = 2; r <= n; r++) h = h sprintf("%" rw "s", name[r] "/" name[1])
        print h
        for (i = 1; i <= nhead; i++) print headrows[i]
    }
    line = sprintf("agreement: %d of %d rows within \302\261%s%% of %s", agreeing, counted, tol, ref)
    if (counted == 0) line = line " (no row ran in every folder)"
    else line = line sprintf(" (worst: %s %.2fx%s)", worstrow, worstq, n > 2 ? " on " worstname : "")
    print line
    print "" >> md; print line >> md
}
