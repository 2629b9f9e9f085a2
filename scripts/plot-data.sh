# scripts/plot-data.sh - the data of each figure, from a run's files.
# Sourced by scripts/plots.sh, whose FIGURES table names a data_* function
# here for each figure.
# shellcheck shell=bash
#
# data_KIND FILE ARG...: read the run (RUN) by column name, write FILE (the
# TAB-separated data the figure's gnuplot script reads, a "# " header line
# first, which gnuplot skips), and print the figure's variables for gnuplot,
# one a line: NAME=TEXT, or NAME:=NUMBER; or skip=REASON when the run has no
# data for it.  The layouts of FILE, the contract with the gnuplot scripts:
readonly BAR_COLUMNS="label value low high mode style text"          # bars.gp
readonly SERIES_COLUMNS="x y low high"                              # lines.gp, one block a series
readonly CONVOY_BAR_COLUMNS="label alone_per_s contended_per_s mode style text low high"  # convoy.gp
readonly TIMELINE_COLUMNS="thread start_ms end_ms"                  # timeline.gp
# The streams between the steps here, each with its header line first:
readonly SERIES_ROW_COLUMNS="series mode x y low high"
readonly REFCOUNT_ROW_COLUMNS="label mode style lost total ns_per_op lost_min lost_max runs_with_loss runs"
readonly CONVOY_ROW_COLUMNS="label mode impl switch_interval_us alone_per_s contended_per_s slowdown contended_min contended_max"
MODES_ORDER="seq threads gil interp fork pool threadpool async"
# cpython_label(LABEL, IMPL): a reference row's name in a figure, from its
# label (matrix.sh) and its impl, every interpreter with its version (the
# major.minor of impl): py-threads of cpython-3.11.7 is "CPython 3.11
# threads", py2-threads "CPython 2.7 threads", pyft-threads "CPython 3.13t
# threads", pyft-gil-threads "CPython 3.13t+GIL threads" (its GIL on), the
# convoy row py "CPython 3.11".  An impl that is not cpython-VERSION is
# named as it is.
readonly CPYTHON_LABEL_AWK='
function cpython_label(label, impl,    name, v, rest) {
    name = "CPython"; v = impl
    if (!sub(/^cpython-/, "", v)) { name = impl; v = "" }
    else if (match(v, /^[0-9]+\.[0-9]+/)) v = substr(v, 1, RLENGTH) (v ~ /t$/ ? "t" : "")
    rest = label; sub(/^py[a-z0-9]*(-|$)/, "", rest)
    if (label ~ /^pyft-gil(-|$)/) { sub(/^gil(-|$)/, "", rest); v = v "+GIL" }
    return name (v != "" ? " " v : "") (rest != "" ? " " rest : "")
}
'

# bar_rows time|speedup GROUP...: the ok rows of summary.csv's GROUPs (in
# that order of groups) as bar rows (BAR_COLUMNS): the median (min..max) or
# the speedup (with its 95% interval where the row was timed in blocks), mode colour; CPython rows cross-hatched and named "CPython
# ...", variants hatched; a spacer between groups.
bar_rows() {
    local what=$1
    shift
    awk -F, -v OFS='\t' -v what="$what" -v groups="$*" -v columns="$BAR_COLUMNS" "$COLUMNS_AWK$CPYTHON_LABEL_AWK"'
        FNR == 1 { header(); next }
        get("status") == "ok" && get("median_s") != "" {
            g = get("group"); label = get("label"); sp = get("speedup")
            style = (get("impl") != "gilbench") ? 2 : (get("variant") != "" ? 1 : 0)
            if (style == 2) label = cpython_label(label, get("impl"))
            split("", v)
            v["label"] = label; v["mode"] = get("mode")
            if (what == "speedup") {
                s = (sp != "") ? sp : (get("label") ~ /seq$/ ? 1 : "")
                if (s == "") next
                v["value"] = s; v["style"] = 0; v["text"] = ratio_text(s) "×"
                # timed in blocks: the whisker is its 95% interval
                if (get("speedup_low") != "" && get("speedup_high") != "") {
                    v["low"] = get("speedup_low"); v["high"] = get("speedup_high")
                    v["text"] = v["text"] " (" ratio_text(v["low"]) "-" ratio_text(v["high"]) ")"
                }
            } else {
                v["value"] = get("median_s"); v["low"] = get("min_s"); v["high"] = get("max_s"); v["style"] = style
                v["text"] = sprintf("%.3g s", get("median_s"))
                if (sp != "" && get("label") !~ /seq$/) v["text"] = v["text"] "  (" ratio_text(sp) "×)"
            }
            rows[g] = rows[g] row_of(columns, OFS, v) "\n"
        }
        END {
            print columns_tab(columns)
            n = split(groups, want, " ")
            for (i = 1; i <= n; i++) {
                if (!(want[i] in rows)) continue
                if (printed++) print "\t\t\t\t\t\t"
                printf "%s", rows[want[i]]
            }
        }
        function columns_tab(c) { gsub(/ /, "\t", c); return c }' "$RUN/summary.csv"
}

# write_bars FILE: bar rows (BAR_COLUMNS, header first; an empty row is a
# spacer) into FILE; prints bars.gp's variables: xmax, the modes present, the
# bar count n, and has1..has3 for the fill styles 1 2 3 in use.
write_bars() {
    awk -F'\t' -v OFS='\t' -v file="$1" -v order="$MODES_ORDER" -v columns="$BAR_COLUMNS" "$COLUMNS_AWK"'
        FNR == 1 { header(); print "# " $0 > file; next }
        {
            split("", v)
            for (name in col) v[name] = get(name)
            if (v["value"] != "") {
                # Rows without whiskers get zero-length ones: gnuplot warns
                # about a plot element with no valid points.
                if (v["low"] == "") { v["low"] = v["value"]; v["high"] = v["value"] }
                n++; seen[v["mode"]] = 1; style[v["style"]] = 1
                # Room for the text right of the bar: ~1.4% of the axis a character.
                room = 1 - 0.014 * length(v["text"]) - 0.04
                if (v["high"] / room > max) max = v["high"] / room
            }
            print row_of(columns, OFS, v) > file
        }
        END {
            k = split(order, o, " ")
            for (i = 1; i <= k; i++) if (o[i] in seen) modes = modes (modes == "" ? "" : " ") o[i]
            printf "xmax:=%g\nmodes=%s\nn:=%d\n", (max > 0 ? max : 1), modes, n
            printf "has1:=%d\nhas2:=%d\nhas3:=%d\n", (1 in style), (2 in style), (3 in style)
            if (n == 0) print "skip=no data in this run"
        }'
}

# data_time_bars FILE GROUP...: the median time of each ok row (bars.gp);
# tasks is the first ok row's of the first GROUP (for a title).
data_time_bars() {
    local file=$1
    shift
    bar_rows time "$@" | write_bars "$file"
    echo "xtitle=median wall time (s), whiskers min..max"
    awk -F, -v want="$1" "$COLUMNS_AWK"'FNR == 1 { header(); next }
        get("group") == want && get("status") == "ok" && get("median_s") != "" { print "tasks=" get("tasks"); exit }' \
        "$RUN/summary.csv"
}

# data_speedup_bars FILE GROUP...: the speedup of each ok row (bars.gp).
data_speedup_bars() {
    local file=$1
    shift
    bar_rows speedup "$@" | write_bars "$file"
}

# write_series FILE: series rows (SERIES_ROW_COLUMNS, header first; series
# in order of first appearance at the smallest x) into FILE, one data block
# per series, by x; prints lines.gp's variables: titles, modes, xmax.
write_series() {
    awk -F'\t' -v OFS='\t' -v file="$1" -v columns="$SERIES_COLUMNS" "$COLUMNS_AWK"'
        FNR == 1 { header(); next }
        {
            # Insertion sort by x, stable: a row goes after those of equal x.
            r = ++rows; x = get("x") + 0
            while (r > 1 && xs[r - 1] > x) { xs[r] = xs[r - 1]; line[r] = line[r - 1]; r-- }
            xs[r] = x; line[r] = $0
        }
        END {
            print "# " columns > file
            for (r = 1; r <= rows; r++) {
                $0 = line[r]
                s = get("series")
                if (!(s in idx)) { idx[s] = ++n; name[n] = s; mode[n] = get("mode") }
                split("", v)
                v["x"] = get("x"); v["y"] = get("y"); v["low"] = get("low"); v["high"] = get("high")
                if (v["low"] == "") { v["low"] = v["y"]; v["high"] = v["y"] }   # no whisker: zero length, no warning
                block[idx[s]] = block[idx[s]] row_of(columns, OFS, v) "\n"
                if (v["x"] + 0 > xmax) xmax = v["x"] + 0
            }
            for (i = 1; i <= n; i++) {
                printf "%s\n\n", block[i] > file
                titles = titles sprintf("%s\"%s\"", (i > 1 ? " " : ""), name[i])
                modes = modes (i > 1 ? " " : "") mode[i]
            }
            printf "titles=%s\nmodes=%s\nxmax:=%g\n", titles, modes, xmax
            if (n == 0) print "skip=no data in this run"
        }'
}

# series_rows Y GROUP: summary.csv's ok rows of GROUP that have a param, as
# series rows: a series per label, x = param, y = the Y column (speedup, or
# median_s with min_s..max_s whiskers); the seq rows only with median_s.
series_rows() {
    awk -F, -v OFS='\t' -v y="$1" -v want="$2" -v columns="$SERIES_ROW_COLUMNS" "$COLUMNS_AWK"'
        BEGIN { s = columns; gsub(/ /, "\t", s); print s }
        FNR == 1 { header(); next }
        get("group") == want && get("status") == "ok" && get("median_s") != "" && get("param") != "" &&
        get(y) != "" && (y == "median_s" || get("label") != "seq") {
            split("", v)
            v["series"] = get("label"); v["mode"] = get("mode"); v["x"] = get("param"); v["y"] = get(y)
            if (y == "median_s") { v["low"] = get("min_s"); v["high"] = get("max_s") }
            print row_of(columns, OFS, v)
        }' "$RUN/summary.csv"
}

data_speedup_series() { series_rows speedup "$2" | write_series "$1"; }
data_time_series() { series_rows median_s "$2" | write_series "$1"; }

# refcount_rows: refcount.csv's rows that did not fail, as REFCOUNT_ROW_COLUMNS:
# the label (mode-sync in a file without one), the sync as the fill style,
# the lost updates (the median of several runs, whiskers min..max, and in how
# many of the runs the count went wrong) out of every INCREF and DECREF made
# (ops x tasks), the cost per update.
refcount_rows() {
    awk -F, -v OFS='\t' -v columns="$REFCOUNT_ROW_COLUMNS" "$COLUMNS_AWK"'
        BEGIN { s = columns; gsub(/ /, "\t", s); print s }
        FNR == 1 { header(); next }
        get("status") != "failed" && get("ns_per_op") != "" {
            split("", v)
            sync = get("sync")
            v["label"] = (get("label") != "") ? get("label") : get("mode") "-" sync
            v["mode"] = get("mode")
            v["style"] = (sync == "atomic") ? 1 : (sync == "mutex") ? 2 : (sync == "biased") ? 3 : 0
            n = has("runs") ? get("runs") + 0 : 1
            v["runs"] = n
            v["lost"] = (n > 1 && has("lost_median")) ? get("lost_median") : get("lost_updates")
            v["total"] = get("ops") * get("tasks"); v["ns_per_op"] = get("ns_per_op")
            if (n > 1) { v["lost_min"] = get("lost_min"); v["lost_max"] = get("lost_max"); v["runs_with_loss"] = get("runs_with_loss") }
            print row_of(columns, OFS, v)
        }' "$RUN/refcount.csv"
}

# data_refcount_lost FILE: the lost updates of each refcount row (bars.gp),
# counted in millions once any count reaches 100 000, and in thousands from
# 10 000, so that the axis labels stay short.
data_refcount_lost() {
    [ -f "$RUN/refcount.csv" ] || { echo "skip=no refcount.csv in this run"; return 0; }
    refcount_rows >"$1.rows"
    local unit=1 unit_name=""
    if awk -F'\t' "$COLUMNS_AWK"'FNR == 1 { header(); next } get("lost") >= 1e5 || get("lost_max") >= 1e5 { found = 1 }
            END { exit !found }' "$1.rows"; then
        unit=1000000 unit_name=", millions"
    elif awk -F'\t' "$COLUMNS_AWK"'FNR == 1 { header(); next } get("lost") >= 1e4 || get("lost_max") >= 1e4 { found = 1 }
            END { exit !found }' "$1.rows"; then
        unit=1000 unit_name=", thousands"
    fi
    awk -F'\t' -v OFS='\t' -v unit="$unit" -v columns="$BAR_COLUMNS" "$COLUMNS_AWK"'
        function human(x) { return x >= 1e6 ? sprintf("%.3g M", x / 1e6) : x >= 1e3 ? sprintf("%.3g k", x / 1e3) : sprintf("%d", x) }
        BEGIN { s = columns; gsub(/ /, "\t", s); print s }
        FNR == 1 { header(); next }
        {
            lost = get("lost"); total = get("total"); k = get("runs_with_loss")
            if (k == "0") text = sprintf("exact in all %d runs", get("runs"))
            else if (k != "") text = sprintf("wrong in %d of %d runs, median %s, max %s", k, get("runs"), human(lost), human(get("lost_max")))
            else text = (lost > 0 && total > 0) ? sprintf("%s of %s updates (%.2g%%)", human(lost), human(total), 100 * lost / total) : human(lost)
            split("", v)
            v["label"] = get("label"); v["value"] = lost / unit; v["mode"] = get("mode"); v["style"] = get("style")
            v["low"] = (get("lost_min") != "") ? get("lost_min") / unit : ""
            v["high"] = (get("lost_max") != "") ? get("lost_max") / unit : ""
            v["text"] = text
            print row_of(columns, OFS, v)
        }' "$1.rows" | write_bars "$1"
    echo "xtitle=lost updates$unit_name (median of the runs, whiskers min..max)"
}

# data_refcount_cost FILE: nanoseconds per update of each refcount row (bars.gp).
data_refcount_cost() {
    [ -f "$RUN/refcount.csv" ] || { echo "skip=no refcount.csv in this run"; return 0; }
    refcount_rows | awk -F'\t' -v OFS='\t' -v columns="$BAR_COLUMNS" "$COLUMNS_AWK"'
        BEGIN { s = columns; gsub(/ /, "\t", s); print s }
        FNR == 1 { header(); next }
        { split("", v)
          v["label"] = get("label"); v["value"] = get("ns_per_op"); v["mode"] = get("mode"); v["style"] = get("style")
          v["text"] = sprintf("%.3g ns", get("ns_per_op"))
          print row_of(columns, OFS, v) }' | write_bars "$1"
}

# convoy_rows GROUP: convoy.csv's rows of GROUP that did not fail, with
# figures on log axes (no zeros), as CONVOY_ROW_COLUMNS; contended_min and
# _max are the range over the runs (empty in a run recorded before
# convoy.csv had it).  A convoy.csv from before it had a group column holds
# only rows that ran, each named GROUP.LABEL[.PARAM] (matrix.sh).
convoy_rows() {
    awk -F, -v OFS='\t' -v want="$1" -v columns="$CONVOY_ROW_COLUMNS" "$COLUMNS_AWK"'
        BEGIN { s = columns; gsub(/ /, "\t", s); print s }
        FNR == 1 { header(); next }
        { g = has("group") ? get("group") : substr(get("experiment"), 1, index(get("experiment") ".", ".") - 1) }
        g == want && get("status") != "failed" && get("contended_per_s") > 0 && get("alone_per_s") > 0 {
            split("", v)
            for (name in col) v[name] = get(name)
            v["contended_min"] = get("contended_per_s_min"); v["contended_max"] = get("contended_per_s_max")
            if (v["contended_min"] != "" && v["contended_min"] <= 0) v["contended_min"] = v["contended_max"] = ""
            print row_of(columns, OFS, v)
        }' "$RUN/convoy.csv"
}

# convoy_csv_usable: convoy.csv is there (else a skip line).
convoy_csv_usable() {
    [ -f "$RUN/convoy.csv" ] && return 0
    echo "skip=no convoy.csv in this run"
    return 1
}

# data_convoy FILE: I/O round trips alone and contended, per row (convoy.gp).
data_convoy() {
    convoy_csv_usable || return 0
    convoy_rows convoy | awk -F'\t' -v OFS='\t' -v columns="$CONVOY_BAR_COLUMNS" -v file="$1" "$COLUMNS_AWK$CPYTHON_LABEL_AWK"'
        BEGIN { print "# " columns > file }
        FNR == 1 { header(); next }
        {
            split("", v)
            v["label"] = (get("impl") != "gilbench") ? cpython_label(get("label"), get("impl")) : get("label")
            v["alone_per_s"] = get("alone_per_s"); v["contended_per_s"] = get("contended_per_s"); v["mode"] = get("mode")
            v["style"] = (get("impl") != "gilbench") ? 2 : (get("label") ~ /-/ ? 1 : 0)
            s = get("slowdown")
            v["text"] = (s >= 1) ? ratio_text(s) "× slower" : ratio_text(1 / s) "× faster"
            v["low"] = (get("contended_min") != "") ? get("contended_min") : get("contended_per_s")
            v["high"] = (get("contended_max") != "") ? get("contended_max") : get("contended_per_s")
            print row_of(columns, OFS, v) > file; n++
        }
        END { if (!n) print "skip=no convoy rows in this run" }'
}

# data_convoy_interval FILE: round trips against the switch interval
# (lines.gp), series in order of first appearance: ours contended (solid),
# ours alone (dashed), CPython contended (dotted, named with its version),
# when the run has CPython's.
data_convoy_interval() {
    convoy_csv_usable || return 0
    convoy_rows convoy-interval | awk -F'\t' -v OFS='\t' -v columns="$SERIES_ROW_COLUMNS" "$COLUMNS_AWK$CPYTHON_LABEL_AWK"'
        function out(series, y, low, high) {
            split("", v); v["series"] = series; v["mode"] = "gil"; v["x"] = get("switch_interval_us")
            v["y"] = y; v["low"] = low; v["high"] = high; print row_of(columns, OFS, v)
        }
        BEGIN { s = columns; gsub(/ /, "\t", s); print s }
        FNR == 1 { header(); next }
        get("switch_interval_us") != "" {
            if (get("impl") == "gilbench") {
                out("simulated GIL, beside a CPU-bound thread", get("contended_per_s"), get("contended_min"), get("contended_max"))
                out("simulated GIL, alone", get("alone_per_s"), "", "")
            } else out(cpython_label(get("label"), get("impl")) ", beside a CPU-bound thread", get("contended_per_s"), get("contended_min"), get("contended_max"))
        }' | write_series "$1"
}

# data_gil_timeline FILE: both GIL traces (raw/trace-gil-{new,old}.csv) over
# one common window (the shorter trace, at most 100 ms) measured from each
# trace's first hold, so the two hand-off rhythms compare at the same scale
# (timeline.gp: FILE-new.tsv, FILE-old.tsv).  Two passes over both traces:
# the first finds each start and the window, the second writes the holds
# inside the window in ms.  Same-thread holds less than a pixel apart
# (window/1400) are merged, so the old policy's thousands of holds stay a few
# hundred boxes.  Prints the window, the threads and, per trace, the holds
# and hand-offs (holder changes) in the window.
data_gil_timeline() {
    local new="$RUN/raw/trace-gil-new.csv" old="$RUN/raw/trace-gil-old.csv" base=${1%.tsv}
    if [ ! -f "$new" ] || [ ! -f "$old" ]; then
        echo "skip=raw/trace-gil-new.csv or raw/trace-gil-old.csv is missing"
        return 0
    fi
    awk -F, -v OFS='\t' -v out="$base-" -v columns="$TIMELINE_COLUMNS" "$COLUMNS_AWK"'
        function flush() { if (n) print who, start, end > (out (p == 1 ? "new" : "old") ".tsv") }
        FNR == 1 {
            if (f == 3) flush()
            f++; p = (f - 1) % 2 + 1; n = 0; header()
            if (f >= 3) print "# " columns > (out (p == 1 ? "new" : "old") ".tsv")
            next
        }
        { th_ = get("thread"); s_ = get("start_s"); e_ = get("end_s") }
        f <= 2 { if (!(p in t0) || s_ < t0[p]) t0[p] = s_; if (e_ > t1[p]) t1[p] = e_
                 if (th_ + 1 > th) th = th_ + 1; next }
        !w { w = t1[1] - t0[1]; if (t1[2] - t0[2] < w) w = t1[2] - t0[2]; w = (w > 0.1 ? 0.1 : w) * 1000 }
        {
            s = (s_ - t0[p]) * 1000; e = (e_ - t0[p]) * 1000
            if (s >= w) next
            if (e > w) e = w
            holds[p]++; if (n && th_ != who) moves[p]++
            if (n && th_ == who && s - end <= w / 1400) { end = e; next }
            flush(); who = th_; start = s; end = e; n++
        }
        END {
            flush()
            if ((1 in holds) && (2 in holds)) {
                printf "window:=%.6f\nthreads:=%d\n", w, th
                printf "counts_new=%d %d\ncounts_old=%d %d\n", holds[1], moves[1], holds[2], moves[2]
                printf "data_new=%s\ndata_old=%s\n", out "new.tsv", out "old.tsv"
            } else print "skip=a GIL trace has no holds"
        }' "$new" "$old" "$new" "$old"
}
