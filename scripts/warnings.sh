# scripts/warnings.sh - what bench.sh says about a finished run before its
# report: the A/A control, ratios and rows still too noisy, rows faster than
# the usable CPUs allow.  Each reads the run's files by column name and
# writes to stderr only.  Sourced by bench.sh.
# shellcheck shell=bash

# warn_beyond_ideal RUN: CPU-bound rows faster than the usable CPUs allow
# (summarize.sh --beyond-ideal) are another program's load, not a lesson.
warn_beyond_ideal() {
    local rows
    rows=$(bash "$SCRIPTS/summarize.sh" --beyond-ideal "$1" | sed 's/^/  /')
    if [ -n "$rows" ]; then
        echo "bench: warning: these rows ran faster than the usable CPUs allow (efficiency above 1.1):" >&2
        echo "$rows" >&2
        # Named only when the run saw them on its own CPUs (machine.json
        # cpu_used_by_others, counted over the run's affinity mask).
        if jq -e '(.cpu_used_by_others // 0) >= 0.2' "$1/machine.json" >/dev/null 2>&1; then
            echo "bench: other programs shared the CPUs and slowed the baseline; do not cite these rows, run again on a quiet machine" >&2
        else
            echo "bench: no other program was seen on the run's CPUs: the machine's speed changed between the baseline's runs and these rows'; run again before citing them" >&2
        fi
    fi
}

# warn_aa RUN: the A/A controls (machine.json aa) whose interval leaves out
# 1: seq against itself differed, so the machine's noise is at least that.
warn_aa() {
    local bad
    bad=$(jq -r '.aa // {} | to_entries[] | select(.value.contains_one == false)
        | "  \(.key) against itself: \(.value.estimate) (\(.value.low)-\(.value.high), \(.value.blocks) blocks)"' "$1/machine.json")
    [ -z "$bad" ] || {
        echo "bench: warning: the A/A control's 95% interval leaves out 1.00: this machine's noise floor is above it:" >&2
        echo "$bad" >&2
    }
}

# warn_noisy RUN: the rows still noisy after the re-runs, read from
# summary.csv by column name.  A row timed in blocks is judged by its ratios' intervals instead
# (ratios.csv): those wider than RATIO_TARGET are named, with the interval.
warn_noisy() {
    local noisy wide
    wide=$(awk -F, -v target="$RATIO_TARGET" "$COLUMNS_AWK"'
        FNR == 1 { header(); next }
        get("kind") != "aa" && get("halfwidth") + 0 > target {
            printf "  %s %s %s (%s-%s, %s blocks)\n", get("ratio"), get("kind"), get("estimate") + 0, get("low") + 0, get("high"), get("blocks") }' \
        "$1/ratios.csv")
    if [ -n "$wide" ]; then
        echo "bench: warning: these ratios, timed in blocks, have a 95% interval wider than ±$(awk -v t="$RATIO_TARGET" 'BEGIN { print 100 * t }')%:" >&2
        echo "$wide" >&2
    fi
    noisy=$(awk -F, -v limit="$NOISY_SPREAD" "$COLUMNS_AWK"'
        FILENAME != ARGV[ARGC - 1] { if (FNR == 1) header(); else paired[get("experiment")] = 1; next }
        FNR == 1 { header(); next }
        get("status") == "ok" && get("rel_spread") != "" && get("rel_spread") + 0 > limit &&
        !(get("experiment") in paired) {
            printf "  %s %s (%.0f%%)\n", get("group"), get("label") (get("param") == "" ? "" : " " get("param")),
                100 * get("rel_spread") }' "$1/ratios.csv" "$1/summary.csv")
    if [ -n "$noisy" ]; then
        echo "bench: warning: these rows are noisy (stddev above $(awk -v l="$NOISY_SPREAD" 'BEGIN { print 100 * l }')% of the mean):" >&2
        echo "$noisy" >&2
        echo "bench: close other programs, check the load average, and run again; compare runs with make compare" >&2
    fi
}
