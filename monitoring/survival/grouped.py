"""One Kaplan–Meier fit per group, as R's ``survfit(Surv(time, status) ~ group)`` strata."""

from __future__ import annotations

from dataclasses import dataclass

from monitoring.survival import inputs
from monitoring.survival.confidence import ConfType
from monitoring.survival.inputs import ArrayLike
from monitoring.survival.kaplan_meier import KaplanMeierResult, kaplan_meier


@dataclass(frozen=True, eq=False)
class GroupedKaplanMeier:
    """Fits in the order of ``groups`` (sorted labels, as R's factor levels)."""

    groups: tuple[str, ...]
    fits: tuple[KaplanMeierResult, ...]

    def fit(self, label: str) -> KaplanMeierResult:
        """The fit of one group; KeyError naming the known groups if absent."""
        if label not in self.groups:
            raise KeyError(f"no group {label!r}; groups are {', '.join(self.groups)}")
        return self.fits[self.groups.index(label)]


def kaplan_meier_by(
    time: ArrayLike,
    event: ArrayLike,
    group: ArrayLike,
    conf_type: ConfType | str = ConfType.LOG_LOG,
    conf_level: float = 0.95,
) -> GroupedKaplanMeier:
    """Kaplan–Meier estimate within each group (each stratum is an independent fit)."""
    t, e = inputs.time_event(time, event)
    labels, codes = inputs.groups(group, t.size)
    fits = tuple(
        kaplan_meier(t[codes == i], e[codes == i], conf_type, conf_level)
        for i in range(len(labels))
    )
    return GroupedKaplanMeier(groups=labels, fits=fits)
