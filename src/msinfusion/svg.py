"""A few helpers to write SVG by hand, for charts that go into web pages and PDFs alike.

Web pages run under a strict Content-Security-Policy (no inline styles), and the PDF renderer reads
the same markup, so every chart is plain SVG text with presentation attributes only (`fill`,
`stroke`, `font-size`, ...): never a `style` attribute, a <style> or a <script> element.
"""

from __future__ import annotations

from html import escape

FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
INK = "#1d2433"
MUTED = "#5b6477"
LINE = "#dde2ea"
ACCENT = "#2457a6"
BAD = "#a1262a"
WARN_BG = "#fbe3c4"


def esc(text: object) -> str:
    """Text or attribute value made safe for XML (quotes included)."""
    return escape(str(text), quote=True)


def num(value: float) -> str:
    """A coordinate with at most one decimal: short markup, no '1e-05' forms."""
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def attrs(**values: object) -> str:
    """`font_size=9, class_="x"` -> ` font-size="9" class="x"`; None values are left out."""
    out = []
    for name, value in values.items():
        if value is None:
            continue
        if name == "style":
            raise ValueError("no style attributes: charts must pass a strict CSP")
        key = name.rstrip("_").replace("_", "-")
        shown = num(value) if isinstance(value, float) else value
        out.append(f' {key}="{esc(shown)}"')
    return "".join(out)


def el(tag: str, content: str | None = None, **values: object) -> str:
    """One element; `content` is inserted as is (escape text with `esc` first)."""
    if content is None:
        return f"<{tag}{attrs(**values)}/>"
    return f"<{tag}{attrs(**values)}>{content}</{tag}>"


def text(x: float, y: float, words: str, **values: object) -> str:
    values.setdefault("font_family", FONT)
    values.setdefault("fill", INK)
    return el("text", esc(words), x=float(x), y=float(y), **values)


def document(width: int, height: int, label: str, desc: str, body: str, *, class_: str) -> str:
    """A standalone, accessible <svg>: role="img", an aria-label, <title> and <desc>."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg"{attrs(class_=class_)} width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img"{attrs(aria_label=label)}>'
        f"<title>{esc(label)}</title><desc>{esc(desc)}</desc>{body}</svg>"
    )
