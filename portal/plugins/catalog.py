"""The catalog: every enabled framework and criterion, frozen once start-up ends."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ..scoring.model import UNRATED, StoredRating
from .files import PluginSource
from .schema import CriterionDefinition, FrameworkProfile, Golden, Option, Question, Rating

NeedHook = Callable[[Mapping[str, Any]], float | None]
FitHook = Callable[[FrameworkProfile, Mapping[str, Any]], Any]


@dataclass(frozen=True)
class Framework:
    profile: FrameworkProfile
    source: PluginSource
    file: str = ""  # the profile's path, for messages

    @property
    def slug(self) -> str:
        return self.profile.slug

    @property
    def title(self) -> str:
        return self.profile.title

    @property
    def version(self) -> str:
        return self.source.version


@dataclass(frozen=True)
class Criterion:
    definition: CriterionDefinition
    source: PluginSource
    file: str = ""  # the criterion file's path, for messages
    need: NeedHook | None = None
    fit: FitHook | None = None
    # The questions as asked: options_from expanded to the enabled frameworks.
    questions: tuple[Question, ...] = ()
    weight: float = 1.0

    @property
    def key(self) -> str:
        return self.definition.key

    @property
    def title(self) -> str:
        return self.definition.title

    @property
    def category(self) -> str:
        return self.definition.category

    @property
    def version(self) -> str:
        return self.source.version


@dataclass
class Catalog:
    """Filled by the directives' deferred actions, then sealed: read-only afterwards."""

    weight_overrides: Mapping[str, float] = field(default_factory=dict)
    frameworks: Mapping[str, Framework] = field(default_factory=dict)
    criteria: Mapping[str, Criterion] = field(default_factory=dict)
    sealed: bool = False

    def add_framework(self, framework: Framework) -> None:
        self._writable()[0][framework.slug] = framework

    def add_criterion(self, criterion: Criterion) -> None:
        self._writable()[1][criterion.key] = criterion

    def _writable(self) -> tuple[dict, dict]:
        if self.sealed:
            raise RuntimeError("the catalog is sealed once start-up ends")
        return self.frameworks, self.criteria  # type: ignore[return-value]

    def seal(self) -> None:
        """Order everything, expand framework-sourced options, and freeze."""
        frameworks = dict(sorted(self.frameworks.items(), key=lambda item: item[1].title.lower()))
        category_order: dict[str, int] = {}
        for criterion in self.criteria.values():
            order = criterion.definition.order
            category_order[criterion.category] = min(category_order.get(criterion.category, order), order)
        ordered = sorted(
            self.criteria.values(),
            key=lambda c: (category_order[c.category], c.category, c.definition.order, c.key),
        )
        criteria = {
            c.key: _replace(
                c,
                questions=tuple(_as_asked(q, frameworks) for q in c.definition.questions),
                weight=self.weight_overrides.get(c.key, c.definition.default_weight),
            )
            for c in ordered
        }
        self.frameworks = MappingProxyType(frameworks)
        self.criteria = MappingProxyType(criteria)
        self.sealed = True

    @property
    def categories(self) -> list[str]:
        """Category names in questionnaire order."""
        return list(dict.fromkeys(c.category for c in self.criteria.values()))

    def rating(self, slug: str, key: str) -> StoredRating:
        """A framework's rating on a criterion before the answers apply: the profile's, else
        the criterion file's default, else unrated (``when`` clauses and hooks need answers)."""
        rating: Rating | None = self.frameworks[slug].profile.ratings.get(key)
        if rating is not None:
            return StoredRating(rating, "profile")
        rating = self.criteria[key].definition.ratings.get(slug)
        return UNRATED if rating is None else StoredRating(rating, "criterion")

    def golden_cases(
        self, frameworks: Collection[str] | None = None, criteria: Collection[str] | None = None
    ) -> list[tuple[Framework | Criterion, Golden]]:
        """The golden cases, each with the plugin that declares it (only the named plugins, if given)."""
        cases: list[tuple[Framework | Criterion, Golden]] = [
            (f, case)
            for f in self.frameworks.values()
            if frameworks is None or f.slug in frameworks
            for case in f.profile.golden
        ]
        cases += [
            (c, case)
            for c in self.criteria.values()
            if criteria is None or c.key in criteria
            for case in c.definition.golden
        ]
        return cases


def _replace(criterion: Criterion, **changes: Any) -> Criterion:
    return Criterion(**{**criterion.__dict__, **changes})


def _as_asked(question: Question, frameworks: Mapping[str, Framework]) -> Question:
    if question.options_from != "frameworks":
        return question
    options = tuple(Option(key=f.slug, label=f.title, need=question.option_need) for f in frameworks.values())
    return question.with_options(options)
