"""Colours and type sizes shared by the writers (colour-blind-safe Okabe–Ito palette).

Okabe M, Ito K. Color Universal Design (2008): bluish green, blue, orange and vermillion stay
distinguishable for the common colour-vision deficiencies; the status word is always printed
as well, so nothing depends on colour alone.
"""

from __future__ import annotations

from monitoring.reports.document import Status

STATUS_COLOURS = {
    Status.OK: "009E73",  # bluish green
    Status.INFO: "0072B2",  # blue
    Status.WARNING: "E69F00",  # orange
    Status.STOP: "D55E00",  # vermillion
}
HEADER_FILL = "DCE3EA"
ZEBRA_FILL = "F2F4F7"
RULE_COLOUR = "8C96A0"
TEXT_COLOUR = "1A1A1A"
MUTED_COLOUR = "505050"

BODY_PT = 9.0
TABLE_PT = 7.5
SMALL_PT = 7.0
ONE_LINE_MIN_PT = 7.0  # a table fitting on one line at this size or more is not wrapped
# A table is printed portrait when its text columns need wrap to no less than this share of
# the portrait text width each (monitoring.reports.layout.needs_landscape); else landscape.
TEXT_WRAP_SHARE = 0.16
WIDE_TABLE_COLUMNS = 7  # a spreadsheet with more columns prints landscape


def tint(hex_colour: str, share: float = 0.15) -> str:
    """``hex_colour`` mixed with white: ``share`` of the colour (light box backgrounds)."""
    channels = [int(hex_colour[i : i + 2], 16) for i in (0, 2, 4)]
    mixed = [round(255 - share * (255 - c)) for c in channels]
    return "".join(f"{c:02X}" for c in mixed)


def status_colour(status: Status) -> str:
    return STATUS_COLOURS[status]


# US Letter (the summary goes to a US IND office), 0.75 in margins, in every format.
PAGE_WIDTH_IN = 8.5
PAGE_HEIGHT_IN = 11.0
MARGIN_IN = 0.75
