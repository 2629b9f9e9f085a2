# scripts/columns.awk - read a data file by its column names (mawk-compatible).
# Loaded before a reader's own program (awk -f columns.awk -f PROGRAM, or
# "$COLUMNS_AWK" in front of an inline one, scripts/schema.sh).  The header of
# every file a run holds is in scripts/schema.sh; no reader counts columns.
#
#   FNR == 1 { header(); next }   map this file's header line to col[NAME]
#   get("median_s")                the field of that name ("" when the file has
#                                  no such column: an older run's file)
#   has("runs")                    whether the file has that column
#   set_field("speedup", v)        change a field of the current line
#   row_of(names, sep, val)        val[NAME] for each of the space-separated
#                                  names, joined by sep: a row in header order
#   ratio_text(x)                  a speedup or slowdown as the lessons print
#                                  it (scripts/gilbench/lessonchecks.py fmt): 0.76 1.98 12.3 208

function header(    i) {
    split("", col)
    for (i = 1; i <= NF; i++) col[$i] = i
}
function has(name) { return (name in col) }
function get(name) { return (name in col) ? $(col[name]) : "" }
function set_field(name, v) { if (name in col) $(col[name]) = v }
function row_of(names, sep, val,    n, k, i, s) {
    n = split(names, k, " ")
    s = val[k[1]]
    for (i = 2; i <= n; i++) s = s sep val[k[i]]
    return s
}
# The one rounding of a ratio in figures and tables, the lessons' own: a
# figure that rounded 0.76 to 0.8 would show a failed check as passed.
function ratio_text(x,    a) {
    a = (x < 0) ? -x : x
    return sprintf(a < 10 ? "%.2f" : a < 100 ? "%.1f" : "%.0f", x)
}
