#!/usr/bin/env bash
# scripts/machine.sh - describe this machine as one JSON object (machine.json of a run folder):
# the entry point of scripts/gilbench/machine.py (--help says how).
exec python3 -E -S "$(cd "$(dirname "$0")" && pwd)/gilbench" machine "$@"
