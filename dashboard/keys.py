"""Every session-state and widget key, in one place (pages never spell a key as a string)."""

from __future__ import annotations

import enum


class Key(enum.StrEnum):
    """Session-state keys; widget keys are also how tests find widgets."""

    # sign-in gate (dashboard/signin.py)
    SESSION_TOKEN = "session_token"
    PRINCIPAL = "principal"  # the signed-in person of this run (monitoring.accounts.Principal)
    SESSION_CHECKED = "session_checked"  # time.monotonic() of the last session check
    SSO_LOGOUT = "sso_logout"  # signed out: drop the identity provider's sign-in too
    SSO_REFUSED = "sso_refused"  # the identity provider's user no account matches
    SIGN_IN_NAME = "sign_in_name"
    SIGN_IN_PASSWORD = "sign_in_password"
    SIGN_IN_BUTTON = "sign_in_button"
    SIGN_IN_MESSAGE = "sign_in_message"
    SSO_BUTTON = "sso_button"
    SIGN_OUT_BUTTON = "sign_out_button"
    PASSWORD_CURRENT = "password_current"
    PASSWORD_NEW = "password_new"
    PASSWORD_BUTTON = "password_button"
    # sidebar (every page)
    TRIAL = "trial"
    CUTOFF = "cutoff"
    AS_KNOWN_ON = "as_known_on"
    SELECTION = "selection"
    CARDS_PAINTED = "cards_painted"  # the tab has drawn decision cards once
    REROUTED = "rerouted"  # a page run alone was sent through app.py once
    # survival page
    ENDPOINT = "survival_endpoint"
    GROUP_BY = "survival_group_by"
    # efficacy page
    SWIMMER_LIMIT = "swimmer_limit"
    # data page
    IMPORT_FILES = "import_files"
    IMPORT_BUTTON = "import_button"
    IMPORT_FORMAT = "import_format"
    IMPORT_MAPPING = "import_mapping"
    IMPORT_DATASETS = "import_datasets"
    CORRECTION_TABLE = "correction_table"
    CORRECTION_KEY = "correction_key"
    CORRECTION_COLUMN = "correction_column"
    CORRECTION_VALUE = "correction_value"
    CORRECTION_REASON = "correction_reason"
    CORRECTION_BUTTON = "correction_button"
    ANALYSED_TABLE = "data_analysed_table"
    LAST_IMPORT = "last_import"  # the ImportResult shown after the rerun that follows it
    LAST_CORRECTION = "last_correction"  # the CorrectionOutcome shown after its rerun
    # design page
    TOX_PRIOR_A = "design_tox_prior_a"
    TOX_PRIOR_B = "design_tox_prior_b"
    TOX_THRESHOLD = "design_tox_threshold"
    TOX_CONFIDENCE = "design_tox_confidence"
    TOX_COHORT = "design_tox_cohort"
    TOX_NMAX = "design_tox_nmax"
    SIMON_P0 = "design_simon_p0"
    SIMON_P1 = "design_simon_p1"
    SIMON_ALPHA = "design_simon_alpha"
    SIMON_BETA = "design_simon_beta"
    SIMON_NMAX = "design_simon_nmax"
    SIMON_BUTTON = "design_simon_button"
    GS_ALPHA = "design_gs_alpha"
    GS_POWER = "design_gs_power"
    GS_HR = "design_gs_hazard_ratio"
    GS_ALLOCATION = "design_gs_allocation"
    GS_EFFICACY = "design_gs_efficacy_spending"
    GS_EFFICACY_GAMMA = "design_gs_efficacy_gamma"
    GS_FUTILITY = "design_gs_futility_spending"
    GS_FUTILITY_GAMMA = "design_gs_futility_gamma"
    GS_FRACTIONS = "design_gs_fractions"
    # reports page
    REPORT_LOOK = "report_look"
    REPORT_VERSION = "report_version"
    REPORT_FORMAT = "report_format"
    LAST_REPORT = "last_report"  # the GeneratedReport offered for download
    REPORT_BUTTON = "report_button"
    REPORT_SENT_ID = "report_sent_id"
    REPORT_SENT_BUTTON = "report_sent_button"
    SIGN_OFF_LOOK = "sign_off_look"
    SIGN_OFF_BUTTON = "sign_off_button"
    SIGN_OFF_RECOMMENDATION = "sign_off_recommendation"
    REPORT_MEETING = "report_meeting_date"
    CLOSED_SEEN = "closed_seen"  # (url, trial, what) of closed data recorded as viewed
