"""A trial's live status straight from the database: the one entry point for CLI and pages."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from monitoring.db.errors import DataInputError
from monitoring.db.looks import look_records
from monitoring.db.reading import latest_data_date, load_trial_data
from monitoring.db.repository import get_protocol, latest_batch
from monitoring.status import TrialStatus, trial_status


def load_status(
    engine: sa.Engine,
    trial_id: str,
    *,
    cutoff: date | None = None,
    as_known_on: datetime | None = None,
) -> TrialStatus:
    """Decisions and the monitoring log at ``cutoff`` (default: the latest date in the data)
    from the data as known on ``as_known_on`` (default: now).

    Only the adverse events that can be the monitored toxicity are read (the decisions need
    no other): this keeps status fast on large trials. The cut-off is computed over every
    row, so it is the one a full analysis uses; the data digest covers the rows read.
    """
    protocol = get_protocol(engine, trial_id)
    day = cutoff or latest_data_date(engine, trial_id, as_known_on)
    if day is None:
        raise DataInputError(f"trial '{trial_id}' has no patient data yet; import an extract")
    terms = [term for rule in protocol.toxicity for term in rule.terms]
    data = load_trial_data(engine, trial_id, as_known_on, adverse_event_terms=terms)
    return trial_status(
        protocol,
        data,
        cutoff=day,
        as_known_on=as_known_on,
        records=look_records(engine, trial_id),
        trial_id=trial_id,
        data_batch=latest_batch(engine, trial_id, as_known_on),
    )
