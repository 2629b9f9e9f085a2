#!/usr/bin/env bash
# scripts/summarize.sh RUN_DIR - a run's tables: summary.csv, summary.md, summary.tex,
# refcount.csv, convoy.csv; --headline, --noisy=LIMIT, --beyond-ideal print to stdout.
# The program is scripts/gilbench/tables.py (python3 scripts/gilbench summarize).
exec python3 -E -S "$(cd "$(dirname "$0")" && pwd)/gilbench" summarize "$@"
