"""Write the REDCap-style test export from the demo trial's own CSVs (run once; output committed).

``PYTHONPATH=. .venv/bin/python tests/data/redcap/make_export.py`` writes, in this folder:
``product/`` (patients.csv, responses.csv, adverse_events.csv of the default protocol's
``on_track`` demo trial, seed 0, as ``monitoring.demo.write_tables`` writes them) and the
same data as a longitudinal REDCap project would export them: ``export.csv`` (CSV raw data:
events ``enrolment_arm_1`` and ``follow_up_arm_1`` hold the patient fields, the repeating
instruments ``response_assessment`` and ``adverse_event`` sit in ``treatment_arm_1``) and
``dictionary.csv`` (REDCap's data dictionary columns). ``mapping.toml`` maps them back.
"""

from __future__ import annotations

import csv
from pathlib import Path

from monitoring.demo import generate, write_tables
from monitoring.protocol import DEFAULT_TRIAL_ID, bundled_protocols, load_protocol

HERE = Path(__file__).parent
DICTIONARY_HEADER = [
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
]
SEX = {"M": "1", "F": "2", "U": "3"}
RESPONSES = ("CR", "CRp", "CRi", "PR", "NR", "PD", "NE")
ATTRIBUTIONS = ("unrelated", "unlikely", "possible", "probable", "definite")
DEATH_CAUSES = ("Pneumonia", "Progressive disease", "Hemorrhage", "Sepsis", "Other")
OFF_REASONS = (
    "Death",
    "Progression/relapse",
    "No remission",
    "Completed treatment",
    "Allogeneic HSCT",
    "Toxicity",
    "Withdrawal",
)


def choices(labels: tuple[str, ...]) -> str:
    return " | ".join(f"{i}, {label}" for i, label in enumerate(labels, start=1))


def code(labels: tuple[str, ...], value: str) -> str:
    return str(labels.index(value) + 1) if value else ""


# name, form, type, label, choices, validation
FIELDS = [
    ("record_id", "enrolment", "text", "Record ID", "", ""),
    ("intro", "enrolment", "descriptive", "Enrolment of one patient", "", ""),
    ("enrol_date", "enrolment", "text", "Date of enrolment", "", "date_ymd"),
    ("first_dose", "enrolment", "text", "First dose of study drug", "", "datetime_ymd"),
    ("age", "enrolment", "text", "Age at enrolment (years)", "", "integer"),
    ("sex", "enrolment", "radio", "Sex", "1, Male | 2, Female | 3, Unknown", ""),
    ("salvage", "enrolment", "text", "Salvage line", "", "integer"),
    ("prior_tx", "enrolment", "checkbox", "Prior therapy", "1, Chemo | 2, HSCT | 3, Other", ""),
    ("last_contact", "follow_up", "text", "Last known alive", "", "date_ymd"),
    ("progression", "follow_up", "text", "First progression or relapse", "", "date_ymd"),
    ("death_date", "follow_up", "text", "Date of death", "", "date_ymd"),
    ("death_cause", "follow_up", "dropdown", "Cause of death", choices(DEATH_CAUSES), ""),
    ("hsct_date", "follow_up", "text", "Allogeneic HSCT", "", "date_ymd"),
    ("smn_date", "follow_up", "text", "Second malignancy", "", "date_ymd"),
    ("off_tx_date", "follow_up", "text", "Off treatment", "", "date_ymd"),
    ("off_tx_reason", "follow_up", "radio", "Reason off treatment", choices(OFF_REASONS), ""),
    ("resp_date", "response_assessment", "text", "Assessment date", "", "date_ymd"),
    ("resp_cycle", "response_assessment", "text", "Cycle", "", "integer"),
    ("resp", "response_assessment", "radio", "Response", choices(RESPONSES), ""),
    ("blasts", "response_assessment", "text", "Marrow blasts (%)", "", "number"),
    ("mrd_neg", "response_assessment", "yesno", "MRD negative", "", ""),
    ("mrd_level", "response_assessment", "text", "MRD level", "", "number"),
    ("ae_term", "adverse_event", "text", "CTCAE term", "", ""),
    ("ae_soc", "adverse_event", "text", "System organ class", "", ""),
    ("ae_grade", "adverse_event", "radio", "Grade", choices(tuple("12345")), ""),
    ("ae_onset", "adverse_event", "text", "Onset", "", "date_ymd"),
    ("ae_resolved", "adverse_event", "text", "Resolution", "", "date_ymd"),
    ("ae_rel", "adverse_event", "dropdown", "Attribution", choices(ATTRIBUTIONS), ""),
    ("ae_serious", "adverse_event", "yesno", "Serious", "", ""),
]
FORMS = ("enrolment", "follow_up", "response_assessment", "adverse_event")


def export_header() -> list[str]:
    header = ["record_id", "redcap_event_name", "redcap_repeat_instrument"]
    header += ["redcap_repeat_instance", "redcap_data_access_group"]
    for form in FORMS:
        for name, field_form, kind, _, options, _ in FIELDS:
            if field_form != form or name == "record_id" or kind == "descriptive":
                continue
            if kind == "checkbox":
                header += [f"{name}___{part.split(',')[0].strip()}" for part in options.split("|")]
            else:
                header.append(name)
        header.append(f"{form}_complete")
    return header


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def main() -> None:
    protocol = load_protocol(bundled_protocols()[DEFAULT_TRIAL_ID])
    write_tables(generate(protocol, "on_track", 0), HERE / "product")
    patients = rows_of(HERE / "product" / "patients.csv")
    responses = rows_of(HERE / "product" / "responses.csv")
    events = rows_of(HERE / "product" / "adverse_events.csv")
    rows: list[dict[str, str]] = []
    for p in patients:
        rid = p["patient_id"]
        rows.append(
            {
                "record_id": rid,
                "redcap_event_name": "enrolment_arm_1",
                "redcap_data_access_group": p["site"].lower().replace(" ", "_"),
                "enrol_date": p["enrollment_date"],
                "first_dose": f"{p['first_dose_date']} 09:30" if p["first_dose_date"] else "",
                "age": p["age"],
                "sex": SEX[p["sex"]] if p["sex"] else "",
                "salvage": p["salvage_line"],
                "prior_tx___1": "1",
                "prior_tx___2": "0",
                "prior_tx___3": "0",
                "enrolment_complete": "2",
            }
        )
        rows.append(
            {
                "record_id": rid,
                "redcap_event_name": "follow_up_arm_1",
                "last_contact": p["last_contact_date"],
                "progression": p["progression_date"],
                "death_date": p["death_date"],
                "death_cause": code(DEATH_CAUSES, p["death_cause"]),
                "hsct_date": p["hsct_date"],
                "smn_date": p["second_malignancy_date"],
                "off_tx_date": p["off_treatment_date"],
                "off_tx_reason": code(OFF_REASONS, p["off_treatment_reason"]),
                "follow_up_complete": "2",
            }
        )
        mine = [r for r in responses if r["patient_id"] == rid]
        for instance, r in enumerate(mine, start=1):
            rows.append(
                {
                    "record_id": rid,
                    "redcap_event_name": "treatment_arm_1",
                    "redcap_repeat_instrument": "response_assessment",
                    "redcap_repeat_instance": str(instance),
                    "resp_date": r["assessment_date"],
                    "resp_cycle": r["cycle"],
                    "resp": code(RESPONSES, r["response"]),
                    "blasts": r["marrow_blasts_pct"],
                    "mrd_neg": {"Y": "1", "N": "0", "": ""}[r["mrd_negative"]],
                    "mrd_level": r["mrd_level"],
                    "response_assessment_complete": "2",
                }
            )
        mine = [e for e in events if e["patient_id"] == rid]
        for instance, e in enumerate(mine, start=1):
            rows.append(
                {
                    "record_id": rid,
                    "redcap_event_name": "treatment_arm_1",
                    "redcap_repeat_instrument": "adverse_event",
                    "redcap_repeat_instance": str(instance),
                    "ae_term": e["term"],
                    "ae_soc": e["category"],
                    "ae_grade": e["grade"],
                    "ae_onset": e["onset_date"],
                    "ae_resolved": e["resolution_date"],
                    "ae_rel": code(ATTRIBUTIONS, e["attribution"]),
                    "ae_serious": {"Y": "1", "N": "0", "": ""}[e["serious"]],
                    "adverse_event_complete": "2",
                }
            )
    header = export_header()
    with (HERE / "export.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([row.get(name, "") for name in header] for row in rows)
    with (HERE / "dictionary.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(DICTIONARY_HEADER)
        for name, form, kind, label, options, validation in FIELDS:
            row = [name, form, "", kind, label, options, "", validation]
            writer.writerow(row + [""] * (len(DICTIONARY_HEADER) - len(row)))


if __name__ == "__main__":
    main()
