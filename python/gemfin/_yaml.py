"""Safe YAML loading with errors that name the file. Scenario files are data: only
``yaml.safe_load`` is used, and no string from them is ever evaluated."""

from __future__ import annotations

from pathlib import Path

import yaml

from .errors import GemfinError


def load_yaml_mapping(path: str | Path, error: type[GemfinError]) -> dict:
    p = Path(path)
    if p.is_dir():
        raise error(f"{p}: is a directory; expected a YAML file")
    if not p.is_file():
        raise error(f"{p}: file not found")
    try:
        doc = yaml.safe_load(p.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise error(f"{p}: not UTF-8 text ({exc})") from None
    except yaml.YAMLError as exc:
        raise error(f"{p}: not valid YAML: {exc}") from None
    if doc is None:
        raise error(f"{p}: the file is empty; expected a mapping (key: value) at the top level")
    if not isinstance(doc, dict):
        raise error(f"{p}: expected a mapping (key: value) at the top level, got {type(doc).__name__}")
    return doc
