#!/usr/bin/env bash
# tests/cli_lint.sh - shellcheck, cppcheck and clang-tidy are clean.
# The suppressions are listed, with reasons, in .clang-tidy and below.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

# lint_with NAME TOOL ARGS...: run a linter; any output or failure fails.
lint_with() {
    local name=$1 tool=$2
    shift 2
    have_tools "$name" "$tool" || return 0
    # Not lib.sh's run: its 60 s limit is a hang detector, and clang-tidy over
    # every file takes ~40 s of CPU, more than 60 s on a loaded 2-core machine.
    set +e
    timeout --kill-after=5 600 "$tool" "$@" >"$last_out" 2>"$last_err"
    last_status=$?
    set -e
    if [ "$last_status" -eq 0 ] && ! grep -qE 'warning:|error:|style:|SC[0-9]{4}' "$last_out" "$last_err"; then
        pass "$name"
    else
        fail "$name" "$(grep -m5 -E 'warning:|error:|style:|SC[0-9]{4}' "$last_out" "$last_err" || tail -5 "$last_err")"
    fi
}

main() {
    local c_files=(harness/*.c harness/tools/*.c harness/tools/*/*.c cases/*.c cases/*/*.c tests/unit_*.c tests/helper_*.c)
    local shell_files=(scripts/*.sh scripts/slurm/*.sh tests/*.sh .ci/run)
    lint_with "shellcheck: scripts, tests and CI are clean" shellcheck "${shell_files[@]}"
    # unusedFunction: the harness is a library; cases use parts of it each.
    lint_with "cppcheck: no warning, style or portability finding" cppcheck \
        --enable=warning,style,performance,portability --std=c11 -D_GNU_SOURCE \
        -Iharness -Iharness/tools -Icases --inline-suppr --quiet --error-exitcode=1 harness cases tests
    lint_with "clang-tidy: bugprone and analyzer checks are clean" clang-tidy \
        --quiet "${c_files[@]}" -- -Iharness -Iharness/tools -Icases -D_GNU_SOURCE -std=c11 -pthread
}

main "$@"
