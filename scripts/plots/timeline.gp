# scripts/plots/timeline.gp - who holds the GIL, over time: one row per
# thread, one bar per hold, the new policy above the old (the picture David
# Beazley drew by hand in "Understanding the Python GIL", 2010).
# Variables (besides common.gp's):
#   data_new, data_old  holds: thread start_ms end_ms holds_merged
#   window   the common time window in ms (both panels show 0..window)
#   threads  how many threads;  counts_new, counts_old  "holds hand-offs"
load dir.'/common.gp'

# A hold narrower than a pixel is drawn one pixel wide, or it would vanish.
px = window / 1400.0
hold_end(s, e) = e - s < px ? s + px : e
panel(name, c) = sprintf("%s: %s holds, %s hand-offs in %.3g ms", name, word(c, 1), word(c, 2), window)

set xrange [0:window]
set yrange [threads - 0.5:-0.5]
set ytics 1 scale 0
set for [t=0:threads - 1] ytics add (sprintf("thread %d", t) t)
set grid noytics xtics
set key off
set lmargin 16
set rmargin 4

do for [fmt in formats] {
    eval start_output(fmt)
    set multiplot layout 2, 1 margins screen 0.11, 0.97, 0.14, 0.80 spacing 0, 0.14
    set title panel("new GIL (Python 3.2+: a waiting thread asks, the holder drops it)", counts_new) font ",20"
    unset xlabel
    plot data_new using 2:1:2:(hold_end($2, $3)):($1 - 0.35):($1 + 0.35) \
        with boxxyerror fs solid 1.0 noborder lc rgb mode_rgb("gil")
    set title panel("old GIL (Python 2: the holder releases and at once re-takes it)", counts_old)
    set xlabel "time since the first hold (ms)"
    plot data_old using 2:1:2:(hold_end($2, $3)):($1 - 0.35):($1 + 0.35) \
        with boxxyerror fs transparent pattern 0 fs solid 1.0 noborder lc rgb mode_rgb("gil")
    unset multiplot
}
set output
