"""Write tests/data/sas7bdat/adsl.sas7bdat from the pharmaverseadam sample's ADSL (run by
hand, not by the tests: pyreadstat reads SAS7BDAT but cannot write it).

The variables the sample mapping (data/mappings/pharmaverseadam.toml) reads, every subject,
typed as SAS holds them: dates as SAS dates (days since 1960-01-01) with format DATE9., AGE
a number, the rest character, each with its ADaM label. Written through the SAS7BDAT writer
of the ReadStat C library (Debian package ``libreadstat1``, version 1.1.8), the library
pyreadstat is built on, called here with ctypes:

    .venv/bin/python tests/data/sas7bdat/make_adsl.py
"""

from __future__ import annotations

import ctypes
from datetime import date
from pathlib import Path

import pandas as pd

HERE = Path(__file__).parent
SOURCE = HERE.parent / "pharmaverseadam" / "adsl.csv"
LABELS = {
    "STUDYID": "Study Identifier",
    "USUBJID": "Unique Subject Identifier",
    "SITEID": "Study Site Identifier",
    "AGE": "Age",
    "SEX": "Sex",
    "ARMCD": "Planned Arm Code",
    "RANDDT": "Date of Randomization",
    "TRTSDT": "Date of First Exposure to Treatment",
    "TRTEDT": "Date of Last Exposure to Treatment",
    "DTHDT": "Date of Death",
    "LSTALVDT": "Date Last Known Alive",
    "SAFFL": "Safety Population Flag",
}
DATES = ("RANDDT", "TRTSDT", "TRTEDT", "DTHDT", "LSTALVDT")
NUMBERS = ("AGE",)
STRING, DOUBLE = 0, 5  # readstat_type_t
SAS_EPOCH = date(1960, 1, 1)
WRITER = ctypes.CFUNCTYPE(ctypes.c_ssize_t, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p)


def _library() -> ctypes.CDLL:
    lib = ctypes.CDLL("libreadstat.so.1")
    lib.readstat_writer_init.restype = ctypes.c_void_p
    lib.readstat_add_variable.restype = ctypes.c_void_p
    lib.readstat_add_variable.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_size_t,
    ]
    for name in ("readstat_variable_set_label", "readstat_variable_set_format"):
        getattr(lib, name).argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    for name in ("readstat_writer_set_file_label", "readstat_writer_set_table_name"):
        getattr(lib, name).argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    lib.readstat_set_data_writer.argtypes = [ctypes.c_void_p, WRITER]
    lib.readstat_begin_writing_sas7bdat.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_long]
    lib.readstat_insert_double_value.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_double]
    lib.readstat_insert_string_value.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p]
    lib.readstat_insert_missing_value.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    for name in ("readstat_begin_row", "readstat_end_row", "readstat_end_writing"):
        getattr(lib, name).argtypes = [ctypes.c_void_p]
    lib.readstat_writer_free.argtypes = [ctypes.c_void_p]
    return lib


def _check(code: int, what: str) -> None:
    if code != 0:
        raise RuntimeError(f"{what}: ReadStat error {code}")


def main() -> None:
    frame = pd.read_csv(SOURCE, dtype=str, keep_default_na=False)[list(LABELS)]
    frame = frame.replace("NA", "")
    lib = _library()
    out = bytearray()

    @WRITER
    def write(data: int, length: int, _ctx: int) -> int:
        out.extend(ctypes.string_at(data, length))
        return length

    writer = lib.readstat_writer_init()
    _check(lib.readstat_set_data_writer(writer, write), "data writer")
    _check(lib.readstat_writer_set_file_label(writer, b"Subject-Level Analysis Dataset"), "label")
    _check(lib.readstat_writer_set_table_name(writer, b"ADSL"), "table name")
    variables = {}
    for name, label in LABELS.items():
        numeric = name in DATES or name in NUMBERS
        width = 8 if numeric else max(1, int(frame[name].str.len().max()))
        variable = lib.readstat_add_variable(
            writer, name.encode(), DOUBLE if numeric else STRING, width
        )
        lib.readstat_variable_set_label(variable, label.encode())
        if name in DATES:
            lib.readstat_variable_set_format(variable, b"DATE9")
        variables[name] = variable
    _check(lib.readstat_begin_writing_sas7bdat(writer, None, len(frame)), "begin")
    for record in frame.to_dict("records"):
        _check(lib.readstat_begin_row(writer), "row")
        for name, variable in variables.items():
            value = record[name]
            if value == "":
                _check(lib.readstat_insert_missing_value(writer, variable), name)
            elif name in DATES:
                days = (date.fromisoformat(value) - SAS_EPOCH).days
                _check(lib.readstat_insert_double_value(writer, variable, float(days)), name)
            elif name in NUMBERS:
                _check(lib.readstat_insert_double_value(writer, variable, float(value)), name)
            else:
                _check(lib.readstat_insert_string_value(writer, variable, value.encode()), name)
        _check(lib.readstat_end_row(writer), "end row")
    _check(lib.readstat_end_writing(writer), "end")
    lib.readstat_writer_free(writer)
    (HERE / "adsl.sas7bdat").write_bytes(bytes(out))


if __name__ == "__main__":
    main()
