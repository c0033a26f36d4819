#!/usr/bin/env bash
# Start the dashboard on the embedded demo data (set-up included on a fresh machine).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [ -f app.py ]; then
  exec .venv/bin/python -m streamlit run app.py "$@"
fi
# Until the dashboard lands: the protocol's design audit from the command line.
exec .venv/bin/python -m monitoring design audit --protocol data/protocols/ino-lowdose-ph2.toml
