"""Who sees which trial, and how much of it: checked where the data are served.

A :class:`~monitoring.accounts.model.Principal` holds roles per trial. A trial it holds no
role on does not exist for it: :class:`PermittedSource` lists only the trials held and
refuses any other with the same words as a trial that is not in the database, so a refusal
never confirms that a trial exists. On a trial held, DSMB members and statisticians see the
closed view (everything, including breakdowns by the protocol's ``closed_by`` columns);
principal investigators and sponsors the open view, which refuses those breakdowns and the
closed report (:class:`PermissionRefusedError`, an input error: exit 2 on the command line).

``None`` for the principal means a database without any account (as before accounts
existed): nothing is restricted. A database with accounts always has a principal.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum

from monitoring.accounts.model import Principal, Role
from monitoring.analysis.cut import Cut
from monitoring.analysis.source import TrialEntry, TrialSource
from monitoring.analysis.state import Reading, TrialState
from monitoring.errors import DataInputError, UnknownTrialError
from monitoring.open_view import withheld
from monitoring.protocol import Protocol
from monitoring.status import LookRecord, TrialStatus


class View(Enum):
    """How much of a trial a person sees."""

    OPEN = "open"
    CLOSED = "closed"


CLOSED_ROLES = frozenset({Role.DSMB, Role.STATISTICIAN})
OPEN_ROLES = frozenset({Role.PI})
SENDS = frozenset({Role.STATISTICIAN})
WRITES = frozenset({Role.STATISTICIAN})
"""Who imports and corrects a trial's data."""
SIGNS_OFF = frozenset({Role.DSMB})


class PermissionRefusedError(DataInputError):
    """An account's roles do not allow what was asked; the message names the permission."""

    def __init__(self, who: str, permission: str, trial_id: str | None) -> None:
        where = f"on trial '{trial_id}'" if trial_id else "(the administrator's role)"
        super().__init__(f"'{who}' does not hold the permission '{permission}' {where}")
        self.permission = permission


def view_of(principal: Principal | None, trial_id: str) -> View | None:
    """The view ``principal`` has of ``trial_id`` (closed without accounts); None: no role."""
    if principal is None:
        return View.CLOSED
    roles = principal.roles_on(trial_id)
    if roles & CLOSED_ROLES:
        return View.CLOSED
    if roles & OPEN_ROLES:
        return View.OPEN
    return None


def holds(principal: Principal | None, trial_id: str, allowed: frozenset[Role]) -> bool:
    """Whether ``principal`` holds one of the ``allowed`` roles on ``trial_id``."""
    return principal is None or bool(principal.roles_on(trial_id) & allowed)


def _name(principal: Principal | None) -> str:
    return "anonymous" if principal is None else principal.name


def require_role(
    principal: Principal | None, trial_id: str, allowed: frozenset[Role], permission: str
) -> None:
    """Refuse (:class:`PermissionRefusedError`) unless one of ``allowed`` is held on the trial."""
    if not holds(principal, trial_id, allowed):
        raise PermissionRefusedError(_name(principal), permission, trial_id)


def require_admin(principal: Principal | None, permission: str) -> None:
    """Refuse ``permission`` unless ``principal`` is an administrator (accounts, trials);
    a database without accounts (``principal`` None) restricts nothing."""
    if principal is not None and not principal.is_admin:
        raise PermissionRefusedError(principal.name, permission, None)


def require_closed(principal: Principal | None, trial_id: str, what: str) -> None:
    """Refuse ``what`` (closed data) unless the closed view is held on the trial."""
    if view_of(principal, trial_id) is not View.CLOSED:
        raise PermissionRefusedError(_name(principal), f"closed view ({what})", trial_id)


def check_breakdown(
    principal: Principal | None, protocol: Protocol, trial_id: str, by: str | None
) -> None:
    """Refuse a breakdown by a ``closed_by`` column of the protocol in the open view."""
    if by is not None and by in protocol.closed_by:
        require_closed(principal, trial_id, f"breakdown by '{by}'")


@dataclass(frozen=True)
class PermittedSource:
    """``source`` as ``principal`` sees it: only the trials it holds a role on."""

    source: TrialSource
    principal: Principal

    def _held(self) -> tuple[str, ...]:
        held = self.principal.trial_ids
        return tuple(t.id for t in self.source.trials() if t.id in held)

    def _check(self, trial_id: str) -> str:
        held = self._held()
        if trial_id not in held:
            raise UnknownTrialError(trial_id, held)
        return trial_id

    def trials(self) -> tuple[TrialEntry, ...]:
        held = self.principal.trial_ids
        return tuple(t for t in self.source.trials() if t.id in held)

    def resolve(self, trial_id: str | None) -> str:
        if trial_id is not None:
            return self._check(trial_id)
        held = self._held()
        if len(held) == 1:
            return held[0]
        if not held:
            raise DataInputError(
                f"'{self.principal.name}' holds a role on no trial: an administrator gives "
                "one with 'users role'"
            )
        raise DataInputError(f"'{self.principal.name}' may see {', '.join(held)}; give --trial")

    @contextmanager
    def read(self, cut: Cut, reading: Reading) -> Iterator[TrialState]:
        self._check(cut.trial_id)
        with self.source.read(cut, reading) as state:
            yield state

    def records(self, trial_id: str) -> tuple[LookRecord, ...]:
        return self.source.records(self._check(trial_id))


def permitted(source: TrialSource, principal: Principal | None) -> TrialSource:
    """``source`` restricted to what ``principal`` may see (unchanged without accounts)."""
    return source if principal is None else PermittedSource(source, principal)


def as_seen(status: TrialStatus, view: View | None) -> TrialStatus:
    """The status as ``view`` may see it: the closed view sees everything; any other view
    sees the decisions that reveal results by a ``closed_by`` column withheld
    (``monitoring.open_view.withheld``)."""
    return status if view is View.CLOSED else withheld(status)
