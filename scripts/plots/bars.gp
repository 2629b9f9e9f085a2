# scripts/plots/bars.gp - one horizontal bar per label, coloured by mode,
# with a whisker from low to high and the value written beside it.
# Horizontal, because labels such as "CPython processes" stay readable.
# Variables (besides common.gp's):
#   xtitle   the value axis title;  xmax  the end of the value axis
#   modes    the modes present, for the key ("seq threads gil")
#   style1..3  key text for the fill styles 1..3;  has1..3  1 if present
#   xfmt     optional value tic format (default "%g")
# data columns: label value low high mode style text.  style 0 is solid;
#   1 hatched, 2 cross-hatched, 3 steep-hatched (a variant, a CPython row,
#   a kind of synchronisation).  A row with an empty value is a spacer.
load dir.'/common.gp'

do for [v in "style1 style2 style3"] { if (!exists(v)) { eval v." = ''" } }
do for [v in "has1 has2 has3"] { if (!exists(v)) { eval v." = 0" } }
stats data using 2 nooutput
rows = STATS_records + STATS_invalid
# Room for the longest label ("CPython 3.13t+GIL threads"), 22 at least.
# (Before any set xrange: stats keeps only the points inside it.)
stats data using (strlen(strcol(1))) nooutput name "LABEL"
label_margin = LABEL_max + 1 > 22 ? LABEL_max + 1 : 22

if (!exists("xfmt")) { xfmt = "%g" }
# Rows without a spread (low = high) get a fully transparent whisker.
clear = 0xFF000000
set format x xfmt
set xlabel xtitle
set xrange [0:xmax]
set yrange [rows - 0.5:-0.5]
set ytics scale 0
set grid noytics xtics
set key outside right center vertical Left reverse samplen 1.2 spacing 1.2 font ",20"
set lmargin label_margin
# Pattern fills lie on top of the solid bar in white, so a variant keeps
# its mode's colour and still looks different.
bar_lo(i) = i - 0.38
bar_hi(i) = i + 0.38
nmodes = words(modes)

do for [fmt in formats] {
    eval start_output(fmt)
    if (fmt eq "dumb") {
        # ASCII art: a filled box is a smear of characters; a line per bar reads better.
        # A line per row: the plot is as tall as the rows, plus the title's and
        # the x axis's lines, so that no two bars share a line (and a label).
        eval sprintf("set terminal dumb size 100,%d", rows + 8)
        unset label 98; unset label 99; set title ttl."\n".sub; set tmargin 3; set key off; unset grid
        set lmargin label_margin; set rmargin 2
        plot data using (0):0:2:(0):ytic(1) with vectors nohead, '' using 2:0:7 with labels left offset 1,0
        continue
    }
    plot data using (0):0:(0):2:(bar_lo($0)):(bar_hi($0)):(mode_rgb(strcol(5))):ytic(1) \
             with boxxyerror fs solid 1.0 noborder lc rgb variable, \
         for [k=1:has1] '' using (0):0:(0):($6 == 1 ? $2 : NaN):(bar_lo($0)):(bar_hi($0)) \
             with boxxyerror fs transparent pattern 5 noborder lc rgb "white", \
         for [k=1:has2] '' using (0):0:(0):($6 == 2 ? $2 : NaN):(bar_lo($0)):(bar_hi($0)) \
             with boxxyerror fs transparent pattern 1 noborder lc rgb "white", \
         for [k=1:has3] '' using (0):0:(0):($6 == 3 ? $2 : NaN):(bar_lo($0)):(bar_hi($0)) \
             with boxxyerror fs transparent pattern 6 noborder lc rgb "white", \
         '' using 2:0:3:4:($3 == $4 ? clear : 0) with xerrorbars pt -1 lw 1.5 lc rgb variable, \
         '' using 4:0:7 with labels left offset 0.6,0 font ",18", \
         for [i=1:nmodes] NaN with boxes fs solid 1.0 noborder lc rgb mode_rgb(word(modes, i)) title word(modes, i), \
         for [k=1:has1] NaN with boxes fs pattern 5 lc rgb "#555555" title style1, \
         for [k=1:has2] NaN with boxes fs pattern 1 lc rgb "#555555" title style2, \
         for [k=1:has3] NaN with boxes fs pattern 6 lc rgb "#555555" title style3
}
set output
