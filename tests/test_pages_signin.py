"""The sign-in gate in Streamlit's AppTest: nothing of a trial before sign-in, the refusal
wording, the password change in the sidebar, sign-out, and changes recorded under the
signed-in account."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.keys import Key
from monitoring.accounts.events import list_events
from monitoring.db.engine import open_database
from monitoring.db.repository import add_trial
from tests.conftest import DEFAULT_PROTOCOL, ROOT
from tests.signin_support import TEST_PASSWORD, TEST_USER, add_test_account, sign_in
from tests.waits import APP_TIMEOUT

NEW_PASSWORD = "a brand new password"


@pytest.fixture(autouse=True)
def _every_test_uses_the_navigation(_navigation_only: None) -> None:
    """Every test here runs app.py's navigation (the fixture is in tests/conftest.py)."""


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The default trial registered (no data yet) and one account; not the demo."""
    url = str(tmp_path / "trial.sqlite")
    engine = open_database(url)
    add_trial(
        engine, DEFAULT_PROTOCOL.read_text("utf-8"), source="t", now=datetime.now(UTC), user="r"
    )
    engine.dispose()
    add_test_account(url)
    monkeypatch.setenv("TRIAL_MONITORING_DB", url)
    return url


def _text(at: AppTest) -> str:
    parts = [*at.markdown, *at.title, *at.caption, *at.info, *at.warning, *at.subheader]
    return "\n".join(str(e.value) for e in [*parts, *at.sidebar.markdown])


def test_nothing_of_the_trial_before_sign_in_and_one_refusal_wording(database: str) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=APP_TIMEOUT).run()
    assert not at.exception
    text = _text(at)
    assert "ino-lowdose-ph2" not in text
    assert "Low-dose" not in text
    assert not at.selectbox  # no trial picker
    assert "demo database" not in text  # not the demo: no demo accounts shown
    assert "no account yet" not in text
    at.text_input(key=Key.SIGN_IN_NAME).input(TEST_USER)
    at.text_input(key=Key.SIGN_IN_PASSWORD).input("wrong password")
    at.button(key=Key.SIGN_IN_BUTTON).click().run()
    assert [w.value for w in at.warning] == ["Name or password not accepted."]
    assert Key.SESSION_TOKEN not in at.session_state
    sign_in(at, TEST_USER, TEST_PASSWORD)
    assert at.selectbox(key=Key.TRIAL).value == "ino-lowdose-ph2"
    assert f"({TEST_USER})" in "\n".join(c.value for c in at.sidebar.caption)


def test_a_database_without_accounts_says_how_to_add_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database made before accounts existed (or by ``trial add``) has none: the page says
    how an administrator adds one, and offers no default."""
    url = str(tmp_path / "old.sqlite")
    engine = open_database(url)
    add_trial(engine, DEFAULT_PROTOCOL.read_text("utf-8"), source="t", now=datetime.now(UTC),
              user="r")  # fmt: skip
    engine.dispose()
    monkeypatch.setenv("TRIAL_MONITORING_DB", url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=APP_TIMEOUT).run()
    assert any("no account yet" in i.value and "users add" in i.value for i in at.info)
    assert not any("demo database" in i.value for i in at.info)


def test_password_change_then_sign_out(database: str) -> None:
    at = sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=APP_TIMEOUT).run(),
                 TEST_USER, TEST_PASSWORD)  # fmt: skip
    at.sidebar.text_input(key=Key.PASSWORD_CURRENT).input(TEST_PASSWORD)
    at.sidebar.text_input(key=Key.PASSWORD_NEW).input(NEW_PASSWORD)
    at.sidebar.button(key=Key.PASSWORD_BUTTON).click().run()
    assert [w.value for w in at.warning] == ["Password changed: sign in with the new one."]
    assert not at.selectbox  # the change ended the session
    sign_in(at, TEST_USER, NEW_PASSWORD)
    at.sidebar.button(key=Key.SIGN_OUT_BUTTON).click().run()
    assert [w.value for w in at.warning] == ["You have signed out."]
    assert not at.selectbox
    engine = open_database(database)
    try:
        events = [e.event for e in list_events(engine, TEST_USER)]
    finally:
        engine.dispose()
    assert events[-4:] == ["sign-in", "password changed", "sign-in", "sign-out"]
