#!/usr/bin/env bash
# tests/cli_commands.sh - every command of the suite keeps one command-line
# contract: --help exits 0 with its usage on stdout, --version among its
# options; --version exits 0 with "NAME (gilbench) VERSION", the suite's one
# version (scripts/schema.sh suite_version, from harness/harness.h); an
# unknown option exits 2 with one line on stderr saying why.  The commands
# are a table below; a script or binary in neither it nor the libraries'
# list fails the test.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

# name, how it is run (bin: $BIN/NAME; bash or python: the file; pkg: the
# package python3 -m NAME runs from its folder), file.
readonly COMMANDS="
count            bin     -
convoy           bin     -
fetch            bin     -
interleave       bin     -
refcount         bin     -
cpus             bin     -
delayserver      bin     -
together         bin     -
count.py         python  cases/count.py
convoy.py        python  cases/convoy.py
bench            bash    scripts/bench.sh
build-cpython-ft bash    scripts/build-cpython-ft.sh
bundle           bash    scripts/bundle.sh
compare          bash    scripts/compare.sh
handout          bash    scripts/handout.sh
install-deps     bash    scripts/install-deps.sh
lessons          bash    scripts/lessons.sh
lifeline         bash    scripts/lifeline.sh
machine          bash    scripts/machine.sh
plots            bash    scripts/plots.sh
pythons          bash    scripts/pythons.sh
summarize        bash    scripts/summarize.sh
with-args        bash    scripts/with-args.sh
bench-array      bash    scripts/slurm/bench-array.sh
gilbench         pkg     scripts/gilbench
"
# Sourced by the commands: no command line of their own.
readonly LIBRARIES="scripts/files.sh scripts/schema.sh scripts/matrix.sh scripts/experiments.sh scripts/rerun.sh scripts/blocks.sh scripts/warnings.sh
scripts/children.sh scripts/load.sh scripts/probes.sh cases/pyref.py scripts/gilbench/__init__.py
scripts/gilbench/__main__.py scripts/gilbench/files.py scripts/gilbench/stats.py scripts/gilbench/blocks.py scripts/gilbench/ratios.py
scripts/gilbench/htmlpage.py scripts/gilbench/report.py scripts/gilbench/comparepage.py scripts/gilbench/runfiles.py
scripts/gilbench/cmdline.py scripts/gilbench/schema.py scripts/gilbench/aggregate.py scripts/gilbench/tables.py
scripts/gilbench/figdata.py scripts/gilbench/figures.py scripts/gilbench/compare.py scripts/gilbench/comparedata.py
scripts/gilbench/answerkey.py scripts/gilbench/handout.py
scripts/gilbench/machine.py scripts/gilbench/bundle.py scripts/gilbench/lessonchecks.py scripts/gilbench/lessons.py"
# regex_of TEXT: TEXT as an extended regex matching itself.
# shellcheck disable=SC2016 # $ is a character of the sed pattern
regex_of() { printf '%s' "$1" | sed 's/[][\.*^$()+?{}|]/\\&/g'; }

# check_contract NAME CMD...: the three checks of one command.
check_contract() {
    local name=$1 version
    shift
    version=$(suite_version)
    expect_help "$name" "$@" -- '^Usage' '--version'
    expect_version "$name" "^$(regex_of "$name") \(gilbench\) $(regex_of "$version")\$" "$@"
    expect_usage_error "$name: an unknown option is exit 2, one line" "$@" --no-such-option
}

test_contract() {
    local name how file cmd py
    py=$(command -v python3 || true)
    while read -r name how file; do
        [ -n "$name" ] || continue
        case $how in
            bin) cmd=("$BIN/$name") ;;
            bash) cmd=(bash "$ROOT/$file") ;;
            python)
                if [ -z "$py" ]; then skip "$name: the command-line contract" "python3 is not installed"; continue; fi
                cmd=("$py" "$ROOT/$file") ;;
            pkg)
                if [ -z "$py" ]; then skip "$name: the command-line contract" "python3 is not installed"; continue; fi
                cmd=(env "PYTHONPATH=$ROOT/$(dirname "$file")" "$py" -m "$name") ;;
        esac
        check_contract "$name" "${cmd[@]}"
    done <<<"$COMMANDS"
}

# Every script and binary is in COMMANDS or LIBRARIES: a new command is
# checked from the day it is added.
test_table_complete() {
    local f listed=" " unlisted=()
    listed+=$(awk 'NF { printf "%s ", ($2 == "bin" ? "bin:" $1 : $3) }' <<<"$COMMANDS")
    listed+=" $(echo "$LIBRARIES" | tr '\n' ' ') "
    while IFS= read -r f; do
        [[ $listed == *" $f "* ]] || unlisted+=("$f")
    done < <(cd "$ROOT" && find scripts cases -name '*.sh' -o -name '*.py' | sort)
    while IFS= read -r f; do
        [[ $listed == *" bin:$f "* ]] || unlisted+=("$BIN/$f")
    done < <(find "$BIN" -maxdepth 1 -type f -perm -u+x -printf '%f\n' | sort)
    if [ "${#unlisted[@]}" -eq 0 ]; then
        pass "every script and binary is a command checked here or a library"
    else
        fail "every script and binary is a command checked here or a library" "not listed: ${unlisted[*]}"
    fi
}

main() {
    test_table_complete
    test_contract
}

main "$@"
