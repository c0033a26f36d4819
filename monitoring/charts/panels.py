"""Static charts side by side: one report figure holding two (or more) charts in a row, so
that a pack prints, for example, two Kaplan–Meier curves per row instead of one per half
page. Each panel is drawn by its own chart at ``PANEL_WIDTH_IN`` (its dashboard layout at
that width) and the images are joined left to right; the row is as tall as the tallest.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from monitoring.charts.static import StaticChart

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PANEL_WIDTH_IN = 5.0  # 480 CSS px: a chart's layout still fits; printed at 6.5 / 10 scale


@dataclass(frozen=True, eq=False)
class ChartRow(StaticChart):
    """Charts printed side by side (the dashboard shows them one by one: :meth:`plotly`
    gives the first panel's figure, :attr:`charts` every panel)."""

    charts: tuple[StaticChart, ...]
    slots: int = 0
    """Panels the row is laid out for (0: one per chart); a short last row of a series
    keeps the panel size of the rows above, blank on the right."""

    def __post_init__(self) -> None:
        if not self.charts or (self.slots and self.slots < len(self.charts)):
            raise ValueError("a chart row needs at least one chart, and a slot for each")

    @property
    def panels(self) -> int:
        return self.slots or len(self.charts)

    @property
    def height_px(self) -> int:
        return max(c.height_px for c in self.charts)

    @property
    def width_in(self) -> float:
        """The printed width the row is laid out for (a panel's width each)."""
        return PANEL_WIDTH_IN * self.panels

    def plotly(self) -> Any:
        return self.charts[0].plotly()

    def _panels(self, height_in: float, dpi: int) -> list[Any]:
        from PIL import Image

        width = self.width_in / self.panels
        return [Image.open(io.BytesIO(c.png(width, height_in, dpi))) for c in self.charts]

    def png(self, width_in: float, height_in: float, dpi: int) -> bytes:
        """The panels, each ``width_in / slots`` inches wide, joined left to right."""
        from PIL import Image

        panels = self._panels(height_in, dpi)
        width = panels[0].width * self.panels
        joined = Image.new("RGB", (width, max(p.height for p in panels)))
        joined.paste((255, 255, 255), (0, 0, *joined.size))
        x = 0
        for panel in panels:
            joined.paste(panel, (x, 0))
            x += panel.width
        buffer = io.BytesIO()
        joined.save(buffer, format="PNG", compress_level=1)
        return buffer.getvalue()

    def draw(self, figure: Figure) -> None:
        """The panels as images on one matplotlib figure (for callers drawing a figure)."""
        import numpy as np

        dpi = int(figure.get_dpi())
        panels = self._panels(figure.get_figheight(), dpi)
        share = 1 / self.panels
        for i, panel in enumerate(panels):
            axes = figure.add_axes((i * share, 0.0, share, 1.0))
            axes.imshow(np.asarray(panel))
            axes.axis("off")
