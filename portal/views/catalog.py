"""The catalog pages: framework profiles and criteria, as HTML and JSON."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPBadRequest

from ..resources import CriterionCatalog, CriterionResource, FrameworkCatalog, FrameworkResource
from ..scoring.ratings import UNRATED_SCORE
from ..security import Permissions
from .negotiation import page_view

MAX_COMPARED = 6


def framework_url(request, slug: str) -> str:
    return request.resource_url(request.root, "frameworks", slug)


def criterion_url(request, key: str) -> str:
    return request.resource_url(request.root, "criteria", key)


NO_CLAUSES = {"caveat": "", "when": []}


def rating_json(stored, texts: dict[str, str]) -> dict:
    """A stored rating as the catalog shows it: the general one, with its ``when`` clauses."""
    rating = stored.rating
    if rating is None:
        return {
            "score": UNRATED_SCORE,
            "rationale": "",
            "evidence": [],
            "source": "unrated",
            "caveat": "",
            "when": [],
        }
    return {
        "score": rating.score,
        "rationale": rating.rationale,
        "evidence": list(rating.evidence),
        "source": stored.source,
        "caveat": rating.caveat,
        "when": [
            {**clause.model_dump(by_alias=True), "question_text": texts.get(clause.question, clause.question)}
            for clause in rating.when
        ],
    }


def question_texts(catalog) -> dict[str, str]:
    """Question key → text, for ``when`` clauses and next steps that name a question."""
    return {q.key: q.text for c in catalog.criteria.values() for q in c.questions}


def next_step_json(step, texts: dict[str, str]) -> str | dict:
    """A plain next step, or one shown only when a question got one of some answers."""
    if isinstance(step, str):
        return step
    return {**step.model_dump(by_alias=True), "question_text": texts.get(step.question, step.question)}


@page_view("frameworks.jinja2", context=FrameworkCatalog, permission=Permissions.VIEW)
def framework_list(context, request):
    return {
        "frameworks": [
            {
                "slug": f.slug,
                "title": f.title,
                "kind": f.profile.kind,
                "summary": f.profile.summary,
                "version": f.version,
                "url": framework_url(request, f.slug),
            }
            for f in context.catalog.frameworks.values()
        ]
    }


@page_view("framework.jinja2", context=FrameworkResource, permission=Permissions.VIEW)
def framework_detail(context, request):
    framework, catalog = context.framework, request.catalog
    profile = framework.profile
    texts = question_texts(catalog)
    return {
        "slug": profile.slug,
        "title": profile.title,
        "kind": profile.kind,
        "homepage": profile.homepage,
        "summary": profile.summary,
        "best_fit": list(profile.best_fit),
        "strengths": list(profile.strengths),
        "use_cases": list(profile.use_cases),
        "next_steps": [next_step_json(step, texts) for step in profile.next_steps],
        "distribution": framework.source.distribution,
        "version": framework.version,
        "url": framework_url(request, profile.slug),
        "ratings": {
            key: {
                **rating_json(catalog.rating(profile.slug, key), texts),
                "criterion_title": criterion.title,
                "criterion_url": criterion_url(request, key),
            }
            for key, criterion in catalog.criteria.items()
            if criterion.definition.rated_by == "profiles"
        },
    }


@page_view("compare.jinja2", context=FrameworkCatalog, name="compare", permission=Permissions.VIEW)
def framework_compare(context, request):
    catalog = context.catalog
    texts = question_texts(catalog)
    slugs = list(dict.fromkeys(request.GET.getall("f"))) or list(catalog.frameworks)[:MAX_COMPARED]
    unknown = [slug for slug in slugs if slug not in catalog.frameworks]
    if unknown:
        raise HTTPBadRequest(f"f: unknown framework {', '.join(unknown)!s}")
    if len(slugs) > MAX_COMPARED:
        raise HTTPBadRequest(f"f: compare at most {MAX_COMPARED} frameworks at once")
    rated = [c for c in catalog.criteria.values() if c.definition.rated_by == "profiles"]
    return {
        "frameworks": [
            {"slug": s, "title": catalog.frameworks[s].title, "url": framework_url(request, s)} for s in slugs
        ],
        "criteria": [
            {
                "key": c.key,
                "title": c.title,
                "url": criterion_url(request, c.key),
                "ratings": {s: rating_json(catalog.rating(s, c.key), texts) for s in slugs},
            }
            for c in rated
        ],
    }


@page_view("criteria.jinja2", context=CriterionCatalog, permission=Permissions.VIEW)
def criterion_list(context, request):
    return {
        "criteria": [
            {
                "key": c.key,
                "title": c.title,
                "category": c.category,
                "description": c.definition.description,
                "weight": c.weight,
                "version": c.version,
                "url": criterion_url(request, c.key),
            }
            for c in context.catalog.criteria.values()
        ]
    }


def question_json(question) -> dict:
    return {
        "key": question.key,
        "text": question.text,
        "help": question.help,
        "kind": question.kind,
        "required": question.required,
        "allow_unsure": question.allow_unsure,
        "ordered": question.ordered,
        "max_choices": question.max_choices,
        "condition": (
            {"question": question.condition.question, "in": list(question.condition.allowed)}
            if question.condition
            else None
        ),
        "options": [
            {
                "key": o.key,
                "label": o.label,
                "need": o.need,
                "factor": o.factor,
                "must": o.must,
                "help": o.help,
            }
            for o in question.options
        ],
    }


@page_view("criterion.jinja2", context=CriterionResource, permission=Permissions.VIEW)
def criterion_detail(context, request):
    criterion, catalog = context.criterion, request.catalog
    texts = question_texts(catalog)
    definition = criterion.definition
    by_profiles = definition.rated_by == "profiles"
    return {
        "key": definition.key,
        "title": definition.title,
        "category": definition.category,
        "description": definition.description,
        "rubric": definition.rubric,
        "weight": criterion.weight,
        "default_weight": definition.default_weight,
        "rated_by": definition.rated_by,
        "distribution": criterion.source.distribution,
        "version": criterion.version,
        "url": criterion_url(request, definition.key),
        "questions": [question_json(q) for q in criterion.questions],
        "ratings": {
            slug: {
                **(rating_json(catalog.rating(slug, definition.key), texts) if by_profiles else _by_hook()),
                "framework_title": framework.title,
                "framework_url": framework_url(request, slug),
            }
            for slug, framework in catalog.frameworks.items()
        },
    }


def _by_hook() -> dict:
    return {
        "score": None,
        "rationale": "Rated from the client's answers when an assessment is scored.",
        "evidence": [],
        "source": "hook",
        **NO_CLAUSES,
    }
