#!/usr/bin/env bash
# scripts/compare.sh - put runs from several machines (or back-to-back runs on one) side by
# side: ratios.csv, ratios.md, a figure per group, compare.html (make compare).  The program
# is scripts/gilbench/compare.py; --help says what it takes and writes.
# gnuplot writes the labels' UTF-8 and reads its numbers with "." under C.UTF-8 (else C).
if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then export LC_ALL=C.UTF-8; else export LC_ALL=C; fi
command -v python3 >/dev/null || { echo "compare: python3 is not installed (make deps installs it)" >&2; exit 1; }
exec python3 -E -S "$(cd "$(dirname "$0")" && pwd)/gilbench" compare "$@"
