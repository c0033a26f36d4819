"""Trial monitoring dashboard: page config, navigation and the shared sidebar."""

import streamlit as st

from dashboard import sidebar

st.set_page_config(page_title="Trial monitoring", page_icon=":material/monitoring:", layout="wide")
navigation = st.navigation(
    [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("pages/efficacy.py", title="Efficacy", icon=":material/trending_up:"),
        st.Page("pages/safety.py", title="Safety", icon=":material/health_and_safety:"),
        st.Page("pages/survival.py", title="Survival", icon=":material/timeline:"),
        st.Page("pages/data.py", title="Data", icon=":material/database:"),
        st.Page("pages/design.py", title="Design", icon=":material/architecture:"),
        st.Page("pages/reports.py", title="Reports", icon=":material/description:"),
    ]
)
choice = sidebar.choose()
slot = st.sidebar.container()  # the widgets go here, drawn after the page (see sidebar.py)
try:
    navigation.run()
finally:
    sidebar.draw(slot, choice)
