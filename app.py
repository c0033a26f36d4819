"""Trial monitoring dashboard: page config, navigation and the shared sidebar."""

from pathlib import Path

import streamlit as st

from dashboard import navigation, sidebar

ICON = Path(__file__).parent / "dashboard" / "assets" / "icon.png"  # served by the app itself

st.set_page_config(page_title="Trial monitoring", page_icon=str(ICON), layout="wide")
page = navigation.declare()
choice = sidebar.choose()
slot = st.sidebar.container()  # the widgets go here, drawn after the page (see sidebar.py)
try:
    page.run()
finally:
    sidebar.draw(slot, choice)
