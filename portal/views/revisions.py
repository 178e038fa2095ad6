"""A completed result (a revision): page, JSON, Markdown report, comparison, "Edit answers".

A revision is immutable and carries no per-user data, so its renderings are kept
in an in-process cache keyed by revision (and by what can change them: whether the
assessment is still anonymous, and its decision's version). A hit costs only the
access check's one small read (``AssessmentResource.access``), no database session,
and an ETag lets a browser revalidate for free.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping

from pyramid.httpexceptions import HTTPBadRequest, HTTPServiceUnavailable
from pyramid.renderers import render
from pyramid.response import Response

from .. import pdf
from ..decisions import current_decision
from ..downloads import attachment
from ..report import decision_record_pdf, render_report
from ..resources import RevisionResource
from ..results import comparison, comparison_page, result_page_data
from ..security import Permissions
from ..validators import positive_int
from .assessments import (
    result_json,
    revision_url,
)
from .errors import Missing
from .negotiation import GET, HTML, JSON, action_view, html_view, json_view, wants_json

CACHE_SIZE = 1024
REVALIDATE = "private, no-cache"


class RenderCache:
    """A small thread-safe LRU of finished renderings: (body, response headers)."""

    def __init__(self, size: int = CACHE_SIZE):
        self.size = size
        self._items: OrderedDict[tuple, tuple[bytes, tuple]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> tuple[bytes, tuple] | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: tuple, item: tuple[bytes, tuple]) -> None:
        with self._lock:
            self._items[key] = item
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def render_cache(registry) -> RenderCache:
    cache = registry.get("portal.render_cache")
    if cache is None:
        cache = registry["portal.render_cache"] = RenderCache()
    return cache


def cached(
    request,
    context: RevisionResource,
    kind: str,
    build: Callable[[], tuple[bytes, str]],
    headers: Mapping[str, str] | Callable[[], Mapping[str, str]] | None = None,
) -> Response:
    """The rendering of one revision, built on the first request and kept with its headers.

    A hit copies the kept headers instead of setting each again; the response
    stays conditional, so a matching If-None-Match gets a 304. Headers that need the
    database (a download's name) come as a function, called only with ``build``.
    """
    # Absolute links in the rendering depend on the host the client used; the reports read
    # as a decision record once one is recorded, and the page offers "Save to my account"
    # only while the assessment is anonymous. (The ACL has been checked: this is after it.)
    access = context.access
    key = (
        request.application_url,
        context.public_id,
        context.number,
        kind,
        access.owner_id is None,
        access.decision_version,
    )
    cache = render_cache(request.registry)
    item = cache.get(key)
    if item is None:
        payload, content_type = build()
        first = Response(body=payload, content_type=content_type, charset="utf-8")
        first.etag = hashlib.sha256(payload).hexdigest()[:32]
        first.cache_control = REVALIDATE
        first.headers.update((headers() if callable(headers) else headers) or {})
        item = (payload, tuple(first.headerlist))
        cache.put(key, item)
    payload, headers = item
    return Response(body=payload, headerlist=list(headers), conditional_response=True)


def _html(context, request) -> tuple[bytes, str]:
    data = result_page_data(request, context.assessment, context.revision)
    return render("revision.jinja2", data, request).encode("utf-8"), HTML


def _json(context, request) -> tuple[bytes, str]:
    return Response(json_body=result_json(request, context.assessment, context.revision)).body, JSON


@action_view(request_method=GET, context=RevisionResource, permission=Permissions.VIEW)
def revision(context, request):
    # One URL, two formats: shared caches must key on Accept.
    if wants_json(request):
        return cached(request, context, "json", lambda: _json(context, request), {"Vary": "Accept"})
    return cached(request, context, "html", lambda: _html(context, request), {"Vary": "Accept"})


@action_view(request_method=GET, context=RevisionResource, name="report.md", permission=Permissions.VIEW)
def report(context, request):
    def build():
        return _report_text(context, request).encode("utf-8"), "text/markdown"

    return cached(request, context, "markdown", build, lambda: _attachment(context, "md"))


@action_view(request_method=GET, context=RevisionResource, name="report.pdf", permission=Permissions.VIEW)
def report_pdf(context, request):
    def build():
        if context.assessment.decision_version:
            # A decision is recorded: the PDF is its decision record, as the Markdown is.
            page_url = revision_url(request, context.public_id, context.number)
            try:
                text = _report_text(context, request)
                record = decision_record_pdf(request, text, context.assessment.title, page_url)
                return record, "application/pdf"
            except pdf.PdfUnavailable as exc:
                raise HTTPServiceUnavailable(str(exc)) from exc
        data = result_page_data(request, context.assessment, context.revision)
        # printing: the template opens every collapsible section, as paper cannot.
        html = render("revision.jinja2", {**data, "printing": True}, request)
        page_url = revision_url(request, context.public_id, context.number)
        try:
            fetcher = pdf.static_fetcher(request.static_url("portal:static/"))
            return pdf.render_pdf(html, page_url, fetcher), "application/pdf"
        except pdf.PdfUnavailable as exc:
            raise HTTPServiceUnavailable(str(exc)) from exc

    return cached(request, context, "pdf", build, lambda: _attachment(context, "pdf"))


def _report_text(context, request) -> str:
    """The Markdown report; an architecture decision record once a decision is recorded."""
    assessment = context.assessment
    decision = current_decision(request.dbsession, assessment.id) if assessment.decision_version else None
    return render_report(
        assessment.title,
        context.revision.number,
        context.revision.created,
        context.revision.snapshot,
        revision_url(request, context.public_id, context.number),
        decision=decision,
    )


def _attachment(context, suffix: str) -> dict[str, str]:
    return {"Content-Disposition": attachment(context.assessment.title, context.number, suffix)}


def _compared(context, request):
    """(older, newer) of this revision and the one named by ``?with=``."""
    other = positive_int(request.GET.get("with"))
    if other is None:
        raise HTTPBadRequest("with: give the number of another revision of this assessment.")
    revisions = {r.number: r for r in context.assessment.revisions}
    if other not in revisions:
        raise Missing(f"This assessment has no revision {other}.")
    return revisions[other], context.revision


@json_view(context=RevisionResource, name="compare", permission=Permissions.VIEW)
def compare_json(context, request):
    return comparison(request, context.assessment, *_compared(context, request))


@html_view("compare_revisions.jinja2", context=RevisionResource, name="compare", permission=Permissions.VIEW)
def compare(context, request):
    return comparison_page(request, context.assessment, *_compared(context, request))
