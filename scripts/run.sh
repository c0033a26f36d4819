#!/usr/bin/env bash
# Start the dashboard (set-up included on a fresh machine). The database is
# TRIAL_MONITORING_DB (an SQLAlchemy URL or an SQLite path) or the default SQLite file;
# on first run it is created as the demo database: the embedded demo trial (scenario
# on_track) and one demo account per role (README, "Signing in").
# The server listens on 127.0.0.1 only, unless TRIAL_MONITORING_ADDRESS names another
# address (for example 0.0.0.0 behind a reverse proxy: docs/deployment.md).
# Extra arguments go to `streamlit run` (e.g. scripts/run.sh --server.port 8502);
# dashboard.serve is `streamlit run app.py` with the warm-up started with the server.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/python -m dashboard.source
exec .venv/bin/python -m dashboard.serve \
    --server.address "${TRIAL_MONITORING_ADDRESS:-127.0.0.1}" "$@"
