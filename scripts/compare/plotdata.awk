# scripts/compare/plotdata.awk - per group, a data file for one figure and one TAB-separated
# line of its settings on stdout: group, kind, style, file, lo, hi, logv, logx, nlab, has,
# labels, modes, xticks (0: gnuplot's; a step; or the params to tick), bymode (1: the
# labels' modes differ) (see draw_plots in scripts/compare.sh).  Inputs, read by their header
# names: the machine table (names.awk's output), then the joined rows (join.awk's output);
# scripts/columns.awk loaded first (its ratio_text).
# Variables: n (runs), dir (where the data files go), layout ("overlay" or "rows").
#
# Styles.  overlay, a few machines side by side: "bars" (clusters of one bar per machine,
# file: label then one column per machine) or, for a sweep (rows with a param), "lines"
# (blocks of param, value: one per label and machine, label-major).  rows, many machines:
# "rows", one line per machine in rank order (y, label, then one column per experiment
# label); a sweep is reduced to one number per machine: its best speedup, or its value at
# the largest param it ran (a time, a slowdown).  rows also writes FILE.md, the same table
# for ratios.md.  mawk-compatible.
function isnum(v) { return v != "-" && v != "" }
# A table cell: a ratio rounded as every table rounds it (columns.awk ratio_text), a time
# to 3 digits.
function cell(v) { return !isnum(v) ? "-" : kind[k] == "time" ? sprintf("%.3g", v) : ratio_text(v) }
BEGIN { FS = OFS = "\t" }
FNR == 1 { split("", col); for (i = 1; i <= NF; i++) col[$i] = i; file++; next }
file == 1 { r = FNR - 1; rank[r] = $col["rank"]; mlab[r] = $col["label"]; at[$col["rank"]] = r; next }
{
    g = $col["group"]
    if (!(g in gi)) { gi[g] = ++ng; gname[ng] = g; kind[ng] = $col["kind"] }
    k = gi[g]; l = $col["label"]; p = $col["param"]; r = $col["run"] + 0; v = $col["plotted"]
    if (p != "") sweep[k] = 1
    # Labels in order of first appearance; a sweep's plain rows (its seq baseline) are not drawn.
    if (!((k, l, p == "") in li)) { li[k, l, p == ""] = ++nl[k, p == ""]; lab[k, p == "", nl[k, p == ""]] = l; lmode[k, p == "", nl[k, p == ""]] = $col["mode"] }
    j = li[k, l, p == ""]
    val[k, p == "", j, r, p] = v
    if (p != "") {
        if (!((k, j, r) in np)) np[k, j, r] = 0
        px[k, j, r, ++np[k, j, r]] = p
        if (isnum(v)) {
            if (!((k, j, r) in best) || (kind[k] == "speedup" && v + 0 > best[k, j, r])) best[k, j, r] = v + 0
            if (!((k, j, r) in top) || p + 0 >= top[k, j, r]) { top[k, j, r] = p + 0; attop[k, j, r] = v + 0 }
        }
    }
}
function range_of(v) {
    if (!isnum(v)) return
    seen[r] = 1
    if (lo == "" || v + 0 < lo) lo = v + 0
    if (v + 0 > hi) hi = v + 0
}
function print_settings(style) {
    logv = (lo > 0 && hi / lo >= 30)
    vmin = logv ? lo / 2 : 0
    vmax = logv ? hi * 2 : hi * 1.12
    labs = ""; modes = ""; bymode = 1; split("", mseen)
    for (j = 1; j <= nlab; j++) {
        labs = labs " " lab[k, pl, j]; modes = modes " " lmode[k, pl, j]
        if (lmode[k, pl, j] in mseen) bymode = 0
        mseen[lmode[k, pl, j]] = 1
    }
    printf "%s\t%s\t%s\t%s\t%g\t%g\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%d\n", gname[k], kind[k], style, out, vmin, vmax, logv, \
        logx, nlab, (drawn == "" ? "-" : substr(drawn, 2)), substr(labs, 2), substr(modes, 2), xstep, bymode
}
END {
    for (k = 1; k <= ng; k++) {
        out = dir "/g" k ".tsv"; pl = sweep[k] ? 0 : 1; nlab = nl[k, pl]
        lo = ""; hi = 0; drawn = ""; logx = 0; xstep = 0
        split("", seen)
        if (layout == "rows") {
            # One line per machine, by rank; a sweep's value is its best speedup or its value at
            # its largest param.
            printf "y\tmachine" > out; printf "| machine |" > (out ".md"); rule = "|---|"
            for (j = 1; j <= nlab; j++) { printf "\t%s", lab[k, pl, j] > out; printf " %s |", lab[k, pl, j] > (out ".md"); rule = rule "--:|" }
            printf "\n" > out; printf "\n%s\n", rule > (out ".md")
            for (y = 1; y <= n; y++) {
                r = at[y]; printf "%d\t%s", y, mlab[r] > out; printf "| %s |", mlab[r] > (out ".md")
                for (j = 1; j <= nlab; j++) {
                    if (!sweep[k]) v = val[k, 1, j, r, ""]
                    else if (kind[k] == "speedup") v = ((k, j, r) in best) ? best[k, j, r] : "-"
                    else v = ((k, j, r) in attop) ? attop[k, j, r] : "-"
                    range_of(v)
                    printf "\t%s", (isnum(v) ? v : "-") > out; printf " %s |", cell(v) > (out ".md")
                }
                printf "\n" > out; printf "\n" > (out ".md")
            }
            close(out); close(out ".md")
            # Only the labels with a value somewhere get a key entry (an empty column warns).
            for (j = 1; j <= nlab; j++) {
                any = 0
                for (r = 1; r <= n; r++) {
                    if (!sweep[k]) any = any || isnum(val[k, 1, j, r, ""])
                    else any = any || (kind[k] == "speedup" ? (k, j, r) in best : (k, j, r) in attop)
                }
                if (any) drawn = drawn " " j
            }
            if (hi == 0) continue
            print_settings("rows")
        } else if (sweep[k]) {
            xlo = ""; xhi = 0; integral = 1; nx = 0; split("", xs)
            for (j = 1; j <= nlab; j++) for (r = 1; r <= n; r++) {
                printf "# %s on machine %d\n", lab[k, 0, j], r > out
                m = ((k, j, r) in np) ? np[k, j, r] : 0
                # Insertion sort by param: later runs may add params the first lacks.
                for (i = 2; i <= m; i++) {
                    x = px[k, j, r, i]
                    for (a = i - 1; a >= 1 && px[k, j, r, a] + 0 > x + 0; a--) px[k, j, r, a + 1] = px[k, j, r, a]
                    px[k, j, r, a + 1] = x
                }
                pts = 0
                for (i = 1; i <= m; i++) {
                    x = px[k, j, r, i]; v = val[k, 0, j, r, x]
                    if (!isnum(v)) continue
                    printf "%s\t%s\n", x, v > out; pts++; range_of(v)
                    if (xlo == "" || x + 0 < xlo) xlo = x + 0
                    if (x + 0 > xhi) xhi = x + 0
                    if (x != int(x)) integral = 0
                    if (!(x in xs)) { xs[x] = 1; xv[++nx] = x + 0 }
                }
                # Only blocks with points are plotted (has): an empty one makes gnuplot warn.
                # An empty block still needs a line, or gnuplot would not count it.
                if (pts > 0) drawn = drawn " " ((j - 1) * n + r - 1)
                else printf "NaN\tNaN\n" > out
                printf "\n\n" > out
            }
            close(out)
            if (hi == 0) continue
            logx = (xlo > 0 && xhi / xlo > 20)
            # A few params: a tick at each (1 4 16 requests, 100 1000 5000 us).  Many whole
            # numbers (workers): whole-number ticks, 1 2 5 10 20 ... apart.
            if (nx <= 12) {
                for (a = 2; a <= nx; a++) { x = xv[a]; for (b = a - 1; b >= 1 && xv[b] > x; b--) xv[b + 1] = xv[b]; xv[b + 1] = x }
                xstep = ""; for (a = 1; a <= nx; a++) xstep = xstep (a > 1 ? " " : "") xv[a]
            } else if (integral && !logx) { xstep = 1; while ((xhi - xlo) / xstep > 12) xstep = (xstep ~ /^[12]/ ? (xstep ~ /^1/ ? 2 * xstep : 2.5 * xstep) : 2 * xstep) }
            print_settings("lines")
        } else {
            printf "label" > out
            for (r = 1; r <= n; r++) printf "\tm%d", r > out
            for (j = 1; j <= nlab; j++) for (r = 1; r <= n; r++) range_of(val[k, 1, j, r, ""])
            # A machine without a value in this group gets zeros, not "-": an all-missing
            # column makes gnuplot warn.  Its bars are flat and its values unprinted.
            for (r = 1; r <= n; r++) drawn = drawn " " ((r in seen) ? 1 : 0)
            for (j = 1; j <= nlab; j++) {
                printf "\n%s", lab[k, 1, j] > out
                for (r = 1; r <= n; r++) { v = val[k, 1, j, r, ""]; printf "\t%s", ((r in seen) ? (isnum(v) ? v : "-") : 0) > out }
            }
            printf "\n" > out
            close(out)
            if (hi == 0) continue
            print_settings("bars")
        }
    }
}
