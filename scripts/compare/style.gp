# scripts/compare/style.gp - shared look of the compare figures, loaded by bars.gp and lines.gp.
# Sizes are for a projected slide: 1600x900 pixels with a large font; the PDF keeps the same
# proportions.  noenhanced: run-folder names hold '_' and '^', which must print as they are.

# Okabe-Ito colours (readable for colour-blind viewers), one per machine in bars.gp and one
# per label in lines.gp.
colours = "#0072B2 #E69F00 #009E73 #CC79A7 #56B4E9 #D55E00 #000000 #F0E442"
colour(i) = word(colours, (i - 1) % words(colours) + 1)

set datafile separator "\t"
set datafile missing "-"
set border 3 lw 1.5
set tics nomirror out
set grid ytics lc rgb "#dddddd" lw 1
set key noenhanced
set title noenhanced
set xtics noenhanced

# Terminal settings as strings, so a script can loop over the formats with eval.
term_png = 'set terminal pngcairo size 1600,900 font "sans,26" noenhanced linewidth 2'
term_svg = 'set terminal svg size 1600,900 font "sans,26" noenhanced linewidth 2 background "white"'
term_pdf = 'set terminal pdfcairo size 10in,5.625in font "sans,13" noenhanced linewidth 1.5'

# The reference line: speedup 1 is "as fast as seq", slowdown 1 is "no slowdown".
if (ref) {
    set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 2 lw 1.5 lc rgb "#555555" back
}
if (logy) { set logscale y }
