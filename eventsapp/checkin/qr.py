"""QR codes as SVG (pure: text in, SVG text out), drawn with segno.

Three forms of the same code: ``png_file`` for an email's HTML part (many mail
programs show no SVG), ``inline_svg`` for a page (no XML declaration, no fixed
size: it scales with its box; role="img" with a label, since a picture of a code says
nothing to a screen reader) and ``svg_file`` for an email attachment (a standalone
document with its own size). Both have a white quiet zone drawn in, so the code scans
on a dark screen too, and neither has a style attribute or a script (the pages'
Content-Security-Policy allows none).
"""

from __future__ import annotations

import io
from html import escape

import segno

# Medium error correction: still reads with a crease, a glare or a cracked screen.
ERROR = "m"


# Screen pixels per module on a page: a version 5 code (45 modules with its border)
# is 270 px wide, which fits a 390 px phone and scans from a desk.
PAGE_MODULE_PX = 6
BORDER = 4


def _code(data: str) -> segno.QRCode:
    return segno.make(data, error=ERROR, micro=False)


def _svg(code: segno.QRCode, *, title: str, scale: int, standalone: bool) -> str:
    out = io.BytesIO()
    code.save(
        out,
        kind="svg",
        xmldecl=standalone,
        svgns=True,
        title=title,
        scale=scale,
        border=BORDER,
        dark="#000",
        light="#fff",
        omitsize=not standalone,
        svgclass="qr-code",
        lineclass=None,
        encoding="utf-8",
    )
    return out.getvalue().decode("utf-8").strip()


def inline_svg(data: str, label: str) -> str:
    """An <svg> element to put in a page; ``label`` is its text alternative."""
    code = _code(data)
    svg = _svg(code, title=label, scale=1, standalone=False)
    width, _ = code.symbol_size(scale=1, border=BORDER)
    size = width * PAGE_MODULE_PX
    # A viewBox and a default size: CSS may scale it down, it never needs a style.
    return svg.replace(
        "<svg ",
        f'<svg role="img" aria-label="{escape(label, quote=True)}" width="{size}" '
        f'height="{size}" ',
        1,
    )


def svg_file(data: str, title: str) -> str:
    """A standalone SVG document (XML declaration, width and height), for a file."""
    return _svg(_code(data), title=title, scale=8, standalone=True)


# Pixels per module in the email's PNG: a version 5 code is 360 px, shown at half
# that size so it stays sharp on high-density screens.
PNG_MODULE_PX = 8


def png_file(data: str) -> bytes:
    """The code as a PNG image (black on white, quiet zone included)."""
    out = io.BytesIO()
    _code(data).save(out, kind="png", scale=PNG_MODULE_PX, border=BORDER,
                     dark="#000", light="#fff")
    return out.getvalue()


def png_size(data: str) -> int:
    """The PNG's width and height in pixels (it is square)."""
    width, _ = _code(data).symbol_size(scale=PNG_MODULE_PX, border=BORDER)
    return width
