#!/usr/bin/env bash
# scripts/lessons.sh RUN_DIR - does this run show what the suite teaches?
#
# Each lesson (L1..L7, the table scripts/lessons-table.json) is checked against
# the run's own data, with bounds scaled by the machine's usable CPUs, and:
#   stdout             one line per lesson: "L1 holds: ...", "L1 DOES NOT
#                      HOLD: ...; likely cause: ...", "L1 not measured: ..."
#   RUN_DIR/lessons.md    one slide-ready sentence per lesson, with its
#                         numbers, the machine and the date
#   RUN_DIR/lessons.json  {machine, date, thresholds, lessons: [{id, title,
#                         status: holds|fails|not_measured, numbers, sentence,
#                         causes, rows, checks, not_run}]}
# A lesson that does not hold names its rows and the likely cause: load
# during the run, a CPU quota, one usable CPU, runs too short, spread too
# wide, a failed row -- or says that the data shows none.
#
# Reads, every column by its header name:
#   summary.csv      (required) case, impl, group, experiment, label, tasks,
#                    workers, param, median_s, rel_spread, speedup, status
#   machine.json     (required) usable_cpus (else online_cpus), cpu_quota,
#                    online_cpus, affinity_cpus, load_before, load_after, cpu_used_by_others,
#                    cpu_model, date_utc
#   refcount.csv     experiment, ns_per_op, ok, premature_deallocs, and the
#                    lost updates of the racy row in one of two shapes:
#                      several runs: runs (n), runs_with_loss (k: runs whose
#                                    count went wrong, lost_updates > 0 or
#                                    premature_deallocs > 0), lost_median,
#                                    lost_max (of lost_updates over the n
#                                    runs); ok = every run exact
#                      one run:      lost_updates, premature_deallocs, ok (a
#                                    failing lesson then notes that it rests
#                                    on one sample)
#   convoy.csv       experiment, runs, slowdown, contended_per_s, and when
#                    present slowdown_min, slowdown_max (over the runs: a
#                    spread wider than 2x is named as a cause)
#   experiments.tsv  id, baseline: a failing speedup's baseline row is
#                    searched for causes too
#   raw/ID.run.json  (when present) startup_s and wall_s of each row's --json
#                    record run (cases/count.py: from the process's start to
#                    the start of its work, and the work).  When a speedup
#                    fails on the side a serial start-up pulls it to (towards
#                    1), a row whose start-up is more than a quarter of that
#                    run is named as too short for its start-up.
# A missing refcount.csv, convoy.csv or experiments.tsv leaves the lessons
# that need it "not measured".
#
# Exit status: 0 the lessons were evaluated (whether they hold or not: the
# bench decides what a failing lesson means for it); 1 an input could not be
# read or an output not written; 2 bad usage.
set -euo pipefail
# mawk and jq read and print numbers; a decimal-comma locale must not change them.
export LC_ALL=C

SCRIPTS=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/schema.sh
source "$SCRIPTS/schema.sh"
PROGRAM="$SCRIPTS/lessons.jq"
TABLE="$SCRIPTS/lessons-table.json" # the lessons and their checks, as data
TMP_FILES=()

usage() {
    cat <<EOF
Usage: scripts/lessons.sh [--json] RUN_DIR

Check each lesson of gilbench against a run's own numbers; print one line per
lesson and write RUN_DIR/lessons.md (slide sentences) and RUN_DIR/lessons.json.

Options:
  --json      print lessons.json on stdout instead of the lines
  --help, --version

Exit status: 0 evaluated (whether the lessons hold or not); 1 unreadable
input or a failed write; 2 bad usage.
EOF
}

usage_error() {
    echo "lessons: $1" >&2
    echo "Try 'scripts/lessons.sh --help'." >&2
    exit 2
}

die() {
    echo "lessons: $1" >&2
    exit 1
}

cleanup() { [ "${#TMP_FILES[@]}" -eq 0 ] || rm -f "${TMP_FILES[@]}"; }

# optional_text RUN FILE: the file's path, or /dev/null when the run has none.
optional_text() {
    if [ -e "$1/$2" ]; then
        [ -r "$1/$2" ] || die "cannot read $1/$2"
        printf '%s\n' "$1/$2"
    else
        printf '/dev/null\n'
    fi
}

# startup_times RUN: {experiment: {startup_s, wall_s}} from the run's
# raw/*.run.json, the one --json report each row writes before it is timed; a
# file that is not a JSON object with numeric startup_s and wall_s (our own
# binaries, whose start-up is a millisecond; a failed row) is left out.  {}
# when the run has none.
startup_times() {
    local files=("$1"/raw/*.run.json)
    if [ ! -e "${files[0]}" ]; then
        echo '{}'
        return
    fi
    jq -nR 'reduce inputs as $line ({};
              ($line | fromjson? // null) as $o
              | if ($o | type) == "object" and ($o.startup_s | type) == "number"
                   and ($o.wall_s | type) == "number" and $o.startup_s + $o.wall_s > 0
                then . + {(input_filename | sub(".*/"; "") | sub("[.]run[.]json$"; "")):
                          {startup_s: $o.startup_s, wall_s: $o.wall_s}}
                else . end)' "${files[@]}"
}

# publish TMP FINAL: rename a complete file into place.
publish() { mv -f -T "$1" "$2" || die "cannot write $2"; }

main() {
    local json=false run=""
    while [ $# -gt 0 ]; do
        case "$1" in
            --help) usage; exit 0 ;;
            --version) print_version lessons; exit 0 ;;
            --json) json=true ;;
            --) shift; break ;;
            -?*) usage_error "unknown option '$1'" ;;
            *) [ -z "$run" ] || usage_error "one run folder, got more"; run=$1 ;;
        esac
        shift
    done
    if [ $# -gt 0 ]; then
        if [ -n "$run" ] || [ $# -gt 1 ]; then usage_error "one run folder, got more"; fi
        run=$1
    fi
    [ -n "$run" ] || usage_error "a run folder is required"
    if [ -f "$run" ] && [[ $run == *.tar.gz || $run == *.tgz || $run == *.tar ]]; then
        usage_error "'$run' is a bundle (make pack's one file), not a run folder: scripts/bundle.sh with '$run' bash scripts/lessons.sh reads the folder inside, make plots RUN='$run' draws it"
    fi
    [ -d "$run" ] || die "'$run' is not a folder"
    local why
    why=$(complete_run "$run") || die "$why"
    head -n 1 "$run/summary.csv" | grep -q '\(^\|,\)speedup\(,\|$\)' ||
        die "$run/summary.csv has no speedup column: not a gilbench summary"

    trap cleanup EXIT
    local out_json="$run/.lessons.json.$$" out_md="$run/.lessons.md.$$" lines startup
    TMP_FILES=("$out_json" "$out_md")
    startup=$(startup_times "$run") || die "cannot read the reports in $run/raw"
    jq -n --arg emit eval -f "$PROGRAM" \
        --slurpfile table "$TABLE" \
        --slurpfile machine "$run/machine.json" \
        --rawfile summary "$run/summary.csv" \
        --rawfile refcount "$(optional_text "$run" refcount.csv)" \
        --rawfile convoy "$(optional_text "$run" convoy.csv)" \
        --rawfile ratios "$(optional_text "$run" ratios.csv)" \
        --rawfile experiments "$(optional_text "$run" experiments.tsv)" \
        --argjson startup "$startup" \
        >"$out_json" || die "cannot evaluate the lessons of $run (or write $out_json)"
    jq -r --arg emit md -f "$PROGRAM" "$out_json" >"$out_md" ||
        die "cannot write $out_md"
    lines=$(jq -r --arg emit lines -f "$PROGRAM" "$out_json") || die "cannot read $out_json"
    publish "$out_md" "$run/lessons.md"
    publish "$out_json" "$run/lessons.json"
    TMP_FILES=()
    if "$json"; then
        cat "$run/lessons.json" || die "cannot print $run/lessons.json"
    else
        printf '%s\n' "$lines" || die "cannot write to stdout"
    fi
}

main "$@"
