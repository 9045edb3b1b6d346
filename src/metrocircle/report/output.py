"""Writing the report's files: the PDF through WeasyPrint, and every file through a temporary one so a failed run keeps the good earlier output."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from metrocircle import messages
from metrocircle._errors import MetrocircleError

__all__ = ["check_pdf_support", "replace_atomically", "write_pdf"]


def check_pdf_support(lang: str = "zh") -> None:
    """Raise before any work starts when WeasyPrint or its system libraries (Pango) are missing.

    Raises
    ------
    MetrocircleError
        Saying in ``lang`` what is missing.
    """
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:
        raise MetrocircleError(messages.text("cli.pdf_missing", lang, detail=str(exc))) from None


def _with_pdf_font(html: str) -> str:
    """Point the PDF renderer at the bundled Noto Sans CJK font, so Chinese prints without a system CJK font.

    Only the PDF gets this: the HTML itself loads nothing from anywhere.
    """
    from metrocircle.report._fonts import bundled_font

    font = bundled_font()
    if font is None:
        return html
    css = (
        '<style>@font-face { font-family: "Noto Sans CJK SC"; '
        f'src: url("{font.as_uri()}"); }}</style>'
    )
    return html.replace("</head>", css + "</head>", 1)


def replace_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """Write through a temporary file beside ``path`` and move it into place only on success."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    umask = os.umask(0)
    os.umask(umask)
    try:
        write(tmp)
        # mkstemp makes the file private (0600); a report is for sharing: the usual mode
        tmp.chmod(0o666 & ~umask)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def write_pdf(html: str, path: Path, *, base: Path | None = None, lang: str = "zh") -> Path:
    """Render the report HTML to PDF with WeasyPrint (an existing PDF is replaced only on success).

    Raises
    ------
    MetrocircleError
        When WeasyPrint or Pango is missing, or the rendering fails.
    """
    check_pdf_support(lang)
    from weasyprint import HTML

    html = _with_pdf_font(html)

    def write(tmp: Path) -> None:
        try:
            HTML(string=html, base_url=str(base or path.parent)).write_pdf(str(tmp))
        except Exception as exc:  # WeasyPrint raises many kinds; the HTML is kept either way
            raise MetrocircleError(messages.text("cli.pdf_failed", lang, detail=str(exc))) from exc

    replace_atomically(path, write)
    return path
