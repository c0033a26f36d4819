"""The Efficacy/Toxicity Summary as a DSMB meeting pack: :func:`build_report` ->
:class:`ReportDocument`.

Content is built once from the library's results (``TrialStatus`` and the ``Derivation`` at
the same cut-off) and handed to the PDF, DOCX and XLSX writers unchanged. A cover page
(trial, meeting date, data cut-off, open or closed) and the title block with the provenance
come first; then the sections in the order of a DSMB report (:data:`PACK_ORDER`): status
and recommendation (the overall verdict, its alerts, the rules' decisions and the
monitoring log), disposition (flow diagram, accrual), baseline, exposure, efficacy
(response and survival), safety (monitored toxicity, early mortality and deaths, the
adverse-event tables), listings, methods; the closed version
ends with the committee's recommendation form. A section without content is left out, not
printed empty (exposure without exposure records).

The closed version holds every section, with the breakdowns by the protocol's ``closed_by``
columns; the open one holds the sections fed by the protocol's ``[reporting.open]
sections`` (a default per design), without those breakdowns. Which version it is, and the
provenance stamp, are on every page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import get_args

from monitoring.analyses.conduct import exposure_shown
from monitoring.analysis.looks import resolve_look as resolve_look  # used here and by callers
from monitoring.data_quality import QualityReport
from monitoring.derive import Derivation
from monitoring.open_view import withheld
from monitoring.protocol import Protocol, ReportSection
from monitoring.reports.blocks import CHART_DPI
from monitoring.reports.conduct_section import (
    baseline_blocks,
    deaths_blocks,
    disposition_blocks,
    exposure_blocks,
)
from monitoring.reports.decisions_section import decisions_section
from monitoring.reports.document import (
    Block,
    Choice,
    Figure,
    MetadataRow,
    RecommendationForm,
    ReportDocument,
    Section,
    VersionLabel,
)
from monitoring.reports.efficacy_section import (
    disposition_table,
    efficacy_section,
    randomization_blocks,
)
from monitoring.reports.figures import render_document
from monitoring.reports.lab_section import lab_blocks
from monitoring.reports.methods_page import methods_section
from monitoring.reports.quality_section import quality_blocks
from monitoring.reports.survival_section import survival_section
from monitoring.reports.toxicity_section import listings_section, safety_section
from monitoring.reports.verdict_section import verdict_section
from monitoring.status import ScheduledLook, TrialStatus
from monitoring.verdict import verdict

REPORT_TITLE = "Efficacy/Toxicity Summary"
# Rows of each safety listing printed in the PDF and DOCX (the most recent); the XLSX and
# the tables are always complete. Chosen from benchmarks/bench_reports.py so that the
# 5,000-patient trial's report stays under 20 s (docs/performance.md).
LISTING_LIMIT = 5000


# The sections of the meeting pack, in the order of a DSMB report (FDA guidance on data
# monitoring committees; the DAMOCLES report template).
STATUS = "Status and recommendation"
DISPOSITION = "Disposition"
BASELINE = "Baseline characteristics"
EXPOSURE = "Exposure"
EFFICACY = "Efficacy"
SAFETY = "Safety"
LISTINGS = "Listings"
METHODS = "Methods"
FORM = "Recommendation of the committee"
PACK_ORDER = (STATUS, DISPOSITION, BASELINE, EXPOSURE, EFFICACY, SAFETY, LISTINGS, METHODS)

RECOMMENDATIONS = (
    Choice("continue", "Continue the trial as planned."),
    Choice(
        "modify",
        "Continue with the modifications stated below (protocol, consent, "
        "eligibility, dose, monitoring).",
    ),
    Choice("pause", "Pause enrolment (or treatment) until the matters stated below are resolved."),
    Choice("stop", "Stop the trial (or the arm stated below)."),
)
"""The committee's recommendation: the words ``report signoff --recommendation`` and the
dashboard's sign-off record (``monitoring.db.looks.RECOMMENDATIONS``, the same words)."""
SIGNATORIES = ("Chair of the committee", "Committee member", "Committee member")


@dataclass(frozen=True)
class ReportStamp:
    """Who generated the report and when (printed in the title block, not in the stamp),
    and the meeting the pack is for (its date on the cover, when known)."""

    generated_at: datetime
    generated_by: str = ""
    meeting_date: date | None = None


def look_label(look: ScheduledLook | None) -> str:
    if look is None:
        return "no scheduled look reached yet"
    return f"{look.evaluable} evaluable patients (look {look.number}, reached {look.reached_on})"


def title_block(
    status: TrialStatus, look: ScheduledLook | None, stamp: ReportStamp
) -> tuple[MetadataRow, ...]:
    p = status.provenance
    known = p.as_known_on.isoformat(timespec="seconds") if p.as_known_on else "latest"
    rows = [
        MetadataRow("Trial", f"{p.trial_id}: {status.protocol.title}"),
        MetadataRow("Protocol version", p.protocol_version),
        MetadataRow("Look", look_label(look)),
        MetadataRow("Data cut-off", status.cutoff.isoformat()),
        MetadataRow("Data as known on", known),
        MetadataRow("Date generated", stamp.generated_at.isoformat(timespec="seconds")),
    ]
    if stamp.generated_by:
        rows.append(MetadataRow("Generated by", stamp.generated_by))
    rows += [
        MetadataRow("Protocol digest (SHA-256)", p.protocol_digest),
        MetadataRow("Data digest (SHA-256)", p.data_digest),
        *([MetadataRow("History chain head (SHA-256)", p.chain_head)] if p.chain_head else []),
        MetadataRow("Software version", p.software_version),
    ]
    return tuple(rows)


def cover_lines(
    status: TrialStatus, look: ScheduledLook | None, stamp: ReportStamp, version: VersionLabel
) -> tuple[MetadataRow, ...]:
    """The cover page: trial, meeting, data cut-off, look, open or closed."""
    p = status.provenance
    meeting = stamp.meeting_date.isoformat() if stamp.meeting_date else "not set"
    return (
        MetadataRow("Trial", f"{p.trial_id}: {status.protocol.title}"),
        MetadataRow("DSMB meeting", meeting),
        MetadataRow("Data cut-off", status.cutoff.isoformat()),
        MetadataRow("Look", look_label(look)),
        MetadataRow("Report", version.value),
    )


def recommendation_form(recorded: str = "") -> RecommendationForm:
    """The committee's recommendation to tick and sign (the closed version's last page)."""
    return RecommendationForm(
        FORM,
        RECOMMENDATIONS,
        SIGNATORIES,
        instructions=(
            "Tick one recommendation and state its reasons; the chair records it with the "
            "look's sign-off (dashboard, Reports page; or python -m monitoring report "
            "signoff --recommendation WORD)."
        ),
        recorded=recorded,
    )


def closed_columns(status: TrialStatus, version: VersionLabel) -> tuple[str, ...]:
    """Breakdown columns shown: the protocol's ``closed_by`` in the closed version only."""
    return status.protocol.closed_by if version is VersionLabel.CLOSED else ()


def report_sections(protocol: Protocol, version: VersionLabel) -> tuple[ReportSection, ...]:
    """The sections a version holds: all in the closed one, the protocol's
    ``[reporting.open] sections`` in the open one (always in report order)."""
    every = get_args(ReportSection)
    if version is VersionLabel.CLOSED:
        return every
    return tuple(s for s in every if s in protocol.reporting.open_sections)


def with_deaths(safety: tuple[Block, ...], deaths: Sequence[Block]) -> tuple[Block, ...]:
    """The Safety section: the monitored toxicity (each rule's table and chart), then the
    early mortality and the deaths, then the adverse-event tables."""
    charts = [i for i, b in enumerate(safety) if isinstance(b, Figure)]
    at = charts[-1] + 1 if charts else 0
    return (*safety[:at], *deaths, *safety[at:])


def build_report(
    status: TrialStatus,
    derivation: Derivation,
    *,
    stamp: ReportStamp,
    version: VersionLabel = VersionLabel.CLOSED,
    look: int | None = None,
    listing_limit: int | None = LISTING_LIMIT,
    quality: QualityReport | None = None,
) -> ReportDocument:
    """The summary of ``status`` (and ``derivation``, cut at the same date) as a document.

    ``look`` is the number of evaluable patients of the scheduled look reported (default:
    the latest reached by the cut-off). Safety listings are complete; one longer than
    ``listing_limit`` rows is printed in the PDF and DOCX as its ``listing_limit`` most recent
    rows, saying so (None: every row printed). The XLSX always has every row. The CLOSED
    report's Listings end with the data-quality findings of ``quality`` by kind (at the same
    cut-off), when given.
    """
    if derivation.cutoff != status.cutoff:
        raise ValueError(
            f"derivation cut-off {derivation.cutoff} differs from the status cut-off "
            f"{status.cutoff}; derive at the status cut-off"
        )
    if version is not VersionLabel.CLOSED:
        status = withheld(status)  # the OPEN report shows no decision comparing arms
    scheduled = resolve_look(status, look)
    protocol = status.protocol
    columns = closed_columns(status, version)
    chosen = report_sections(protocol, version)
    closed = version is VersionLabel.CLOSED

    def blocks(*parts: tuple[ReportSection, Callable[[], Section]]) -> tuple[Block, ...]:
        return tuple(b for name, build in parts if name in chosen for b in build().blocks)

    content: dict[str, Callable[[], tuple[Block, ...]]] = {
        STATUS: lambda: blocks(
            ("verdict", lambda: verdict_section(verdict(status))),
            ("decisions", lambda: decisions_section(status)),
        ),
        DISPOSITION: lambda: (
            (
                disposition_table(derivation),
                *disposition_blocks(derivation, protocol, closed),
                *randomization_blocks(derivation, protocol, columns),
            )
            if "efficacy" in chosen
            else ()
        ),
        BASELINE: lambda: (
            tuple(baseline_blocks(derivation, protocol, closed)) if "efficacy" in chosen else ()
        ),
        EXPOSURE: lambda: (
            tuple(exposure_blocks(derivation))
            if "efficacy" in chosen and exposure_shown(protocol, closed)
            else ()
        ),
        EFFICACY: lambda: blocks(
            ("efficacy", lambda: efficacy_section(status, derivation, columns)),
            ("survival", lambda: survival_section(derivation, protocol, columns)),
        ),
        SAFETY: lambda: with_deaths(
            blocks(
                (
                    "toxicity",
                    lambda: safety_section(
                        status, derivation, SAFETY, lab_blocks(derivation, protocol, columns)
                    ),
                )
            ),
            deaths_blocks(derivation, listing_limit) if "toxicity" in chosen else [],
        ),
        LISTINGS: lambda: (
            *blocks(
                (
                    "toxicity",
                    # the deaths are listed in Safety, with their phase (conduct_section)
                    lambda: listings_section(status, derivation, LISTINGS, listing_limit, False),
                )
            ),
            *(quality_blocks(quality) if quality is not None and closed else ()),
        ),
        METHODS: lambda: blocks(("methods", lambda: methods_section(protocol))),
    }
    built = ((title, content[title]()) for title in PACK_ORDER if title in content)
    sections = [Section(title, held) for title, held in built if held]
    if version is VersionLabel.CLOSED:
        record = scheduled.record if scheduled else None  # ticked once a sign-off records it
        recorded = record.recommendation if record and record.recommendation else ""
        sections.append(Section(FORM, (recommendation_form(recorded),)))
    return ReportDocument(
        title=REPORT_TITLE,
        subtitle=protocol.title,
        metadata=title_block(status, scheduled, stamp),
        provenance=status.provenance.line,
        version=version,
        sections=tuple(sections),
        author=stamp.generated_by,
        subject=f"{REPORT_TITLE}, {protocol.id}, {look_label(scheduled)}",
        short_title=f"{REPORT_TITLE}: {protocol.short_title or protocol.id}",
        cover=cover_lines(status, scheduled, stamp, version),
    )


def render_report(doc: ReportDocument) -> ReportDocument:
    """``doc`` with its charts rendered once, at the report's chart resolution (>= 200 dpi
    printed); pass the result to ``write_report`` or ``write_reports``."""
    return render_document(doc, dpi=CHART_DPI)
