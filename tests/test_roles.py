"""Who sees which trial, and how much of it (issue 13): every role walked through the
analysis layer, the command line and the dashboard.

The database is the demo made from the randomized example protocol (``closed_by = ["arm"]``,
``arm`` a survival subgroup), so it carries the demo accounts dsmb, pi, statistician and
admin (``monitoring.accounts.demo``); ``nobody`` is an account added with no role. Expected
outcomes come from the role table of docs/security.md: DSMB and statistician hold the closed
view, PI the open view (no breakdown by ``arm``, no closed report), the administrator and
an account without a role see no trial at all, and are refused with the words used for a
trial that is not in the database.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.keys import Key
from monitoring.accounts.events import list_events
from monitoring.accounts.store import acting_principal, create_user
from monitoring.analysis import Cut, DatabaseSource, open_analysis
from monitoring.analysis.access import PermissionRefusedError, View, permitted, view_of
from monitoring.analysis.reports import ReportRequest, write_document
from monitoring.cli import main
from monitoring.db.engine import open_database
from monitoring.db.looks import list_reports, look_records
from monitoring.db.repository import add_trial
from monitoring.errors import UnknownTrialError
from monitoring.reports.document import VersionLabel
from monitoring.reports.export import ReportFormat
from tests.conftest import DEFAULT_PROTOCOL, ROOT
from tests.signin_support import sign_in
from tests.waits import APP_TIMEOUT

RANDOMIZED = ROOT / "monitoring" / "protocols" / "examples" / "aall1732-randomized.toml"
CLOSED = ("dsmb", "statistician")
NO_TRIAL = ("admin", "nobody")


def _demo(url: str) -> str:
    """The randomized demo trial with the demo accounts and ``nobody``; its trial id."""
    assert main(["demo", "--db", url, "--protocol", str(RANDOMIZED)]) == 0
    engine = open_database(url)
    try:
        create_user(engine, "nobody", password="nobody-password", now=datetime.now(UTC), actor="t")
        (trial,) = DatabaseSource(engine).trials()
        return trial.id
    finally:
        engine.dispose()


@pytest.fixture
def randomized(db_url: str, capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    trial_id = _demo(db_url)
    capsys.readouterr()
    return db_url, trial_id


ROLES = ["dsmb", "pi", "statistician", "admin", "nobody"]


@pytest.mark.parametrize("name", ROLES)
def test_analysis_layer_serves_each_role_its_view(
    randomized: tuple[str, str], name: str, tmp_path: Path
) -> None:
    url, trial_id = randomized
    engine = open_database(url)
    try:
        principal = acting_principal(engine, name)
        source = DatabaseSource(engine)
        listed = [t.id for t in permitted(source, principal).trials()]
        if name in NO_TRIAL:
            assert listed == []
            assert view_of(principal, trial_id) is None
            with pytest.raises(UnknownTrialError) as held:
                open_analysis(source, Cut(trial_id), principal=principal)
            with pytest.raises(UnknownTrialError) as absent:
                open_analysis(source, Cut("NO-SUCH-TRIAL"), principal=principal)
            # the refusal reads the same for a trial that exists and one that does not
            assert str(held.value).replace(trial_id, "X") == str(absent.value).replace(
                "NO-SUCH-TRIAL", "X"
            )
            return
        assert listed == [trial_id]
        analysis = open_analysis(source, Cut(trial_id), principal=principal)
        expected = View.CLOSED if name in CLOSED else View.OPEN
        assert analysis.view is expected
        assert (
            analysis.table_set().survival.endpoints[0].by is None
        )  # pooled tables: every role with a view
        request = ReportRequest(
            trial_id=trial_id,
            as_known_on=datetime.now(UTC),
            look=None,
            cutoff=None,
            version=VersionLabel.CLOSED,
            fmt=ReportFormat.XLSX,
            out=tmp_path / "closed.xlsx",
            user=name,
            log_as_of=datetime.now(UTC),
            principal=principal,
        )
        if expected is View.CLOSED:
            assert analysis.table_set(by="arm").survival.endpoints[0].by == "arm"
            write_document(source, request, datetime.now(UTC))
            assert (tmp_path / "closed.xlsx").exists()
        else:
            with pytest.raises(PermissionRefusedError, match="closed view"):
                analysis.table_set(by="arm")
            with pytest.raises(PermissionRefusedError, match="closed report"):
                write_document(source, request, datetime.now(UTC))
            assert not (tmp_path / "closed.xlsx").exists()
    finally:
        engine.dispose()


def _cli(capsys: pytest.CaptureFixture[str], args: list[str]) -> tuple[int, str]:
    code = main(args)
    return code, capsys.readouterr().err


@pytest.mark.parametrize("name", ROLES)
def test_command_line_acts_as_the_named_user(
    randomized: tuple[str, str], name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, trial_id = randomized
    db = ["--db", url, "--user", name]
    status, err = _cli(capsys, ["status", *db])
    km_by_arm = _cli(capsys, ["km", *db, "--endpoint", "EFS", "--by", "arm"])
    out = tmp_path / "summary.xlsx"
    closed = _cli(capsys, ["report", *db, "--format", "xlsx", "--out", str(out)])
    if name in NO_TRIAL:
        assert status == 2
        assert "holds a role on no trial" in err
        trial = _cli(capsys, ["status", *db, "--trial", trial_id])
        assert trial[0] == 2
        assert f"no trial '{trial_id}'" in trial[1]
        assert km_by_arm[0] == 2
        assert closed[0] == 2
        assert not out.exists()
        return
    assert status in (0, 3), err  # 3: a summary is due (docs/cli.md)
    if name in CLOSED:
        assert km_by_arm[0] == 0, km_by_arm[1]
        assert (closed[0], out.exists()) == (0, True), closed[1]
    else:
        assert km_by_arm == (
            2,
            f"error: '{name}' does not hold the permission 'closed view (breakdown by "
            f"'arm')' on trial '{trial_id}'\n",
        )
        assert closed[0] == 2
        assert "closed view (closed report)" in closed[1]
        assert not out.exists()
        opened = _cli(capsys, ["report", *db, "--version", "open", "--format", "xlsx",
                               "--out", str(out)])  # fmt: skip
        assert (opened[0], out.exists()) == (0, True), opened[1]


def test_sent_and_sign_off_need_their_roles(
    randomized: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _ = randomized
    out = tmp_path / "summary.xlsx"
    assert main(["report", "--db", url, "--user", "statistician", "--format", "xlsx",
                 "--out", str(out)]) == 0  # fmt: skip
    capsys.readouterr()
    refused = _cli(capsys, ["report", "--db", url, "sent", "--id", "1", "--by", "pi"])
    assert refused[0] == 2
    assert "'report sent'" in refused[1]
    assert (
        _cli(capsys, ["report", "--db", url, "sent", "--id", "1", "--by", "statistician"])[0] == 0
    )
    unknown = _cli(capsys, ["status", "--db", url, "--user", "ghost"])
    assert unknown[0] == 2
    assert "no account 'ghost'" in unknown[1]


@pytest.fixture
def dashboard_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _navigation_only: None) -> str:
    url = str(tmp_path / "randomized.sqlite")
    trial_id = _demo(url)
    engine = open_database(url)  # a second trial, on which the demo accounts hold no role
    add_trial(engine, DEFAULT_PROTOCOL.read_text("utf-8"), source="t", now=datetime.now(UTC),
              user="t")  # fmt: skip
    engine.dispose()
    monkeypatch.setenv("TRIAL_MONITORING_DB", url)
    return trial_id


def _app(name: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=APP_TIMEOUT).run()
    return sign_in(at, name)


def test_dashboard_pi_gets_the_open_view(dashboard_db: str) -> None:
    at = _app("pi")
    (listed,) = at.selectbox(key=Key.TRIAL).options  # the other trial is not listed
    assert str(listed).startswith(f"{dashboard_db} · ")
    at.switch_page("pages/survival.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "arm" not in at.selectbox(key=Key.GROUP_BY).options  # open view: no by-arm split
    assert "Comparison by arm" not in [h.value for h in at.subheader]
    # relapse incidence pooled over the arms, without Gray's test by arm
    assert "Relapse and death in remission" in [h.value for h in at.subheader]
    incidence = next(d.value for d in at.dataframe if "Relapse" in d.value)
    assert set(incidence["Group"]) == {"All patients in remission"}
    assert not any("Gray's test" in m.value for m in at.markdown)
    at.switch_page("pages/reports.py").run()
    assert at.selectbox(key=Key.REPORT_VERSION).options == ["OPEN version"]


PAGES = sorted(p.name for p in (ROOT / "pages").glob("*.py"))


@pytest.mark.parametrize("name", ["dsmb", "pi", "statistician"])
def test_every_role_walks_every_page(dashboard_db: str, name: str) -> None:
    """Each trial role opens every page of the randomized trial without an error; the
    investigator's pages hold the comparison of arms withheld and no patient's arm, the
    DSMB member's and the statistician's hold both."""
    at = _app(name)
    for page in PAGES:
        at.switch_page(f"pages/{page}").run()
        assert not at.exception, (page, [e.value for e in at.exception])
    at.switch_page("pages/overview.py").run()
    shown = "\n".join(str(m.value) for m in at.markdown)
    assert ("Closed: shown to the DSMB" in shown) == (name == "pi")
    at.switch_page("pages/data.py").run()
    at.selectbox(key=Key.ANALYSED_TABLE).set_value("patients").run()
    patients = at.dataframe[-1].value
    assert len(patients) > 0
    assert ("arm" in patients.columns) == (name != "pi")
    # the randomization table: dates for everyone, the arm received in the closed view only
    at.selectbox(key=Key.ANALYSED_TABLE).set_value("randomization").run()
    randomized = at.dataframe[-1].value
    assert len(randomized) == 200
    assert ("arm_received" in randomized.columns) == (name != "pi")
    # the closed view of the dashboard is in the account audit log, once per session
    viewed = [d for e, d in _events(os.environ["TRIAL_MONITORING_DB"], name)
              if e == "closed data viewed" and d == "closed view of the dashboard"]  # fmt: skip
    assert len(viewed) == (0 if name == "pi" else 1)


def test_dashboard_dsmb_may_split_by_arm(dashboard_db: str) -> None:
    at = _app("dsmb")
    at.switch_page("pages/survival.py").run()
    assert "arm" in at.selectbox(key=Key.GROUP_BY).options
    at.selectbox(key=Key.GROUP_BY).set_value("arm").run()
    assert not at.exception, [e.value for e in at.exception]
    # the closed view compares the arms: medians and the protocol's three landmarks
    assert "Comparison by arm" in [h.value for h in at.subheader]
    medians = next(d.value for d in at.dataframe if "Difference from reference (months)" in d.value)
    assert [a.split(":")[0] for a in medians["Arm"]] == ["A", "B"]  # A: the rule's control
    assert medians["Difference from reference (months)"].iloc[0] == "reference"
    landmarks = next(d.value for d in at.dataframe if "Comparison" in d.value)
    assert list(landmarks["Landmark (months)"]) == ["12", "24", "36"]
    assert set(landmarks["Comparison"]) == {"B − A"}
    incidence = next(d.value for d in at.dataframe if "Relapse" in d.value)
    assert list(dict.fromkeys(incidence["Group"])) == ["arm = A", "arm = B"]
    assert any("Gray's test across 2 groups of arm" in m.value for m in at.markdown)
    at.switch_page("pages/reports.py").run()
    assert at.selectbox(key=Key.REPORT_VERSION).value == VersionLabel.CLOSED


def test_dashboard_admin_without_a_trial_role_sees_no_trial(dashboard_db: str) -> None:
    at = _app("admin")
    assert not at.exception, [e.value for e in at.exception]
    assert any("holds no role on any trial" in str(i.value) for i in at.info)
    text = "\n".join(str(e.value) for e in [*at.markdown, *at.title, *at.caption])
    assert dashboard_db not in text
    assert not at.selectbox  # no trial picker


def test_dashboard_sent_and_sign_off_by_their_roles(dashboard_db: str) -> None:
    """The statistician records a report sent and the DSMB member signs the look off, from
    the Reports page; the PI is offered neither. Each lands in the reports table under the
    signed-in account and in the account audit log with the closed report viewed."""
    at = _app("statistician")
    at.switch_page("pages/reports.py").run()
    at.selectbox(key=Key.REPORT_FORMAT).set_value(ReportFormat.XLSX)
    at.button(key=Key.REPORT_BUTTON).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not _has(at, Key.SIGN_OFF_BUTTON)
    at.button(key=Key.REPORT_SENT_BUTTON).click().run()
    assert not at.exception, [e.value for e in at.exception]
    pi = _app("pi")
    pi.switch_page("pages/reports.py").run()
    assert _has(pi, Key.REPORT_BUTTON)  # the check below sees the page's buttons
    assert not _has(pi, Key.REPORT_SENT_BUTTON)
    assert not _has(pi, Key.SIGN_OFF_BUTTON)
    dsmb = _app("dsmb")
    dsmb.switch_page("pages/reports.py").run()
    assert not _has(dsmb, Key.REPORT_SENT_BUTTON)
    dsmb.selectbox(key=Key.SIGN_OFF_RECOMMENDATION).set_value("pause")  # the report's form
    dsmb.button(key=Key.SIGN_OFF_BUTTON).click().run()
    assert not dsmb.exception, [e.value for e in dsmb.exception]
    engine = open_database(os.environ["TRIAL_MONITORING_DB"])
    try:
        (report,) = list_reports(engine, dashboard_db)
        assert (report.generated_by, report.sent_by, report.signed_off_by) == (
            "statistician",
            "statistician",
            "dsmb",
        )
        (signed,) = [r for r in look_records(engine, dashboard_db) if r.signed_off_by]
        assert signed.recommendation == "pause"
        done = {(e.event, e.user_name) for e in list_events(engine) if e.trial_id == dashboard_db}
        assert {
            ("closed data viewed", "statistician"),
            ("report sent", "statistician"),
            ("look signed off", "dsmb"),
        } <= done
    finally:
        engine.dispose()


def _has(at: AppTest, key: str) -> bool:
    return any(b.key == key for b in at.button)


def test_only_the_statistician_imports_and_corrects(
    randomized: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """A correction is a change of trial data: the statistician's (docs/security.md); the
    DSMB member and the PI are refused naming the permission, before anything is read."""
    url, trial_id = randomized
    correction = ["correct", "--db", url, "--table", "patients", "--key", "patient_id=none",
                  "--column", "site", "--value", "X", "--reason", "source document"]  # fmt: skip
    for name in ("dsmb", "pi"):
        code, err = _cli(capsys, [*correction, "--user", name])
        assert (code, "permission 'correction'" in err) == (2, True), err
    code, err = _cli(capsys, [*correction, "--user", "statistician"])
    assert (code, "permission" in err) == (2, False), err  # refused for the missing row only
    audit = _cli(capsys, ["audit", "--db", url, "--user", "nobody", "--trial", trial_id])
    assert (audit[0], f"no trial '{trial_id}'" in audit[1]) == (2, True)


def _events(url: str, name: str) -> list[tuple[str, str | None]]:
    engine = open_database(url)
    try:
        return [(e.event, e.detail) for e in list_events(engine, name)]
    finally:
        engine.dispose()


def test_command_line_records_closed_reads_and_keeps_trials_and_accounts_to_the_admin(
    randomized: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command line's reads of closed data and its reports are in the account audit log
    under the acting account (an open read is not closed data); registering trials, making
    demo trials and managing accounts are the administrator's; ``trial list`` names only
    the trials the account holds (docs/security.md, the role table)."""
    url, trial_id = randomized
    assert main(["status", "--db", url, "--user", "dsmb", "--json"]) in (0, 3)
    assert main(["status", "--db", url, "--user", "pi", "--json"]) in (0, 3)
    out = tmp_path / "summary.xlsx"
    assert main(["report", "--db", url, "--user", "statistician", "--format", "xlsx",
                 "--out", str(out)]) == 0  # fmt: skip
    capsys.readouterr()
    assert ("closed data viewed", "status") in _events(url, "dsmb")
    assert not any(e == "closed data viewed" for e, _ in _events(url, "pi"))
    assert ("report generated", out.name) in _events(url, "statistician")

    listed = {}
    for name in ("pi", "nobody", "admin"):
        assert main(["trial", "list", "--db", url, "--user", name, "--json"]) == 0
        listed[name] = [t["id"] for t in json.loads(capsys.readouterr().out)]
    assert listed == {"pi": [trial_id], "nobody": [], "admin": [trial_id]}

    add = ["trial", "add", "--db", url, "--protocol", str(DEFAULT_PROTOCOL)]
    for name in ("statistician", "dsmb"):
        code, err = _cli(capsys, [*add, "--user", name])
        assert (code, "the administrator's role" in err) == (2, True), err
    demo = _cli(capsys, ["demo", "--db", url, "--user", "pi"])
    assert (demo[0], "permission 'demo'" in demo[1]) == (2, True), demo[1]
    users = _cli(capsys, ["users", "list", "--db", url, "--user", "dsmb"])
    assert (users[0], "permission 'users list'" in users[1]) == (2, True), users[1]
    assert main([*add, "--user", "admin"]) == 0
    assert ("trial registered", f"protocol {DEFAULT_PROTOCOL}") in _events(url, "admin")
    assert main(["users", "list", "--db", url, "--user", "admin"]) == 0
    assert main(["audit", "verify", "--db", url]) == 0
