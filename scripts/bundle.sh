#!/usr/bin/env bash
# scripts/bundle.sh - a run as one file to hand in (make pack; check; with): the entry point of
# scripts/gilbench/bundle.py (--help says how).
exec python3 -E -S "$(cd "$(dirname "$0")" && pwd)/gilbench" bundle "$@"
