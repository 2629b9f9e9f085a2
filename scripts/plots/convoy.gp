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
# room above the tallest bar for its two-line slowdown: a third of the
# decades the bars span, and a tenth of one more
hi = 10 ** (log10(STATS_max) + 0.3 * log10(STATS_max / lo) + 0.1)
n = STATS_records
# The longest label, in characters: side by side, a label has the width of
# its pair of bars (the plot's ~1100 px over n rows, a character ~13 px at
# this font); wider ones (13 rows, "CPython 3.13 interpreters") would run
# into each other, so then every label is turned, reading up to its pair.
stats data using (strlen(strcol(1))) nooutput
label_chars = STATS_max

set logscale y 10
set format y "%.0s%c"
set yrange [lo:hi]
set xrange [-0.6:n - 0.4]
set ylabel "round trips per second (log scale)"
set xtics scale 0
if (label_chars * 13 > 0.9 * 1100.0 / n) { set xtics rotate by 35 right offset 1.2, 0 font ",19" }
set rmargin 4
set grid noxtics ytics
set key outside bottom center horizontal Left reverse samplen 1.2 width 2 font ",20"
set lmargin 12
# Alone: a pale bar edged in the mode colour; contended: the solid bar;
# the slowdown is written above each pair, on two lines ("187×" over
# "slower"), narrow enough for 13 pairs side by side.
left(i) = i - 0.2
right(i) = i + 0.2
# A zero-height box (at the bottom) for rows without a pattern: gnuplot
# would warn about a plot element without valid points otherwise.
pat(s, k, v) = s == k ? v : lo
two_lines(t) = words(t) == 2 ? word(t, 1) . "\n" . word(t, 2) : t

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
         '' using 0:($2 > $8 ? $2 : $8):(two_lines(strcol(6))):xtic(1) with labels center offset 0,1.7 font ",17", \
         NaN with boxes fs transparent solid 0.3 noborder lc rgb "#555555" title "alone (pale)", \
         NaN with boxes fs solid 1.0 noborder lc rgb "#555555" title "beside a CPU-bound thread (solid)"
}
set output
