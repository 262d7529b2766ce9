"""PDF from the same HTML as the pages, through WeasyPrint (which needs Debian's pango)."""

from __future__ import annotations


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the system libraries it needs (pango) are missing."""


def pdf_bytes(html: str) -> bytes:
    """Render an HTML document (no external resources) to PDF.

    Raises
    ------
    PdfUnavailable
        When WeasyPrint cannot be imported or cannot load pango.
    """
    try:
        import weasyprint
    except (ImportError, OSError) as error:  # OSError: pango's shared library is missing
        raise PdfUnavailable(
            f"PDF needs WeasyPrint and pango ({error}); install them with "
            "'pip install weasyprint' and 'apt-get install libpango-1.0-0 libpangoft2-1.0-0'") from None
    return weasyprint.HTML(string=html).write_pdf()
