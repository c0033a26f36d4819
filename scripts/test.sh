#!/usr/bin/env bash
# Run every test on a fresh machine: installs what is missing, starts PostgreSQL, runs pytest.
# Extra arguments go to pytest (e.g. scripts/test.sh tests/test_simon.py -x).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
eval "$(scripts/postgres.sh start)"
export TEST_POSTGRES_URL
export MPLBACKEND=Agg
.venv/bin/python -m pytest -n "${PYTEST_WORKERS:-2}" "$@"
