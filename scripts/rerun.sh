# scripts/rerun.sh - the re-run of noisy rows, before a run is reported:
# which rows are noisy (summarize.sh --noisy), which rows go with them (the
# family read against the same baseline), and how much time they may take.
# Sourced by scripts/bench.sh after scripts/experiments.sh, whose run_round
# runs them, and write_experiments records them.
# shellcheck shell=bash

# rerun_noisy: a timed row whose rel_spread is above NOISY_SPREAD (the shell
# row: wider than the rows it bounds) runs again, one more round, before the
# run is reported, together with the rows read against the same baseline
# (its family: the baseline and every row whose speedup is over it), in the
# plan's alternating order; the runs are pooled with the first rounds'.  Up
# to MAX_EXTRA_ROUNDS per family, and only while the re-runs (each row priced
# at its round-1 time) fit in RERUN_BUDGET_PCT of the matrix's time so far
# (at least RERUN_BUDGET_MIN_S): first the families of a group a lesson
# reads (lesson_groups), all their extra rounds, then the others (a QUICK
# run's re-run of count-scaling, which no lesson reads, took the budget of
# count-10's second round); within each, the family of the
# widest spread first (a seq row at 35% puts every speedup over it in doubt;
# a row at 11% hardly moves), the cheapest first between equals, each one
# that still fits.  A family, not the whole group: the largest group
# (count-2-cpython, four interpreters' rows) costs more than the budget, and
# only the rows beside the noisy one change its speedups.
# The stopping rule of the families timed in blocks: such a family is noisy
# while one of the ratios a lesson reads has a 95% interval wider than
# RATIO_TARGET (a ratio no lesson reads, such as gil's share of the
# ceiling at ±16%, would take the whole budget and decide nothing), and
# gets another round of blocks, widest first, up to MAX_BLOCK_ROUNDS, within
# a budget of its own (BLOCK_BUDGET_S, a size): on a machine whose speed
# moves, the blocks go on until the answer is known or the budget is spent.
# Both budgets end at the run's own (RUN_BUDGET_S, a size: the whole run,
# less RUN_RESERVE_S for the tables, lessons and figures): on a slow hour
# the same matrix takes a quarter longer, and a QUICK run must still end in
# its time, with fewer re-runs rather than later.
rerun_noisy() {
    local extra cost spent=0 budget noisy key id ran pct family_ids lessons class wanted
    local bspent=0 bbudget=$((${BLOCK_BUDGET_S:-0} * 1000)) most=$MAX_EXTRA_ROUNDS blocked
    local -A why=() worst=() left_out=() reran=() left_blocks=() left_run=()
    budget=$(((SECONDS - MATRIX_STARTED) * 1000 * RERUN_BUDGET_PCT / 100))
    [ "$budget" -ge $((RERUN_BUDGET_MIN_S * 1000)) ] || budget=$((RERUN_BUDGET_MIN_S * 1000))
    [ "$bbudget" -eq 0 ] || [ "$(max_extra_rounds blocked)" -le "$most" ] || most=$(max_extra_rounds blocked)
    lessons=" $(lesson_groups) "
    # The lesson families' extra rounds all come before any other family's:
    # wanted 0, then 1 (a family's class, below).
    # RERUN_UNREAD (a size): whether the families no lesson reads are
    # re-run at all (QUICK: no; the tables keep their spread, and no extra
    # round asks summarize.sh for the noisy rows only to run none).
    local classes="0 1"
    [ "${RERUN_UNREAD:-1}" = 1 ] || classes=0
    for wanted in $classes; do
        for extra in $(seq "$most"); do
            noisy=$(noisy_rows "$extra") || noisy=""
            why=() worst=() ran=0
            while IFS=$'\t' read -r id pct; do
                key=$(baseline_of "$id")
                if is_blocked "$id"; then
                    why[$key]+="${why[$key]:+, }the ratios over $id (95% interval up to ±$pct%, wanted ±$(awk -v t="$RATIO_TARGET" 'BEGIN { print 100 * t }')%)"
                else
                    why[$key]+="${why[$key]:+, }$id ($pct%)"
                fi
                [ "$pct" -le "${worst[$key]:-0}" ] || worst[$key]=$pct
            done < <(awk -F '\t' "$COLUMNS_AWK"'
                FNR == 1 { header(); next }
                { printf "%s\t%.0f\n", get("experiment"), 100 * get("rel_spread") }' <<<"$noisy")
            [ "${#why[@]}" -gt 0 ] || break
            while IFS=$'\t' read -r class _ cost key family_ids; do
                [ "$class" = "$wanted" ] || continue
                local -a family
                read -r -a family <<<"$family_ids"
                # The blocked families have a budget of their own
                # (BLOCK_BUDGET_S), when a size gives them one.
                blocked=""
                ! is_blocked "$key" || [ "$bbudget" -eq 0 ] || blocked=1
                if ! fits_run_budget "$cost"; then
                    left_run[$key]=${why[$key]}
                    continue
                fi
                unset "left_run[$key]"
                if [ -n "$blocked" ]; then
                    [ "$extra" -le "$(max_extra_rounds blocked)" ] || continue
                    if [ $((bspent + cost)) -gt "$bbudget" ]; then
                        left_blocks[$key]=${why[$key]}
                        continue
                    fi
                    unset "left_blocks[$key]"
                else
                    [ "$extra" -le "$MAX_EXTRA_ROUNDS" ] || continue
                    if [ $((spent + cost)) -gt "$budget" ]; then
                        left_out[$key]=${why[$key]}
                        continue
                    fi
                    unset "left_out[$key]"
                fi
                echo "bench: noisy: ${why[$key]}; re-running the rows read against $key: ${family[*]}" \
                    "(extra round $extra of $(max_extra_rounds ${blocked:+blocked}))" >&2
                local t0
                t0=$(now_ms)
                # shellcheck disable=SC2034 # read by run_round (experiments.sh)
                RERUN_DONE=0 RERUN_TOTAL=${#family[@]} RERUN_LEFT_MS=$cost
                # stdin: not the list this loop reads.
                run_round $((ROUNDS + extra)) "${family[@]}" </dev/null
                if [ -n "$blocked" ]; then bspent=$((bspent + $(now_ms) - t0)); else spent=$((spent + $(now_ms) - t0)); fi
                ran=1 reran[$key]=1
            done < <(for key in "${!why[@]}"; do
                family_ids=$(family_of "$key") cost=0
                for id in $family_ids; do cost=$((cost + ${ROW_MS[$id]:-0})); done
                # 0: a lesson reads the family's group, 1: none does.
                if [[ "$lessons" == *" ${PLAN[$key,group]:-} "* ]]; then class=0; else class=1; fi
                printf '%d\t%d\t%d\t%s\t%s\n' "$class" "${worst[$key]}" "$cost" "$key" "$family_ids"
            done | sort -t $'\t' -k1,1n -k2,2nr -k3,3n)
            write_experiments
            [ "$ran" -eq 1 ] || break
        done
    done
    # Information, not a fault: what happens to the row, and why.
    while IFS= read -r key; do
        [ -n "$key" ] || continue
        echo "bench: noisy: ${left_out[$key]}; reported with its spread as measured${reran[$key]:+ after its re-run}:" \
            "the re-run budget ($((budget / 1000)) s: RERUN_BUDGET_PCT=$RERUN_BUDGET_PCT% of the run so far," \
            "at least RERUN_BUDGET_MIN_S=$RERUN_BUDGET_MIN_S s) has no room left for its rows" >&2
    done < <(printf '%s\n' "${!left_out[@]}" | sort)
    while IFS= read -r key; do
        [ -n "$key" ] || continue
        echo "bench: noisy: ${left_blocks[$key]}; reported with the intervals as measured:" \
            "the blocks' budget (BLOCK_BUDGET_S=${BLOCK_BUDGET_S:-0} s for the extra blocks of every family) is spent" >&2
    done < <(printf '%s\n' "${!left_blocks[@]}" | sort)
    while IFS= read -r key; do
        [ -n "$key" ] || continue
        echo "bench: noisy: ${left_run[$key]}; reported as measured${reran[$key]:+ after its re-run}:" \
            "the run's time (RUN_BUDGET_S=$RUN_BUDGET_S s, less RUN_RESERVE_S=$RUN_RESERVE_S s for its tables and figures) has no room left for its rows" >&2
    done < <(printf '%s\n' "${!left_run[@]}" | sort)
}

# fits_run_budget MS: whether a re-run of MS milliseconds started now (bash's
# SECONDS, from the start of bench.sh) ends within the run's budget
# (RUN_BUDGET_S, less RUN_RESERVE_S; 0: no budget).
fits_run_budget() {
    [ "${RUN_BUDGET_S:-0}" -gt 0 ] || return 0
    [ $((SECONDS * 1000 + $1)) -le $(((RUN_BUDGET_S - ${RUN_RESERVE_S:-0}) * 1000)) ]
}

# max_extra_rounds [blocked]: the extra rounds a noisy family may get: a
# family timed in blocks, MAX_BLOCK_ROUNDS (its rounds are short, and they
# stop when its intervals are narrow: the stopping rule); any other,
# MAX_EXTRA_ROUNDS.
max_extra_rounds() {
    if [ "${1:-}" = blocked ] && [ "${BLOCK_BUDGET_S:-0}" -gt 0 ]; then
        echo "${MAX_BLOCK_ROUNDS:-$MAX_EXTRA_ROUNDS}"
    else
        echo "$MAX_EXTRA_ROUNDS"
    fi
}

# lesson_groups: the groups whose times the lessons read (scripts/lessons-
# table.json, the "group" of each check of a speedup or an extra_ms; refcount's
# checks read its reports, not its times), blank-separated; none, with a
# warning, when the table cannot be read: the re-runs are then ordered by
# cost alone.
lesson_groups() {
    jq -r '[.[].checks[] | select(.figure == "speedup" or .figure == "extra_ms") | .group | select(. != null)]
        | unique | join(" ")' "$SCRIPTS/lessons-table.json" 2>/dev/null ||
        echo "bench: warning: cannot read the lessons' groups in scripts/lessons-table.json; noisy rows are re-run cheapest first" >&2
}

# baseline_of ID: the row ID's speedups are read against (its own id when it
# has none).
baseline_of() {
    local b=${PLAN[$1,baseline]:-}
    [ -n "$b" ] && [ "$b" != - ] && printf '%s\n' "$b" || printf '%s\n' "$1"
}

# family_of BASELINE: the timed and shell rows read against BASELINE (and
# BASELINE itself), in the plan's order, blank-separated.
family_of() {
    local id out=""
    for id in "${PLAN_IDS[@]}"; do
        [ "${PLAN[$id,kind]}" != sampled ] || continue
        [ "$id" = "$1" ] || [ "${PLAN[$id,baseline]:-}" = "$1" ] || continue
        out+="${out:+ }$id"
    done
    printf '%s\n' "$out"
}

# noisy_rows EXTRA: the noisy timed rows of the partial run, NOISY_COLUMNS
# with their header (summarize.sh --noisy, the statistics of summary.csv).
# GILBENCH_TEST_NOISY=REGEX (a test hook) calls the rows whose id matches
# noisy before the first extra round, whatever their spread.
noisy_rows() {
    {
        # A family timed in blocks is judged on its ratios' intervals, not on
        # its rows' spread: a machine whose speed changes between blocks
        # spreads every row, and the paired ratios cancel it.  Its baseline
        # stands for it, with the widest ratio's relative half-width.
        bash "$SCRIPTS/summarize.sh" "--noisy=$NOISY_SPREAD" "$WORK" |
            awk -F '\t' -v blocked=" $BLOCKED_GROUPS " "$COLUMNS_AWK"'
                FNR == 1 { header(); print; next }
                index(blocked, " " get("group") " ") == 0'
        local family width
        "${GILBENCH[@]}" wide "$WORK" "--target=$RATIO_TARGET" "--groups=$BLOCKED_GROUPS" \
            "--cited=$SCRIPTS/lessons-table.json" |
            while IFS=$'\t' read -r family width; do
                printf '%s\t%s\t%s\n' "${PLAN[$family,group]}" "$family" "$width"
            done
        if [ "$1" -eq 1 ] && [ -n "${GILBENCH_TEST_NOISY:-}" ]; then
            awk -F '\t' -v OFS='\t' -v re="$GILBENCH_TEST_NOISY" "$COLUMNS_AWK"'
                FNR == 1 { header(); next }
                get("kind") != "sampled" && get("id") ~ re { print get("group"), get("id"), 1 }' \
                "$WORK/experiments.tsv"
        fi
    } | awk -F '\t' -v OFS='\t' "$COLUMNS_AWK"'
        FNR == 1 { header(); print; next }
        !seen[get("experiment")]++ { val["group"] = get("group"); val["experiment"] = get("experiment")
            val["rel_spread"] = get("rel_spread"); print row_of("'"$NOISY_COLUMNS"'", OFS, val) }'
}
