# scripts/compare/plotdata.awk - per group, a data file for bars.gp or lines.gp and one TAB-
# separated line of its settings on stdout (see write_plot_data in scripts/compare.sh).
# Variables: n (runs), dir (where the data files go).  mawk-compatible.
function isnum(v) { return v != "-" && v != "" }
{
    g = $3
    if (!(g in gi)) { gi[g] = ++ng; gname[ng] = g; plot[ng] = $8 }
    k = gi[g]
    if ($7 != "") sweep[k] = 1
    rows[k] = rows[k] $0 "\n"
}
END {
    for (k = 1; k <= ng; k++) {
        file = dir "/g" k ".tsv"; nr = split(rows[k], row, "\n") - 1
        lo = 0; hi = 0; nlab = 0; labs = ""; has = ""
        split("", li); split("", seen); split("", np); split("", px); split("", val)
        for (i = 1; i <= nr; i++) {
            split(row[i], c, "\t")
            if (sweep[k] && c[7] == "") continue
            if (!(c[4] in li)) { li[c[4]] = ++nlab; lab[nlab] = c[4]; labs = labs " " c[4] }
            for (r = 1; r <= n; r++) {
                v = c[8 + n + r]
                val[li[c[4]], r, c[7]] = v
                if (!isnum(v)) continue
                seen[r] = 1
                if (lo == 0 || v + 0 < lo) lo = v + 0
                if (v + 0 > hi) hi = v + 0
                if (!((li[c[4]], r) in np)) np[li[c[4]], r] = 0
                px[li[c[4]], r, ++np[li[c[4]], r]] = c[7]
            }
            if (!sweep[k]) {
                line = c[4]
                for (r = 1; r <= n; r++) line = line "\t" c[8 + n + r]
                bars[k] = bars[k] line "\n"
            }
        }
        if (hi == 0) continue
        if (sweep[k]) {
            xlo = 0; xhi = 0
            for (l = 1; l <= nlab; l++) for (r = 1; r <= n; r++) {
                printf "# %s on machine %d\n", lab[l], r > file
                m = ((l, r) in np) ? np[l, r] : 0
                # Only blocks with points are plotted (has): an empty one makes gnuplot warn.
                # An empty block still needs a line, or gnuplot would not count it.
                if (m > 0) has = has " " ((l - 1) * n + r - 1)
                else printf "NaN\tNaN\n" > file
                # Insertion sort by param: later runs may add params the first lacks.
                for (i = 2; i <= m; i++) {
                    x = px[l, r, i]
                    for (j = i - 1; j >= 1 && px[l, r, j] + 0 > x + 0; j--) px[l, r, j + 1] = px[l, r, j]
                    px[l, r, j + 1] = x
                }
                for (i = 1; i <= m; i++) {
                    x = px[l, r, i]; printf "%s\t%s\n", x, val[l, r, x] > file
                    if (xlo == 0 || x + 0 < xlo) xlo = x + 0
                    if (x + 0 > xhi) xhi = x + 0
                }
                printf "\n\n" > file
            }
            logx = (xlo > 0 && xhi / xlo > 20)
        } else {
            printf "label" > file
            for (r = 1; r <= n; r++) printf "\tm%d", r > file
            # A machine without a value in this group gets zeros, not "-": an all-missing
            # column makes gnuplot warn.  Its bars are flat and its values unprinted.
            for (r = 1; r <= n; r++) has = has " " ((r in seen) ? 1 : 0)
            nb = split(bars[k], bl, "\n") - 1
            for (i = 1; i <= nb; i++) {
                nc = split(bl[i], bc, "\t")
                for (r = 1; r <= n; r++) if (!(r in seen)) bc[r + 1] = 0
                line = bc[1]; for (r = 2; r <= nc; r++) line = line "\t" bc[r]
                printf "\n%s", line > file
            }
            printf "\n" > file
            logx = 0
        }
        close(file)
        logy = (lo > 0 && hi / lo >= 30)
        ymin = logy ? lo / 3 : 0
        ymax = logy ? hi * 3 : hi * 1.15
        printf "%s\t%s\t%s\t%s\t%g\t%g\t%d\t%d\t%d\t%s\t%s\n", gname[k], plot[k], sweep[k] ? "lines" : "bars", \
            file, ymin, ymax, logy, logx, nlab, substr(has, 2), substr(labs, 2)
    }
}
