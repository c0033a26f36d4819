"""A PNG drawn in the PDF from its own compressed data, without decoding it.

reportlab draws a PNG by decoding it, hashing the pixels and compressing them again (plus a
second image for an alpha channel): for the report's six charts that was about half the
PDF writer's time (docs/performance.md, "Report command"). A PDF image's Flate filter with
the PNG predictor reads a PNG's image data as it is (ISO 32000-1, 7.4.4.4: /Predictor 15,
each row led by its PNG filter type), so an 8-bit RGB or grey, non-interlaced PNG without
palette or transparency (what :meth:`monitoring.charts.static.StaticChart.png` writes) is
embedded unchanged: the same pixels, read by any PDF viewer as reportlab's image would be.
Any other PNG is drawn by reportlab as before.

The image is registered on the canvas the way ``Canvas.drawImage`` registers one (once per
document, by digest; ``tests/test_report_writers.py`` checks the pixels a PDF reader
extracts against the PNG's).
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from typing import Any

from reportlab.lib.utils import ImageReader, _digester
from reportlab.pdfbase.pdfdoc import (
    PDFDictionary,
    PDFImageXObject,
    PDFName,
    PDFStream,
)
from reportlab.pdfgen.canvas import Canvas

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_COLOURS = {0: 1, 2: 3}  # PNG colour type -> components (grey, RGB)
_COLOUR_SPACES = {1: "DeviceGray", 3: "DeviceRGB"}


@dataclass(frozen=True)
class PngData:
    """What a PDF image needs of a PNG: its size, its components, its compressed rows."""

    width: int
    height: int
    colours: int
    data: bytes
    """The IDAT chunks' contents joined: one zlib stream of filtered rows."""


def png_data(png: bytes) -> PngData | None:
    """The image data of ``png`` if a PDF can take it unchanged (8 bits a component, grey
    or RGB, not interlaced, no palette or transparency chunk); None otherwise."""
    if not png.startswith(_SIGNATURE):
        return None
    header: tuple[int, ...] | None = None
    parts: list[bytes] = []
    position = len(_SIGNATURE)
    while position + 8 <= len(png):
        length, kind = struct.unpack(">I4s", png[position : position + 8])
        body = png[position + 8 : position + 8 + length]
        if kind == b"IHDR" and length == 13:
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            parts.append(body)
        elif kind in (b"PLTE", b"tRNS"):
            return None
        elif kind == b"IEND":
            break
        position += 12 + length
    if header is None or not parts:
        return None
    width, height, depth, colour_type, compression, filtering, interlace = header
    colours = _COLOURS.get(colour_type)
    if depth != 8 or colours is None or compression or filtering or interlace:
        return None
    return PngData(width, height, colours, b"".join(parts))


class _PngImage(PDFImageXObject):  # type: ignore[misc]
    """An image XObject whose stream is the PNG's own Flate data, read with the PNG
    predictor."""

    def __init__(self, name: str, png: PngData) -> None:
        super().__init__(name)
        self.png = png
        self.width, self.height = png.width, png.height
        self.bitsPerComponent = 8
        self.colorSpace = _COLOUR_SPACES[png.colours]
        self.mask = None

    def format(self, document: Any) -> bytes:
        png = self.png
        stream = PDFStream(content=png.data)
        entries = stream.dictionary
        entries["Type"] = PDFName("XObject")
        entries["Subtype"] = PDFName("Image")
        entries["Width"] = png.width
        entries["Height"] = png.height
        entries["BitsPerComponent"] = 8
        entries["ColorSpace"] = PDFName(self.colorSpace)
        entries["Filter"] = PDFName("FlateDecode")  # a name: its DecodeParms a dictionary
        entries["DecodeParms"] = PDFDictionary(
            {"Predictor": 15, "Colors": png.colours, "BitsPerComponent": 8, "Columns": png.width}
        )
        formatted: bytes = stream.format(document)
        return formatted


def draw_png(canvas: Canvas, png: bytes, x: float, y: float, width: float, height: float) -> None:
    """Draw ``png`` with its lower left corner at (``x``, ``y``), ``width`` x ``height``
    points; embedded unchanged when a PDF can read its data (:func:`png_data`), otherwise
    by reportlab (decoded and compressed again, with its alpha channel as a soft mask)."""
    data = png_data(png)
    if data is None:
        canvas.drawImage(ImageReader(io.BytesIO(png)), x, y, width, height, mask="auto")
        return
    # As Canvas.drawImage: one XObject per distinct image, named by digest, drawn by name.
    name = _digester(png)
    document = canvas._doc
    registered = document.getXObjectName(name)
    if document.idToObject.get(registered) is None:
        image = _PngImage(name, data)
        canvas._setXObjects(image)
        document.Reference(image, registered)
        document.addForm(name, image)
    canvas._currentPageHasImages = 1
    canvas.saveState()
    canvas.translate(x, y)
    canvas.scale(width, height)
    canvas._code.append(f"/{registered} Do")
    canvas.restoreState()
    canvas._formsinuse.append(name)
