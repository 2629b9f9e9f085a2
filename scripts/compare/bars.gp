# scripts/compare/bars.gp - a few machines side by side: one cluster per label, one bar
# (colour) per machine.  Called by scripts/compare.sh with -e setting, besides common.gp's:
#   data  TSV file: a header line, then label<TAB>value per machine ("-" = missing or failed)
#   ylab  the value axis title;  nser  number of machines;  t1..tN  their key titles
#   has   one word per machine: 1 if it has a value in this group (0: its column is zeros)
#   ref   1: draw the line y = 1;  logv  1: log value axis;  vmin, vmax  its range
#   vfont  font size of the values printed over the bars, 0: none (too many bars to read)
#   vrot   1: print those values upright (narrow bars);  xrot  1: slant the labels (long ones)
load common
set datafile missing "-"
set key autotitle columnheader  # the data file's first line is its header

set style data histogram
set style histogram clustered gap 1
set style fill solid 0.9 noborder
set boxwidth 0.95 relative
set xtics scale 0
if (xrot) { set xtics rotate by 25 right }
if (logv) { set logscale y }
set yrange [vmin:vmax * (vrot && !logv ? 1.15 : 1)]  # room for upright values
set ylabel ylab
set grid noxtics ytics
# Under the axis: inside, the key would hide the tallest bars.
eval key_below(int(ceil(nser / 2.0)) + (xrot ? 1 : 0))
# The reference line: speedup 1 is "as fast as seq", slowdown 1 is "no slowdown".
if (ref) { set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 2 lw 1.5 lc rgb "#555555" back }
gap = 1
# Centre of bar i (1..nser) in the cluster on row r: clusters sit at x = 0, 1, 2, ...
barx(r, i) = r + (i - (nser + 1) / 2.0) / (nser + gap)
# The value over a bar: a ratio as the tables print it (1.98, 60.2: never 0.8 for a 0.76
# that fails its check), a time short enough to fit the bar's width (0.35 s).
vlabel(v) = ref ? ratio_text(v) : sprintf("%.2g", v)

do for [fmt in formats] {
    eval start_output(fmt)
    plot for [i = 1:nser] data using (column(i + 1)):xtic(1) lc rgb machine_colour(i) title value("t".i), \
         for [i = 1:(vfont > 0 && !vrot ? nser : 0)] data using (barx($0, i)):(column(i + 1)):(word(has, i) eq "1" ? vlabel(column(i + 1)) : "") \
             with labels font ",".vfont center offset 0, 0.6 notitle, \
         for [i = 1:(vfont > 0 && vrot ? nser : 0)] data using (barx($0, i)):(column(i + 1)):(word(has, i) eq "1" ? vlabel(column(i + 1)) : "") \
             with labels font ",".vfont rotate by 90 left offset 0, 0.4 notitle
}
set output
