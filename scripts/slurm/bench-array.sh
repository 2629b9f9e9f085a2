#!/usr/bin/env bash
#SBATCH --job-name=gilbench
#SBATCH --exclusive
#SBATCH --time=01:00:00
#SBATCH --output=gilbench-%A_%a.log
# scripts/slurm/bench-array.sh - make bench on the nodes of a teaching cluster, one Slurm
# array task per node (--exclusive: nothing else runs there while it measures), each run
# packed into results/slurm-JOB/; then make compare on the bundles, in a job that waits for
# the array.  From the checkout, on a shared file system:
#
#   job=$(sbatch --parsable --array=1-8 scripts/slurm/bench-array.sh)
#   sbatch --dependency=afterany:"$job" --wrap "bash scripts/slurm/bench-array.sh --compare $job"
#
# GILBENCH_QUICK=0 in the environment of sbatch: the full run (default: QUICK=1).
# Each task builds into a folder of its own (bin/slurm-JOB-TASK): nodes may differ.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: sbatch --array=1-N scripts/slurm/bench-array.sh
       sbatch --dependency=afterany:JOB --wrap "bash scripts/slurm/bench-array.sh --compare JOB"

As an array task: make bench on this node (QUICK=1 unless GILBENCH_QUICK=0),
the run packed into results/slurm-JOB/.  --compare JOB: make compare on the
bundles of the array job JOB, into results/slurm-JOB/compare.
  --help, --version
Exit status: 0 done, 1 a failed step, 2 bad usage.
EOF
}

usage_error() {
    echo "bench-array: $1" >&2
    echo "Try 'scripts/slurm/bench-array.sh --help'." >&2
    exit 2
}

main() {
    case ${1:-} in
        --help) usage; exit 0 ;;
        --version)
            # Run by hand from the checkout (sbatch runs a copy of this file).
            # shellcheck source=scripts/schema.sh
            source "$(dirname "${BASH_SOURCE[0]}")/../schema.sh"
            print_version bench-array; exit 0 ;;
        "" | --compare) ;;
        *) usage_error "unknown argument '$1'" ;;
    esac
    cd "${SLURM_SUBMIT_DIR:-.}"
    if [ "${1:-}" = --compare ]; then
        local job=${2:?--compare JOB: the array job id}
        local bundles=()
        mapfile -t bundles < <(find "results/slurm-$job" -maxdepth 1 -name '*.tar.gz' | sort)
        [ "${#bundles[@]}" -ge 2 ] || { echo "bench-array: ${#bundles[@]} bundle(s) in results/slurm-$job; compare needs two" >&2; exit 1; }
        exec bash scripts/compare.sh --out "results/slurm-$job/compare" "${bundles[@]}"
    fi
    local job=${SLURM_ARRAY_JOB_ID:?submit with sbatch --array} task=${SLURM_ARRAY_TASK_ID:?submit with sbatch --array}
    local results="results/slurm-$job/task-$task" bin="bin/slurm-$job-$task" run status=0
    local quick=()
    [ "${GILBENCH_QUICK:-1}" = 0 ] || quick=(QUICK=1)
    BIN=$bin make bench "B=$bin" "BENCH_ARGS=--results=$results --no-plots" "${quick[@]}" || status=$?
    # Exit 1: some rows failed; the run is written, its rows marked, and still compared.
    [ "$status" -le 1 ] || exit "$status"
    run=$(find "$results" -mindepth 1 -maxdepth 1 -type d -name '*-*' | head -n 1)
    [ -n "$run" ] || { echo "bench-array: no run folder in $results" >&2; exit 1; }
    bash scripts/bundle.sh pack --out "results/slurm-$job/$(basename "$run")-task$task.tar.gz" "$run"
}

main "$@"
