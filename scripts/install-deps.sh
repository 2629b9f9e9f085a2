#!/usr/bin/env bash
# scripts/install-deps.sh [--check] [build|bench|test] - the Debian packages a
# make target needs: build (make), bench (make bench), test (make test, make
# lint: everything).  As root it installs what is missing with apt-get;
# otherwise it prints the one command an administrator has to run, for what
# that target lacks and nothing more, and exits 1.  --check only reports.
set -euo pipefail
export LC_ALL=C

# The locale the tests run the scripts under: a decimal-comma one.
readonly TEST_LOCALE=de_DE.UTF-8
# shellcheck source=scripts/schema.sh
source "$(dirname "${BASH_SOURCE[0]}")/schema.sh"

# target probe package: the probe is a command, a file (/...) or locale:NAME;
# each target needs its own rows and those of the targets above it.
readonly REQUIREMENTS="
build cc gcc
build make make
build curl-config libcurl4-openssl-dev
build /usr/include/microhttpd.h libmicrohttpd-dev
bench hyperfine hyperfine
bench gnuplot gnuplot-nox
bench jq jq
bench python3 python3
bench awk mawk
bench setsid util-linux
bench setpriv util-linux
test timeout coreutils
test pkill procps
test taskset util-linux
test shellcheck shellcheck
test valgrind valgrind
test cppcheck cppcheck
test clang-tidy clang-tidy
test tmux tmux
test ansible-playbook ansible
test chromium chromium
test locale:$TEST_LOCALE locales
"

usage() {
    cat <<'EOF'
Usage: scripts/install-deps.sh [--check] [build|bench|test]

Install (as root) or name (otherwise) the Debian packages a target needs:
  build   what `make` needs to compile the binaries
  bench   build, plus what `make bench` needs (hyperfine, gnuplot, jq, python3, ...)
  test    bench, plus what `make test` and `make lint` need (the default)
--check only reports what is missing.  --help, --version.
Exit 0 when nothing is missing (or it was installed), 1 when something is
missing, 2 on bad usage.
EOF
}

# targets_up_to TARGET: the targets whose rows TARGET needs.
targets_up_to() {
    case "$1" in
        build) echo build ;;
        bench) echo build bench ;;
        test) echo build bench test ;;
    esac
}

# has_locale NAME: NAME (e.g. de_DE.UTF-8) is generated; `locale -a` spells
# it de_DE.utf8.
has_locale() {
    local want
    want=$(printf '%s' "${1/UTF-8/utf8}" | tr '[:upper:]' '[:lower:]')
    locale -a 2>/dev/null | tr '[:upper:]' '[:lower:]' | grep -qxF -- "$want"
}

is_present() {
    local probe=$1
    case "$probe" in
        locale:*) has_locale "${probe#locale:}" ;;
        /*) [ -e "$probe" ] ;;
        *) command -v "$probe" >/dev/null 2>&1 ;;
    esac
}

# missing TARGET: "probe package" for each requirement of TARGET not present.
missing() {
    local targets target probe package
    targets=" $(targets_up_to "$1") "
    while read -r target probe package; do
        [ -n "$target" ] || continue
        [[ "$targets" == *" $target "* ]] || continue
        is_present "$probe" || printf '%s %s\n' "$probe" "$package"
    done <<<"$REQUIREMENTS"
}

# generate_locale NAME: enable NAME in /etc/locale.gen and build it (root).
generate_locale() {
    local name=$1 line="$1 UTF-8"
    if [ -f /etc/locale.gen ] && grep -qE "^# *$line\$" /etc/locale.gen; then
        sed -i -E "s/^# *($line)\$/\\1/" /etc/locale.gen
    elif ! grep -qxF "$line" /etc/locale.gen 2>/dev/null; then
        echo "$line" >>/etc/locale.gen
    fi
    if command -v locale-gen >/dev/null 2>&1; then
        locale-gen >&2
    else
        localedef -i "${name%%.*}" -f UTF-8 "$name"
    fi
}

main() {
    local check_only=false target=test
    while [ $# -gt 0 ]; do
        case "$1" in
            --check) check_only=true ;;
            --check-build) check_only=true target=build ;;
            build | bench | test) target=$1 ;;
            --help) usage; exit 0 ;;
            --version) print_version install-deps; exit 0 ;;
            *) echo "install-deps: unknown argument '$1' (try --help)" >&2; exit 2 ;;
        esac
        shift
    done

    local rows packages=() locales=() probe package
    rows=$(missing "$target")
    [ -n "$rows" ] || return 0
    while read -r probe package; do
        [[ " ${packages[*]} " == *" $package "* ]] || packages+=("$package")
        [[ "$probe" != locale:* ]] || locales+=("${probe#locale:}")
    done <<<"$rows"
    # The locale's package may be installed already: then only generate it.
    local install=()
    for package in "${packages[@]}"; do
        [ "$package" = locales ] && dpkg -s locales >/dev/null 2>&1 || install+=("$package")
    done

    if "$check_only" || [ "$(id -u)" -ne 0 ]; then
        echo "install-deps: \`make $target\` needs what is not installed here: ${install[*]}${locales:+${install:+, }the ${locales[*]} locale}" >&2
        echo "install-deps: as root (or ask an administrator), run:" >&2
        local line=""
        [ "${#install[@]}" -eq 0 ] || line="sudo apt-get install -y ${install[*]}"
        for probe in "${locales[@]}"; do
            line+="${line:+ && }sudo sed -i 's/^# *\\($probe UTF-8\\)/\\1/' /etc/locale.gen && sudo locale-gen"
        done
        echo "    $line" >&2
        return 1
    fi
    if [ "${#install[@]}" -gt 0 ]; then
        echo "install-deps: installing ${install[*]}" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${install[@]}" >&2
    fi
    for probe in "${locales[@]}"; do
        echo "install-deps: generating the $probe locale" >&2
        generate_locale "$probe"
    done
}

main "$@"
