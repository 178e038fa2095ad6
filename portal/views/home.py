"""The home page: what the portal does and what is installed."""

from __future__ import annotations

from ..models.assessment import TITLE_MAX
from ..resources import Root
from ..scoring import PRIORITIES_MAX, ranking, ratings, sensitivity, whatif
from ..scoring.confidence import HIGH_MARGIN, MEDIUM_MARGIN, ROBUST_MARGIN, STRONG
from ..security import Permissions
from .negotiation import html_view, json_view


@json_view(context=Root, permission=Permissions.VIEW)
def home(context, request):
    catalog = request.catalog
    return {
        "name": "Advisory Portal",
        "frameworks": [
            {"slug": f.slug, "title": f.title, "url": request.resource_url(context, "frameworks", f.slug)}
            for f in catalog.frameworks.values()
        ],
        "criteria": [
            {"key": c.key, "title": c.title, "url": request.resource_url(context, "criteria", c.key)}
            for c in catalog.criteria.values()
        ],
        "links": {
            "frameworks": request.resource_url(context, "frameworks", ""),
            "criteria": request.resource_url(context, "criteria", ""),
            "assessments": request.resource_url(context, "assessments", ""),
            "how_scoring_works": request.resource_url(context, "how-scoring-works"),
        },
    }


@html_view("home.jinja2", context=Root, permission=Permissions.VIEW)
def home_page(context, request):
    # The start form's title box holds exactly what an assessment's title may hold.
    return {**home(context, request), "title_max": TITLE_MAX}


@html_view("how_scoring_works.jinja2", context=Root, name="how-scoring-works", permission=Permissions.VIEW)
def how_scoring_works(context, request):
    # The page quotes the model's own numbers, so it cannot drift from the code.
    return {
        "priority_factor": ranking.PRIORITY_FACTOR,
        "priorities_max": PRIORITIES_MAX,
        "must_minimum": ratings.MUST_MINIMUM,
        "unrated": ratings.UNRATED_SCORE,
        "high_margin": HIGH_MARGIN,
        "robust_margin": ROBUST_MARGIN,
        "medium_margin": MEDIUM_MARGIN,
        "strong": STRONG,
        "what_if_limit": whatif.WHAT_IF_LIMIT,
        "factor_range": sensitivity.FACTOR_RANGE,
    }
