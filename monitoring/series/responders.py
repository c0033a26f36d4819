"""The path of responders through the Simon design, with its futility and success floors."""

from __future__ import annotations

from dataclasses import dataclass

from monitoring.derive import Derivation
from monitoring.protocol import SimonRule


@dataclass(frozen=True)
class ResponderPath:
    """Cumulative responders among the first k treated patients of the Simon cohort.

    ``best`` adds the pending patients (every pending patient responding). ``stage1_floor[k]``
    is the fewest responders among the first k that still allows r1 + 1 among n1 if every
    later stage-1 patient responds; ``final_floor[k]`` the same for r + 1 among n. A path whose
    ``best`` falls below a floor can no longer reach that target.
    """

    patient_ids: tuple[str, ...]
    responders: tuple[int, ...]
    best: tuple[int, ...]
    stage1_floor: tuple[int, ...]
    final_floor: tuple[int, ...]
    n1: int
    r1: int
    n: int
    r: int

    @property
    def treated(self) -> int:
        return len(self.patient_ids)


def responder_path(derived: Derivation, rule: SimonRule) -> ResponderPath:
    """The path among the first n treated patients (the Simon cohort), in treatment order,
    responses as the rule counts them (``simon_status``)."""
    frame = derived.patients
    cohort = frame.loc[frame["simon_cohort"].to_numpy(bool)].sort_values("treatment_order")
    status = cohort["simon_status"].astype(str)
    responders = (status == "responder").cumsum().tolist()
    best = (status != "non_responder").cumsum().tolist()
    return ResponderPath(
        patient_ids=tuple(str(p) for p in cohort["patient_id"]),
        responders=tuple(int(v) for v in responders),
        best=tuple(int(v) for v in best),
        stage1_floor=tuple(max(0, rule.r1 + 1 - (rule.n1 - k)) for k in range(rule.n1 + 1)),
        final_floor=tuple(max(0, rule.r + 1 - (rule.n - k)) for k in range(rule.n + 1)),
        n1=rule.n1,
        r1=rule.r1,
        n=rule.n,
        r=rule.r,
    )
