"""Adverse-event terms of the demo trials: CTCAE v4.03 terms and system organ classes seen
with inotuzumab ozogamicin (hematologic, hepatic, infections, gastrointestinal, general),
with relative frequency, grade distribution and the chance the investigator deems them
related. Illustrative figures for demo data only, not estimates."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

INVESTIGATIONS = "Investigations"
BLOOD = "Blood and lymphatic system disorders"
INFECTIONS = "Infections and infestations"
GI = "Gastrointestinal disorders"
GENERAL = "General disorders and administration site conditions"
METABOLISM = "Metabolism and nutrition disorders"
HEPATOBILIARY = "Hepatobiliary disorders"

LIVER_TESTS = (0.60, 0.25, 0.12, 0.03)
MILD = (0.60, 0.30, 0.10, 0.00)


@dataclass(frozen=True)
class Term:
    term: str
    category: str
    weight: float
    grades: tuple[float, float, float, float]  # probabilities of grades 1-4
    related: float


TERMS: tuple[Term, ...] = (
    Term("Platelet count decreased", INVESTIGATIONS, 14, (0.10, 0.15, 0.35, 0.40), 0.7),
    Term("Neutrophil count decreased", INVESTIGATIONS, 12, (0.05, 0.10, 0.35, 0.50), 0.7),
    Term("Anemia", BLOOD, 10, (0.10, 0.30, 0.55, 0.05), 0.5),
    Term("Febrile neutropenia", BLOOD, 8, (0.00, 0.00, 0.85, 0.15), 0.6),
    Term("Aspartate aminotransferase increased", INVESTIGATIONS, 7, LIVER_TESTS, 0.7),
    Term("Alanine aminotransferase increased", INVESTIGATIONS, 7, LIVER_TESTS, 0.7),
    Term("Blood bilirubin increased", INVESTIGATIONS, 5, (0.45, 0.30, 0.20, 0.05), 0.6),
    Term("Alkaline phosphatase increased", INVESTIGATIONS, 3, LIVER_TESTS, 0.5),
    Term("GGT increased", INVESTIGATIONS, 3, LIVER_TESTS, 0.5),
    Term("Lung infection", INFECTIONS, 4, (0.00, 0.30, 0.60, 0.10), 0.3),
    Term("Sepsis", INFECTIONS, 2, (0.00, 0.00, 0.40, 0.60), 0.3),
    Term("Urinary tract infection", INFECTIONS, 2, (0.20, 0.50, 0.30, 0.00), 0.2),
    Term("Nausea", GI, 8, MILD, 0.5),
    Term("Vomiting", GI, 4, MILD, 0.5),
    Term("Diarrhea", GI, 5, MILD, 0.4),
    Term("Abdominal pain", GI, 3, MILD, 0.3),
    Term("Fatigue", GENERAL, 9, (0.50, 0.40, 0.10, 0.00), 0.5),
    Term("Fever", GENERAL, 6, (0.50, 0.40, 0.10, 0.00), 0.4),
    Term("Headache", "Nervous system disorders", 4, (0.70, 0.25, 0.05, 0.00), 0.3),
    Term(
        "Infusion related reaction",
        "Injury, poisoning and procedural complications",
        2,
        (0.50, 0.40, 0.10, 0.00),
        0.9,
    ),
    Term("Hypokalemia", METABOLISM, 4, (0.40, 0.30, 0.25, 0.05), 0.3),
    Term("Tumor lysis syndrome", METABOLISM, 1, (0.00, 0.00, 0.90, 0.10), 0.6),
    Term("Epistaxis", "Respiratory, thoracic and mediastinal disorders", 2, MILD, 0.3),
    Term("Rash maculo-papular", "Skin and subcutaneous tissue disorders", 2, MILD, 0.4),
)

# Fatal events recorded as a grade-5 AE on the day of death: (death cause, term, category).
FATAL_EVENTS: tuple[tuple[str, str, str], ...] = (
    ("Sepsis", "Sepsis", INFECTIONS),
    ("Pneumonia", "Lung infection", INFECTIONS),
    ("Hemorrhage", "Intracranial hemorrhage", "Nervous system disorders"),
)
VOD_CATEGORY = HEPATOBILIARY
NERVOUS = "Nervous system disorders"
# Monitored terms outside TERMS, by system organ class (VOD_CATEGORY for any other).
MONITORED_CATEGORIES = {
    "Peripheral sensory neuropathy": NERVOUS,
    "Peripheral motor neuropathy": NERVOUS,
    "Peripheral neuropathy": NERVOUS,
    "Neuropathy": NERVOUS,
}
RELATED = ("possible", "probable", "definite")
RELATED_P = (0.5, 0.35, 0.15)
UNRELATED = ("unrelated", "unlikely")
UNRELATED_P = (0.4, 0.6)


def category_of(term: str) -> str:
    """The system organ class a demo event of ``term`` is recorded under."""
    known = {t.term: t.category for t in TERMS}
    return known.get(term) or MONITORED_CATEGORIES.get(term, VOD_CATEGORY)


def term_arrays() -> tuple[
    npt.NDArray[np.object_],
    npt.NDArray[np.object_],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
]:
    """Terms, categories, sampling probabilities, cumulative grade probabilities and the
    probability of relatedness, as arrays for vectorised sampling."""
    terms = np.array([t.term for t in TERMS], dtype=object)
    categories = np.array([t.category for t in TERMS], dtype=object)
    weights = np.array([t.weight for t in TERMS], dtype=float)
    cumulative = np.cumsum(np.array([t.grades for t in TERMS], dtype=float), axis=1)
    related = np.array([t.related for t in TERMS], dtype=float)
    return terms, categories, weights / weights.sum(), cumulative, related
