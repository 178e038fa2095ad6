"""The PDF report: the result page's own HTML, laid out for print by WeasyPrint.

WeasyPrint needs Pango, a system library it loads when imported. It is imported on
the first PDF asked for, not at start-up, so a machine without Pango serves every
other page and answers the PDF with :class:`PdfUnavailable`, naming what to install.

A PDF must never make the server fetch anything from the network: the page's links
are absolute, and a title or a plugin's text could someday carry a URL. The fetcher
serves the portal's own static files (the stylesheet) from disk and refuses the rest.
"""

from __future__ import annotations

import functools
import logging
import mimetypes
import re
from pathlib import Path

from pyramid.path import AssetResolver

from .security import mask_links

log = logging.getLogger(__name__)
# WeasyPrint warns of every property it does not draw (SVG fills in the HTML's CSS, print-color-adjust,
# media queries of screen sizes) on each PDF: the portal's stylesheet is meant for browsers too.
logging.getLogger("weasyprint").setLevel(logging.ERROR)

# Debian's names of the libraries WeasyPrint loads (its installation guide's list).
DEBIAN_PACKAGES = ("libpango-1.0-0", "libpangoft2-1.0-0")
STATIC = "portal:static"


class PdfUnavailable(Exception):
    """WeasyPrint or the libraries it needs cannot be loaded on this machine."""


@functools.cache
def _weasyprint():
    # Kept once loaded; a failure is not kept, so each PDF asked for tries again.
    try:
        import weasyprint
    except OSError as exc:
        log.warning("PDF reports are off: WeasyPrint cannot load its libraries (%s)", exc)
        raise PdfUnavailable(
            "PDF reports are not available on this server: the Pango library is missing. "
            f"An administrator can install the Debian packages {' and '.join(DEBIAN_PACKAGES)} "
            "(apt-get install " + " ".join(DEBIAN_PACKAGES) + "). The Markdown report works meanwhile."
        ) from exc
    return weasyprint


@functools.cache
def _fetcher_class():
    weasyprint = _weasyprint()

    class StaticFetcher(weasyprint.URLFetcher):
        """Serves URLs under ``prefix`` from portal:static; refuses every other URL (kept in ``refused``)."""

        def __init__(self, prefix: str):
            super().__init__()
            self.prefix = prefix
            self.root = Path(AssetResolver().resolve(STATIC).abspath()).resolve()
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            path = self._static_path(url)
            if path is None:
                self.refused.append(url)
                log.warning(
                    "PDF report: refused to fetch %s (only static files are read)", mask_links(url[:200])
                )
                # WeasyPrint catches this, leaves the resource out and goes on rendering.
                raise ValueError("only the portal's static files are fetched")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return weasyprint.urls.URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

        def _static_path(self, url: str) -> Path | None:
            if not url.startswith(self.prefix):
                return None
            name = url[len(self.prefix) :].split("?")[0].split("#")[0]
            path = (self.root / name).resolve()
            # resolve() has undone any "..": the file must still be inside static/.
            return path if path.is_relative_to(self.root) and path.is_file() else None

    return StaticFetcher


def static_fetcher(static_prefix: str):
    """A WeasyPrint URL fetcher for the static files under ``static_prefix`` (an absolute URL)."""
    return _fetcher_class()(static_prefix)


# WeasyPrint styles an inline SVG only from a <style> inside it, never with the page's
# stylesheets (and the CSP keeps <style> out of served pages): each chart of the PDF gets
# a copy of portal.css's print rules for charts, those whose selectors start at the <svg>.
_SVG_START = re.compile(r"<svg\b[^>]*>")


def render_pdf(html: str, base_url: str, fetcher) -> bytes:
    """``html`` as a PDF; ``base_url`` resolves its relative links as the browser would."""
    weasyprint = _weasyprint()
    html = _SVG_START.sub(lambda svg: f"{svg[0]}<style>{_chart_rules()}</style>", html)
    return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf()


@functools.cache
def _chart_rules() -> str:
    import tinycss2  # a dependency of WeasyPrint, loaded with it

    def text(tokens) -> str:
        return tinycss2.serialize(tokens).strip()

    css = Path(AssetResolver().resolve(f"{STATIC}/portal.css").abspath()).read_text(encoding="utf-8")
    rules = []
    for block in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if block.type == "at-rule" and block.lower_at_keyword == "media" and text(block.prelude) == "print":
            for rule in tinycss2.parse_blocks_contents(
                block.content, skip_comments=True, skip_whitespace=True
            ):
                if rule.type == "qualified-rule" and text(rule.prelude).startswith("svg"):
                    rules.append(tinycss2.serialize([rule]))
    return "".join(rules)
