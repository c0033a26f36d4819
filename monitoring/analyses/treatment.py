"""Treatment received and what followed a remission: duration, cycles, HSCT, MRD negativity.

Definitions (docs/methods.md, "Treatment summary"):

- duration of treatment = end - first dose + 1 days (both days counted), where the end is
  the off-treatment date, or the death date if earlier, or, for a patient still on
  treatment, the last date he is known alive (never after the cut-off; "ongoing");
- cycles received = the highest cycle with a response assessment; a treated patient not
  yet assessed has received 1 (a first dose starts cycle 1);
- responders = remission (status responder); HSCT = a transplant date by the cut-off;
  MRD negative = a negative result of the imported MRD results (``mrd_results``, by the
  protocol's MRD method, else flow: ``monitoring.analyses.mrd.responder_mrd_flags``) at any
  sample by the cut-off; without MRD results, ``mrd_negative == "Y"`` at any assessment.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from monitoring.analyses.mrd import responder_mrd_flags
from monitoring.derive import Derivation, ResponseStatus
from monitoring.estimates import ProportionMaker, RateEstimate
from monitoring.protocol import Protocol
from monitoring.wording import counted


@dataclass(frozen=True)
class Distribution:
    """Median, quartiles (R's default quantile type 7) and range; None when n = 0."""

    n: int
    median: float | None
    q1: float | None
    q3: float | None
    minimum: float | None
    maximum: float | None


@dataclass(frozen=True)
class CycleCount:
    """Treated patients whose highest cycle is ``cycles``."""

    cycles: int
    patients: int
    proportion: float


@dataclass(frozen=True)
class TreatmentSummary:
    treated: int
    on_treatment: int
    duration_days: Distribution
    cycles: Distribution
    cycle_distribution: tuple[CycleCount, ...]
    responders: int
    hsct_treated: RateEstimate
    hsct_responders: RateEstimate
    mrd_assessed_responders: int
    mrd_negative_responders: RateEstimate
    note: str
    mrd_source: str = ""
    """Where MRD negativity comes from (the MRD results, or the response table's flag)."""


def distribution(values: npt.ArrayLike) -> Distribution:
    """Summary of a sample (NaN values are dropped)."""
    x = np.asarray(values, dtype=np.float64)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return Distribution(0, None, None, None, None, None)
    q1, median, q3 = np.percentile(x, [25, 50, 75]).tolist()
    return Distribution(int(x.size), median, q1, q3, float(x.min()), float(x.max()))


def _duration(treated: pd.DataFrame) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Days of treatment (both ends counted) and whether each patient is still on it."""
    off = treated["off_treatment_date"].to_numpy("datetime64[ns]")
    death = treated["death_date"].to_numpy("datetime64[ns]")
    end = np.fmin(off, death)
    ongoing = np.isnat(end)
    end = np.where(ongoing, treated["last_known_alive_date"].to_numpy("datetime64[ns]"), end)
    start = treated["first_dose_date"].to_numpy("datetime64[ns]")
    days = (end - start) / np.timedelta64(1, "D") + 1.0
    return days.astype(np.float64), ongoing


def _cycle_counts(cycles: npt.NDArray[np.int64]) -> tuple[CycleCount, ...]:
    if cycles.size == 0:
        return ()
    counts = np.bincount(cycles)
    return tuple(
        CycleCount(int(c), int(counts[c]), float(counts[c] / cycles.size))
        for c in np.flatnonzero(counts)
    )


def treatment_summary(derived: Derivation, protocol: Protocol) -> TreatmentSummary:
    """Duration, cycles, HSCT and MRD negativity of the treated patients at the cut-off."""
    patients = derived.patients
    on = patients["treated"].to_numpy(bool)
    treated = patients.loc[on]
    days, ongoing = _duration(treated)
    cycles = treated["last_cycle"].fillna(1).to_numpy(np.int64)
    responder = (treated["status"] == ResponseStatus.RESPONDER.value).to_numpy(bool)
    hsct = treated["hsct_date"].notna().to_numpy(bool)
    assessed_all, negative_all, mrd_source = responder_mrd_flags(derived, protocol)
    assessed, negative = assessed_all[on], negative_all[on]
    n_resp = int(responder.sum())
    make = ProportionMaker(protocol.estimates.response_prior, protocol.estimates.credible_level)
    remission = " + ".join(protocol.response.remission)
    note = (
        f"Treated patients at the cut-off {derived.cutoff.isoformat()}; responders = "
        f"remission ({remission}). Duration = first dose to off treatment (or death), both "
        f"days counted; patients still on treatment are counted to the last date known "
        f"alive. Cycles = highest assessed cycle (1 if not yet assessed). MRD: "
        f"{mrd_source}. {make.note}"
    )
    return TreatmentSummary(
        treated=len(treated),
        on_treatment=int(ongoing.sum()),
        duration_days=distribution(days),
        cycles=distribution(cycles),
        cycle_distribution=_cycle_counts(cycles),
        responders=n_resp,
        hsct_treated=make("HSCT, treated patients", int(hsct.sum()), len(treated)),
        hsct_responders=make("HSCT, responders", int((hsct & responder).sum()), n_resp),
        mrd_assessed_responders=int((assessed & responder).sum()),
        mrd_negative_responders=make(
            "MRD negative, responders", int((negative & responder).sum()), n_resp
        ),
        note=note,
        mrd_source=mrd_source,
    )


@dataclass(frozen=True)
class SecondaryRates:
    """The rates the protocol's ``[response] secondary_rates`` names, from the treatment
    summary: the proportion proceeding to HSCT, MRD negativity among responders."""

    title: str
    note: str
    rates: tuple[RateEstimate, ...]


def secondary_rates(
    summary: TreatmentSummary, derived: Derivation, protocol: Protocol
) -> SecondaryRates | None:
    """The protocol's secondary rates in its order (None when it names none)."""
    chosen = protocol.response.secondary_rates
    if not chosen:
        return None
    rates: list[RateEstimate] = []
    remission = " + ".join(protocol.response.remission)
    parts = [
        f"Treated patients at the cut-off {derived.cutoff.isoformat()}; responders = "
        f"remission ({remission})."
    ]
    for name in chosen:
        if name == "hsct":
            rates += [summary.hsct_responders, summary.hsct_treated]
            parts.append("HSCT: an allogeneic transplant dated by the cut-off.")
        else:
            rates.append(summary.mrd_negative_responders)
            untested = summary.responders - summary.mrd_assessed_responders
            parts.append(
                f"MRD: {summary.mrd_source}; {counted(untested, 'responder')} without an MRD "
                f"result {'counts' if untested == 1 else 'count'} as not negative."
            )
    return SecondaryRates("Transplant and MRD among responders", " ".join(parts), tuple(rates))
