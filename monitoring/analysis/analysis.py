"""One trial at one cut, read once and derived once: what every front end computes from.

The command line, the dashboard and the report writers open an :class:`Analysis` and ask
it for the protocol, the data, the derivation, the status, the tables, the quality
findings or a report; each is computed at most once per analysis (the derivation is the
expensive part: 0.1-1 s on large trials).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING

from monitoring.accounts.model import Principal
from monitoring.analysis.access import View, as_seen, check_breakdown, permitted, view_of
from monitoring.analysis.cut import Cut
from monitoring.analysis.looks import look_reached_on, resolve_look
from monitoring.analysis.source import TrialSource
from monitoring.analysis.state import Reading, TrialState
from monitoring.data_dictionary import TrialData
from monitoring.derive import Derivation, derive, latest_date
from monitoring.errors import LookNotReachedError, NoDataYetError
from monitoring.protocol import Protocol
from monitoring.status import LookRecord, TrialStatus, trial_status

if TYPE_CHECKING:  # the tables and the quality checks load when asked for (not by status)
    from monitoring.analyses.table_set import TableSet
    from monitoring.data_quality import QualityReport


class Analysis:
    """A trial's state (one snapshot of its source) at one cut.

    Shared read-only by the dashboard's cache: nothing here is changed after it is computed.
    ``principal``: who asked (None: a database without accounts); a breakdown by a
    ``closed_by`` column is refused to a principal with the open view only.
    """

    def __init__(self, state: TrialState, cut: Cut, principal: Principal | None = None) -> None:
        self.state = state
        self.cut = cut
        self.principal = principal

    @property
    def view(self) -> View | None:
        """The view the principal has of the trial (closed without accounts)."""
        return view_of(self.principal, self.trial_id)

    def check_breakdown(self, by: str | None) -> None:
        """Refuse a breakdown by a ``closed_by`` column to the open view."""
        check_breakdown(self.principal, self.protocol, self.trial_id, by)

    @property
    def trial_id(self) -> str:
        return self.state.trial_id

    @property
    def protocol(self) -> Protocol:
        return self.state.protocol

    @property
    def data(self) -> TrialData:
        """Every row read, before the cut-off is applied."""
        return self.state.data

    @property
    def has_data(self) -> bool:
        return not self.state.data.patients.empty

    @cached_property
    def derivation(self) -> Derivation:
        """The derived records at the cut-off (``NoDataYetError`` before the first import)."""
        if not self.has_data:
            raise NoDataYetError(self.trial_id, self.cut.as_known_on)
        return derive(self.data, self.protocol, self.cut.cutoff or self.state.latest)

    @property
    def cutoff(self) -> date:
        """The cut-off in effect (the latest date in the data unless one was asked for)."""
        return self.derivation.cutoff

    @cached_property
    def status(self) -> TrialStatus:
        """Decisions, estimates and the monitoring log, with the looks' records as read."""
        return self.status_with(self.state.records)

    def status_with(self, records: Sequence[LookRecord]) -> TrialStatus:
        """The status with other records of the looks' summaries (read later, or as they
        stood when a report was first made); the derivation is the same. In the open view
        the decisions that reveal results by a ``closed_by`` column are withheld
        (``access.as_seen``)."""
        return as_seen(self._status_with(records), self.view)

    def _status_with(self, records: Sequence[LookRecord]) -> TrialStatus:
        return trial_status(
            self.protocol,
            self.derivation,
            as_known_on=self.cut.as_known_on,
            records=records,
            trial_id=self.trial_id,
            data_batch=self.state.batch,
            table_digests=self.state.table_digests,
            chain_head=self.state.chain_head,
        )

    def table_set(self, by: str | None = None) -> TableSet:
        """Every table of the analysis plan; ``by`` adds subgroups (a ``closed_by`` column
        only in the closed view)."""
        self.check_breakdown(by)
        from monitoring.analyses.table_set import table_set

        return table_set(self.derivation, self.protocol, by=by)

    @cached_property
    def quality(self) -> QualityReport:
        """Data-quality findings at the cut-off."""
        from monitoring.data_quality import derived_findings

        return derived_findings(
            self.derivation, self.protocol, dataset_findings=self.state.dataset_findings
        )

    def reached_on(self, look: int) -> date:
        """The day the look at ``look`` evaluable patients was reached by this cut-off
        (``LookNotReachedError`` if not yet)."""
        found = resolve_look(self.status, look)
        if found is None or found.reached_on is None:
            raise LookNotReachedError(look)
        return found.reached_on

    def look_day(self, look: int) -> date:
        """The day the look at ``look`` evaluable patients was reached by this cut-off, read
        off the rows when this cut is not derived yet: a report of a look then derives the
        look's cut only. On that path whether ``look`` is scheduled is left to the caller
        (a report checks it on the look's status); a look not reached is refused as
        :meth:`reached_on` refuses it."""
        if "derivation" not in self.__dict__ and self.has_data:
            cutoff = self.cut.cutoff or self.state.latest or latest_date(self.data)
            day = look_reached_on(self.data, cutoff, look)
            if day is not None:
                return day
        return self.reached_on(look)

    def at(self, cutoff: date | None) -> Analysis:
        """The same state cut at another day (no new read; derived again once). Only a full
        read (``Reading.ALL``): a ``DECISIONS`` read holds the digest of its own cut only."""
        derived = "derivation" in self.__dict__
        if cutoff == self.cut.cutoff or (derived and cutoff == self.cutoff):
            return self
        if self.state.table_digests is not None:
            raise ValueError("a DECISIONS read cannot be cut again: open the other cut")
        return Analysis(self.state, self.cut.at(cutoff), self.principal)


def open_analysis(
    source: TrialSource,
    cut: Cut,
    *,
    reading: Reading = Reading.ALL,
    principal: Principal | None = None,
) -> Analysis:
    """Read the trial at ``cut`` in one snapshot of ``source``, as ``principal`` may see it
    (a trial it holds no role on is refused as one not in the source; None: a database
    without accounts, nothing restricted).

    Reading ``DECISIONS``, the data are derived and decided while the adverse events' digest
    is computed beside, within the snapshot (so the digest is of the same state); a trial
    without data then raises ``NoDataYetError`` here. Reading ``ALL``, deriving waits for the
    first question.
    """
    with permitted(source, principal).read(cut, reading) as state:
        opened = Analysis(state, cut, principal)
        if state.table_digests is None:
            return opened
        derived, status = opened.derivation, opened.status  # the digest is read last
        settled = TrialState(
            trial_id=state.trial_id,
            protocol=state.protocol,
            data=state.data,
            records=state.records,
            batch=state.batch,
            chain_head=state.chain_head,
            latest=state.latest,
            table_digests=dict(state.table_digests),
            dataset_findings=state.dataset_findings,
        )
    analysis = Analysis(settled, cut, principal)
    analysis.__dict__.update(derivation=derived, status=status)  # the cached properties' values
    return analysis


def status_of(
    source: TrialSource,
    trial_id: str,
    *,
    cutoff: date | None = None,
    as_known_on: datetime | None = None,
    principal: Principal | None = None,
) -> TrialStatus:
    """What ``status`` prints: decisions and the monitoring log at ``cutoff`` (default: the
    latest date in the data) from the data as known on ``as_known_on`` (default: now)."""
    cut = Cut(trial_id, cutoff, as_known_on)
    return open_analysis(source, cut, reading=Reading.DECISIONS, principal=principal).status
