"""Safe YAML loading with errors that name the file. Scenario files are data: only
``yaml.SafeLoader`` is used (refusing a key given twice), and no string from them is ever
evaluated."""

from __future__ import annotations

from pathlib import Path

import yaml

from .errors import GemfinError


class _UniqueKeyLoader(yaml.SafeLoader):
    """yaml.SafeLoader that refuses a key given twice in one mapping (plain YAML keeps the
    last one silently: ``2024: gdp`` then ``2024: fixed`` would run with ``fixed``)."""

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key: the base class says so
                break
            if first is not None:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} appears twice in one mapping (first on line {first + 1}); "
                    "expected each key once", key_node.start_mark)
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


def safe_load_unique(text: str):
    """``yaml.safe_load`` that refuses duplicate keys (:class:`_UniqueKeyLoader`)."""
    return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506  (a SafeLoader subclass)


def load_yaml_mapping(path: str | Path, error: type[GemfinError]) -> dict:
    p = Path(path)
    if p.is_dir():
        raise error(f"{p}: is a directory; expected a YAML file")
    if not p.is_file():
        raise error(f"{p}: file not found")
    try:
        doc = safe_load_unique(p.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise error(f"{p}: not UTF-8 text ({exc})") from None
    except yaml.YAMLError as exc:
        raise error(f"{p}: not valid YAML: {exc}") from None
    if doc is None:
        raise error(f"{p}: the file is empty; expected a mapping (key: value) at the top level")
    if not isinstance(doc, dict):
        raise error(f"{p}: expected a mapping (key: value) at the top level, got {type(doc).__name__}")
    return doc
