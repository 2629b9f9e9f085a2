# scripts/blocks.sh - the families bench.sh times in time-paired blocks
# (BLOCKED_GROUPS, matrix.sh): each row's own --json report, then the
# blocks themselves, timed by the bench program's Python part
# (scripts/gilbench/blocks.py).  Sourced by bench.sh after experiments.sh,
# whose run_round calls run_family_blocks.
# shellcheck shell=bash
# FAILED and BLOCK_NEXT are associative arrays (declared by run_matrix),
# which shellcheck cannot see from this file alone:
# shellcheck disable=SC2004

# record_run ID CMD...: CMD's own --json report, raw/ID.run.json, checked.
record_run() {
    local id=$1
    shift
    run_child "$@" --json >"$WORK/raw/$id.run.json" 2>"$WORK/raw/$id.run.err" || return 1
    check_report "$WORK/raw/$id.run.json" "$WORK/raw/$id.run.err" || return 1
    check_gil "$WORK/raw/$id.run.json" "$WORK/raw/$id.run.err" "$@" || return 1
}

# GILBENCH: the command of the bench program's Python part (scripts/gilbench/),
# the python3 on PATH with the user's PYTHON* variables ignored (-E).
GILBENCH=(python3 -E -S -c 'import sys; sys.path.insert(0, sys.argv.pop(1)); from gilbench.__main__ import main; sys.exit(main())'
    "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)")

# is_blocked ID: whether ID's family runs in time-paired blocks
# (BLOCKED_GROUPS, matrix.sh).
is_blocked() {
    local group=${PLAN[$1,group]:-}
    [ -n "$group" ] && [ "${PLAN[$1,kind]:-}" != sampled ] && [[ " ${BLOCKED_GROUPS:-} " == *" $group "* ]]
}

# run_family_blocks ROUND FAMILY: BLOCKS blocks (a size, matrix.sh) of the family read against
# FAMILY (its baseline), each timing every row of it once (blocks.py): the
# family's ratios are taken within a block, seconds apart.  In round 1 each
# timed row's own --json report comes first (it also warms the row up).  A
# failed block is run row by row to find the row that fails, which is left
# out of the family from then on; BLOCK_NEXT[FAMILY] numbers the blocks.
# The baseline's A/A copy only in the families of AA_GROUPS (matrix.sh).
run_family_blocks() {
    local round=$1 family=$2 id rows=""
    local -a cmd
    for id in $(family_of "$family"); do
        [ -z "${FAILED[$id]:-}" ] || continue
        IFS=$'\t' read -r -a cmd <<<"${PLAN[$id,command]}"
        if [ "$round" -eq 1 ] && [ "${PLAN[$id,kind]}" = timed ] && ! record_run "$id" "${cmd[@]}"; then
            FAILED[$id]=1
            stop_unless_writable
            echo "bench: FAILED $id: $(failure_cause "$id")" >&2
            continue
        fi
        rows+="$id"$'\t'"${PLAN[$id,command]}"$'\n'
    done
    [ -n "$rows" ] || return 0
    local list="$WORK/raw/$family.rows.tsv"
    printf '%s' "$rows" >"$list"
    local -a aa=()
    [[ " ${AA_GROUPS:-} " == *" ${PLAN[$family,group]:-} "* ]] || aa=(--no-aa)
    if run_child "${GILBENCH[@]}" blocks "--raw=$WORK/raw" "--family=$family" "--round=$round" \
        "--first-block=${BLOCK_NEXT[$family]:-0}" "--blocks=$BLOCKS" "--rows=$list" "${aa[@]}" \
        >"$WORK/raw/$family.next" 2>>"$WORK/raw/$family.blocks.log"; then
        BLOCK_NEXT[$family]=$(<"$WORK/raw/$family.next")
        rm -f "$list" "$WORK/raw/$family.next"
        return 0
    fi
    rm -f "$list" "$WORK/raw/$family.next"
    # Which row failed: each once on its own, its words kept for failure_cause.
    local found=0
    while IFS=$'\t' read -r id _; do
        [ -n "$id" ] || continue
        IFS=$'\t' read -r -a cmd <<<"${PLAN[$id,command]}"
        if ! run_child "${cmd[@]}" >/dev/null 2>"$WORK/raw/$id.run.err"; then
            FAILED[$id]=1 found=1
            echo "bench: FAILED $id: $(failure_cause "$id")" >&2
        fi
    done <<<"$rows"
    stop_unless_writable
    if [ "$found" -eq 0 ]; then
        while IFS=$'\t' read -r id _; do [ -z "$id" ] || FAILED[$id]=1; done <<<"$rows"
        echo "bench: FAILED the blocks of $family: $(tail -n 1 "$WORK/raw/$family.blocks.log")" >&2
    fi
}
