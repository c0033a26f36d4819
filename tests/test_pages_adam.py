"""The trial imported from ADaM (the pharmaverseadam sample, ``import --format adam`` with
data/mappings/pharmaverseadam.toml): every page runs in Streamlit's AppTest without an
exception, and the PDF and DOCX reports are written (issue 18).

The response words are the protocol's RECIST ones (data/protocols/examples/
pharmaverseadam.toml: remission_label, response_label); the numbers are the library's on
the same database (tests/test_ingest_cli.py checks them against the datasets).
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from monitoring.cli import main
from tests.conftest import PAGES, ROOT
from tests.signin_support import TEST_PASSWORD, TEST_USER, add_test_account, sign_in
from tests.waits import APP_TIMEOUT

SAMPLE = ROOT / "tests" / "data" / "pharmaverseadam"
MAPPING = ROOT / "data" / "mappings" / "pharmaverseadam.toml"


@pytest.fixture(autouse=True)
def _every_test_uses_the_navigation(_navigation_only: None) -> None:
    """Every test here runs app.py's navigation (the fixture is in tests/conftest.py)."""


@pytest.fixture(scope="module")
def adam_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = str(tmp_path_factory.mktemp("adam-pages") / "trial.sqlite")
    assert main(["trial", "add", "--db", url, "--protocol", "pharmaverseadam"]) == 0
    argv = ["import", "--db", url, "--format", "adam", "--mapping", str(MAPPING), str(SAMPLE)]
    assert main(argv) == 0
    add_test_account(url)
    return url


def _text(at: AppTest) -> str:
    parts = [*at.markdown, *at.subheader, *at.caption, *at.info, *at.warning]
    return "\n".join(str(p.value) for p in parts)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_the_imported_trial(
    monkeypatch: pytest.MonkeyPatch, adam_db: str, page: str
) -> None:
    monkeypatch.setenv("TRIAL_MONITORING_DB", adam_db)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=APP_TIMEOUT)
    sign_in(at.run(), TEST_USER, TEST_PASSWORD)
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "pharmaverseadam" in _text(at)  # the provenance line names the trial
    if page == "pages/efficacy.py":
        rates = next(f.value for f in at.dataframe if "Rate" in f.value)
        assert "Complete response (CR)" in list(rates["Rate"])
        assert not any("Hematologic" in r for r in rates["Rate"])


def _pdf_text(path: Path) -> str:
    done = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True)
    return done.stdout.decode("utf-8")


def test_the_pdf_and_docx_reports_are_written(adam_db: str, tmp_path: Path) -> None:
    out = tmp_path / "summary.pdf"
    argv = ["report", "--db", adam_db, "--user", TEST_USER, "--format", "pdf,docx"]
    argv += ["--out", str(out)]
    assert main(argv) == 0
    text = re.sub(r"\s+", " ", _pdf_text(out))
    assert "Complete response (CR)" in text
    assert "Data-quality findings at the cut-off" in text
    assert "dataset disagreement" in text  # the 11 ADTTE findings kept by the import
    assert "not CTCAE" in text  # the AE note names the protocol's grading scale
    assert "remission (Complete response) = best response in {CR}" in text
    with zipfile.ZipFile(out.with_suffix(".docx")) as docx:
        body = docx.read("word/document.xml").decode("utf-8")
    assert "Complete response (CR)" in body
    assert "Data-quality findings at the cut-off" in body
