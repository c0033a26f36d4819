"""Load a seeded demo trial into a database, in dated batches as a real trial accrues.

The protocol (the default one unless another is given: a bundled example protocol or any
file) is registered, the scenario generated (``monitoring.demo``) and
imported through the ordinary importer, so the demo data pass every validation rule. For
the small scenarios the data arrive in one extract per scheduled look (the data cut at the
date each look was reached, imported a week later) and a final extract with everything:
"as known on" a past date then shows what was known at that look.
"""

from __future__ import annotations

import tempfile
from datetime import datetime, time, timedelta
from importlib.resources.abc import Traversable
from pathlib import Path

import sqlalchemy as sa

from monitoring.data_dictionary import TrialData
from monitoring.db.errors import DataInputError
from monitoring.db.importer import import_files
from monitoring.db.repository import add_trial, list_trials
from monitoring.demo import Scenario, generate, write_tables
from monitoring.derive import apply_cutoff, derive
from monitoring.protocol import DEFAULT_TRIAL_ID, bundled_protocol, parse_protocol
from monitoring.status import trial_status

EXTRACT_DELAY = timedelta(days=7)


def _import(engine: sa.Engine, trial_id: str, data: TrialData, *, now: datetime, user: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        paths = write_tables(data, Path(folder), format="csv")
        result = import_files(engine, trial_id, paths, now=now, user=user)
    if not result.accepted:
        first = result.problems[0] if result.problems else "unknown problem"
        raise DataInputError(f"demo data rejected by the importer: {first}")


def create_demo_trial(
    engine: sa.Engine,
    scenario: Scenario | str = Scenario.ON_TRACK,
    *,
    seed: int = 0,
    now: datetime,
    user: str = "demo",
    protocol_file: Path | Traversable | None = None,
) -> str:
    """Register the protocol (default: the bundled default trial's) and import the
    scenario's data; returns the trial id. A protocol without a Simon rule has scenario
    ``on_track`` only (its example trial, ``monitoring/demo/examples.py``)."""
    path = protocol_file if protocol_file is not None else bundled_protocol(DEFAULT_TRIAL_ID)
    text = path.read_text(encoding="utf-8")
    protocol = parse_protocol(text, str(path))
    if any(t.id == protocol.id for t in list_trials(engine)):
        raise DataInputError(
            f"trial '{protocol.id}' already exists in this database; use another database"
        )
    scenario = Scenario(scenario)
    data = generate(protocol, scenario, seed=seed)
    registered = add_trial(
        engine,
        text,
        source=str(path),
        now=now - timedelta(days=3650),
        user=user,
    )
    if scenario is not Scenario.LARGE:
        status = trial_status(protocol, derive(data, protocol))
        for look in status.looks:
            if look.reached_on is None:
                continue
            known = datetime.combine(look.reached_on, time(9, 0)) + EXTRACT_DELAY
            if known.replace(tzinfo=now.tzinfo) >= now:
                break
            _import(
                engine,
                registered.id,
                apply_cutoff(data, look.reached_on),
                now=known.replace(tzinfo=now.tzinfo),
                user=user,
            )
    _import(engine, registered.id, data, now=now, user=user)
    return registered.id
