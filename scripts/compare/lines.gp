# scripts/compare/lines.gp - a sweep (x = param) on a few machines: one colour and marker per
# label (the colour of its mode), one dash pattern per machine.
# Called by scripts/compare.sh with -e setting, besides common.gp's:
#   data  TSV file of blocks (gnuplot "index"), label-major, machine-minor: nlab*nser blocks of
#         param<TAB>value rows, each block introduced by a comment line and ended by two blank lines
#   xlab, ylab  axis titles;  nlab, labs, modes  the labels and the mode of each
#   nser, t1..tN  the machines' key titles
#   has   the numbers of the blocks that hold points (block k: label k / nser, machine k % nser)
#   ref, logv, vmin, vmax  as in bars.gp;  logx  1: log x axis
#   xticks  the params to tick ("1 4 16"), or one number: the tick step (0: gnuplot's)
#   bymode  1: colour each label by its mode; 0 (two labels share a mode): by position
load common
set datafile missing "-"

if (logx) { set logscale x 2 }
if (words(xticks) > 1) { set xtics (); do for [i = 1:words(xticks)] { set xtics add (word(xticks, i) real(word(xticks, i))) } } \
else { if (real(xticks) > 0) { set xtics real(xticks) } }
set format x "%g"
if (logv) { set logscale y }
set xlabel xlab
set ylabel ylab
set yrange [vmin:vmax]
set autoscale xfix
set offsets graph 0.04, graph 0.04, 0, 0
eval key_below(int(ceil((nlab + nser) / 2.0)))
if (ref) { set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 2 lw 1.5 lc rgb "#555555" back }
label_pt(j) = int(word("7 5 9 11 13 15 6 4", (j - 1) % 8 + 1))
# The colour of the label's mode, as in every figure; by position when two labels share a
# mode (gil and py: CPython's GIL), so that no two lines look alike.
label_colour(j) = bymode ? mode_colour(word(modes, j)) : machine_colour(j)

# The key is two lists: labels as coloured markers, machines as black dash patterns.  The
# data lines themselves carry no title, so the key stays short however many lines there are.
do for [fmt in formats] {
    eval start_output(fmt)
    plot for [k in has] data index int(k) using 1:2 with linespoints lc rgb label_colour(int(k) / nser + 1) \
             dt 1 + int(k) % nser pt label_pt(int(k) / nser + 1) ps 1.6 * ps_unit lw 2.5 notitle, \
         for [l = 1:nlab] keyentry with linespoints lc rgb label_colour(l) pt label_pt(l) ps 1.6 * ps_unit lw 4 title word(labs, l), \
         for [j = 1:nser] keyentry with lines lc rgb "black" dt j lw 2.5 title value("t".j)
}
set output
