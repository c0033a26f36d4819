"""The sign-in gate in headless Chromium: an anonymous visitor sees only the sign-in page;
local accounts sign in and out; a session that expires sends the tab back to sign-in; single
sign-on through Streamlit's ``st.login`` against a mock OpenID provider on loopback
(``oidc-provider-mock``), its user mapped to the account of the same e-mail.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect, sync_playwright

from dashboard.signin import COOKIE
from monitoring.accounts.events import list_events, verify_events
from monitoring.accounts.model import Role
from monitoring.accounts.store import create_user
from monitoring.db.demo_trial import create_demo_trial
from monitoring.db.engine import open_database
from tests.browser_support import ARTIFACTS, CARD, dashboard_server, free_port, launch, sign_in
from tests.conftest import _create_pg_database, _drop_pg_database
from tests.signin_support import DEMO, TEST_PASSWORD, TEST_USER, add_test_account
from tests.waits import BROWSER_TIMEOUT_MS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),  # Authlib inside the mock provider
]
NOW = datetime(2025, 9, 1, 12, 0, tzinfo=UTC)
TITLE = "Low-dose InO"  # the demo trial's short title (monitoring/protocols/ino-lowdose-ph2.toml)
SSO_EMAIL = "erin@example.org"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(BROWSER_TIMEOUT_MS)
    yield tab
    context.close()


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The README's start: an empty database the server makes the demo (demo accounts)."""
    folder = tmp_path_factory.mktemp("signin-demo")
    database = str(folder / "demo.sqlite")
    with dashboard_server(database, folder / "streamlit.log") as url:
        yield url, database


def _form_shown(page: Page) -> None:
    expect(page.get_by_label("Account name")).to_be_visible()
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()


def _visible_text(page: Page) -> str:
    return page.locator("body").inner_text()


def test_an_anonymous_visitor_sees_only_the_sign_in_page(
    page: Page, demo_server: tuple[str, str]
) -> None:
    url, _ = demo_server
    for path in ("", "efficacy", "reports"):  # deep links too
        page.goto(f"{url}/{path}")
        _form_shown(page)
        expect(page.get_by_text("This is the demo database")).to_be_visible()
        text = _visible_text(page)
        assert TITLE not in text
        assert "ino-lowdose-ph2" not in text
        assert "seed-003" not in text
        assert not re.search(r"\d", text), text  # no number of any trial
        expect(page.locator('[data-testid="stSidebarNav"]')).to_have_count(0)
        expect(page.locator(CARD)).to_have_count(0)
    page.screenshot(path=ARTIFACTS / "sign_in.png")


def test_local_sign_in_reload_and_sign_out(page: Page, demo_server: tuple[str, str]) -> None:
    url, database = demo_server
    page.goto(url)
    page.get_by_label("Account name").fill("dsmb")
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_text("Name or password not accepted.")).to_be_visible()
    assert TITLE not in _visible_text(page)
    sign_in(page, "dsmb", DEMO["dsmb"])
    expect(page.locator(CARD)).to_have_count(2)
    page.wait_for_function(f"document.cookie.includes('{COOKIE}=')")  # written by the page
    page.reload()  # the session cookie keeps the tab signed in
    expect(page.locator(CARD)).to_have_count(2)
    page.get_by_role("button", name="Sign out").click()
    _form_shown(page)
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.reload()  # the ended session's cookie no longer opens anything
    _form_shown(page)
    assert TITLE not in _visible_text(page)
    engine = open_database(database)
    try:
        events = [e.event for e in list_events(engine, "dsmb")]
        signing = [e for e in events if e.startswith("sign")]  # besides the closed view seen
        assert signing[-3:] == ["sign-in failed", "sign-in", "sign-out"]
        assert "closed data viewed" in events
        assert verify_events(engine).ok
    finally:
        engine.dispose()


def _own_database(folder: Path) -> str:
    """A database that is not the demo: the demo trial's data, one test account."""
    database = str(folder / "trial.sqlite")
    engine = open_database(database)
    create_demo_trial(engine, "on_track", now=NOW, user="demo")
    engine.dispose()
    add_test_account(database)
    return database


def test_a_database_that_is_not_the_demo_shows_no_demo_accounts(page: Page, tmp_path: Path) -> None:
    database = _own_database(tmp_path)
    with dashboard_server(database, tmp_path / "streamlit.log") as url:
        page.goto(url)
        _form_shown(page)
        expect(page.get_by_text("This is the demo database")).to_have_count(0)
        page.get_by_label("Account name").fill("dsmb")
        page.get_by_label("Password", exact=True).fill(DEMO["dsmb"])
        page.get_by_role("button", name="Sign in", exact=True).click()
        expect(page.get_by_text("Name or password not accepted.")).to_be_visible()
        sign_in(page, TEST_USER, TEST_PASSWORD)
        expect(page.locator(CARD)).to_have_count(2)


def test_an_expired_session_sends_the_tab_back_to_sign_in(page: Page, tmp_path: Path) -> None:
    """Sessions of 0.25 minutes: once expired, an idle tab goes back to the sign-in page."""
    database = _own_database(tmp_path)
    env = {"TRIAL_MONITORING_SESSION_MINUTES": "0.25"}
    with dashboard_server(database, tmp_path / "streamlit.log", env=env) as url:
        page.goto(url)
        sign_in(page, TEST_USER, TEST_PASSWORD)
        expect(page.locator(CARD)).to_have_count(2)
        # No action: the open tab checks its session (every 15 s / 4) and, once the session
        # has expired, shows the sign-in page by itself.
        _form_shown(page)
        expect(page.get_by_text("Your session has ended: sign in again.")).to_be_visible()
        assert TITLE not in _visible_text(page)
    engine = open_database(database)
    try:
        assert "session expired" in [e.event for e in list_events(engine, TEST_USER)]
    finally:
        engine.dispose()


def _secrets(folder: Path, app_port: int, provider: str) -> Path:
    path = folder / "secrets.toml"
    path.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{app_port}/oauth2callback"\n'
        'cookie_secret = "a-test-cookie-secret-of-some-length"\n'
        'client_id = "trial-monitoring"\n'
        'client_secret = "any"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    return path


def _end_provider_session(page: Page) -> None:
    """The mock provider's end-session page asks for a click, then returns to the app."""
    page.get_by_role("button", name="End session").click()
    _form_shown(page)


def test_single_sign_on_maps_the_provider_s_user_to_its_account(page: Page, tmp_path: Path) -> None:
    database = _own_database(tmp_path)
    engine = open_database(database)
    create_user(
        engine, "erin", password=None, email=SSO_EMAIL, now=NOW, actor="test",
        grants=[(Role.PI, "ino-lowdose-ph2")],
    )  # fmt: skip
    engine.dispose()
    with warnings.catch_warnings():  # Authlib's deprecations, inside the mock provider
        warnings.simplefilter("ignore", DeprecationWarning)
        import oidc_provider_mock
    with oidc_provider_mock.run_server_in_thread() as provider:
        issuer = f"http://localhost:{provider.server_port}"
        port = free_port()
        secrets = _secrets(tmp_path, port, issuer)
        args = ("--secrets.files", str(secrets))
        with dashboard_server(database, tmp_path / "streamlit.log", args=args, port=port) as url:
            page.goto(url)
            _form_shown(page)
            # An identity no account has: refused, nothing of the trial shown.
            page.get_by_role("button", name="Sign in with single sign-on").click()
            page.locator('input[name="sub"]').fill("stranger@example.org")
            page.get_by_role("button", name="Authorize").click()
            expect(page.get_by_text("No enabled account for stranger@example.org")).to_be_visible()
            assert TITLE not in _visible_text(page)
            page.get_by_role("button", name="Sign out of single sign-on").click()
            _end_provider_session(page)
            # The account's e-mail: signed in as erin.
            page.get_by_role("button", name="Sign in with single sign-on").click()
            page.locator('input[name="sub"]').fill(SSO_EMAIL)
            page.get_by_role("button", name="Authorize").click()
            sidebar = page.locator('[data-testid="stSidebar"]')
            expect(sidebar).to_contain_text("(erin)")
            expect(page.locator(CARD)).to_have_count(2)
            page.get_by_role("button", name="Sign out").click()
            _end_provider_session(page)  # signing out drops the provider's sign-in too
            _form_shown(page)
    engine = open_database(database)
    try:
        erin = [(e.event, e.detail) for e in list_events(engine, "erin")]
        assert ("sign-in", "sso") in erin
        assert erin[-1][0] == "sign-out"
        assert verify_events(engine).ok
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_two_servers_on_one_postgresql_database_agree(
    page: Page, tmp_path: Path, pg_admin: sa.Engine, pg_template: str
) -> None:
    """docs/deployment.md's set-up in small: two servers over one PostgreSQL database show
    the same decisions, honour one session (the cookie goes to both: same host), and a
    sign-out on one ends it on the other."""
    name = _create_pg_database(pg_admin, pg_template)
    url = pg_admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        engine = open_database(url)
        create_demo_trial(engine, "on_track", now=NOW, user="demo")
        engine.dispose()
        add_test_account(url)
        with (
            dashboard_server(url, tmp_path / "one.log") as one,
            dashboard_server(url, tmp_path / "two.log") as two,
        ):
            page.goto(one)
            sign_in(page, TEST_USER, TEST_PASSWORD)
            expect(page.locator(CARD)).to_have_count(2)
            first = page.locator(CARD).all_inner_texts()
            page.wait_for_function(f"document.cookie.includes('{COOKIE}=')")
            page.goto(two)  # no sign-in: the session is in the shared database
            expect(page.locator(CARD)).to_have_count(2)
            assert page.locator(CARD).all_inner_texts() == first
            page.get_by_role("button", name="Sign out").click()
            _form_shown(page)
            page.goto(one)
            _form_shown(page)
            assert TITLE not in _visible_text(page)
    finally:
        _drop_pg_database(pg_admin, name)
