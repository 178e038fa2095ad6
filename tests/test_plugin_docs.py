"""docs/plugin-authors.md cannot drift: its TOML reference, its bundled criteria, its pyproject.toml."""

from __future__ import annotations

import re
import tomllib
import typing

from pydantic import BaseModel

from portal.cli import main as portal
from portal.plugins.schema import (
    Condition,
    CriterionDefinition,
    FrameworkProfile,
    Golden,
    NextStep,
    Option,
    Question,
    Rating,
    When,
)

from .conftest import ROOT

GUIDE = ROOT / "docs" / "plugin-authors.md"
# Each reference heading (its start) documents one model of the schema.
REFERENCE = {
    "Profile: ": FrameworkProfile,
    "Rating: ": Rating,
    "When clause": When,
    "Next step table": NextStep,
    "Golden case: ": Golden,
    "Criterion: ": CriterionDefinition,
    "Question: ": Question,
    "Option: ": Option,
    "Condition: ": Condition,
}


def sections(text: str, level: str) -> dict[str, str]:
    parts = re.split(rf"^{level} ", text, flags=re.M)[1:]
    return {part.partition("\n")[0]: part.partition("\n")[2] for part in parts}


def table_rows(body: str) -> list[list[str]]:
    """The body rows of the first Markdown table in ``body``, as stripped cells."""
    rows = []
    for line in body.splitlines():
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split(" | ")])
        elif rows:
            break
    return rows[2:]  # after the header and the |---| line


def documented(heading_start: str) -> dict[str, str]:
    """Field → the "required" cell, in the reference section that starts with ``heading_start``."""
    found = [
        body for title, body in sections(GUIDE.read_text(), "###").items() if title.startswith(heading_start)
    ]
    assert len(found) == 1, f"one reference section starting {heading_start!r}"
    return {row[0].strip("`"): row[1] for row in table_rows(found[0])}


def accepted(model: type[BaseModel]) -> dict[str, str]:
    """Field (as written in TOML) → "yes" when required, else "no"."""
    return {
        (field.alias or name): "yes" if field.is_required() else "no"
        for name, field in model.model_fields.items()
    }


def nested_models(model: type[BaseModel], seen: set | None = None) -> set[type[BaseModel]]:
    seen = set() if seen is None else seen
    seen.add(model)
    for field in model.model_fields.values():
        stack = [field.annotation]
        while stack:
            annotation = stack.pop()
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                if annotation not in seen:
                    nested_models(annotation, seen)
            else:
                stack.extend(typing.get_args(annotation))
    return seen


def test_the_reference_documents_every_field_the_schema_accepts_and_no_other():
    for heading, model in REFERENCE.items():
        assert documented(heading) == accepted(model), model.__name__


def test_every_model_a_plugin_file_can_hold_has_its_reference_section():
    assert nested_models(FrameworkProfile) | nested_models(CriterionDefinition) == set(REFERENCE.values())


def test_the_table_of_bundled_criteria_is_the_criterion_files():
    files = [
        tomllib.loads(path.read_text()) for path in ROOT.glob("plugins/criteria/*/portal_*/criterion.toml")
    ]
    files.sort(key=lambda c: (c.get("order", 100), c["key"]))
    expected = [
        [f"`{c['key']}`", c["title"], c["category"], f"`{c['group']}`" if "group" in c else "", c["rubric"]]
        for c in files
    ]
    rows = table_rows(sections(GUIDE.read_text(), "##")["The bundled criteria"])
    assert len(rows) == len(expected) == 18
    for row, want in zip(rows, expected, strict=True):
        assert row == want, f"write this row instead: | {' | '.join(want)} |"


def test_the_documented_pyproject_is_the_one_the_scaffold_writes(tmp_path, capsys):
    target = tmp_path / "sanic"
    assert portal(["new-framework", "sanic", str(ROOT / "development.ini"), "--output", str(target)]) == 0
    capsys.readouterr()
    walk_through = sections(GUIDE.read_text(), "###")["1. Scaffold"]
    block = re.search(r"```toml\n(.*?)```", walk_through, re.S)
    assert block is not None
    assert block.group(1) == (target / "pyproject.toml").read_text()
