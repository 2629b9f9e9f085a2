# scripts/compare/rows.gp - many machines: one row per machine (sorted by usable CPUs), one
# marker per label on it, the value on x.  Called by scripts/compare.sh with -e setting,
# besides common.gp's:
#   data  TSV file: a header line, then y<TAB>machine<TAB>one value per label ("-" = none)
#   xlab  the value axis title;  nser  the machines (rows);  ytics_cmd  "set ytics (...)"
#   nlab, labs, modes  the labels and the mode of each;  has  the labels with a value
#   ref, logv, vmin, vmax  as in bars.gp
# Markers are open and of decreasing size, so that labels at the same value stay visible
# one around the other.
load common
set datafile missing "-"
set key autotitle columnheader  # the data file's first line is its header

eval ytics_cmd
set ytics scale 0
if (nser > 24) { set ytics font ",16" }
set yrange [nser + 0.6:0.4]
if (logv) { set logscale x } else { set format x "%g" }
set xrange [vmin:vmax]
set xlabel xlab
set grid xtics ytics lc rgb "#e4e4e4"
eval key_below(int(ceil(words(has) / 4.0)))
if (ref) { set arrow 1 from first 1, graph 0 to first 1, graph 1 nohead dt 2 lw 1.5 lc rgb "#555555" back }
label_pt(j) = int(word("6 4 8 10 12 14 2 1 3", (j - 1) % 9 + 1))
label_ps(j) = 3.6 - 0.25 * ((j - 1) % 9)
label_colour(j) = mode_colour(word(modes, j))

do for [fmt in formats] {
    eval start_output(fmt)
    plot for [l in has] data using (column(int(l) + 2)):1 with points pt label_pt(int(l)) \
             ps label_ps(int(l)) * ps_unit lw 3 lc rgb label_colour(int(l)) title word(labs, int(l))
}
set output
