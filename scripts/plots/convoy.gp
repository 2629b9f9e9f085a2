# scripts/plots/convoy.gp - I/O round trips per second alone and beside a
# CPU-bound thread, two bars per label, log y: the convoy effect is the gap.
# data columns: label alone_per_s contended_per_s mode style text low high, where
#   style 1 (a variant) is hatched and 2 (CPython) cross-hatched, as in bars.gp,
#   and low..high (the contended rate's range over the runs) is drawn as
#   whiskers on the contended bar.
load dir.'/common.gp'

stats data using ($7 < $3 ? $7 : $3) nooutput
lo = 10 ** floor(log10(STATS_min))
stats data using ($2 > $8 ? $2 : $8) nooutput
hi = 10 ** ceil(log10(STATS_max) + 0.25)
n = STATS_records

set logscale y 10
set format y "%.0s%c"
set yrange [lo:hi]
set xrange [-0.6:n - 0.4]
set ylabel "round trips per second (log scale)"
set xtics scale 0
# Many rows (a run with every CPython found: 12 and more) would write their
# names and slowdowns over each other: the names slanted, the slowdowns smaller.
textfont = n > 9 ? ",12" : ",18"
if (n > 9) { set xtics rotate by 30 right }
set grid noxtics ytics
set key outside bottom center horizontal Left reverse samplen 1.2 width 2 font ",20"
set lmargin 12
# Alone: a pale bar edged in the mode colour; contended: the solid bar;
# the slowdown is written above each pair.
left(i) = i - 0.2
right(i) = i + 0.2
# A zero-height box (at the bottom) for rows without a pattern: gnuplot
# would warn about a plot element without valid points otherwise.
pat(s, k, v) = s == k ? v : lo

do for [fmt in formats] {
    eval start_output(fmt)
    plot data using (left($0)):(lo):(left($0) - 0.18):(left($0) + 0.18):(lo):2:(mode_rgb(strcol(4))) \
             with boxxyerror fs transparent solid 0.3 noborder lc rgb variable, \
         '' using (left($0)):(lo):(left($0) - 0.18):(left($0) + 0.18):(lo):2:(mode_rgb(strcol(4))) \
             with boxxyerror fs empty lw 2 lc rgb variable, \
         '' using (right($0)):(lo):(right($0) - 0.18):(right($0) + 0.18):(lo):3:(mode_rgb(strcol(4))) \
             with boxxyerror fs solid 1.0 noborder lc rgb variable, \
         '' using (right($0)):(lo):(right($0) - 0.18):(right($0) + 0.18):(lo):(pat($5, 1, $3)) \
             with boxxyerror fs transparent pattern 5 noborder lc rgb "white", \
         '' using (right($0)):(lo):(right($0) - 0.18):(right($0) + 0.18):(lo):(pat($5, 2, $3)) \
             with boxxyerror fs transparent pattern 1 noborder lc rgb "white", \
         '' using (right($0)):3:7:8 with yerrorbars pt -1 lw 2 lc rgb "black" notitle, \
         '' using 0:($2 > $8 ? $2 : $8):6:xtic(1) with labels center offset 0,1 font textfont, \
         NaN with boxes fs transparent solid 0.3 noborder lc rgb "#555555" title "alone (pale)", \
         NaN with boxes fs solid 1.0 noborder lc rgb "#555555" title "beside a CPU-bound thread (solid)"
}
set output
