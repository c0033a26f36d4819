"""Text from data shown as text in a chart, never as markup.

Plotly reads every label, legend entry, title, tick and hover text as a small HTML subset
(``<a href>``, ``<b>``, ``<br>``, ``<span style>``): an imported site name
``<a href="https://evil.example">x</a>`` would become a link in the legend. :func:`plain`
writes ``&``, ``<`` and ``>`` as the entities Plotly decodes back (``&amp;``, ``&lt;``,
``&gt;``), so the chart shows exactly the imported characters. Quotes are left alone: Plotly
reads attributes only inside a tag, and it does not decode ``&quot;``.
"""

from __future__ import annotations


def plain(text: object) -> str:
    """``text`` for a Plotly label: shown literally, whatever tags or entities it holds."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
