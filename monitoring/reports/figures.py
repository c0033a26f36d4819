"""Report figures to PNG bytes, for embedding.

A figure holding a :class:`monitoring.charts.static.StaticChart` (every chart
``build_report`` makes) is drawn with matplotlib in this process: no browser is started
(docs/performance.md, "Report command"). Any other plotly figure is rendered by kaleido
(headless Chromium), PNG or SVG, as below.

Kaleido 1.x drives a Chromium found by choreographer: the ``BROWSER_PATH`` environment
variable if set, otherwise ``chromium``/``google-chrome`` on ``PATH`` (Debian's
``/usr/bin/chromium``). Chromium runs headless with ``--no-sandbox`` (choreographer's
default), so it works as root; MathJax is disabled and plotly.js comes from the installed
plotly package, so rendering needs no network. All figures of a document are rendered in one
browser session (starting Chromium costs about a second); nothing is cached between calls.
"""

from __future__ import annotations

import asyncio
import dataclasses
import queue
import struct
import threading
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from monitoring.reports.document import ReportDocument, Section

CSS_PX_PER_INCH = 96  # a plotly layout pixel is a CSS pixel, 1/96 inch
DEFAULT_DPI = 240
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
T = TypeVar("T")


class FigureRenderError(RuntimeError):
    """Chromium could not be started or a figure could not be rendered."""


@dataclass(frozen=True)
class RenderedFigure:
    """A figure as image bytes: PNG always (pixel size read from it), SVG when asked for."""

    png: bytes
    svg: bytes | None = None

    def __post_init__(self) -> None:
        if not self.png.startswith(_PNG_SIGNATURE):
            raise ValueError("RenderedFigure.png is not a PNG image")

    @property
    def pixel_size(self) -> tuple[int, int]:
        """(width, height) in pixels, from the PNG header."""
        width, height = struct.unpack(">II", self.png[16:24])
        return int(width), int(height)

    def dpi_at(self, width_in: float) -> float:
        """Resolution of the PNG when printed ``width_in`` inches wide."""
        return self.pixel_size[0] / width_in


@dataclass(frozen=True)
class RenderRequest:
    """One figure to render at a printed size and resolution."""

    figure: Any
    width_in: float
    height_in: float
    dpi: int = DEFAULT_DPI
    svg: bool = False


def render_figures(requests: Sequence[RenderRequest]) -> tuple[RenderedFigure, ...]:
    """Render plotly figures in one Chromium session; PNG at ``dpi`` for the printed size."""
    if not requests:
        return ()
    return _run_in_thread(lambda: _render_all(requests))


def render_figure(figure: Any, width_in: float, height_in: float, **options: Any) -> RenderedFigure:
    """Render one plotly figure (see :func:`render_figures`)."""
    return render_figures([RenderRequest(figure, width_in, height_in, **options)])[0]


def render_document(doc: ReportDocument, dpi: int = DEFAULT_DPI) -> ReportDocument:
    """``doc`` with every chart replaced by its :class:`RenderedFigure`: static charts
    drawn with matplotlib, other plotly figures rendered in one kaleido session."""
    from monitoring.charts.static import StaticChart

    pending = [f for f in doc.figures() if not isinstance(f.figure, RenderedFigure)]
    if not pending:
        return doc
    done = {
        id(f): dataclasses.replace(f, figure=RenderedFigure(f.figure.png(*f.size_in, dpi)))
        for f in pending
        if isinstance(f.figure, StaticChart)
    }
    browser = [f for f in pending if id(f) not in done]
    requests = [RenderRequest(f.figure, *f.size_in, dpi=dpi) for f in browser]
    rendered = render_figures(requests) if requests else ()
    done.update(
        {id(f): dataclasses.replace(f, figure=r) for f, r in zip(browser, rendered, strict=True)}
    )
    sections = tuple(
        Section(s.title, tuple(done.get(id(b), b) for b in s.blocks)) for s in doc.sections
    )
    return dataclasses.replace(doc, sections=sections)


def _layout(request: RenderRequest, fmt: str) -> dict[str, Any]:
    options: dict[str, Any] = {
        "format": fmt,
        "width": round(request.width_in * CSS_PX_PER_INCH),
        "height": round(request.height_in * CSS_PX_PER_INCH),
    }
    if fmt == "png":
        options["scale"] = request.dpi / CSS_PX_PER_INCH
    return options


async def _render_all(requests: Sequence[RenderRequest]) -> tuple[RenderedFigure, ...]:
    import kaleido

    results = []
    try:
        async with kaleido.Kaleido(n=1, mathjax=False) as session:
            for request in requests:
                png = await session.calc_fig(request.figure, opts=_layout(request, "png"))
                svg = None
                if request.svg:
                    svg = await session.calc_fig(request.figure, opts=_layout(request, "svg"))
                results.append(RenderedFigure(bytes(png), None if svg is None else bytes(svg)))
    except Exception as exc:
        raise FigureRenderError(f"figure rendering with kaleido/Chromium failed: {exc}") from exc
    return tuple(results)


def _run_in_thread(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine on a fresh event loop in its own thread (safe inside a running loop)."""
    box: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=1)

    def run() -> None:
        try:
            box.put((True, asyncio.run(factory())))
        except BaseException as exc:
            box.put((False, exc))

    worker = threading.Thread(target=run, name="figure-render")
    worker.start()
    worker.join()
    ok, value = box.get()
    if not ok:
        raise value
    result: T = value
    return result
