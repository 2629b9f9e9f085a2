#!/usr/bin/env bash
# scripts/bundle.sh - a run as one file to hand in (make pack; check; with): the entry point of
# scripts/gilbench/bundle.py.  Sourced (compare.sh), it defines is_bundle and open_bundle BUNDLE
# DIR (check BUNDLE, unpack it under DIR, print the run folder inside), both that module's.
is_bundle() { [[ $1 == *.tar.gz || $1 == *.tgz ]] && [ ! -d "$1" ]; }
open_bundle() { python3 -E "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/gilbench" bundle open "${PROG:-bundle}" "$1" "$2"; }
[ "${BASH_SOURCE[0]}" != "$0" ] || exec python3 -E "$(cd "$(dirname "$0")" && pwd)/gilbench" bundle "$@"
