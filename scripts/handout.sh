#!/usr/bin/env bash
# scripts/handout.sh RUN_DIR - the lab handout (docs/lab/) with its answer
# key filled in from one run's own files; `make handout RUN=results/HOST-TIME`.
#
# Writes RUN_DIR/handout/ (or --out=DIR): every page of docs/lab/, with each
# question's marker line "<!-- key ID -->" followed by the answer from this
# run (scripts/handout.jq holds the answers), and the machine and date on top.
# Every figure in an answer is copied, by column or key name, from the run's
# summary.csv, refcount.csv, convoy.csv, machine.json, lessons.json or
# raw/*.run.json; a question the run cannot answer (a group not run, a failed
# row, a lesson that did not hold) says so.  A run without lessons.json (made
# before the lesson checks) gets one from scripts/lessons.sh first.
#
# --show=GROUP prints one group's rows, the columns the questions read, for a
# student to answer from: scripts/handout.sh --show=count-2 RUN_DIR.
# --newest=GROUP prints the newest run folder under a results folder that
# has rows of GROUP: a page's RUN, which a later partial run (`--only`, as
# Lesson 7's re-run) must not replace for the groups it left out.
#
# Exit status: 0 written (or shown); 1 an unreadable run or a failed write;
# 2 bad usage.
set -euo pipefail
# jq prints the numbers; a decimal-comma locale must not change them.
export LC_ALL=C

SCRIPTS=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$SCRIPTS/.." && pwd)
# shellcheck source=scripts/schema.sh
source "$SCRIPTS/schema.sh"
PROGRAM="$SCRIPTS/handout.jq"
PAGES="$ROOT/docs/lab"
WORK=""

usage() {
    cat <<'EOF'
Usage: scripts/handout.sh [--out=DIR] RUN_DIR     (make handout RUN=results/HOST-TIME)
       scripts/handout.sh --show=GROUP RUN_DIR
       scripts/handout.sh --newest=GROUP RESULTS_DIR

Write the lab handout (docs/lab/) with the answer key of one run: each
question's answer filled in from the run's own files (summary.csv,
refcount.csv, convoy.csv, machine.json, lessons.json, raw/*.run.json), the
machine and the date on top.  A question the run does not support (a group
not run, a failed row, a lesson that did not hold) says so.

Options:
  --out=DIR       where to write the pages (default: RUN_DIR/handout)
  --show=GROUP    print the rows of one bench group (e.g. count-2, refcount,
                  convoy) with the columns the handout's questions read
  --newest=GROUP  print the newest run folder under RESULTS_DIR (newest by
                  modification time, as ls -t) whose summary.csv has rows of
                  GROUP; exit 1 when none has
  --help, --version

Exit status: 0 written; 1 an unreadable run or a failed write; 2 bad usage.
EOF
}

usage_error() {
    echo "handout: $1" >&2
    echo "Try 'scripts/handout.sh --help'." >&2
    exit 2
}

die() {
    echo "handout: $1" >&2
    exit 1
}

cleanup() { if [ -n "$WORK" ]; then rm -rf "$WORK"; fi; }

# optional RUN FILE: the file's path, or /dev/null when the run has none.
optional() {
    if [ -e "$1/$2" ]; then printf '%s\n' "$1/$2"; else printf '/dev/null\n'; fi
}

# check_run RUN: RUN is a complete gilbench run (schema.sh complete_run).
check_run() {
    local why
    [ -d "$1" ] || usage_error "no such run folder: '$1'"
    why=$(complete_run "$1") || die "$why"
}

# raw_reports RUN OUT: every raw/ID.run.json of the run as one object {ID: report}.
raw_reports() {
    local files=()
    shopt -s nullglob
    files=("$1"/raw/*.run.json)
    shopt -u nullglob
    if [ "${#files[@]}" -eq 0 ]; then
        echo '{}' >"$2"
    else
        jq -n 'reduce inputs as $r ({}; . + {(input_filename | split("/")[-1] | rtrimstr(".run.json")): $r})' \
            "${files[@]}" >"$2" 2>/dev/null || {
            echo "handout: a report in $1/raw/ is not JSON: the answers that read one say so" >&2
            echo '{}' >"$2"
        }
    fi
}

show_group() {
    local run=$1 group=$2
    check_run "$run"
    jq -rn --arg emit show --arg group "$group" -f "$PROGRAM" \
        --rawfile summary "$run/summary.csv" \
        --rawfile refcount "$(optional "$run" refcount.csv)" \
        --rawfile convoy "$(optional "$run" convoy.csv)" 2>"$WORK/err" || {
        local why
        why=$(sed -n 's/^jq: error (at <unknown>): //p' "$WORK/err" | head -n 1)
        die "${why:-cannot read $run/summary.csv}"
    }
}

# newest_run RESULTS GROUP: the newest run folder under RESULTS with rows of GROUP.
newest_run() {
    local results=${1%/} group=$2 dir
    [ -d "$results" ] || usage_error "no such results folder: '$results'"
    while IFS= read -r dir; do
        [ -r "$dir/summary.csv" ] || continue
        if awk -F, -v group="$group" "$COLUMNS_AWK"'
            FNR == 1 { header(); if (!has("group")) exit 1; next }
            get("group") == group { found = 1; exit }
            END { exit !found }' "$dir/summary.csv"; then
            printf '%s/\n' "$dir"
            return 0
        fi
    done < <(find "$results" -mindepth 1 -maxdepth 1 -type d -printf '%T@ %p\n' | sort -rn | cut -d' ' -f2-)
    die "no run under $results has rows of group '$group' (run make bench QUICK=1)"
}

write_key() {
    local run=$1 out=$2
    check_run "$run"
    if [ ! -r "$run/lessons.json" ]; then
        echo "handout: $run has no lessons.json; checking the lessons first (scripts/lessons.sh)" >&2
        bash "$SCRIPTS/lessons.sh" "$run" >/dev/null || die "cannot check the lessons of $run"
    fi
    jq -e '.lessons | type == "array"' "$run/lessons.json" >/dev/null 2>&1 ||
        die "$run/lessons.json has no lessons: not written by scripts/lessons.sh"
    raw_reports "$run" "$WORK/raw.json"
    # The run's page (report.html, written by make plots), linked from the key
    # relative to the pages; not a bundle's, whose unpacked copy goes away.
    local report=""
    if [ -f "$run/report.html" ] && [ -z "${GILBENCH_FROM_BUNDLE:-}" ]; then
        report=$(realpath -m --relative-to="$out" "$run/report.html") || report=""
    fi
    jq -n --arg emit answers -f "$PROGRAM" --arg run "$(basename "$run")" --arg report "$report" \
        --slurpfile machine "$run/machine.json" \
        --slurpfile lessons "$run/lessons.json" \
        --slurpfile raw "$WORK/raw.json" \
        --rawfile summary "$run/summary.csv" \
        --rawfile refcount "$(optional "$run" refcount.csv)" \
        --rawfile convoy "$(optional "$run" convoy.csv)" \
        >"$WORK/key.json" || die "cannot work out the answers of $run"
    mkdir "$WORK/pages"
    local page name
    for page in "$PAGES"/*.md; do
        name=$(basename "$page")
        jq -rn --arg emit fill -f "$PROGRAM" --rawfile page "$page" \
            --slurpfile key "$WORK/key.json" >"$WORK/pages/$name" ||
            die "cannot fill in docs/lab/$name"
        grep -q '^<!-- key run -->$' "$page" || die "docs/lab/$name has no '<!-- key run -->' line"
    done
    # Publish whole: the old key goes only when the new one is complete.
    mkdir -p "$(dirname "$out")" || die "cannot create $(dirname "$out")"
    local staged="$out.new.$$"
    rm -rf "$staged"
    cp -r "$WORK/pages" "$staged" 2>/dev/null || { rm -rf "$staged"; die "cannot write $out"; }
    if ! rm -rf "$out" || ! mv -T "$staged" "$out"; then
        rm -rf "$staged"
        die "cannot write $out"
    fi
    for page in "$out"/*.md; do printf '%s\n' "$page"; done
}

main() {
    local run="" out="" group="" newest="" have_run=false
    while [ $# -gt 0 ]; do
        case "$1" in
            --help) usage; exit 0 ;;
            --version) print_version handout; exit 0 ;;
            --out=?*) out=${1#--out=} ;;
            --show=?*) group=${1#--show=} ;;
            --newest=?*) newest=${1#--newest=} ;;
            --) shift; break ;;
            -?*) usage_error "unknown option '$1'" ;;
            *) "$have_run" && usage_error "one run folder, got '$run' and '$1'"
               run=$1 have_run=true ;;
        esac
        shift
    done
    if [ $# -gt 0 ]; then
        if "$have_run" || [ $# -gt 1 ]; then usage_error "one run folder, got more"; fi
        run=$1
    fi
    [ -n "$run" ] || usage_error "RUN= is required: make handout RUN=results/HOST-TIME"
    [ -z "$group" ] || [ -z "$out" ] || usage_error "--show and --out do not go together"
    if [ -n "$newest" ]; then
        if [ -n "$group" ] || [ -n "$out" ]; then usage_error "--newest goes alone with a results folder"; fi
        newest_run "$run" "$newest"
        exit 0
    fi
    command -v jq >/dev/null || die "jq is not installed (make deps installs it)"
    WORK=$(mktemp -d)
    trap cleanup EXIT
    if [ -n "$group" ]; then
        show_group "$run" "$group"
    else
        write_key "${run%/}" "${out:-${run%/}/handout}"
    fi
}

main "$@"
