#!/usr/bin/env bash
# Runs exactly what CI runs after installing: lint, format, types, tests and doctests.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
"$PY" -m ruff check src tests benchmarks scripts
"$PY" -m ruff format --check src tests benchmarks scripts
"$PY" -m mypy
"$PY" -m pytest -q -p no:cacheprovider --timeout=900 \
  --doctest-modules --ignore=src/metrocircle/store/migrations \
  tests src/metrocircle "$@"
