#!/usr/bin/env bash
# scripts/handout.sh [--out=DIR] RUN_DIR | --show=GROUP RUN_DIR | --newest=GROUP RESULTS_DIR:
# the lab handout (docs/lab/) with one run's answer key; `make handout RUN=results/HOST-TIME`.
# A thin entry point: the program is scripts/gilbench/handout.py (--help says what it does).
exec python3 -E -S "$(cd "$(dirname "$0")" && pwd)/gilbench" handout "$@"
