"""The sign-in gate: app.py draws nothing of a trial before :func:`require` returns.

An anonymous visitor sees only the sign-in page: the product name, the sign-in form, the
single sign-on button when ``.streamlit/secrets.toml`` has an ``[auth]`` section, and the
demo accounts when the database carries the demo mark (``monitoring.accounts.demo``).
Accounts, sessions and the audit of every sign-in live in the library
(``monitoring.accounts``); this module only draws and keeps the session's token.

The token is kept in the tab's session state and in a cookie (``SameSite=Strict``,
``Secure`` over HTTPS, written by the page's script), so that a reload or a bookmarked page
stays signed in until the session ends; the database holds only its SHA-256. Every run
checks the token against the database: a session that expired, was ended by signing out
elsewhere, or whose account was disabled, sends the tab back to the sign-in page.
``TRIAL_MONITORING_SESSION_MINUTES`` sets the session's length (default 8 hours).
"""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
import streamlit as st

from dashboard import navigation, source
from dashboard.keys import Key
from monitoring.accounts.demo import DEMO_ACCOUNTS, is_demo_database
from monitoring.accounts.model import SESSION_HOURS, AccountError, Principal, SignIn
from monitoring.accounts.store import (
    change_password,
    check_session,
    end_session,
    has_users,
    sign_in,
    sign_in_identity,
)

COOKIE = "trial_monitoring_session"
SESSION_MINUTES = "TRIAL_MONITORING_SESSION_MINUTES"
FRESH_LOGIN = timedelta(minutes=5)
WATCH_SECONDS = 60.0
FORM_KEYS = {Key.SIGN_IN_NAME, Key.SIGN_IN_PASSWORD, Key.SIGN_IN_BUTTON, Key.SIGN_IN_MESSAGE}
"""Kept when a session ends (the form and its message)."""


def session_lifetime() -> timedelta:
    """``TRIAL_MONITORING_SESSION_MINUTES`` (a positive number), else 8 hours."""
    text = os.environ.get(SESSION_MINUTES, "").strip()
    if not text:
        return timedelta(hours=SESSION_HOURS)
    try:
        minutes = float(text)
    except ValueError:
        minutes = -1.0
    if not minutes > 0:
        raise ValueError(f"{SESSION_MINUTES}={text!r}: give a positive number of minutes")
    return timedelta(minutes=minutes)


def _now() -> datetime:
    return datetime.now(UTC)


def sso_configured() -> bool:
    """Whether ``.streamlit/secrets.toml`` configures Streamlit's OpenID Connect login."""
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        return False


def _script(body: str) -> None:
    """A few lines of JavaScript run in the page (the session cookie only)."""
    st.html(f"<script>{body}</script>", unsafe_allow_javascript=True)


def _write_cookie(token: str, lifetime: timedelta) -> None:
    seconds = int(lifetime.total_seconds())
    _script(
        f"document.cookie = {json.dumps(COOKIE)} + '=' + {json.dumps(token)} + "
        f"'; Path=/; Max-Age={seconds}; SameSite=Strict' + "
        "(location.protocol === 'https:' ? '; Secure' : '');"
    )


def _clear_cookie() -> None:
    _script(f"document.cookie = {json.dumps(COOKIE)} + '=; Path=/; Max-Age=0; SameSite=Strict';")


def _forget() -> None:
    """Drop everything the tab kept from a signed-in session (its choice, its results)."""
    for key in list(st.session_state.keys()):
        if key not in FORM_KEYS:
            del st.session_state[key]


def _identity() -> list[str]:
    user: Any = st.user
    return [str(v) for v in (user.get("email"), user.get("sub")) if v]


def _fresh_login() -> bool:
    """Whether the identity provider signed the person in just now (its ID token issued
    within :data:`FRESH_LOGIN`): only such a sign-in starts a session, so that Streamlit's
    30-day identity cookie never renews a session that expired or was signed out."""
    if not st.user.is_logged_in:
        return False
    issued: Any = st.user.get("iat")
    if not isinstance(issued, int | float):
        return False
    age = _now() - datetime.fromtimestamp(issued, UTC)
    return timedelta(seconds=-60) <= age <= FRESH_LOGIN


def require() -> Principal:
    """The signed-in person; otherwise the sign-in page is drawn and the run stops."""
    url = source.database_url()
    engine = source.accounts_engine(url)
    stored = st.session_state.get(Key.SESSION_TOKEN)
    cookie = st.context.cookies.get(COOKIE)
    for token in dict.fromkeys(t for t in (stored, cookie) if isinstance(t, str) and t):
        principal = check_session(engine, token, now=_now())
        if principal is not None:
            st.session_state[Key.SESSION_CHECKED] = time.monotonic()
            st.session_state[Key.SESSION_TOKEN] = token
            st.session_state[Key.PRINCIPAL] = principal
            return principal
    if stored is not None or Key.SELECTION in st.session_state:
        _forget()
        st.session_state[Key.SIGN_IN_MESSAGE] = "Your session has ended: sign in again."
    sso = sso_configured()
    if sso and st.user.is_logged_in and st.session_state.pop(Key.SSO_LOGOUT, False):
        st.logout()  # signed out here: the identity provider's sign-in is dropped too
    if sso and _fresh_login() and not st.session_state.get(Key.SSO_REFUSED):
        result = sign_in_identity(engine, _identity(), now=_now(), lifetime=session_lifetime())
        if _accepted(result):
            st.rerun()
        st.session_state[Key.SSO_REFUSED] = True
    _page(engine, sso)
    if cookie:
        _clear_cookie()  # the last element of the page: nothing after it moves
    st.stop()


def signed_in() -> Principal:
    """The person signed in to this tab (their roles decide which trials and views they
    are served: ``monitoring.analysis.access``)."""
    principal = st.session_state.get(Key.PRINCIPAL)
    if not isinstance(principal, Principal):
        raise RuntimeError("no one is signed in: trial data are served after signin.require")
    return principal


def signed_in_name() -> str:
    """The account name of the person signed in to this tab: recorded with every change
    made from the dashboard (import, correction, report)."""
    principal = st.session_state.get(Key.PRINCIPAL)
    if not isinstance(principal, Principal):
        raise RuntimeError("no one is signed in: changes are made after dashboard.signin.require")
    return principal.name


def _accepted(result: SignIn) -> bool:
    if result.token is None:
        return False
    st.session_state[Key.SESSION_TOKEN] = result.token
    st.session_state.pop(Key.SIGN_IN_MESSAGE, None)
    return True


def _submit(engine: sa.Engine) -> None:
    """The form's callback: check the name and password (the library logs the attempt)."""
    name = str(st.session_state.get(Key.SIGN_IN_NAME) or "").strip()
    password = str(st.session_state.get(Key.SIGN_IN_PASSWORD) or "")
    st.session_state[Key.SIGN_IN_PASSWORD] = ""
    if not name or not password:
        st.session_state[Key.SIGN_IN_MESSAGE] = "Give your account name and password."
        return
    result = sign_in(engine, name, password, now=_now(), lifetime=session_lifetime())
    if not _accepted(result):
        st.session_state[Key.SIGN_IN_MESSAGE] = result.message.capitalize() + "."


def _page(engine: sa.Engine, sso: bool) -> None:
    navigation.declare(hidden=True)
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        _sign_in_form(engine, sso)


def _sign_in_form(engine: sa.Engine, sso: bool) -> None:
    st.title("Trial monitoring")
    st.write("Sign in to see the trials you hold a role on.")
    message = st.session_state.get(Key.SIGN_IN_MESSAGE)
    if message:
        st.warning(message)
    with st.form("sign_in", border=True):
        st.text_input("Account name", key=Key.SIGN_IN_NAME, autocomplete="username")
        st.text_input(
            "Password", type="password", key=Key.SIGN_IN_PASSWORD, autocomplete="current-password"
        )
        st.form_submit_button(
            "Sign in", key=Key.SIGN_IN_BUTTON, type="primary", on_click=_submit, args=(engine,)
        )
    if sso:
        if st.session_state.get(Key.SSO_REFUSED):
            who = ", ".join(_identity()) or "this identity"
            st.error(f"No enabled account for {who}: ask an administrator to add one.")
            if st.button("Sign out of single sign-on", key=Key.SSO_BUTTON):
                st.session_state.pop(Key.SSO_REFUSED, None)
                st.logout()
        elif st.button("Sign in with single sign-on", key=Key.SSO_BUTTON):
            st.login()
    if not has_users(engine):
        st.info(
            "This database has no account yet. An administrator adds one on the server: "
            "`python -m monitoring users add NAME --role admin --password-stdin --db URL` "
            "(docs/cli.md)."
        )
    if is_demo_database(engine):
        rows = "\n".join(
            f"| `{a.name}` | `{a.password}` | {a.display_name} |" for a in DEMO_ACCOUNTS
        )
        st.info(
            "This is the demo database. Its demo accounts:\n\n"
            "| account | password | role |\n|---|---|---|\n"
            + rows
            + "\n\nA database that is not the demo has no such accounts."
        )


def _sign_out(engine: sa.Engine) -> None:
    token = st.session_state.get(Key.SESSION_TOKEN)
    if isinstance(token, str):
        end_session(engine, token, now=_now())
    _forget()
    st.session_state[Key.SIGN_IN_MESSAGE] = "You have signed out."
    st.session_state[Key.SSO_LOGOUT] = True


def _change_password(engine: sa.Engine, name: str) -> None:
    current = str(st.session_state.get(Key.PASSWORD_CURRENT) or "")
    new = str(st.session_state.get(Key.PASSWORD_NEW) or "")
    st.session_state[Key.PASSWORD_CURRENT] = st.session_state[Key.PASSWORD_NEW] = ""
    try:
        change_password(engine, name, new, now=_now(), actor=name, current_password=current)
    except AccountError as exc:
        st.session_state[Key.SIGN_IN_MESSAGE] = str(exc)
        return
    _forget()
    st.session_state[Key.SIGN_IN_MESSAGE] = "Password changed: sign in with the new one."


def draw_account(principal: Principal) -> None:
    """Who is signed in, the sign-out button and the password change, in the sidebar."""
    engine = source.accounts_engine(source.database_url())
    with st.sidebar:
        st.divider()
        roles = ", ".join(
            g.role.value if g.trial_id is None else f"{g.role.value} on {g.trial_id}"
            for g in principal.grants
        )
        st.caption(
            f"Signed in as **{principal.display_name}** ({principal.name}) · {roles or 'no role'}"
        )
        st.button("Sign out", key=Key.SIGN_OUT_BUTTON, on_click=_sign_out, args=(engine,))
        with st.expander("Change password"):
            st.text_input("Current password", type="password", key=Key.PASSWORD_CURRENT)
            st.text_input("New password", type="password", key=Key.PASSWORD_NEW)
            st.button(
                "Change password",
                key=Key.PASSWORD_BUTTON,
                on_click=_change_password,
                args=(engine, principal.name),
            )
        token = st.session_state.get(Key.SESSION_TOKEN)
        if isinstance(token, str) and token != st.context.cookies.get(COOKIE):
            _write_cookie(token, session_lifetime())  # last in the sidebar: nothing moves
        if isinstance(token, str):
            _watch(engine, token)


def _watch(engine: sa.Engine, token: str) -> None:
    """Check the session every :data:`WATCH_SECONDS` (a quarter of a shorter session)
    while the tab is open, and rerun the app when it has ended: a screen left open shows
    the sign-in page once the session expires, not the trial. A whole run of the app has
    just checked it (:func:`require`), so the check is skipped when the last one is less
    than half an interval old: only the timed runs of the fragment ask the database."""
    seconds = max(1.0, min(WATCH_SECONDS, session_lifetime().total_seconds() / 4))

    @st.fragment(run_every=seconds)
    def check() -> None:
        last = st.session_state.get(Key.SESSION_CHECKED)
        if isinstance(last, float) and time.monotonic() - last < seconds / 2:
            return
        if check_session(engine, token, now=_now()) is None:
            st.rerun(scope="app")
        st.session_state[Key.SESSION_CHECKED] = time.monotonic()

    check()
