# scripts/schema.sh - the header of every data file a run holds, defined
# once.  Writers print these headers; readers find each column by its name
# (scripts/columns.awk, or read_header below), never by its position, so a
# new column is one word here plus the line that fills it.
# shellcheck shell=bash
# shellcheck disable=SC2034  # the headers are read by the scripts that source this

# plan.tsv (bench.sh, from matrix.sh): one experiment a row; command is the
# last column and takes the rest of the row, one word a field.
readonly PLAN_COLUMNS="id case impl group mode variant label tasks param baseline kind command"
# experiments.tsv: the plan as it ran; workers from each binary's own --json
# report, status ok|failed; command's words joined by spaces.
readonly EXPERIMENTS_COLUMNS="id case impl group mode variant label tasks workers param baseline kind status command"
# summary.csv, refcount.csv and convoy.csv: scripts/gilbench/schema.py
# (python3 scripts/gilbench summarize writes them).
# summarize.sh --noisy: the timed rows bench.sh re-runs.
readonly NOISY_COLUMNS="group experiment rel_spread"

# suite_version: the suite's version, as the binaries report it (BIN/count
# --version ends with it; BIN as for make bench, default bin, from the
# checkout), or why there is none.  machine.json's suite_version, and every
# script's --version.
suite_version() {
    local bin=${BIN:-bin} words
    [[ "$bin" == /* ]] || bin="$SCHEMA_DIR/../$bin"
    if words=$("$bin/count" --version 2>/dev/null) && [ -n "$words" ]; then
        printf '%s\n' "${words##* }"
    else
        echo "unknown (${BIN:-bin}/count is not built; run make)"
    fi
}

# print_version NAME: a command's --version line, in the binaries' format
# (harness/main.c): "NAME (gilbench) VERSION", NAME without ".sh".
print_version() { printf '%s (gilbench) %s\n' "$1" "$(suite_version)"; }

# run_holds RUN FILE...: true when the run folder RUN holds every FILE as a
# readable file; else false, with the first FILE it lacks on stdout.
run_holds() {
    local f
    for f in "${@:2}"; do
        if [ ! -f "$1/$f" ] || [ ! -r "$1/$f" ]; then
            printf '%s\n' "$f"
            return 1
        fi
    done
}

# complete_run RUN: true when the run folder RUN holds what a reader of a
# finished run needs: summary.csv, and machine.json as one JSON object (jq);
# else false, with why on stdout (one line).
complete_run() {
    local f
    if ! f=$(run_holds "$1" summary.csv machine.json); then
        printf 'cannot read %s/%s: not a complete gilbench run\n' "$1" "$f"
        return 1
    fi
    if ! jq -e 'type == "object"' "$1/machine.json" >/dev/null 2>&1; then
        printf '%s/machine.json is not a JSON object\n' "$1"
        return 1
    fi
}

SCHEMA_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The header map of scripts/columns.awk, to put in front of an inline program.
COLUMNS_AWK=$(<"$SCHEMA_DIR/columns.awk")
readonly COLUMNS_AWK

# header_line COLUMNS SEP: the header line of a file (COLUMNS joined by SEP).
header_line() {
    local -a names
    read -r -a names <<<"$1"
    local IFS=$2
    printf '%s\n' "${names[*]}"
}

# read_header LINE SEP MAP: the shell's header map: MAP[NAME]=index (from 0)
# of each name in LINE, a header split on SEP.
read_header() {
    local -n map=$3
    local -a names
    local i
    IFS=$2 read -r -a names <<<"$1"
    map=()
    for i in "${!names[@]}"; do map["${names[i]}"]=$i; done
}
