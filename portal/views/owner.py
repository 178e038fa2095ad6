"""An assessment and its account: "Save to my account" (claim) and a new private link.

Claiming: the overview page (never cached) carries the form for a signed-in client; the
revision page, cached alike for every visitor of an anonymous assessment, links to
``…/claim-page`` instead, which sends an anonymous visitor to sign in and back, then asks
for one more click. ``POST …/claim`` (permission CLAIM) saves it to the account with a
conditional UPDATE, so of two clients racing only one wins (``assessments.claim``).

A new link: ``POST …/new-link`` gives the assessment a new public id; the old link then opens
nothing (404, the body of any unknown link), and the render cache, keyed by public id, is
never asked for the old link's pages again. Whoever may change an assessment may do it:
anyone holding an anonymous one's link (EDIT: they control it anyway, and may have shared it
by mistake), the owner of an owned one (OWN, checked in the view as well).
"""

from __future__ import annotations

from urllib.parse import quote

from pyramid.httpexceptions import HTTPSeeOther

from .. import assessments
from ..resources import AssessmentResource, UnknownLink
from ..roles import Roles
from ..security import Permissions
from .assessments import answer_in_json, assessment_url, json_response, state_json
from .inputs import action_body
from .negotiation import action_view, html_view, page_view


def sign_in_then(request, path: str) -> str:
    """The sign-in page, coming back to ``path`` (slashes kept, so logs mask the link in it)."""
    return request.application_url + "/sign-in?next=" + quote(path, safe="/")


def claim_state(request, assessment) -> str:
    """What the claim page offers this visitor: 'mine', 'claim' or 'staff' (no client account)."""
    identity = request.identity
    if assessment.owner_id is not None:
        # Only the owner (or an administrator) gets this far: the ACL hides it from anyone else.
        return "mine" if identity is not None and assessment.owner_id == identity.user_id else "owned"
    if identity is not None and identity.role == Roles.CONSULTANT:
        return "staff"
    return "claim"


@html_view("claim.jinja2", context=AssessmentResource, name="claim-page", permission=Permissions.VIEW)
def claim_page(context, request):
    """Where "Save to my account" on a (cached) revision page leads, and sign-in comes back to."""
    assessment = context.assessment
    if request.identity is None:
        return HTTPSeeOther(sign_in_then(request, f"/assessments/{assessment.public_id}/claim-page"))
    return {**state_json(request, assessment), "state": claim_state(request, assessment)}


@action_view(context=AssessmentResource, name="claim", permission=Permissions.CLAIM)
def claim(context, request):
    as_json = answer_in_json(request, action_body(request))
    assessment = context.assessment
    me = request.identity.user_id
    if assessment.owner_id is None:
        try:
            assessments.claim(request.dbsession, assessment, me)
        except assessments.AlreadyOwned:
            request.dbsession.refresh(assessment)
    if assessment.owner_id != me:
        # Another client's since this request began: as for anyone else, the link opens nothing.
        raise UnknownLink()
    url = assessment_url(request, assessment.public_id)
    if as_json:
        return json_response(state_json(request, assessment), 200, url)
    return HTTPSeeOther(url + "?claimed=1")


@page_view("new_link.jinja2", context=AssessmentResource, name="new-link", permission=Permissions.VIEW)
def new_link_page(context, request):
    """The confirmation a new link asks for (JSON: the state, as before the change)."""
    return state_json(request, context.assessment)


@action_view(context=AssessmentResource, name="new-link", permission=Permissions.EDIT)
def new_link(context, request):
    as_json = answer_in_json(request, action_body(request))
    assessment = context.assessment
    if assessment.owner_id is not None and not request.has_permission(Permissions.OWN, context):
        raise UnknownLink()
    user_id = request.identity.user_id if request.identity is not None else None
    public_id = assessments.replace_link(request.dbsession, assessment, user_id)
    url = assessment_url(request, public_id)
    if as_json:
        return json_response(state_json(request, assessment), 200, url)
    return HTTPSeeOther(url + "?new_link=1")
