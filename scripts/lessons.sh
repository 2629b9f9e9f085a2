#!/usr/bin/env bash
# scripts/lessons.sh [--json] RUN_DIR - does this run show what the suite teaches?
# A thin entry point: the lessons are checked by scripts/gilbench/lessons.py
# (python3 scripts/gilbench lessons), on the table scripts/lessons-table.json.
exec python3 -E -S "$(cd "$(dirname "$0")" && pwd)/gilbench" lessons "$@"
