# scripts/compare/report.awk - ratios.csv, the machine table and (for a few runs) the wide
# table of ratios.md, the headline rows and the agreement line, from the machine table
# (names.awk's output, first file) and the joined rows (join.awk's output, second file).
# Both are read by their header names.  Variables: n (runs), tol (percent), ref (the first
# run as given), csv, mdhead, mdwide, mdtail (paths), headline (space-separated groups),
# wide (1: one column per machine; else ratios.md gets a table per group elsewhere).
# scripts/columns.awk loaded first (its ratio_text).  mawk-compatible.
function csvq(s) { if (s ~ /[",]/) { gsub(/"/, "\"\"", s); s = "\"" s "\"" } return s }
function md(s) { gsub(/\|/, "\\|", s); return s }
function pad(s, w) { return sprintf("%-" w "s", s) }
function isnum(v) { return v != "-" && v != "" }
function ratio(r, digits) {
    if (!isnum(v[r]) || !isnum(v[1]) || v[1] + 0 <= 0) return "-"
    return sprintf("%." digits "f", v[r] / v[1])
}
function shown(val) {
    if (!isnum(val)) return "-"
    # A slowdown as the lessons print it (columns.awk ratio_text: 1.50x, not 1.5x).
    return (kind == "slowdown") ? ratio_text(val) "x" : sprintf("%.3f", val)
}
BEGIN {
    FS = "\t"; split(headline, hl, " ")
    for (i in hl) isheadline[hl[i]] = 1
    worst = 0; counted = 0; agreeing = 0; nhead = 0
    meta = "host cpu_model online_cpus usable_cpus cpu_quota governor compiler python date_utc fabricated size"
    nmeta = split(meta, mcol, " ")
    line = "group,case,impl,label,mode,tasks,param,machine,run,workers,median_s,speedup,slowdown,ratio"
    for (i = 1; i <= nmeta; i++) line = line "," mcol[i]
    print line > csv
}
FNR == 1 { split("", col); for (i = 1; i <= NF; i++) col[$i] = i; file++; next }
file == 1 {
    r = FNR - 1; id[r] = $col["id"]; lab[r] = $col["label"]
    m = ""; for (i = 1; i <= nmeta; i++) m = m "," csvq($col[mcol[i]])
    machine[r] = csvq(id[r]) "," csvq($col["name"]) "," ; tail[r] = m
    mdm[r] = "| " md(lab[r]) " | " md($col["host"]) " | `" md($col["source"]) "` | " md($col["cpu_model"]) \
        " | " $col["online_cpus"] " | " $col["usable_cpus"] " | " $col["cpu_quota"] " | " md($col["governor"]) \
        " | " md($col["compiler"]) " | " md($col["python"]) " | " $col["date_utc"] \
        " | " md($col["size"]) " | " ($col["fabricated"] == "true" ? "**fabricated**" : "") " |"
    size[r] = $col["size"]; if (!(size[r] in nsize)) { nsize[size[r]] = 0; kinds++ }; nsize[size[r]]++
    if (length(id[r]) + 2 > w) w = length(id[r]) + 2
    if (r >= 2 && length(id[r] "/" id[1]) + 2 > rw) rw = length(id[r] "/" id[1]) + 2
    next
}
{
    r = $col["run"] + 0; kind = $col["kind"]
    v[r] = $col["value"]; wk[r] = $col["workers"]
    rat = ""
    if (r == 1) { base = v[1] }
    if (isnum(v[r]) && isnum(base) && base + 0 > 0) rat = sprintf("%.3f", v[r] / base)
    print csvq($col["group"]) "," csvq($col["case"]) "," csvq($col["impl"]) "," csvq($col["label"]) "," \
        csvq($col["mode"]) "," $col["tasks"] "," $col["param"] "," machine[r] (isnum(wk[r]) ? wk[r] : "") "," \
        (isnum($col["median_s"]) ? $col["median_s"] : "") "," (isnum($col["speedup"]) ? $col["speedup"] : "") "," \
        (isnum($col["slowdown"]) ? $col["slowdown"] : "") "," rat tail[r] > csv
    if (r < n) next
    # The last run of a row: the whole row is known.
    g = $col["group"]; l = $col["label"]; p = $col["param"]
    workers = ""
    for (i = 1; i <= n; i++) if (isnum(wk[i]) && index("/" workers "/", "/" wk[i] "/") == 0) workers = workers (workers == "" ? "" : "/") wk[i]
    if (wide) {
        row = "| " g " | " l " | " $col["tasks"] " | " workers " | " p " |"
        for (i = 1; i <= n; i++) row = row " " shown(v[i]) " |"
        for (i = 2; i <= n; i++) row = row " " ratio(i, 2) " |"
        widerows = widerows row "\n"
    }
    if (g in isheadline) {
        h = pad(g, 9) pad(l (p != "" ? " " p : ""), 12)
        if (wide) {
            for (i = 1; i <= n; i++) h = h sprintf("%" (w > 8 ? w : 8) "s", shown(v[i]))
            for (i = 2; i <= n; i++) h = h sprintf("%" (rw > 8 ? rw : 8) "s", ratio(i, 2))
        } else {
            # Many machines: the spread of the ratios, and where its ends are.
            nq = 0; lo = ""; hi = ""
            for (i = 2; i <= n; i++) {
                q = ratio(i, 3); if (q == "-") continue
                q += 0; qs[++nq] = q
                if (lo == "" || q < lo) { lo = q; loat = id[i] }
                if (hi == "" || q > hi) { hi = q; hiat = id[i] }
            }
            for (a = 2; a <= nq; a++) { x = qs[a]; for (b = a - 1; b >= 1 && qs[b] > x; b--) qs[b + 1] = qs[b]; qs[b + 1] = x }
            if (nq == 0) h = h "no other machine has this row"
            else h = h sprintf("%.2f (%s) .. %.2f .. %.2f (%s)", lo, loat, (nq % 2) ? qs[(nq + 1) / 2] : (qs[nq / 2] + qs[nq / 2 + 1]) / 2, hi, hiat)
        }
        headrows[++nhead] = h
    }
    complete = 1
    for (i = 1; i <= n; i++) if (!isnum(v[i]) || v[1] + 0 <= 0) complete = 0
    if (!complete) next
    counted++; within = 1
    for (i = 2; i <= n; i++) {
        q = v[i] / v[1]; dev = q >= 1 ? q : 1 / q
        if ((q - 1) * 100 > tol + 1e-9 || (1 - q) * 100 > tol + 1e-9) within = 0
        if (dev > worst) { worst = dev; worstq = q; worstname = id[i]; worstrow = g " " l (p != "" ? " (" p ")" : "") }
    }
    agreeing += within
}
END {
    printf "# gilbench compare\n\n" > mdhead
    printf "Ratio = median time on a machine / median time on **%s** (`%s`); \"-\" = the row is\n", md(lab[1]), md(ref) > mdhead
    printf "missing or failed there; convoy rows compare their slowdown.  Times compare CPUs; to compare\n" > mdhead
    printf "what the GIL does, look at the speedups in the compare-*.png figures.  ratios.csv has every\n" > mdhead
    printf "row on every machine, one line each, with the machine's details.\n\n" > mdhead
    printf "| machine | host | run | CPU | online | usable | quota | governor | compiler | Python | date (UTC) | size | note |\n" > mdhead
    printf "|---|---|---|---|--:|--:|--:|---|---|---|---|---|---|\n" > mdhead
    for (i = 1; i <= n; i++) print mdm[i] > mdhead
    print "" > mdhead
    if (wide) {
        row = "| group | label | tasks | workers | param |"; rule = "|---|---|--:|--:|--:|"
        for (i = 1; i <= n; i++) { row = row " " md(lab[i]) " (s) |"; rule = rule "--:|" }
        for (i = 2; i <= n; i++) { row = row " " md(id[i]) " / " md(id[1]) " |"; rule = rule "--:|" }
        printf "%s\n%s\n%s\n", row, rule, widerows > mdwide
    }
    # Each run's size (bench.sh --tiny, --quick, full) on the terminal too: a few runs or
    # runs of different sizes one by one, else the one size they share.
    if (kinds == 1 && !wide) line = "# run sizes: all " n " runs " size[1]
    else { line = "# run sizes:"; for (i = 1; i <= n; i++) line = line (i > 1 ? "," : "") " " id[i] " " size[i] }
    print line
    if (nhead > 0) {
        if (wide) {
            print "# median seconds (convoy: slowdown); ratio = median / median on " id[1]
            h = pad("group", 9) pad("label", 12)
            for (i = 1; i <= n; i++) h = h sprintf("%" (w > 8 ? w : 8) "s", id[i])
            for (i = 2; i <= n; i++) h = h sprintf("%" (rw > 8 ? rw : 8) "s", id[i] "/" id[1])
        } else {
            print "# ratio = median / median on " id[1] ", over the other " n - 1 " machines: lowest .. median .. highest"
            h = pad("group", 9) pad("label", 12) "ratios"
        }
        print h
        for (i = 1; i <= nhead; i++) print headrows[i]
    }
    line = sprintf("agreement: %d of %d rows within \302\261%s%% of %s", agreeing, counted, tol, ref)
    if (counted == 0) line = line " (no row ran in every run)"
    else line = line sprintf(" (worst: %s %.2fx%s)", worstrow, worstq, n > 2 ? " on " worstname : "")
    print line
    print line > mdtail
}
