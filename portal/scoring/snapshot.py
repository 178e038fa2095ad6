"""A model as a revision's snapshot keeps it: plain JSON, read back exactly.

Snapshots carry a schema version. Version 2 is this model's; version 1 (no
``schema`` key) was the first model's and is read by ``portal.scoring.v1``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .model import Criterion, Framework, Model, NextStep, Question, Rating, StoredRating

SCHEMA = 2


def schema_of(snapshot: Mapping[str, Any]) -> int:
    return snapshot.get("schema", 1)


def model_to_json(model: Model) -> dict[str, Any]:
    """Everything the scoring read, hooks and profiles aside (a snapshot holds what they produced)."""
    return {
        "frameworks": [
            {
                "slug": f.slug,
                "title": f.title,
                "next_steps": [
                    s if isinstance(s, str) else s.model_dump(by_alias=True) for s in f.next_steps
                ],
            }
            for f in model.frameworks
        ],
        "criteria": [
            {
                "key": c.key,
                "title": c.title,
                "weight": c.weight,
                "rated_by": c.rated_by,
                "group": c.group,
                "origin": c.origin,
                "questions": [q.model_dump(by_alias=True, exclude_defaults=True) for q in c.questions],
            }
            for c in model.criteria
        ],
        "ratings": {
            key: {
                slug: {"source": r.source, **r.rating.model_dump(by_alias=True, exclude_defaults=True)}
                for slug, r in by.items()
                if r.rating is not None
            }
            for key, by in model.ratings.items()
        },
    }


def model_from_json(data: Mapping[str, Any]) -> Model:
    frameworks = tuple(
        Framework(
            f["slug"],
            f["title"],
            tuple(s if isinstance(s, str) else NextStep.model_validate(s) for s in f.get("next_steps", ())),
        )
        for f in data["frameworks"]
    )
    criteria = tuple(
        Criterion(
            key=c["key"],
            title=c["title"],
            weight=c["weight"],
            questions=tuple(Question.model_validate(q) for q in c["questions"]),
            rated_by=c.get("rated_by", "profiles"),
            group=c.get("group"),
            origin=c.get("origin", ""),
        )
        for c in data["criteria"]
    )
    ratings = {}
    for key, by in data["ratings"].items():
        ratings[key] = {}
        for slug, stored in by.items():
            fields = {name: value for name, value in stored.items() if name != "source"}
            ratings[key][slug] = StoredRating(Rating.model_validate(fields), stored["source"])
    return Model(frameworks, criteria, ratings)
