"""Dotted field paths into a scenario document (``"budget.domains.Jeugd.excess_growth"``,
list items by index): reading the values at a path with ``*`` for any key, and setting one."""

from __future__ import annotations

import copy
from typing import Any

from ..errors import InputError


def values_at(node: Any, keys: list[str]) -> Any:
    """The value(s) at a dotted path with ``*`` for every key of a mapping (None where absent)."""
    if not keys:
        return node
    if not isinstance(node, dict):
        return None
    if keys[0] == "*":
        return {k: values_at(v, keys[1:]) for k, v in node.items()}  # in file order: the drivers' order matters
    return values_at(node.get(keys[0]), keys[1:])


def set_field(doc: dict, path: str, value: Any, *, create: bool = False) -> None:
    """Set the dotted field ``path`` (list items by index) of a scenario document to ``value``,
    copying the containers on the way: the others stay shared with the document, which nothing
    modifies. ``create``: the last key may be new in its section. Raises InputError naming the
    path when the scenario has no such field."""
    keys = path.split(".")
    node: Any = doc
    for i, k in enumerate(keys[:-1]):
        try:
            key: Any = int(k) if isinstance(node, list) else k
            child = node[key]
        except (KeyError, IndexError, TypeError, ValueError):
            raise InputError(f"{path!r}: the scenario has no field {'.'.join(keys[:i + 1])!r}") from None
        if isinstance(child, (dict, list)):
            child = copy.copy(child)
            node[key] = child
        node = child
    last = keys[-1]
    if isinstance(node, list):
        if not last.isdigit() or not 0 <= int(last) < len(node):
            raise InputError(f"{path!r}: index {last} outside the list of {len(node)}")
        node[int(last)] = value
    elif isinstance(node, dict) and (last in node or create):
        old = node.get(last)
        # An integer field (horizon, a year) takes an integral number as an integer.
        if isinstance(old, int) and not isinstance(old, bool) and isinstance(value, float) and value.is_integer():
            value = int(value)
        node[last] = value
    else:
        raise InputError(f"{path!r}: the scenario has no field {path!r}")
