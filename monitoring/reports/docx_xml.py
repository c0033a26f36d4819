"""WordprocessingML fragments for the DOCX writer, built as strings (fast for long tables).

python-docx's cell-by-cell API is slow for listings of thousands of cells; a table is
instead written as XML text and parsed. Its body rows are parsed in blocks of
``ROWS_PER_PARSE`` and moved into the document row by row: lxml moves a large subtree from
one document to another in time that grows faster than its size (a 28,000-row table took
16 s, a 7,000-row one 0.8 s), small subtrees in time proportional to their size.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from monitoring.reports import theme
from monitoring.reports.document import CellValue, RowStyle, Table
from monitoring.reports.formatting import format_cell
from monitoring.reports.layout import EMPTY_TEXT, INDENT, PAD, ColumnWidths

TWIPS_PER_POINT = 20
ROWS_PER_PARSE = 500
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xml_text(text: str) -> str:
    """Text safe inside ``w:t``: escaped, control characters removed."""
    return escape(_CONTROL.sub("", text))


def run(text: str, *, bold: bool = False, half_points: int | None = None) -> str:
    props = ("<w:b/>" if bold else "") + (f'<w:sz w:val="{half_points}"/>' if half_points else "")
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{xml_text(text)}</w:t></w:r>'


def _cell(
    text: str,
    width: int,
    *,
    right: bool,
    bold: bool,
    fill: str | None,
    size: int,
    span: int = 1,
    indent: int = 0,
    rule: bool = False,
    keep: bool = False,
) -> str:
    shading = f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>' if fill else ""
    grid = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
    border = (
        f'<w:tcBorders><w:top w:val="single" w:sz="6" w:color="{theme.RULE_COLOUR}"/></w:tcBorders>'
        if rule
        else ""
    )
    align = '<w:jc w:val="right"/>' if right else ""
    keep_next = "<w:keepNext/>" if keep else ""
    ind = f'<w:ind w:left="{indent}"/>' if indent else ""
    body = run(text.replace("\n", " "), bold=bold, half_points=size)
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{grid}{border}{shading}</w:tcPr>'
        f"<w:p><w:pPr>{keep_next}"
        '<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
        f"{ind}{align}</w:pPr>{body}</w:p></w:tc>"
    )


@dataclass(frozen=True)
class _Geometry:
    widths: tuple[int, ...]  # twips
    rights: tuple[bool, ...]
    size: int  # half-points


def _geometry(table: Table, fit: ColumnWidths) -> _Geometry:
    return _Geometry(
        tuple(round(w * TWIPS_PER_POINT) for w in fit.widths),
        tuple(c.right_aligned for c in table.columns),
        round(fit.font_size * 2),
    )


def table_element(table: Table, fit: ColumnWidths, style_id: str) -> Any:
    """A bordered ``w:tbl`` holding its header row (repeated on each page), or the
    "No records." row of an empty table; body rows come from :func:`body_rows`."""
    g = _geometry(table, fit)
    pad = round(PAD * TWIPS_PER_POINT)
    header = "".join(
        _cell(c.name, w, right=r, bold=True, fill=theme.HEADER_FILL, size=g.size)
        for c, w, r in zip(table.columns, g.widths, g.rights, strict=True)
    )
    rows = [f"<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>{header}</w:tr>"]
    if not table.rows:
        width, span = sum(g.widths), len(g.widths)
        empty = _cell(EMPTY_TEXT, width, right=False, bold=False, fill=None, size=g.size, span=span)
        rows.append(f"<w:tr>{empty}</w:tr>")
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in g.widths)
    xml = (
        f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="{style_id}"/>'
        f'<w:tblW w:w="{sum(g.widths)}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
        f'<w:tblCellMar><w:left w:w="{pad}" w:type="dxa"/><w:right w:w="{pad}" w:type="dxa"/>'
        f"</w:tblCellMar>"
        f'<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" '
        f'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"
    )
    return parse_xml(xml)


def _row(values: tuple[CellValue, ...], table: Table, g: _Geometry, index: int) -> str:
    """A body row: zebra fill; in a nested table, a group row bold with a rule above and
    kept with the next row, a member row's first cell indented."""
    style = table.style_of(index)
    nested = bool(table.row_styles)
    fill = theme.ZEBRA_FILL if index % 2 and not nested else None
    group = style is RowStyle.GROUP
    cells = "".join(
        _cell(
            format_cell(v, c),
            w,
            right=r,
            bold=group and j == 0,
            fill=fill,
            size=g.size,
            indent=round(INDENT * TWIPS_PER_POINT) if style is RowStyle.MEMBER and j == 0 else 0,
            rule=group and index > 0,
            keep=group,
        )
        for j, (v, c, w, r) in enumerate(
            zip(values, table.columns, g.widths, g.rights, strict=True)
        )
    )
    return f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{cells}</w:tr>"


def body_rows(table: Table, fit: ColumnWidths) -> Iterator[Any]:
    """The body rows (``w:tr``, zebra fill on every second row), parsed a block at a time."""
    g = _geometry(table, fit)
    for first in range(0, len(table.rows), ROWS_PER_PARSE):
        block = table.rows[first : first + ROWS_PER_PARSE]
        xml = "".join(_row(values, table, g, first + k) for k, values in enumerate(block))
        yield from list(parse_xml(f"<w:tbl {nsdecls('w')}>{xml}</w:tbl>"))


def fill_rows(element: Any, rows: Iterable[Any]) -> None:
    """Append ``rows`` to the table ``element``, one row at a time (see the module note)."""
    for row in rows:
        element.append(row)


def decision_properties(colour: str, fill: str) -> object:
    """Paragraph properties of a decision: tinted box with a thick bar in the status colour."""
    side = f'w:val="single" w:sz="4" w:space="4" w:color="{colour}"'
    return parse_xml(
        f"<w:pPr {nsdecls('w')}><w:pBdr><w:top {side}/>"
        f'<w:left w:val="single" w:sz="36" w:space="6" w:color="{colour}"/>'
        f"<w:bottom {side}/><w:right {side}/></w:pBdr>"
        f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>'
        f'<w:spacing w:before="80" w:after="120"/><w:ind w:left="120" w:right="120"/></w:pPr>'
    )


def page_number_runs(half_points: int) -> Sequence[object]:
    """Runs "Page {PAGE} of {NUMPAGES}" with Word fields (updated by Word/LibreOffice)."""
    size = f'<w:rPr><w:sz w:val="{half_points}"/></w:rPr>'

    def field(instr: str) -> str:
        return (
            f'<w:fldSimple {nsdecls("w")} w:instr=" {instr} \\* MERGEFORMAT ">'
            f"<w:r>{size}<w:t>1</w:t></w:r></w:fldSimple>"
        )

    def text(value: str) -> str:
        return f'<w:r {nsdecls("w")}>{size}<w:t xml:space="preserve">{value}</w:t></w:r>'

    return [parse_xml(x) for x in (text("Page "), field("PAGE"), text(" of "), field("NUMPAGES"))]


def set_font(style_element: Any, font: str) -> None:
    """Give a style an explicit font (theme font references removed, so it takes effect)."""
    rpr = style_element.get_or_add_rPr()
    for old in rpr.findall(qn("w:rFonts")):
        rpr.remove(old)
    rpr.insert(
        0,
        parse_xml(
            f'<w:rFonts {nsdecls("w")} w:ascii="{font}" w:hAnsi="{font}" w:cs="{font}" '
            f'w:eastAsia="{font}"/>'
        ),
    )


def contents_field() -> object:
    """A table of contents (Word's TOC field over Heading 1 and 2, with links), to be
    filled in when the document is opened (see :func:`update_fields_on_open`)."""
    return parse_xml(
        f'<w:p {nsdecls("w")}><w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> TOC \\o "1-2" \\h \\z \\u </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        "<w:r><w:t>The table of contents is filled in when the document is opened (Word "
        "asks to update its fields; in LibreOffice: Tools, Update, Update All).</w:t></w:r>"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )


# Elements that follow w:updateFields in w:settings (ECMA-376 CT_Settings sequence).
_AFTER_UPDATE_FIELDS = [
    "hdrShapeDefaults",
    "footnotePr",
    "endnotePr",
    "compat",
    "docVars",
    "rsids",
    "mathPr",
    "attachedSchema",
    "themeFontLang",
    "clrSchemeMapping",
    "doNotIncludeSubdocsInStats",
    "doNotAutoCompressPictures",
    "forceUpgrade",
    "captions",
    "readModeInkLockDown",
    "smartTagType",
    "schemaLibrary",
    "shapeDefaults",
    "doNotEmbedSmartTags",
    "decimalSymbol",
    "listSeparator",
]


def update_fields_on_open(settings_element: Any) -> None:
    """Ask Word to update the document's fields (the contents) when it is opened; the
    element goes where the schema puts it."""
    element = parse_xml(f'<w:updateFields {nsdecls("w")} w:val="true"/>')
    later = {qn(f"w:{name}") for name in _AFTER_UPDATE_FIELDS}
    following = next((c for c in settings_element if c.tag in later), None)
    if following is None:
        settings_element.append(element)
    else:
        following.addprevious(element)
