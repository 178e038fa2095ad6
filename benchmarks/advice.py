"""The advice benchmark: how the scoring model's recommendations compare with golden cases.

Prints, for the bundled catalog (every installed plugin, default weights):

- golden-case agreement: exact (first is the expected first) and lenient (first is the
  expected first or the acceptable second), and each case that misses;
- confidence against agreement: how often each confidence level was right;
- every answer counts: for each golden case, each answered single-choice question moved
  to the other end of its options; the share of such moves that change no framework's
  score (as the client sees it, to 0.1 points), each listed;
- the winner distribution over random questionnaires (a diagnostic of bias).

    .venv/bin/python benchmarks/advice.py [--golden FILE ...] [--random 1000] [--seed 7]

Without ``--golden`` the golden cases are those the enabled plugins declare. The script
speaks the scoring API both models have (``model_from_catalog``, ``score``,
``shown_keys``), so the same file measured the first model too (docs/advice.md).
"""

from __future__ import annotations

import argparse
import random
import sys
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal import scoring  # noqa: E402
from portal.testing import app_settings, build_app  # noqa: E402

PRIORITIES = "portal.priorities"
SINGLE_KINDS = ("single", "boolean", "scale")
UNSURE = "unsure"


def catalog():
    app = build_app(app_settings("sqlite://"))
    return app.registry.portal_catalog


def golden_cases(files: list[Path], catalog) -> list[dict[str, Any]]:
    if files:
        cases = []
        for path in files:
            cases += tomllib.loads(path.read_text())["golden"]
        return cases
    declared = getattr(catalog, "golden_cases", None)
    if declared is None:
        sys.exit("this portal's plugins declare no golden cases: pass --golden FILE")
    return [
        {**case.model_dump(exclude={"answers"}), "answers": case.plain_answers()} for _, case in declared()
    ]


def result_of(model, answers: dict[str, Any]) -> dict[str, Any]:
    return scoring.score(model, answers).to_json()


def scores(result: dict[str, Any]) -> dict[str, float]:
    return {entry["framework"]: entry["score"] for entry in result["ranking"]}


def first_of(result: dict[str, Any]) -> str | None:
    return result["ranking"][0]["framework"] if result["ranking"] else None


def other_end(question, answer: str) -> str | None:
    keys = [option.key for option in question.options]
    if answer not in keys or len(keys) < 2:
        return None
    position = keys.index(answer)
    return keys[-1] if position <= (len(keys) - 1) / 2 else keys[0]


def visible(model, answers: dict[str, Any]) -> set[str]:
    given = {key: set(value) if isinstance(value, list) else {value} for key, value in answers.items()}
    return set(scoring.shown_keys(list(model.questions.values()), given))


def golden_report(model, cases: list[dict[str, Any]]) -> dict[str, Any]:
    rows, by_level = [], Counter()
    right_by_level, lenient_by_level = Counter(), Counter()
    unchanged, moves = [], 0
    for case in cases:
        result = result_of(model, case["answers"])
        got = first_of(result)
        level = result["confidence"]["level"]
        exact = got == case["first"]
        lenient = exact or got == case.get("second")
        by_level[level] += 1
        right_by_level[level] += exact
        lenient_by_level[level] += lenient
        top = ", ".join(f"{e['framework']} {e['score']:.1f}" for e in result["ranking"][:3])
        rows.append((case["name"], case["first"], case.get("second"), got, exact, lenient, level, top))
        base = scores(result)
        shown = visible(model, case["answers"])
        for key, answer in case["answers"].items():
            question = model.questions.get(key)
            if question is None or key not in shown or question.kind not in SINGLE_KINDS:
                continue
            if not isinstance(answer, str) or answer == UNSURE:
                continue
            moved = other_end(question, answer)
            if moved is None:
                continue
            moves += 1
            changed = {**case["answers"], key: moved}
            after = scores(result_of(model, changed))
            if all(abs(after.get(f, -1) - s) < 0.05 for f, s in base.items()):
                unchanged.append(
                    (case["name"], key, answer, moved, why_unchanged(model, case["answers"], changed, key))
                )
    return {
        "rows": rows,
        "by_level": by_level,
        "right_by_level": right_by_level,
        "lenient_by_level": lenient_by_level,
        "unchanged": unchanged,
        "moves": moves,
    }


def why_unchanged(model, before: dict[str, Any], after: dict[str, Any], key: str) -> str:
    """Why a move changed no score, in the first model's terms or this one's."""
    evaluate = getattr(scoring, "evaluate", None)
    if evaluate is None:
        return ""
    k = next(i for i, c in enumerate(model.criteria) if any(q.key == key for q in c.questions))
    old, new = evaluate(model, before).states[k], evaluate(model, after).states[k]
    if old.need == new.need:
        return "its criterion's need stays the same (already at the cap of 1, or decided by a hook)"
    if len(set(new.ratings.scores)) == 1:
        return "every framework rates the same on its criterion"
    group = getattr(model.criteria[k], "group", None)
    if group:
        return f"its group ({group}) counts as its strongest member, which the move leaves in place"
    return "its criterion's weight is 0"


def random_answers(model, rng: random.Random) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for key, question in model.questions.items():
        if key not in visible(model, answers):
            continue
        required = getattr(question, "required", False)
        if not required and rng.random() > 0.75:
            continue
        keys = [option.key for option in question.options]
        if not keys:
            continue
        if question.kind == "multi":
            chosen = [k for k in keys if rng.random() < 0.3]
            if chosen:
                answers[key] = chosen
        elif question.allow_unsure and rng.random() < 0.1:
            answers[key] = UNSURE
        else:
            answers[key] = rng.choice(keys)
    criteria = [c.key for c in model.criteria if _has_need(model, c, answers)]
    if PRIORITIES in _core_questions(model) and criteria and rng.random() < 0.5:
        answers[PRIORITIES] = rng.sample(criteria, min(len(criteria), rng.randint(1, 3)))
    return answers


def _has_need(model, criterion, answers) -> bool:
    first = criterion.questions[0] if criterion.questions else None
    if first is None or first.key not in answers or not isinstance(answers[first.key], str):
        return False
    value = answers[first.key]
    return value != UNSURE and first.need_of(value) > 0


def _core_questions(model) -> set[str]:
    core = getattr(model, "core_questions", None)
    return set(core) if core is not None else set()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--golden", type=Path, nargs="*", default=[])
    parser.add_argument("--random", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    bundled = catalog()
    model = scoring.model_from_catalog(bundled)
    cases = golden_cases(args.golden, bundled)
    report = golden_report(model, cases)
    rows = report["rows"]
    exact = sum(r[4] for r in rows)
    lenient = sum(r[5] for r in rows)
    print(
        f"Golden cases: {len(rows)}; exact {exact} ({exact / len(rows):.0%}), "
        f"lenient {lenient} ({lenient / len(rows):.0%})"
    )
    for name, first, second, got, is_exact, is_lenient, level, top in rows:
        mark = "ok " if is_exact else ("ok~" if is_lenient else "MISS")
        expected = first + (f" / {second}" if second else "")
        print(f"  {mark} {name[:60]:<60} expected {expected:<18} got {got:<8} ({level}): {top}")
    print("Confidence against agreement:")
    for level in ("high", "medium", "low"):
        count = report["by_level"][level]
        if count:
            right, lenient_right = report["right_by_level"][level], report["lenient_by_level"][level]
            print(
                f"  {level:<6} {count:>3} cases: exact {right} ({right / count:.0%}), "
                f"lenient {lenient_right} ({lenient_right / count:.0%})"
            )
    unchanged, moves = report["unchanged"], report["moves"]
    print(
        f"Answer moves that change no score: {len(unchanged)} of {moves} "
        f"({len(unchanged) / max(moves, 1):.1%})"
    )
    for name, key, answer, moved, why in unchanged:
        print(f"  {name[:50]}: {key} {answer} -> {moved}" + (f": {why}" if why else ""))
    rng = random.Random(args.seed)
    winners = Counter(first_of(result_of(model, random_answers(model, rng))) for _ in range(args.random))
    print(f"Winners over {args.random} random questionnaires (seed {args.seed}):")
    for framework in [f.slug for f in model.frameworks]:
        print(f"  {framework:<10} {winners[framework]:>5} ({winners[framework] / args.random:.1%})")
    if winners[None]:
        print(f"  (nothing ranked) {winners[None]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
