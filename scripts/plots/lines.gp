# scripts/plots/lines.gp - one line per series against a swept x (workers,
# requests, switch interval), coloured by mode.
# Variables (besides common.gp's):
#   titles   series names, quoted words ('"threads" "gil"');  modes  one per series
#   dashes   dash type per series ("" = all solid);  xtitle, ytitle
#   logx, logy   log base of each axis (0 = linear);  xmax  the largest x
#   cores    > 0: draw the ideal speedup min(x, cores); cores = the run's usable CPUs
#   keypos   optional key placement (default: outside right center)
#   yfmt     optional y tic format (default: "%g")
# data: one block per series (blocks apart by two blank lines), columns
#   x y [low high]; whiskers are drawn where low and high are present.
load dir.'/common.gp'

n = words(titles)
dash(i) = (words(dashes) >= i) ? int(word(dashes, i)) : 1
ideal(x) = x < cores ? x : cores

set xlabel xtitle
set ylabel ytitle
if (logx > 0) { set logscale x logx; set xrange [*:xmax * 1.15] } else { set xrange [0:xmax + 0.5]; set xtics 1 }
if (!exists("yfmt")) { yfmt = "%g" }
if (!exists("keypos")) { keypos = "outside right center" }
if (logy > 0) { set logscale y logy; set format y yfmt } else { set yrange [0:*] }
if (logx == 2) { set xtics 2 }
if (cores > 0) { set yrange [0:(xmax < cores ? xmax : cores) + 1]; set ytics 1 }
eval "set key ".keypos." vertical Left reverse samplen 3 spacing 1.3 font ',20'"
set lmargin 12

do for [fmt in formats] {
    eval start_output(fmt)
    plot for [i=1:n] data index (i - 1) using 1:2:3:4 \
             with yerrorbars pt -1 lw 1 lc rgb mode_rgb(word(modes, i)) notitle, \
         for [i=1:n] data index (i - 1) using 1:2 \
             with linespoints lw 3 pt 7 ps 1.6 * ps_unit dt dash(i) lc rgb mode_rgb(word(modes, i)) title word(titles, i), \
         (cores > 0 ? ideal(x) : NaN) with lines lw 2 dt 2 lc rgb ideal_rgb \
             title (cores > 0 ? sprintf("ideal: min(workers, %d usable CPU%s)", cores, cores == 1 ? "" : "s") : "")
}
set output
