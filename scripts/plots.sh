#!/usr/bin/env bash
# scripts/plots.sh - draw the figures of a stored run (results/HOST-TIME/):
# a thin entry point into scripts/gilbench/figures.py (python3 scripts/gilbench
# plots); scripts/plots.sh --help says what it does.
exec python3 -E -S "$(cd "$(dirname "$0")" && pwd)/gilbench" plots "$@"
