"""How fast scoring is: the seed catalog, a large synthetic catalog, and the incremental what-if.

Run with ``.venv/bin/python benchmarks/scoring.py``. Every figure comes from
this one run, so ratios between lines are meaningful even on a machine whose
speed drifts; absolute times are not comparable across runs.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable

from pyramid.config import Configurator

from portal.plugins import include_enabled
from portal.scoring import UNSURE, Model, evaluate, model_from_catalog, score
from portal.scoring.model import Condition, Criterion, Framework, Option, Question, Rating, StoredRating, When
from portal.scoring.whatif import alternatives, rescore, what_if

SYNTHETIC_FRAMEWORKS = 500
SYNTHETIC_CRITERIA = 200
NEEDS = (0.0, 0.2, 0.3, 0.5, 0.6, 0.8, 1.0)

# A client of the seed catalog who answers every page, with a follow-up here and there.
SEED_ANSWERS = {
    "project_scale.size": "medium",
    "project_scale.teams": "team",
    "scope_growth.likelihood": "some",
    "scope_growth.restructure": "maybe",
    "scope_growth.variants": "no",
    "rapid_start.start": "first_version",
    "rapid_start.deadline": "weeks",
    "admin_ui.need": "later",
    "auth_permissions.login": "customers",
    "auth_permissions.roles": "roles",
    "data_model.records": "related",
    "data_model.changes": UNSURE,
    "server_rendered.pages": "some",
    "server_rendered.forms": "simple",
    "security_defaults.exposure": "public",
    "security_defaults.data": "personal",
    "api_first.consumers": "major",
    "api_first.documentation": "partners",
    "async_concurrency.load": "dozens",
    "async_concurrency.waiting": "sometimes",
    "realtime.live": "some",
    "realtime.connections": "hundreds",
    "ml_serving.role": "feature",
    "ml_serving.volume": "steady",
    "team_experience.known": ["django", "flask"],
    "team_experience.follow": "somewhat",
    "flexibility.components": "some",
    "flexibility.existing": "one",
    "maintenance.lifetime": "many_years",
    "maintenance.upkeep": "occasional",
    "serverless.plan": "no",
}


def seed_model() -> Model:
    """The installed plugins, as the app enables them, without a database or views."""
    config = Configurator(settings={"portal.frameworks": "*", "portal.criteria": "*"})
    config.include("portal.plugins")
    include_enabled(config)
    config.commit()
    return model_from_catalog(config.registry.portal_catalog)


def synthetic(rng: random.Random) -> tuple[Model, dict[str, str]]:
    """Two questions per criterion (the second a follow-up), 3-4 options each; most questions answered."""
    slugs = [f"fw{i:03d}" for i in range(SYNTHETIC_FRAMEWORKS)]
    criteria, ratings, answers = [], {}, {}
    for n in range(SYNTHETIC_CRITERIA):
        key = f"crit{n:03d}"
        first = _question(rng, f"{key}.main", None)
        trigger = Condition(question=first.key, allowed=tuple(o.key for o in first.options[1:]))
        follow = _question(rng, f"{key}.detail", trigger)
        weight = rng.choice((0.5, 1.0, 1.0, 1.0, 2.0))
        # Every tenth criterion joins one of five groups; every tenth rating has a when clause.
        group = f"g{n % 5}" if n % 10 == 0 else None
        criteria.append(Criterion(key, f"Criterion {n}", weight, (first, follow), group=group))
        ratings[key] = {
            slug: StoredRating(_rating(rng, key, slug, follow), "profile")
            for slug in slugs
            if rng.random() > 0.05  # a few unrated pairs
        }
        for question in (first, follow):
            if rng.random() < 0.9:
                answers[question.key] = rng.choice(question.options).key
    frameworks = tuple(Framework(slug, slug.upper()) for slug in slugs)
    return Model(frameworks, tuple(criteria), ratings), answers


def _question(rng: random.Random, key: str, condition: Condition | None) -> Question:
    def option(i: int) -> Option:
        if condition is not None:  # a follow-up refines its parent's need
            return Option(key=f"o{i}", label=f"Option {i}", factor=rng.choice((0.5, 0.8, 1.0, 1.2, 1.5)))
        return Option(key=f"o{i}", label=f"Option {i}", need=0.0 if i == 0 else rng.choice(NEEDS))

    options = tuple(option(i) for i in range(rng.randint(3, 4)))
    return Question(
        key=key,
        text=f"Question {key}?",
        kind="single",
        options=options,
        allow_unsure=rng.random() < 0.5,
        condition=condition,
    )


def _rating(rng: random.Random, key: str, slug: str, follow: Question) -> Rating:
    when = ()
    if rng.random() < 0.1:
        when = (
            When(
                question=follow.key,
                allowed=(follow.options[-1].key,),
                score=float(rng.randint(0, 5)),
                rationale=f"{slug} on {key}, for the last answer",
            ),
        )
    return Rating(score=float(rng.randint(0, 5)), rationale=f"{slug} on {key}", when=when)


def timed(function: Callable[[], object], runs: int) -> list[float]:
    """Wall times in milliseconds of ``runs`` calls."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return times


def row(label: str, times: list[float]) -> str:
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 2 else times[0]
    return f"{label:<52} {statistics.median(times):>10.3f} {p95:>10.3f} {len(times):>6}"


def main() -> None:
    rng = random.Random(20240501)
    seed = seed_model()
    big, big_answers = synthetic(rng)
    big_evaluation = evaluate(big, big_answers)
    changes = list(alternatives(big_evaluation))
    sample = rng.sample(changes, 200)

    def naive_rescore() -> object:
        change = rng.choice(sample)
        return evaluate(big, {**big_answers, change.question: change.after})

    def incremental_rescore() -> object:
        return rescore(big_evaluation, [rng.choice(sample)])

    figures = {
        "seed": timed(lambda: score(seed, SEED_ANSWERS), 500),
        "big score": timed(lambda: score(big, big_answers), 15),
        "big what-if": timed(lambda: what_if(big_evaluation), 15),
        "naive": timed(naive_rescore, 30),
        "incremental": timed(incremental_rescore, 2000),
    }
    flips = what_if(big_evaluation)
    size = f"{SYNTHETIC_FRAMEWORKS}×{SYNTHETIC_CRITERIA}"
    seed_size = f"{len(seed.frameworks)}×{len(seed.criteria)}"
    print(f"{'figure (ms)':<52} {'median':>10} {'p95':>10} {'runs':>6}")
    print(row(f"score(), seed catalog ({seed_size}), all analyses", figures["seed"]))
    print(row(f"score(), synthetic {size}, all analyses", figures["big score"]))
    print(row(f"what-if, synthetic {size} ({len(changes)} single changes)", figures["big what-if"]))
    print(row("  naive: full re-score of one changed answer", figures["naive"]))
    print(row("  incremental: rescore() of one changed answer", figures["incremental"]))
    speedup = statistics.median(figures["naive"]) / statistics.median(figures["incremental"])
    print(f"incremental speed-up for one changed answer: {speedup:.0f}×")
    pairs = any(len(flip.changes) > 1 for flip in flips)
    print(f"what-if entries on the synthetic model: {len(flips)} (pairs needed: {pairs})")


if __name__ == "__main__":
    main()
