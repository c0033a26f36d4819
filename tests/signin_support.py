"""Signing in, for the tests that open the dashboard (AppTest and the browser).

Tests sign in the way a person does, through the sign-in form: with a demo account on the
demo sources and databases (``monitoring.accounts.demo``), or with an account a test adds
to its own database (:func:`add_test_account`). There is no test-only way past the gate.
"""

from __future__ import annotations

from datetime import UTC, datetime

from streamlit.testing.v1 import AppTest

from dashboard.keys import Key
from monitoring.accounts.demo import DEMO_ACCOUNTS
from monitoring.accounts.model import Role
from monitoring.accounts.store import create_user
from monitoring.db.engine import open_database
from monitoring.db.repository import list_trials

DEMO = {a.name: a.password for a in DEMO_ACCOUNTS}
TEST_USER = "tester"
TEST_PASSWORD = "tester-password-1"


def add_test_account(url: str, name: str = TEST_USER, password: str = TEST_PASSWORD) -> None:
    """A DSMB account on every trial of the database at ``url``."""
    engine = open_database(url)
    try:
        grants = [(Role.DSMB, t.id) for t in list_trials(engine)]
        create_user(
            engine, name, password=password, now=datetime.now(UTC), actor="test", grants=grants
        )
    finally:
        engine.dispose()


def sign_in(at: AppTest, name: str = "dsmb", password: str | None = None) -> AppTest:
    """Fill the sign-in form of ``at`` (already run) and submit it; asserts it worked."""
    at.text_input(key=Key.SIGN_IN_NAME).input(name)
    at.text_input(key=Key.SIGN_IN_PASSWORD).input(password or DEMO[name])
    at.button(key=Key.SIGN_IN_BUTTON).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert Key.SESSION_TOKEN in at.session_state, [w.value for w in at.warning]
    return at
