"""``portal new-framework`` and ``portal new-criterion``: a new plugin distribution to fill in.

The files come from the Jinja2 templates beside this module (package data of the
core). A new profile lists every enabled criterion with its rubric, and a new
criterion every enabled framework, as rating tables commented out with a TODO: an
unfinished plugin installs, passes ``portal check`` with one warning line per file
(``portal.plugins.todos``) and changes nobody's ranking.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shutil
import sys
import textwrap
import tomllib
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined
from pydantic import TypeAdapter, ValidationError

from ..plugins.directives import RESERVED
from ..plugins.discovery import GROUPS, SETTINGS, installed
from ..plugins.files import Kind, PortalConfigError, display_path
from ..scoring.model import Slug

CORE = "advisory-portal"
DEFAULT_INI = "development.ini"
_SLUG = TypeAdapter(Slug)
SLUG_MAX = _SLUG.core_schema["max_length"]


@dataclass(frozen=True)
class Blueprint:
    """What one kind of plugin is called and where its parts go."""

    kind: Kind
    command: str
    name_field: str  # "slug" or "key"
    file: str  # the TOML file inside the package
    folder: str  # the checkout's plugins/<folder>
    setting: str

    def distribution(self, name: str) -> str:
        return f"portal-{self.kind}-{name}"

    def package(self, name: str) -> str:
        return f"portal_{self.kind}_{name}"


BLUEPRINTS: dict[Kind, Blueprint] = {
    "framework": Blueprint("framework", "new-framework", "slug", "profile.toml", "frameworks", "frameworks"),
    "criterion": Blueprint("criterion", "new-criterion", "key", "criterion.toml", "criteria", "criteria"),
}


class Refusal(Exception):
    """The scaffold writes nothing: one line saying why."""


def new_plugin(kind: Kind, name: str, ini: str | None = None, output: str | None = None) -> int:
    """The command: write the distribution, or refuse with one line and exit 2."""
    try:
        target = scaffold(kind, name, ini, output)
    except Refusal as refusal:
        print(f"portal: {refusal}", file=sys.stderr)
        return 2
    blueprint = BLUEPRINTS[kind]
    shown = display_path(str(target))
    print(f"wrote {blueprint.distribution(name)} in {shown}")
    print(f"next: replace the TODOs in {shown}/{blueprint.package(name)}/{blueprint.file}, then")
    print(f"      pip install -e {shown} && portal check && pytest {shown}/tests")
    return 0


def scaffold(kind: Kind, name: str, ini: str | None = None, output: str | None = None) -> Path:
    """Write a new plugin distribution and return its folder; :class:`Refusal` writes nothing."""
    blueprint = BLUEPRINTS[kind]
    _check_name(blueprint, name)
    _check_not_installed(blueprint, name)
    target = Path(output) if output else default_target(blueprint, name)
    if target.exists():
        raise Refusal(f"{display_path(str(target))} already exists; remove it or choose another --output")
    catalog, enabled = _enabled_catalog(ini)
    files = render(blueprint, name, catalog, enabled)
    _write(target, files)
    return target


def _check_name(blueprint: Blueprint, name: str) -> None:
    try:
        _SLUG.validate_python(name)  # the rule of the files' slug and key fields
    except ValidationError:
        raise Refusal(
            f"{name!r} is not a {blueprint.kind} {blueprint.name_field}: lower-case letters, digits "
            f"and underscores, starting with a letter, at most {SLUG_MAX} characters"
        ) from None
    if name in RESERVED:
        raise Refusal(f"{name!r} is reserved (reserved: {', '.join(sorted(RESERVED))}); choose another")


def _check_not_installed(blueprint: Blueprint, name: str) -> None:
    offers = installed(blueprint.kind).get(name)
    if offers:
        source = offers[0].source
        raise Refusal(
            f"a {blueprint.kind} named {name!r} is already installed ({source.distribution} "
            f"{source.version}); choose another {blueprint.name_field}"
        )
    distribution = blueprint.distribution(name)
    try:
        version = importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return
    raise Refusal(f"{distribution} {version} is already installed; choose another {blueprint.name_field}")


def default_target(blueprint: Blueprint, name: str, cwd: Path | None = None) -> Path:
    """``plugins/<kind>/<name>`` in a checkout of the portal, else ``./portal-<kind>-<name>``."""
    checkout = find_checkout(cwd or Path.cwd())
    if checkout is not None:
        return checkout / "plugins" / blueprint.folder / name
    return (cwd or Path.cwd()) / blueprint.distribution(name)


def find_checkout(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` whose pyproject.toml names the core beside a plugins/."""
    for folder in (start, *start.parents):
        project = folder / "pyproject.toml"
        if not (project.is_file() and (folder / "plugins").is_dir()):
            continue
        try:
            with project.open("rb") as stream:
                if tomllib.load(stream).get("project", {}).get("name") == CORE:
                    return folder
        except (OSError, tomllib.TOMLDecodeError):
            continue
    return None


def _enabled_catalog(ini: str | None):
    """The catalog the settings enable, loaded as start-up loads it, and the enabled names."""
    from pyramid.config import Configurator
    from pyramid.exceptions import ConfigurationError
    from pyramid.paster import get_appsettings

    from ..plugins import include_enabled
    from ..settings import ENVIRONMENT, maybe_set, settings_file

    if ini is None and not Path(DEFAULT_INI).exists():
        settings, origin = {}, settings_file(None)  # outside a checkout: every installed plugin
    else:
        ini = ini or DEFAULT_INI
        try:
            settings, origin = dict(get_appsettings(ini)), settings_file(ini)
        except (FileNotFoundError, LookupError, ValueError) as error:
            raise Refusal(f"cannot read settings from {ini}: {error}") from None
    for setting in SETTINGS.values():
        maybe_set(settings, setting, ENVIRONMENT[setting])
    config = Configurator(settings=settings)
    config.include("portal.plugins")
    try:
        chosen = include_enabled(config, origin)
        config.commit()
    except PortalConfigError as error:
        raise Refusal(f"the enabled plugins do not load ({error}); run `portal check`") from None
    except ConfigurationError as error:
        raise Refusal(f"the enabled plugins do not load: {' '.join(str(error).split())}") from None
    return config.registry.portal_catalog, {plugin.name for plugin in chosen}


def render(blueprint: Blueprint, name: str, catalog, enabled: set[str]) -> dict[str, str]:
    """Every file of the distribution: relative path → text."""
    core_version = importlib.metadata.version(CORE)
    major = int(core_version.split(".")[0])
    specifier = f">={'.'.join(core_version.split('.')[:2])},<{major + 1}"
    frameworks = [f for f in catalog.frameworks.values() if f.slug in enabled]
    criteria = [c for c in catalog.criteria.values() if c.key in enabled]
    words = name.replace("_", " ")
    title = words.capitalize() if blueprint.kind == "criterion" else words.title()
    package = blueprint.package(name)
    described = "profile of" if blueprint.kind == "framework" else "criterion:"
    context = {
        "kind": blueprint.kind,
        "name": name,
        "title": title,
        "command": blueprint.command,
        "name_field": blueprint.name_field,
        "file": blueprint.file,
        "group": GROUPS[blueprint.kind],
        "setting": blueprint.setting,
        "distribution": blueprint.distribution(name),
        "package": package,
        "description": f"Advisory Portal {described} {title}",
        "core_version": core_version,
        "core_specifier": specifier,
        "core_requirement": f"{CORE}{specifier}",
        "requires_python": importlib.metadata.metadata(CORE).get("Requires-Python") or ">=3.11",
        "criteria": [_criterion_context(c) for c in criteria if c.definition.rated_by == "profiles"],
        "hook_criteria": [c for c in criteria if c.definition.rated_by != "profiles"],
        "frameworks": frameworks,
        "categories": sorted({c.category for c in criteria}),
        "category": _common_category(criteria),
        "groups": sorted({c.definition.group for c in criteria if c.definition.group}),
        "questions": _answer_lines(name, blueprint, criteria),
        "first": name if blueprint.kind == "framework" else "…",
        "first_title": title if blueprint.kind == "framework" else "it",
    }
    test_template = f"test_{blueprint.kind}.py.jinja2"
    return {
        "pyproject.toml": _render("pyproject.toml.jinja2", context),
        "README.md": _render("README.md.jinja2", context),
        f"{package}/__init__.py": _render("package_init.py.jinja2", context),
        f"{package}/{blueprint.file}": _render(f"{blueprint.file}.jinja2", context),
        f"tests/test_{name}.py": _render(test_template, context),
    }


def _criterion_context(criterion) -> dict:
    return {
        "key": criterion.key,
        "title": criterion.title,
        "category": criterion.category,
        "rubric_lines": rubric_lines(criterion.definition.rubric),
    }


def rubric_lines(rubric: str, width: int = 96) -> list[str]:
    """A rubric as comment lines: one step ("3: …") per line, wrapped and indented."""
    steps = re.split(r"\s+(?=\b[0-5](?:\.5)?: )", " ".join(rubric.split()))
    lines: list[str] = []
    for step in steps:
        lines += textwrap.wrap(step, width, subsequent_indent="   ") or [""]
    return lines


def _common_category(criteria) -> str:
    """The most common category of the enabled criteria: a sensible start the author may change."""
    counts: dict[str, int] = {}
    for criterion in criteria:
        counts[criterion.category] = counts.get(criterion.category, 0) + 1
    return max(sorted(counts), key=counts.__getitem__) if counts else "Features"


def _answer_lines(name: str, blueprint: Blueprint, criteria) -> list[dict]:
    """Commented answer lines for the golden case: every enabled question with its choices."""
    questions = [q for c in criteria for q in c.questions]
    if blueprint.kind == "criterion":
        lines = [(f'"{name}.need" = "core"', "no | some | core | unsure")]
    else:
        lines = []
    for question in questions:
        choices = list(question.choices)
        first = choices[0] if choices else ""
        value = json.dumps([first] if question.kind == "multi" else first)
        note = " | ".join(choices)
        if question.condition is not None:
            note += f" (asked after {question.condition.question})"
        lines.append((f'"{question.key}" = {value}', note))
    width = max((len(line) for line, _ in lines), default=0)
    return [{"line": f"{line:<{width}}   # {note}"} for line, note in lines]


_environment = Environment(
    loader=PackageLoader("portal.scaffold"),
    autoescape=False,  # noqa: S701 (TOML, Python and Markdown, never HTML)
    undefined=StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
)
# A TOML basic string: JSON's escapes are all valid TOML.
_environment.filters["toml"] = lambda value: json.dumps(value, ensure_ascii=False)


def _render(template: str, context: dict) -> str:
    return _environment.get_template(template).render(context)


def _write(target: Path, files: dict[str, str]) -> None:
    """Write into a fresh folder beside the target, then rename it: all files or none."""
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = target.parent / f".{target.name}.{os.getpid()}.partial"
    scratch.mkdir()
    try:
        for relative, text in files.items():
            path = scratch / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        scratch.rename(target)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
