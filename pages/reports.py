"""Reports: generate and download the efficacy/toxicity summary of a look."""

from datetime import date

import streamlit as st

from dashboard import components, history, reads, signin, source, writes
from dashboard.keys import Key
from dashboard.selection import current
from monitoring.accounts.events import Event
from monitoring.analysis.access import SENDS, SIGNS_OFF, View, holds
from monitoring.reports.content import RECOMMENDATIONS
from monitoring.reports.document import VersionLabel
from monitoring.reports.export import ReportFormat

selection = current()
status = selection.status()
st.title("Reports")
due = status.summary_due
if due is not None:
    st.warning(
        f"**Summary due** for look {due.number} ({due.evaluable} evaluable patients, reached "
        f"on {due.reached_on}).",
        icon=":material/notification_important:",
    )
reached = [look for look in status.looks if look.reached]
cols = st.columns(3)
look = cols[0].selectbox(
    "Look",
    [None, *(lk.evaluable for lk in reversed(reached))],
    format_func=lambda n: (
        f"data at the cut-off {selection.cutoff}" if n is None else f"look at {n} patients"
    ),
    key=Key.REPORT_LOOK,
    index=1 if reached else 0,
)
# Both selectboxes always hold one of their options (they have a default index). The open
# view is offered the open version only (the closed one is refused where it is produced).
versions = list(VersionLabel) if selection.view is View.CLOSED else [VersionLabel.OPEN]
version: VersionLabel = cols[1].selectbox(
    "Version",
    versions,
    format_func=lambda v: v.value,
    key=Key.REPORT_VERSION,
    index=len(versions) - 1 if VersionLabel.CLOSED in versions else 0,  # as the command
)
fmt: ReportFormat = cols[2].selectbox(  # type: ignore[assignment]
    "Format", list(ReportFormat), format_func=lambda f: f.value.upper(), key=Key.REPORT_FORMAT
)
meeting = st.date_input(
    "DSMB meeting (printed on the cover)",
    value=None,
    key=Key.REPORT_MEETING,
    help="Leave empty if the meeting is not set: the cover says so.",
)
if st.button("Generate the summary", key=Key.REPORT_BUTTON, type="primary"):
    with st.status("Generating the summary…", expanded=True) as progress:
        st.write("Decisions, tables and figures at the chosen cut-off…")
        report = reads.generate_report(
            selection.url,
            selection.trial_id,
            cutoff=selection.cutoff,
            as_known_on=selection.as_known_on,
            look=look,
            version=version,
            fmt=fmt,
            meeting_date=meeting if isinstance(meeting, date) else None,
        )
        progress.update(label=f"{report.file_name} ready", state="complete")
    st.session_state[Key.LAST_REPORT] = report
    writes.record(selection.url, Event.REPORT_GENERATED, selection.trial_id, report.file_name)
    if version is VersionLabel.CLOSED:
        writes.record_closed_view(selection.url, selection.trial_id, "closed report")
    if report.record is not None:
        st.rerun()  # the look's summary is now recorded: banner and log change
last = st.session_state.get(Key.LAST_REPORT)
if last is not None:
    st.download_button(
        f"Download {last.file_name}",
        data=last.content,
        file_name=last.file_name,
        mime=last.mime,
        key="download_report",
        on_click=writes.record,
        args=(selection.url, Event.DOWNLOADED, selection.trial_id, last.file_name),
        icon=":material/download:",
    )
if not source.is_demo(selection.url):
    st.subheader("Reports generated")
    components.table(history.reports_frame(selection.url, selection.trial_id), "Reports")
    records = history.report_records(selection.url, selection.trial_id)
    principal = signin.signed_in()
    unsent = [r.id for r in records if r.sent_at is None]
    if holds(principal, selection.trial_id, SENDS) and unsent:
        left, right = st.columns([3, 1], vertical_alignment="bottom")
        sent_id = left.selectbox(
            "Report sent", unsent, key=Key.REPORT_SENT_ID, format_func=lambda i: f"report {i}"
        )
        if right.button("Record as sent", key=Key.REPORT_SENT_BUTTON):
            writes.mark_sent(selection.url, selection.trial_id, int(sent_id))
            st.rerun()
    generated = {r.look for r in records if r.look is not None and r.signed_off_at is None}
    to_sign = [lk for lk in reached if lk.evaluable in generated]
    if holds(principal, selection.trial_id, SIGNS_OFF) and to_sign:
        left, middle, right = st.columns([2, 2, 1], vertical_alignment="bottom")
        chosen = left.selectbox(
            "Sign off the summary of",
            to_sign,
            key=Key.SIGN_OFF_LOOK,
            format_func=lambda lk: f"look at {lk.evaluable} patients",
        )
        advice = middle.selectbox(
            "Committee's recommendation",
            [choice.word for choice in RECOMMENDATIONS],
            key=Key.SIGN_OFF_RECOMMENDATION,
            format_func=str.capitalize,
            help="As ticked on the report's recommendation form.",
        )
        if right.button("Sign off", key=Key.SIGN_OFF_BUTTON) and chosen.reached_on is not None:
            writes.sign_off(
                selection.url, selection.trial_id, chosen.evaluable, chosen.reached_on, advice
            )
            st.rerun()
look_option = f" --look {look}" if look else ""
if isinstance(meeting, date):
    look_option += f" --meeting-date {meeting.isoformat()}"
components.reproduce(
    f"python -m monitoring report {selection.cli_options()}{look_option} "
    f"--version {version.name.lower()} --format {fmt.value} --out summary.{fmt.value}"
)
