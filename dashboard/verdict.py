"""The overall verdict at the top of the Overview: one card, then one banner per alert.

The card prints :func:`monitoring.verdict.verdict` — the most severe decision or alert,
what drives it, one sentence and the deciding numbers — in the colour of its severity and
always with its words; the alerts follow as banners (error for STOP, warning otherwise).
"""

from __future__ import annotations

import html

import streamlit as st

from dashboard.decisions import TONES
from monitoring.verdict import Finding, Verdict
from monitoring.vocabulary import Severity


def verdict_card(verdict: Verdict) -> None:
    """The verdict: severity and title on its colour, the driving rule, sentence, evidence."""
    tone = TONES[verdict.severity]
    evidence = "".join(f"<li>{html.escape(line)}</li>" for line in verdict.evidence)
    st.markdown(
        f"""<div class="verdict-card" data-testid="verdict-card" data-tone="{tone.name}"
  data-severity="{verdict.severity.name.lower()}"
  style="border:2px solid {tone.value};border-left:18px solid {tone.value};border-radius:6px;
  padding:0.8rem 1.1rem;margin:0.4rem 0 0.8rem 0;">
<div style="font-size:1rem;color:#1F2328">Overall verdict</div>
<div class="verdict-headline" style="font-size:1.9rem;font-weight:700;color:{tone.value}">
{html.escape(verdict.headline)}</div>
<div style="font-size:1.05rem;margin:0.2rem 0">Driven by: <b>{html.escape(verdict.rule)}</b></div>
<div class="read-aloud" style="font-size:1.1rem;margin:0.3rem 0">
{html.escape(verdict.sentence)}</div>
<ul style="font-size:1rem;margin:0.2rem 0 0 1rem">{evidence}</ul>
</div>""",
        unsafe_allow_html=True,
    )


def alert_banner(alert: Finding) -> None:
    """One alert in its words: STOP as an error banner, the others as warnings or notes."""
    text = f"**{alert.title}** [{alert.severity.word}] — {alert.sentence}"
    if alert.severity is Severity.STOP:
        st.error(text, icon=":material/report:")
    elif alert.severity is Severity.ATTENTION:
        st.warning(text, icon=":material/notification_important:")
    else:
        st.info(text)


def verdict_section(verdict: Verdict) -> None:
    """The card, then every alert."""
    verdict_card(verdict)
    for alert in verdict.alerts:
        alert_banner(alert)
