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

log = logging.getLogger(__name__)

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
                # WeasyPrint catches this, leaves the resource out and goes on rendering.
                raise ValueError(f"only the portal's static files are fetched, not {url}")
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


def render_pdf(html: str, base_url: str, fetcher) -> bytes:
    """``html`` as a PDF; ``base_url`` resolves its relative links as the browser would."""
    weasyprint = _weasyprint()
    html = _SVG_START.sub(lambda m: f"{m[0]}<style>{_chart_rules()}</style>", html)
    return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf()


# WeasyPrint styles an inline SVG only from a <style> inside it, never from the page's
# stylesheets (and the CSP keeps <style> out of served pages): so each chart of the PDF
# gets a copy of portal.css's print rules, the one place the print colours are written.
_SVG_START = re.compile(r"<svg\b[^>]*>")


@functools.cache
def _chart_rules() -> str:
    import cssselect2
    import tinycss2

    css = Path(AssetResolver().resolve(f"{STATIC}/portal.css").abspath()).read_text(encoding="utf-8")
    kept = []
    for block in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if block.type != "at-rule" or block.lower_at_keyword != "media":
            continue
        if tinycss2.serialize(block.prelude).strip() != "print":
            continue
        for rule in tinycss2.parse_blocks_contents(block.content, skip_comments=True, skip_whitespace=True):
            if rule.type != "qualified-rule":
                continue  # @page: for the page, not the chart
            try:
                cssselect2.compile_selector_list(rule.prelude)
            except cssselect2.SelectorError:
                continue  # a browser-only selector, at which the SVG renderer would stop reading
            kept.append(tinycss2.serialize([rule]))
    return "".join(kept)
