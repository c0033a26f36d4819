"""Trial monitoring dashboard: page config, the sign-in gate, navigation and the sidebar.

Nothing of a trial is drawn before ``signin.require`` returns the signed-in person: an
anonymous visitor sees the sign-in page only (dashboard/signin.py).
"""

from pathlib import Path

import streamlit as st

from dashboard import awaiting, navigation, sidebar, signin, warmup
from dashboard.selection import NoDataYet

ICON = Path(__file__).parent / "dashboard" / "assets" / "icon.png"  # served by the app itself

st.set_page_config(page_title="Trial monitoring", page_icon=str(ICON), layout="wide")
warmup.start()  # once per process: the default trial computed while the visitor signs in
principal = signin.require()
page = navigation.declare()
choice = sidebar.choose(principal)
if choice is None:  # no role on any trial (an administrator alone): no trial data
    st.info(sidebar.NO_TRIAL, icon=":material/lock:")
    signin.draw_account(principal)
    st.stop()
slot = st.sidebar.container()  # the widgets go here, drawn after the page (see sidebar.py)
try:
    page.run()
except NoDataYet as no_data:  # a trial without data: what exists and what to import next
    awaiting.page(page.title, no_data.trial.awaiting)
finally:
    sidebar.draw(slot, choice)
    signin.draw_account(principal)
