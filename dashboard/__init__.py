"""The dashboard's UI package: the only non-page code that imports Streamlit.

``keys`` names every session-state and widget key; ``source`` reaches the trial data;
``cache`` memoises library results by (database, trial, cut-off, as-known-on, data
version); ``sidebar`` draws the shared inputs; ``components`` draws result dataclasses.
"""
