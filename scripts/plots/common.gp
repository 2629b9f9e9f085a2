# scripts/plots/common.gp - what every gilbench figure shares: one colour per
# mode, the output terminals, fonts sized for a projector, the caption.
# Loaded by the figure scripts; plots.sh sets these variables with -e:
#   data     the prepared data file (TAB-separated, see each script)
#   out      output path without extension
#   formats  "png svg pdf" (or "dumb": ASCII art on stdout)
#   ttl      the title (names the case);  sub  the machine and date line

set encoding utf8
set datafile separator "\t"
set datafile missing ""

# Okabe-Ito colours: distinct for colour-blind viewers and on a projector.
mode_rgb(m) = m eq "seq" ? 0x555555 : m eq "threads" ? 0x0072B2 : \
              m eq "gil" ? 0xD55E00 : m eq "fork" ? 0x009E73 : \
              m eq "pool" ? 0xCC79A7 : m eq "threadpool" ? 0x56B4E9 : \
              m eq "async" ? 0xE69F00 : 0x000000
# The ideal line and reference marks.
ideal_rgb = 0x222222

# start_output(fmt): a command string to eval before each plot.  The PDF is
# the PNG's canvas at 72 dpi, so fonts keep their proportions in all three.
# noenhanced: labels are data, not markup ("CPU @ 3.4GHz", "a_b" stay as they are).
# The command names the variable out, not its value: a path with a quote in
# it is still one path.
start_output(f) = f eq "png" ? \
    "set terminal pngcairo size 1600,900 font 'sans,22' linewidth 2 noenhanced; set output out.'.png'" : \
    f eq "svg" ? \
    "set terminal svg size 1600,900 font 'sans,22' linewidth 2 noenhanced background '#ffffff'; set output out.'.svg'" : \
    f eq "pdf" ? \
    "set terminal pdfcairo size 16in,9in font 'sans,17' linewidth 2 noenhanced; set output out.'.pdf'" : \
    "set terminal dumb 100 30; set output"

# No chart junk: a light grid, no top/right border, a key without a box.
set border 3 lw 1
set tics nomirror out scale 0.6
set grid lc rgb "#dddddd" lw 1 dt solid
set key noautotitle nobox

# The caption: title names the case, the second line names the machine.
set label 98 ttl at screen 0.5, screen 0.955 center font ",28"
set label 99 sub at screen 0.5, screen 0.905 center font ",17" tc rgb "#444444"
set tmargin 6
