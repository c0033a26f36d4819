"""Text from data is shown as text in every chart, never as markup (issue 11, item 8).

The seeded demo trial is given hostile site names and patient ids (an ``<a href>`` link, a
``<script>`` tag, an ampersand). Every chart builder's figure is walked: no string in it
holds a tag from the data. One chart is rendered to SVG by Plotly itself (kaleido): the SVG
has no link element, and the legend reads the imported text back character for character
(Plotly decodes ``&amp;``, ``&lt;`` and ``&gt;``).
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring.charts import (
    enrolment_figure,
    km_figure,
    posterior_figure,
    responder_path_figure,
    swimmer_figure,
    toxicity_boundary_figure,
    toxicity_posterior_figure,
)
from monitoring.charts.labels import plain
from monitoring.data_dictionary import TrialData
from monitoring.demo import generate
from monitoring.derive import Derivation, derive
from monitoring.protocol import Protocol, load_protocol
from monitoring.reports.figures import render_figure
from monitoring.series import (
    enrolment_series,
    patient_courses,
    responder_path,
    survival_view,
    toxicity_path,
)
from monitoring.status import trial_status

ROOT = Path(__file__).resolve().parent.parent
LINK = '<a href="https://evil.example">x</a>'
SCRIPT = "<script>alert(1)</script>"
HOSPITAL = "Hôpital St-Louis & Co"
SITES = (LINK, SCRIPT, HOSPITAL)
SVG = "{http://www.w3.org/2000/svg}"


def _hostile(data: TrialData) -> TrialData:
    """Sites renamed to the hostile names; every patient id wrapped in a link."""
    ids = {p: f'<a href="https://evil.example/{p}">{p}</a>' for p in data.patients["patient_id"]}
    frames = []
    for frame in (data.patients, data.responses, data.adverse_events):
        frame = frame.copy()
        frame["patient_id"] = frame["patient_id"].map(ids)
        frames.append(frame)
    frames[0]["site"] = [SITES[i % len(SITES)] for i in range(len(frames[0]))]
    return TrialData(*frames)


@pytest.fixture(scope="module")
def protocol() -> Protocol:
    return load_protocol(ROOT / "monitoring/protocols/ino-lowdose-ph2.toml")


@pytest.fixture(scope="module")
def figures(protocol: Protocol) -> dict[str, go.Figure]:
    data = _hostile(generate(protocol, "on_track", 0))
    derived: Derivation = derive(data, protocol)
    status = trial_status(protocol, derive(data, protocol))
    rule, tox = protocol.primary_toxicity, status.primary_toxicity
    assert rule is not None
    assert tox is not None
    assert protocol.simon is not None
    path = toxicity_path(rule, derived.toxicity[0], tox)
    return {
        "enrolment": enrolment_figure(enrolment_series(derived, protocol)),
        "path": responder_path_figure(responder_path(derived, protocol.simon)),
        "posterior": posterior_figure(status.remission, [(LINK, 0.3)], title=SCRIPT),
        "swimmer": swimmer_figure(patient_courses(derived, protocol, None)),
        "boundary": toxicity_boundary_figure(path),
        "tox_posterior": toxicity_posterior_figure(path),
        "km_by_site": km_figure(survival_view(derived, protocol, "OS", "site")),
    }


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)
    elif hasattr(value, "tolist"):
        yield from _strings(value.tolist())


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (LINK, '&lt;a href="https://evil.example"&gt;x&lt;/a&gt;'),
        (HOSPITAL, "Hôpital St-Louis &amp; Co"),
        ("&lt;b&gt;", "&amp;lt;b&amp;gt;"),  # an entity in the data stays those characters
        (3, "3"),
    ],
)
def test_plain_escapes_markup_characters(text: object, shown: str) -> None:
    assert plain(text) == shown


def test_no_chart_carries_a_tag_from_the_data(figures: dict[str, go.Figure]) -> None:
    """Hostile ids and sites reach the swimmer lanes, the responder path's hover, the KM
    legend and risk table, the posterior's marks and title: all as entities."""
    reached = set()
    for name, figure in figures.items():
        for text in _strings(figure.to_plotly_json()):
            assert "<a" not in text, (name, text)
            assert "<script" not in text, (name, text)
            if "evil.example" in text or "alert(1)" in text:
                reached.add(name)
    assert reached == {"path", "posterior", "swimmer", "km_by_site"}


def test_km_legend_renders_the_names_as_text(figures: dict[str, go.Figure]) -> None:
    """Plotly's own SVG of the KM chart by site: no link element, and the legend shows the
    site names exactly as imported (the SVG's text nodes, XML entities decoded)."""
    svg = render_figure(figures["km_by_site"], 9.0, 6.0, svg=True).svg
    assert svg is not None
    root = ET.fromstring(svg)
    assert root.findall(f".//{SVG}a") == []
    assert root.findall(f".//{SVG}script") == []
    texts = {"".join(node.itertext()) for node in root.iter(f"{SVG}text")}
    for site in SITES:
        assert any(t.startswith(f"site = {site} (n = ") for t in texts), (site, texts)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(max_size=40))
def test_plain_text_has_no_tag_and_decodes_to_itself(text: str) -> None:
    """Plotly decodes &amp;, &lt; and &gt; (as html.unescape does): any text comes back."""
    shown = plain(text)
    assert "<" not in shown
    assert ">" not in shown
    assert html.unescape(shown) == text
