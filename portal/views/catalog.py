"""The catalog pages: framework profiles and criteria, as HTML and JSON.

The JSON names things by their keys; the pages say the same in the client's words
(question texts, answer labels, a rubric as its steps), keeping keys, versions and
weights for the consultants' details.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

from pyramid.httpexceptions import HTTPBadRequest

from ..questionnaire import UNSURE, UNSURE_LABEL
from ..resources import CriterionCatalog, CriterionResource, FrameworkCatalog, FrameworkResource
from ..scoring.ratings import UNRATED_SCORE
from ..security import Permissions
from .negotiation import html_view, json_view, page_view

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


def answer_words(catalog) -> Callable[[str, Sequence[str]], str | None]:
    """``said(question, option keys)``: 'the answer to “<question text>” is “<label>” or “<label>”'.

    None when the question is not asked here (its criterion is not enabled): a clause
    on it never applies, and its key means nothing to a client.
    """
    questions = {q.key: q for c in catalog.criteria.values() for q in c.questions}

    def said(question: str, keys: Sequence[str]) -> str | None:
        asked = questions.get(question)
        if asked is None:
            return None
        labels = {o.key: o.label for o in asked.options} | {UNSURE: UNSURE_LABEL}
        answers = [f"“{labels.get(key, key)}”" for key in keys]
        listed = answers[0] if len(answers) == 1 else f"{', '.join(answers[:-1])} or {answers[-1]}"
        return f"the answer to “{asked.text}” is {listed}"

    return said


def sources(links: Sequence[str]) -> list[tuple[str, str]]:
    """Evidence links named by their site ("docs.djangoproject.com"), numbered where a site repeats."""
    hosts = [urlsplit(link).hostname or link for link in links]
    hosts = [host.removeprefix("www.") for host in hosts]
    named = []
    for i, (link, host) in enumerate(zip(links, hosts, strict=True)):
        repeats = hosts.count(host) > 1
        named.append((link, f"{host} ({hosts[: i + 1].count(host)})" if repeats else host))
    return named


# A rubric written as "0: … 1: … 5: …"; each step starts at a digit and a colon after a space.
RUBRIC_STEP = re.compile(r"(?:^|(?<=\s))([0-5])\s*:\s+")


def rating_scale(rubric: str) -> list[dict]:
    """A rubric as its steps, lowest first; empty when it is not written step by step."""
    parts = RUBRIC_STEP.split(rubric.strip())
    if len(parts) < 5 or parts[0].strip():
        return []
    steps = [{"score": int(parts[i]), "text": parts[i + 1].strip()} for i in range(1, len(parts), 2)]
    scores = [step["score"] for step in steps]
    if scores != sorted(set(scores)) or not all(step["text"] for step in steps):
        return []
    return [{**step, "text": step["text"][0].upper() + step["text"][1:]} for step in steps]


def best_of(ratings: dict[str, dict]) -> set[str]:
    """The frameworks with the highest rating of a row; none when every rated one ties."""
    scores = {slug: r["score"] for slug, r in ratings.items() if r["source"] != "unrated"}
    if len(scores) < 2 or len(set(scores.values())) == 1:
        return set()
    top = max(scores.values())
    return {slug for slug, score in scores.items() if score == top}


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


@json_view(context=FrameworkResource, permission=Permissions.VIEW)
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


@html_view("framework.jinja2", context=FrameworkResource, permission=Permissions.VIEW)
def framework_page(context, request):
    return {**framework_detail(context, request), "said": answer_words(request.catalog), "sources": sources}


@json_view(context=FrameworkCatalog, name="compare", permission=Permissions.VIEW)
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


@html_view("compare.jinja2", context=FrameworkCatalog, name="compare", permission=Permissions.VIEW)
def framework_compare_page(context, request):
    data = framework_compare(context, request)
    return {**data, "best": {c["key"]: best_of(c["ratings"]) for c in data["criteria"]}}


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


@json_view(context=CriterionResource, permission=Permissions.VIEW)
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


@html_view("criterion.jinja2", context=CriterionResource, permission=Permissions.VIEW)
def criterion_page(context, request):
    data = criterion_detail(context, request)
    return {
        **data,
        "scale": rating_scale(data["rubric"]),
        "said": answer_words(request.catalog),
        "sources": sources,
    }


def _by_hook() -> dict:
    return {
        "score": None,
        "rationale": "Rated from the client's answers when an assessment is scored.",
        "evidence": [],
        "source": "hook",
        **NO_CLAUSES,
    }
