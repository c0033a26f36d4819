"""Fonts for the PDF writer: Bitstream Vera, shipped inside reportlab (no system font).

Vera (the font DejaVu was derived from) has the glyphs the reports print: ≥ ≤ – — ± × ≈.
It has no Greek letters: α, β, γ, θ and the like print as their names ("gamma").
Characters it lacks are replaced by ASCII stand-ins so nothing prints as a blank box.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR = "ReportSans"
BOLD = "ReportSans-Bold"
ITALIC = "ReportSans-Italic"
BOLD_ITALIC = "ReportSans-BoldItalic"
_FILES = {REGULAR: "Vera.ttf", BOLD: "VeraBd.ttf", ITALIC: "VeraIt.ttf", BOLD_ITALIC: "VeraBI.ttf"}
_ASCII = {
    "→": "->",
    "←": "<-",
    "⇒": "=>",
    "✓": "yes",
    "✗": "no",
    "…": "...",
    "α": "alpha",
    "β": "beta",
    "γ": "gamma",
    "θ": "theta",
    "η": "eta",
    "λ": "lambda",
    "Φ": "Phi",
    "χ": "chi",
}


def register_fonts() -> None:
    """Register the Vera family with reportlab (idempotent; reportlab's registry is global)."""
    if REGULAR in pdfmetrics.getRegisteredFontNames():
        return
    font_dir = Path(reportlab.__file__).parent / "fonts"
    for name, filename in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(font_dir / filename)))
    for bold, italic, name in ((0, 0, REGULAR), (1, 0, BOLD), (0, 1, ITALIC), (1, 1, BOLD_ITALIC)):
        addMapping(REGULAR, bold, italic, name)


def printable(text: str) -> str:
    """``text`` with characters missing from the font replaced by ASCII stand-ins."""
    register_fonts()
    glyphs = pdfmetrics.getFont(REGULAR).face.charToGlyph
    if all(ord(c) in glyphs or c in "\n\t" for c in text):
        return text
    return "".join(c if ord(c) in glyphs or c in "\n\t" else _ASCII.get(c, "?") for c in text)


def markup(text: str) -> str:
    """``text`` made safe for reportlab Paragraph markup ("Pr(p > 0.20 | data)" stays)."""
    return escape(printable(text)).replace("\n", "<br/>")


def text_width(text: str, font: str, size: float) -> float:
    return float(pdfmetrics.stringWidth(text, font, size))
