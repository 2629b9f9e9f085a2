# scripts/plots/common.gp - what every gilbench figure shares: one colour per
# mode, one per machine, the output terminals, fonts sized for a projector,
# the caption.  The one style file: loaded by the figure scripts of plots.sh
# (scripts/plots/) and of compare.sh (scripts/compare/), which set with -e:
#   data     the prepared data file (TAB-separated, see each script)
#   out      output path without extension
#   formats  "png svg pdf" (or "dumb": ASCII art on stdout)
#   ttl      the title (names the case);  sub  the machine and date line
#   canvas_h optional height in pixels (default 900; compare's one row per
#            machine grows it), the width is always 1600

set encoding utf8
set datafile separator "\t"
set datafile missing ""

# Okabe-Ito colours: distinct for colour-blind viewers and on a projector.
# interp (a GIL per interpreter) is olive, from Paul Tol's muted set: the one
# Okabe-Ito colour left, yellow, vanishes on a white background.
mode_rgb(m) = m eq "seq" ? 0x555555 : m eq "threads" ? 0x0072B2 : \
              m eq "gil" ? 0xD55E00 : m eq "interp" ? 0x999933 : \
              m eq "fork" ? 0x009E73 : \
              m eq "pool" ? 0xCC79A7 : m eq "threadpool" ? 0x56B4E9 : \
              m eq "async" ? 0xE69F00 : 0x000000
mode_colour(m) = sprintf("#%06x", mode_rgb(m))
# One colour per machine where machines are told apart by colour (compare's
# bars): the same Okabe-Ito set, in an order that keeps neighbours distinct.
machine_colours = "#0072B2 #E69F00 #009E73 #CC79A7 #56B4E9 #D55E00 #000000 #F0E442"
machine_colour(i) = word(machine_colours, (i - 1) % words(machine_colours) + 1)
# ratio_text(v): a speedup or slowdown rounded as the lessons and tables round
# it (scripts/gilbench/lessonchecks.py fmt, schema.py ratio_text): 0.76 1.98 12.3 208.
ratio_text(v) = sprintf(abs(v) < 10 ? "%.2f" : abs(v) < 100 ? "%.1f" : "%.0f", v)
# The ideal line and reference marks.
ideal_rgb = 0x222222

# start_output(fmt): a command string to eval before each plot.  The PDF is
# the PNG's canvas at 72 dpi, so fonts keep their proportions in all three.
# noenhanced: labels are data, not markup ("CPU @ 3.4GHz", "a_b" stay as they are).
# The command names the variable out, not its value: a path with a quote in
# it is still one path.
if (!exists("canvas_h")) { canvas_h = 900 }
# ps_unit: what a script multiplies its point sizes by.  gnuplot's svg terminal
# draws a point of size 1 about 2.8 times as large as pngcairo does at this
# canvas and font (measured: a ps 3.6 circle 59 px across in the SVG, 21 in
# the PNG), so the SVG (and report.html, which shows it) gets 0.36.
ps_unit = 1
start_output(f) = f eq "png" ? \
    sprintf("set terminal pngcairo size 1600,%d font 'sans,22' linewidth 2 noenhanced; set output out.'.png'; ps_unit = 1", canvas_h) : \
    f eq "svg" ? \
    sprintf("set terminal svg size 1600,%d font 'sans,22' linewidth 2 noenhanced background '#ffffff'; set output out.'.svg'; ps_unit = 0.36", canvas_h) : \
    f eq "pdf" ? \
    sprintf("set terminal pdfcairo size 16in,%gin font 'sans,17' linewidth 2 noenhanced; set output out.'.pdf'; ps_unit = 1", canvas_h / 100.0) : \
    "set terminal dumb 100 30; set output"

# key_below(rows): a command string that puts the key under the plot, centred
# on the canvas (not on the plot, which a wide left margin moves), in at most
# rows lines, with room kept for it and for the axis title above it.
key_below(rows) = sprintf("set key at screen 0.5, screen 0.015 center bottom horizontal maxrows %d Left reverse samplen 1.5 spacing 1.15 width 1; set bmargin %g", rows, 4.5 + 1.3 * rows)

# No chart junk: a light grid, no top/right border, a key without a box.
set border 3 lw 1
set tics nomirror out scale 0.6
set grid lc rgb "#dddddd" lw 1 dt solid
set key noautotitle nobox

# The caption: title names the case, the second line names the machine.
# Placed at a fixed distance in pixels from the top, whatever the height.
set label 98 ttl at screen 0.5, screen 1 - 40.0 / canvas_h center font ",28"
set label 99 sub at screen 0.5, screen 1 - 85.5 / canvas_h center font ",17" tc rgb "#444444"
set tmargin 6
