"""Which versions of the core a plugin was built for, and refusing one built for another.

A plugin says so as any distribution does, through its dependency on the core
(``dependencies = ["advisory-portal>=0.1,<1"]`` in its pyproject.toml), which its
installed metadata keeps as a ``Requires-Dist`` line. A plugin installed with
``--no-deps``, or against a newer core that pip did not check, may not fit: it is
refused before its ``includeme`` runs. A plugin that declares no such dependency
is taken as it is.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
from functools import cache
from typing import TYPE_CHECKING

from .files import Problem, display_path

if TYPE_CHECKING:
    from .discovery import Installed

CORE = "advisory-portal"
# A Requires-Dist line on the core (names compare with -, _ and . alike, PEP 503): its
# extras, its version specifiers (bare, or in parentheses as older tools write them),
# and a marker after ";".
_REQUIRES = re.compile(
    r"^Requires-Dist:[ \t]*advisory[-_.]portal(?![\w.-])[ \t]*(?:\[[^\]]*\])?[ \t]*"
    r"\(?(?P<specifier>[^;()]*)\)?[ \t]*(?:;(?P<marker>.*))?$",
    re.IGNORECASE | re.MULTILINE,
)


@cache
def core_version() -> str:
    return importlib.metadata.version(CORE)


def incompatibility(plugin: Installed) -> Problem | None:
    """The one-line problem of a plugin whose declared core versions exclude this core, else None."""
    dist = plugin.dist
    if dist is None:
        return None
    metadata = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or ""
    # A dependency of an extra (such as the plugin's tests) says nothing about the plugin.
    match = next((m for m in _REQUIRES.finditer(metadata) if "extra" not in (m["marker"] or "")), None)
    if match is None:
        return None  # the common, cheap case at start-up stops here or below
    # Imported only for plugins that declare the core, and only the specifiers: the
    # full requirement parser costs start-up several times as much.
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    name, version = plugin.source.distribution, core_version()
    line = metadata.count("\n", 0, match.start()) + 1
    file = _metadata_file(dist)
    written = match["specifier"].strip()
    try:
        specifier = SpecifierSet(written)
    except InvalidSpecifier as error:
        message = f"cannot read its dependency on the core: {error}"
        return Problem(name, file, "dependencies", message, line=line)
    if specifier.contains(version, prereleases=True):
        return None
    return Problem(
        name,
        file,
        "dependencies",
        f"built for {CORE}{written}, not for this portal's {version}, so it is not loaded",
        line=line,
        suggestion=f"install a release of {name} made for {CORE} {version}, or disable it",
    )


def _metadata_file(dist: importlib.metadata.Distribution) -> str:
    # PathDistribution keeps its .dist-info folder in _path; other finders may have none.
    folder = getattr(dist, "_path", None)
    return display_path(os.path.join(str(folder), "METADATA")) if folder else "METADATA"
