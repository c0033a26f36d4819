"""The app's pages in navigation order, declared with ``st.navigation`` (app.py, and a page
that Streamlit ran alone: see ``selection.current``)."""

from __future__ import annotations

import streamlit as st
from streamlit.navigation.page import StreamlitPage

PAGES = (
    ("pages/overview.py", "Overview", ":material/dashboard:"),
    ("pages/conduct.py", "Trial conduct", ":material/groups:"),
    ("pages/efficacy.py", "Efficacy", ":material/trending_up:"),
    ("pages/safety.py", "Safety", ":material/health_and_safety:"),
    ("pages/laboratory.py", "Laboratory", ":material/biotech:"),
    ("pages/survival.py", "Survival", ":material/timeline:"),
    ("pages/data.py", "Data", ":material/database:"),
    ("pages/design.py", "Design", ":material/architecture:"),
    ("pages/reports.py", "Reports", ":material/description:"),
)


def declare(*, hidden: bool = False) -> StreamlitPage:
    """Declare the pages; the first is the default. Returns the page to run. ``hidden``:
    no navigation menu (the sign-in page declares the pages so that the address a visitor
    opened is kept through signing in, but shows none of them)."""
    return st.navigation(
        [
            st.Page(path, title=title, icon=icon, default=i == 0)
            for i, (path, title, icon) in enumerate(PAGES)
        ],
        position="hidden" if hidden else "sidebar",
    )
