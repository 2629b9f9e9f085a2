#!/usr/bin/env bash
# scripts/install-deps.sh [--check] - install the Debian packages gilbench needs.
# As root it runs apt-get; otherwise it prints the exact command to run.
# --check only reports what is missing (exit 1 if anything is);
# --check-build does the same for what `make` needs to compile.
set -euo pipefail

# command-or-file that proves a package is there, and the package providing it
readonly BUILD_REQUIREMENTS=(
    "cc:gcc"
    "make:make"
    "curl-config:libcurl4-openssl-dev"
    "/usr/include/microhttpd.h:libmicrohttpd-dev"
)
readonly REQUIREMENTS=(
    "cc:gcc"
    "make:make"
    "hyperfine:hyperfine"
    "gnuplot:gnuplot-nox"
    "jq:jq"
    "curl-config:libcurl4-openssl-dev"
    "/usr/include/microhttpd.h:libmicrohttpd-dev"
    "shellcheck:shellcheck"
    "timeout:coreutils"
    "pkill:procps"
    "valgrind:valgrind"
    "cppcheck:cppcheck"
    "clang-tidy:clang-tidy"
    "tmux:tmux"
)

is_present() {
    local probe=$1
    if [[ "$probe" == /* ]]; then
        [ -e "$probe" ]
    else
        command -v "$probe" >/dev/null 2>&1
    fi
}

# missing_packages REQUIREMENT...: the packages whose probe is absent.
missing_packages() {
    local entry probe package
    for entry in "$@"; do
        probe=${entry%%:*}
        package=${entry#*:}
        if ! is_present "$probe"; then
            printf '%s\n' "$package"
        fi
    done
}

main() {
    local check_only=false
    local wanted=("${REQUIREMENTS[@]}")
    case "${1:-}" in
        --check) check_only=true ;;
        --check-build) check_only=true; wanted=("${BUILD_REQUIREMENTS[@]}") ;;
        "") ;;
        *) echo "install-deps.sh: unknown option '$1' (use --check or --check-build)" >&2; exit 2 ;;
    esac

    local missing=()
    mapfile -t missing < <(missing_packages "${wanted[@]}")
    if [ "${#missing[@]}" -eq 0 ]; then
        return 0
    fi
    if "$check_only"; then
        echo "gilbench: missing packages: ${missing[*]}" >&2
        echo "gilbench: install them with: sudo apt-get install -y ${missing[*]}   (or: make deps, as root)" >&2
        return 1
    fi
    if [ "$(id -u)" -ne 0 ]; then
        echo "install-deps: missing packages: ${missing[*]}" >&2
        echo "install-deps: run this as root, then try again:" >&2
        echo "    sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
        return 1
    fi
    echo "install-deps: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

main "$@"
