"""Data: quality findings, import files (all or nothing), corrections with a reason, audit
log, the tables analysed."""

import streamlit as st

from dashboard import awaiting, components, history, source, tables, writes
from dashboard.keys import Key
from dashboard.selection import EmptyTrial, Selection, current_trial
from monitoring.data_dictionary import TABLES

selection = current_trial()
st.title("Data")
if isinstance(selection, EmptyTrial):  # nothing imported yet: say what to import first
    awaiting.notice(selection.awaiting)
    awaiting.import_next(selection.awaiting)
else:
    findings = selection.quality()
    st.subheader(f"Data-quality findings ({len(findings)})")
    st.caption(
        "Missing or overdue assessments, overdue follow-up, dates and cycles out of order, "
        "unresolved severe adverse events, at the cut-off, and the records of an imported "
        "ADaM ADTTE that disagree with the dates (checks and windows: "
        'docs/methods.md, "Data quality").'
    )
    if findings:
        components.table(tables.quality_frame(findings), "Data quality findings")
    else:
        st.success("No finding at this cut-off.")
if source.is_demo(selection.url):
    st.info(
        "This is the in-memory demo trial: imports and corrections need a database "
        f"({source.ENV_VAR} set to an SQLAlchemy URL or an SQLite file).",
        icon=":material/info:",
    )
elif not writes.may_write(selection.trial_id):
    st.info(
        "Imports and corrections are made by the trial's statistician: your role on this "
        "trial does not include them.",
        icon=":material/lock:",
    )
if not source.is_demo(selection.url) and writes.may_write(selection.trial_id):
    st.subheader("Import")
    formats = {
        "csv": "Product tables (CSV, XLSX)",
        "adam": "CDISC ADaM",
        "sdtm": "CDISC SDTM",
        "redcap": "REDCap export",
    }
    chosen = st.radio(
        "Format",
        list(formats),
        format_func=formats.__getitem__,
        horizontal=True,
        key=Key.IMPORT_FORMAT,
    )
    if chosen == "csv":
        st.caption(
            "CSV files named after their table (patients.csv, responses.csv, "
            "adverse_events.csv) or one XLSX workbook with a sheet per table. An import is all "
            "or nothing: if any problem is found nothing is written, and every problem is listed."
        )
        uploads = st.file_uploader(
            "Data files", type=["csv", "xlsx"], accept_multiple_files=True, key=Key.IMPORT_FILES
        )
        if st.button("Import", key=Key.IMPORT_BUTTON, disabled=not uploads, type="primary"):
            with st.status("Importing…", expanded=True) as progress:
                st.write(f"Validating {len(uploads)} file(s) against the data dictionary…")
                result = writes.import_uploads(selection.url, selection.trial_id, uploads)
                progress.update(label="Import finished", state="complete")
            st.session_state[Key.LAST_IMPORT] = result
            st.rerun()  # every page and the sidebar now read the new data version
    else:
        st.caption(
            "The trial's datasets (XPT, SAS7BDAT, CSV or Dataset-JSON; REDCap: the export and "
            "its data dictionary) and the mapping file that says which dataset and variable "
            "holds each column (docs/mapping.md). The mapped tables are imported all or "
            "nothing, every problem naming the dataset, the record and the variable."
        )
        mapping = st.file_uploader("Mapping file", type=["toml"], key=Key.IMPORT_MAPPING)
        datasets = st.file_uploader(
            "Datasets",
            type=["xpt", "sas7bdat", "csv", "json", "ndjson"],
            accept_multiple_files=True,
            key=Key.IMPORT_DATASETS,
        )
        ready = mapping is not None and bool(datasets)
        pressed = st.button("Import", key=Key.IMPORT_BUTTON, disabled=not ready, type="primary")
        if pressed and mapping is not None and datasets:
            with st.status("Importing…", expanded=True) as progress:
                st.write(f"Mapping {len(datasets)} dataset(s) with {mapping.name}…")
                result = writes.import_mapped(
                    selection.url, selection.trial_id, chosen, mapping, datasets
                )
                progress.update(label="Import finished", state="complete")
            st.session_state[Key.LAST_IMPORT] = result
            st.rerun()
    last = st.session_state.get(Key.LAST_IMPORT)
    if last is not None:
        if last.accepted:
            counts = "; ".join(
                f"{c.table}: {c.added} added, {c.changed} changed" for c in last.counts
            )
            st.success(f"Imported {', '.join(last.files)} (batch {last.batch_id}). {counts}.")
            if last.notes:
                with st.expander(f"Notes ({len(last.notes)})"):
                    components.table(writes.notes_frame(last), "Import notes")
        else:
            st.error(
                f"Import refused: {len(last.problems)} problem(s); nothing was written.",
                icon=":material/block:",
            )
            components.table(writes.problems_frame(last), "Import problems")

    st.subheader("Correct a value")
    with st.form("correction", clear_on_submit=False, border=True):
        cols = st.columns(3)
        table = cols[0].selectbox("Table", list(TABLES), key=Key.CORRECTION_TABLE)
        key = cols[1].text_input(
            "Row key",
            placeholder="patient_id=P001",
            key=Key.CORRECTION_KEY,
            help="The row's key columns, e.g. patient_id=P001,assessment_date=2025-01-03",
        )
        column = cols[2].text_input("Column", key=Key.CORRECTION_COLUMN)
        value = st.text_input("New value (empty clears it)", key=Key.CORRECTION_VALUE)
        reason = st.text_input(
            "Reason (required, kept in the audit log)", key=Key.CORRECTION_REASON
        )
        submitted = st.form_submit_button("Apply correction", type="primary")
    if submitted:
        outcome = writes.correct(
            selection.url, selection.trial_id, str(table), key, column, value, reason
        )
        st.session_state[Key.LAST_CORRECTION] = outcome
        if outcome.error is None:
            st.rerun()
    last_outcome = st.session_state.get(Key.LAST_CORRECTION)
    if last_outcome is not None and last_outcome.error is not None:
        st.error(f"Correction refused: {last_outcome.error}")
    elif last_outcome is not None and last_outcome.result is not None:
        st.success(writes.correction_message(last_outcome.result))

if not source.is_demo(selection.url):
    st.subheader("Imports")
    components.table(history.batches_frame(selection.url, selection.trial_id), "Import batches")
    st.subheader("Audit log")
    components.table(
        history.audit_frame(selection.url, selection.trial_id), "Audit log", height=320
    )

if isinstance(selection, Selection):  # the tables analysed exist only with data
    st.subheader(f"Data analysed at the cut-off {selection.cutoff.isoformat()}")
    analysed = selection.analysed_tables()
    shown = st.selectbox(
        "Table",
        list(analysed),
        index=None,
        format_func=lambda name: f"{name} ({len(analysed[name]):,} rows)",
        placeholder="Choose a table to view and download it",
        key=Key.ANALYSED_TABLE,
    )
    if shown is not None:  # one table at a time: a whole trial's tables weigh megabytes per run
        components.table(analysed[shown], shown, height=420)
mapped = st.session_state.get(Key.IMPORT_FORMAT, "csv")
components.reproduce(
    f"python -m monitoring import --db '{selection.url}' --trial {selection.trial_id} "
    + ("FILE..." if mapped == "csv" else f"--format {mapped} --mapping FILE PATH..."),
    f"python -m monitoring audit --db '{selection.url}' --trial {selection.trial_id}",
)
