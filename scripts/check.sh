#!/usr/bin/env bash
# Runs exactly what CI runs after installing: lint, format, types, doctests, then the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
"$PY" -m ruff check src tests benchmarks scripts
"$PY" -m ruff format --check src tests benchmarks scripts
"$PY" -m mypy
# Doctests of the library (examples run on the embedded dataset); tests/ is collected
# separately because its per-folder conftest.py files share a basename.
"$PY" -m pytest -q -p no:cacheprovider --doctest-modules --ignore=src/metrocircle/store/migrations src/metrocircle
"$PY" -m pytest -q -p no:cacheprovider --timeout=900 tests "$@"
