"""Widgets drawn from results: decision cards, tables and charts with downloads, the
reproduce block. Downloads are generated only when clicked (deferred data), so a page
paints without rendering a single file."""

from __future__ import annotations

import enum
import html
import re
import time
from collections.abc import Callable, Sequence

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.keys import Key
from monitoring import safe_cells
from monitoring.charts.theme import BLUE, GREEN, ORANGE, VERMILLION

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Tone(enum.Enum):
    """Colour of a decision, always paired with words (never colour alone)."""

    GO = GREEN
    WAIT = ORANGE
    STOP = VERMILLION
    INFO = BLUE


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def decision_card(
    title: str, verdict: str, tone: Tone, sentence: str, facts: Sequence[tuple[str, str]]
) -> None:
    """A rule's decision: title, verdict in words on its colour, the numbers, the sentence."""
    rows = "".join(
        f"<tr><td>{html.escape(k)}</td><td><b>{html.escape(v)}</b></td></tr>" for k, v in facts
    )
    st.markdown(
        f"""<div class="decision-card" data-testid="decision-card" data-tone="{tone.name}"
  style="border:2px solid {tone.value};border-left:14px solid {tone.value};border-radius:6px;
  padding:0.8rem 1rem;margin-bottom:0.6rem;">
<div style="font-size:1.05rem;color:#1F2328">{html.escape(title)}</div>
<div class="decision-verdict" style="font-size:1.6rem;font-weight:700;color:{tone.value}">
{html.escape(verdict)}</div>
<table style="font-size:1rem;margin:0.4rem 0;border:none">{rows}</table>
<div class="read-aloud" style="font-size:1.05rem">{html.escape(sentence)}</div>
</div>""",
        unsafe_allow_html=True,
    )


def _downloads(slug: str, files: Sequence[tuple[str, Callable[[], bytes], str, str]]) -> None:
    """Download buttons in a row, one per (label, bytes on click, mime, icon); the file is
    named after the table or chart and rendered only when its button is clicked. Each
    button is as wide as its label (not a fixed share of the width, which cut the labels
    in a narrow column)."""
    row = st.container(horizontal=True, gap="small")
    for label, data, mime, icon in files:
        row.download_button(
            label,
            data=data,
            file_name=f"{slug}.{label.lower()}",
            mime=mime,
            key=f"{label.lower()}_{slug}",
            on_click="ignore",
            icon=icon,
        )


def table(frame: pd.DataFrame, name: str, *, height: int | None = None) -> None:
    """A table with CSV and XLSX downloads (files named after the table); text that a
    spreadsheet would run as a formula is neutralised (:mod:`monitoring.safe_cells`)."""
    st.dataframe(frame, hide_index=True, width="stretch", height=height or "auto")
    _downloads(
        _slug(name),
        [
            ("CSV", lambda: safe_cells.csv_bytes(frame), "text/csv", ":material/download:"),
            ("XLSX", lambda: safe_cells.xlsx_bytes(frame, name), XLSX_MIME, ":material/download:"),
        ],
    )


def _image(figure: go.Figure, fmt: str) -> bytes:
    """PNG (2x) or SVG of a figure through kaleido, at the chart's own size."""
    width = figure.layout.width or 1180
    height = figure.layout.height or 440
    image: bytes = figure.to_image(format=fmt, width=width, height=height, scale=2)
    return image


def chart(figure: go.Figure, name: str) -> None:
    """A chart with PNG and SVG downloads (rendered on click: it takes about a second)."""
    slug = _slug(name)
    st.plotly_chart(
        figure,
        width="stretch",
        theme=None,  # keep the charts' own palette and projector-sized fonts
        config={"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}},
        key=f"chart_{slug}",
    )
    _downloads(
        slug,
        [
            ("PNG", lambda: _image(figure, "png"), "image/png", ":material/image:"),
            ("SVG", lambda: _image(figure, "svg"), "image/svg+xml", ":material/image:"),
        ],
    )


def reproduce(*commands: str) -> None:
    """The command line that reproduces the page's numbers."""
    with st.expander("Reproduce these numbers from the command line", expanded=False):
        st.code("\n".join(commands), language="bash")


def paint_first(seconds: float = 0.4) -> None:
    """On a tab's first run, let the browser paint the decision cards before the charts.

    Streamlit sends each element as the page makes it, and the browser fetches and compiles
    each kind of element's code on first use: the chart library alone is 4.7 MB and blocks
    the page for about 0.7 s. Elements that arrive together are drawn together, so cards
    sent with a chart waited for it (benchmarks/bench_pages.py). A short pause on the tab's
    first run lets the cards' own code load and paint first; later runs have every kind of
    element's code loaded already and do not pause.
    """
    if st.session_state.get(Key.CARDS_PAINTED):
        return
    st.session_state[Key.CARDS_PAINTED] = True
    time.sleep(seconds)
