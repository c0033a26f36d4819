"""``python -m monitoring``: the command line."""

from monitoring.cli import main

raise SystemExit(main())
