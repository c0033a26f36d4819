"""Start the dashboard with its warm-up: ``python -m dashboard.serve [streamlit options]``.

The same as ``streamlit run app.py [options]`` (scripts/run.sh uses it), plus the warm-up of
:mod:`dashboard.warmup` started with the server: the modules, the database and the default
trial's Overview are ready before the first visitor (docs/performance.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

from dashboard import warmup

APP = Path(__file__).resolve().parent.parent / "app.py"


def main(options: list[str]) -> None:
    """Run Streamlit's command line on app.py with ``options``, the warm-up beside it."""
    from streamlit.web import cli

    warmup.start(before_server=True)
    sys.argv = ["streamlit", "run", str(APP), *options]
    cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])
