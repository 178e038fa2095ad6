"""Markdown that people type (a consultant's notes), rendered safely to HTML.

markdown-it-py's "js-default" preset (CommonMark with tables and strikethrough) with raw
HTML off, so ``<script>`` comes out as text; links only to ``http``, ``https`` and
``mailto`` addresses (a ``javascript:`` or relative link stays plain text); no images,
which would load from another site. The ``markdown`` Jinja filter returns Markup.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markupsafe import Markup

SCHEMES = frozenset({"http", "https", "mailto"})


def link_allowed(url: str) -> bool:
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return False
    return scheme in SCHEMES


class SafeMarkdown(MarkdownIt):
    def validateLink(self, url: str) -> bool:
        return link_allowed(url)


def _parser() -> MarkdownIt:
    parser = SafeMarkdown("js-default", {"html": False, "linkify": False})
    parser.disable("image")
    return parser


_MARKDOWN = _parser()


def render(text: str) -> str:
    """HTML of ``text``; everything typed is escaped except Markdown's own structure."""
    return _MARKDOWN.render(text or "")


def markdown_filter(text: str) -> Markup:
    """``{{ note.body|markdown }}``: the output is safe HTML (see the module's rules)."""
    return Markup(render(text))  # noqa: S704 (escaped by markdown-it, html off)
