# scripts/compare/lines.gp - a sweep (x = param): one colour per label, one line style per machine.
# Called by scripts/compare.sh with -e setting:
#   data  TSV file of blocks (gnuplot "index"), label-major, machine-minor: nlab*nser blocks of
#         param<TAB>value rows, each block introduced by a comment line and ended by two blank lines
#   out, ttl, ylab, xlab   output path without extension, title, axis labels
#   nlab, l1..lN  the labels;  nser, t1..tN  the machines' key titles
#   has   the numbers of the blocks that hold points (block k: label k / nser, machine k % nser)
#   ref, logy, logx, ymin, ymax  as in bars.gp
load dir."/style.gp"

if (logx) { set logscale x 2 }
set xlabel xlab
set ylabel ylab
set title ttl
set yrange [ymin:ymax]
set autoscale xfix
set offsets graph 0.04, graph 0.04, 0, 0
set key outside right top Left reverse samplen 2.5 spacing 1.2 width 1
machine_pt(j) = word("7 5 9 13 11 15 1 2", (j - 1) % 8 + 1)

# The key is two lists: labels as plain colour swatches, machines as black line styles.  The
# data lines themselves carry no title, so the key stays short however many lines there are.
do for [fmt in "png svg pdf"] {
    eval value("term_".fmt)
    set output out.".".fmt
    plot for [k in has] data index int(k) using 1:2 with linespoints lc rgb colour(int(k) / nser + 1) \
             dt 1 + int(k) % nser pt int(machine_pt(int(k) % nser + 1)) ps 1.6 lw 2 notitle, \
         for [l = 1:nlab] keyentry with lines lc rgb colour(l) lw 6 title value("l".l), \
         for [j = 1:nser] keyentry with linespoints lc rgb "black" dt j pt int(machine_pt(j)) ps 1.6 lw 2 title value("t".j)
    unset output
}
