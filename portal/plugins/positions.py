"""Where a field is written in a plugin's TOML file: line and column, for problems only.

``tomllib`` keeps no positions, so a file with something to report is parsed a
second time with tree-sitter's TOML grammar, whose syntax tree has them. Start-up
never comes here for a plugin that loads cleanly: the second parse (and the import
of tree-sitter) costs only when there is a problem to show.
"""

from __future__ import annotations

import ast
import re
import tomllib
from collections.abc import Iterable
from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .files import Problem

Path = tuple[str | int, ...]
Position = tuple[int, int]  # 1-based line and column

# One field path segment as problems write it: name, [3], ['golden case name'] or ["…"].
_SEGMENT = re.compile(r"""\.?([^.\[\]\s]+)|\[(\d+)\]|\[('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\]""")


def with_positions(problems: Iterable[Problem], path: str) -> list[Problem]:
    """``problems`` of the file at ``path``, each with the line of its field where it has none."""
    problems = list(problems)
    if all(p.line is not None or not p.field for p in problems):
        return problems
    try:
        with open(path, "rb") as stream:
            source = stream.read()
    except OSError:
        return problems
    index = Index(source)
    return [
        p if p.line is not None or not p.field else replace(p, **_place(index.find(p.field)))
        for p in problems
    ]


def _place(position: Position | None) -> dict:
    return {} if position is None else {"line": position[0], "column": position[1]}


class Index:
    """Every key, table header and array item of one TOML file, by its path."""

    def __init__(self, source: bytes):
        self.lines = source.split(b"\n")
        self.positions: dict[Path, Position] = {}
        self._arrays: dict[Path, int] = {}  # arrays of tables seen so far: path -> items
        try:
            self.data = tomllib.loads(source.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError):
            self.data = {}
        self._document(_parser().parse(source).root_node)

    def find(self, field: str) -> Position | None:
        """The position of ``field`` (``questions[1].options[0].need``), else of its nearest parent."""
        path = self.path_of(field)
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return None

    def path_of(self, field: str) -> Path:
        """A problem's field as a path."""
        path: list[str | int] = []
        node = self.data
        for match in _SEGMENT.finditer(field):
            name, number, quoted = match.groups()
            if number is not None:
                part: str | int = int(number)
            elif quoted is not None:
                # A table's key (answers['realtime.live']), or the array item of that name (golden['chat']).
                wanted = ast.literal_eval(quoted)
                items = node if isinstance(node, list) else []
                part = (
                    wanted
                    if isinstance(node, dict)
                    else next((i for i, item in enumerate(items) if _named(item, wanted)), -1)
                )
            else:
                part = name
            path.append(part)
            node = _child(node, part)
        return tuple(path)

    # --- the walk over tree-sitter's syntax tree -------------------------------------------

    def _document(self, root) -> None:
        for node in root.named_children:
            if node.type == "pair":
                self._pair(node, ())
            elif node.type == "table":
                self._table(node, array=False)
            elif node.type == "table_array_element":
                self._table(node, array=True)

    def _table(self, node, array: bool) -> None:
        key = next((c for c in node.named_children if c.type.endswith("key")), None)
        if key is None:
            return
        parts = self._key_parts(key)
        path: Path = ()
        for n, part in enumerate(parts, 1):
            path = (*path, part)
            # Each array of tables in the header means its latest item (the last part of
            # an [[array]] header opens a new one, below).
            if path in self._arrays and not (array and n == len(parts)):
                path = (*path, self._arrays[path] - 1)
        if array:
            self._record(path, node)
            self._arrays[path] = self._arrays.get(path, 0) + 1
            path = (*path, self._arrays[path] - 1)
        self._record(path, node)
        for child in node.named_children:
            if child.type == "pair":
                self._pair(child, path)

    def _pair(self, node, table: Path) -> None:
        key, value = node.named_children[0], node.named_children[-1]
        path = table
        for part in self._key_parts(key):
            path = (*path, part)
            self._record(path, key)
        self._value(value, path)

    def _value(self, node, path: Path) -> None:
        if node.type == "inline_table":
            for child in node.named_children:
                if child.type == "pair":
                    self._pair(child, path)
        elif node.type == "array":
            for i, item in enumerate(c for c in node.named_children if c.type != "comment"):
                self._record((*path, i), item)
                self._value(item, (*path, i))

    def _key_parts(self, node) -> list[str]:
        if node.type == "dotted_key":
            return [part for child in node.named_children for part in self._key_parts(child)]
        text = node.text.decode("utf-8", errors="replace")
        if node.type == "quoted_key":
            try:
                return list(tomllib.loads(f"{text} = 0"))
            except tomllib.TOMLDecodeError:
                return [text.strip("\"'")]
        return [text]

    def _record(self, path: Path, node) -> None:
        row, byte = node.start_point
        line = self.lines[row] if row < len(self.lines) else b""
        column = len(line[:byte].decode("utf-8", errors="replace")) + 1
        self.positions.setdefault(path, (row + 1, column))


def _named(item, wanted: str) -> bool:
    return isinstance(item, dict) and item.get("name") == wanted


def _child(node, part):
    if isinstance(node, dict) and isinstance(part, str):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


@cache
def _parser():
    # Imported here: start-up of a clean portal never needs it.
    import tree_sitter
    import tree_sitter_toml

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_toml.language()))
