"""The scenarios and proposals gemfin ships, found by name from any folder.

A reference to a scenario or proposal (an argument of ``load_scenario``/``load_proposal``,
``extends:`` or ``proposal:`` in a file, a CLI argument) is read as:

1. a path, absolute or relative to the referring file's folder (the working directory for an
   argument), when that file exists;
2. else a shipped name: ``baseline``, ``baseline.yaml`` or the shipped file's path below the
   scenario folder (``proposals/jeugd-naar-jongeren.yaml``), so that the shipped files, and
   copies of them made anywhere, keep working.

Anything else is an error that lists the shipped names. A file of your own always wins over a
shipped name, so a copy you edit is the one that is read.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
from pathlib import Path

from ._datadir import scenarios_dir
from ._yaml import load_yaml_mapping
from .errors import DataError, InputError

KINDS = ("scenario", "proposal")


def _folder(kind: str) -> Path:
    root = scenarios_dir()
    return root / "proposals" if kind == "proposal" else root


def names(kind: str) -> list[str]:
    """The shipped names of ``kind`` ('scenario' or 'proposal'), sorted."""
    if kind not in KINDS:
        raise InputError(f"kind must be one of {KINDS}, got {kind!r}")
    files = sorted(_folder(kind).glob("*.yaml"))
    # Every reference by name asks this: the files are read again only when one changed.
    return list(_names(kind, tuple((str(f), f.stat().st_mtime_ns) for f in files)))


@functools.lru_cache(maxsize=8)
def _names(kind: str, stamp: tuple[tuple[str, int], ...]) -> tuple[str, ...]:
    out = []
    for path, _ in stamp:
        f = Path(path)
        if kind == "scenario":
            doc = load_yaml_mapping(f, DataError)
            if "fund" not in doc and "extends" not in doc:  # realisation.yaml holds priors, not a scenario
                continue
        out.append(f.stem)
    return tuple(out)


def shipped_path(kind: str, name: str) -> Path | None:
    """The shipped file called ``name`` (with or without ``.yaml``, or its path below the
    scenario folder), or None."""
    ref = name.replace("\\", "/")
    stem = ref[:-5] if ref.endswith(".yaml") else ref[:-4] if ref.endswith(".yml") else ref
    prefix = "proposals/" if kind == "proposal" else ""
    if prefix and stem.startswith(prefix):
        stem = stem[len(prefix):]
    if "/" in stem or stem not in names(kind):
        return None
    return _folder(kind) / f"{stem}.yaml"


def resolve(ref: str | os.PathLike, kind: str, base_dir: Path | None = None) -> Path:
    """The file a reference stands for (see the module docstring); raises FileNotFoundError
    with a message that lists the shipped names when there is none."""
    p = Path(ref)
    local = p if p.is_absolute() else (base_dir or Path.cwd()) / p
    if local.exists():  # a file, or a folder the loader will refuse by name
        return local.resolve()
    if not p.is_absolute():
        shipped = shipped_path(kind, str(ref))
        if shipped is not None:
            return shipped
    where = "" if p.is_absolute() else f" (looked in {base_dir or Path.cwd()})"
    close = difflib.get_close_matches(p.stem, names(kind), n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise FileNotFoundError(
        f"{str(ref)!r} is neither a {kind} file{where} nor a shipped {kind}{hint}; shipped: {names(kind)} "
        f"(`gemfin {kind}s` lists them, `gemfin new {kind} NAME --from SHIPPED` copies one to edit)")


def schema_file(kind: str) -> Path | None:
    """The JSON Schema of ``kind`` files: docs/schemas in a checkout, gemfin/schemas in a wheel."""
    here = Path(__file__).resolve().parent
    for folder in (here.parent.parent / "docs" / "schemas", here / "schemas"):
        f = folder / f"{kind}.schema.json"
        if f.is_file():
            return f
    return None


_SCHEMA_LINE = re.compile(r"^# yaml-language-server: \$schema=.*$", re.MULTILINE)
_EXTENDS = re.compile(r"^(extends:\s*)(['\"]?)([^'\"#\s]+)\2", re.MULTILINE)
_PROPOSAL = re.compile(r"^(proposal:\s*)(['\"]?)([^'\"#\s]+)\2", re.MULTILINE)


def new_file(kind: str, name: str, source: str, directory: Path | None = None, *, force: bool = False) -> Path:
    """Copy the shipped ``source`` to ``<directory>/<name>.yaml`` as a starting point: the
    comments kept, the schema line pointing at the installed schema, references to other
    shipped files written as names (so the copy works from any folder), a header saying where
    it came from. Refuses to overwrite an existing file unless ``force``."""
    if kind not in KINDS:
        raise InputError(f"gemfin new: expected 'scenario' or 'proposal', got {kind!r}")
    src = shipped_path(kind, source)
    if src is None:
        raise InputError(f"gemfin new {kind}: {source!r} is not a shipped {kind}; shipped: {names(kind)}")
    stem = name[:-5] if name.endswith(".yaml") else name
    if not stem or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", Path(stem).name):
        raise InputError(f"gemfin new {kind}: {name!r} is not a usable file name; expected letters, digits, "
                         "'-', '_' or '.' (for example my-{kind})")
    target = (directory or Path.cwd()) / f"{stem}.yaml"
    if target.exists() and not force:
        raise InputError(f"gemfin new {kind}: {target} exists; choose another name or pass --force to overwrite")
    text = src.read_text(encoding="utf-8")
    text = _EXTENDS.sub(lambda m: m.group(1) + (_as_name("scenario", m.group(3)) or m.group(3)), text)
    text = _PROPOSAL.sub(lambda m: m.group(1) + (_as_name("proposal", m.group(3)) or m.group(3)), text)
    text = _SCHEMA_LINE.sub("", text).lstrip("\n")
    schema = schema_file(kind)
    header = ""
    if schema is not None:
        header += f"# yaml-language-server: $schema={schema.as_uri()}\n"
    header += (f"# A copy of gemfin's shipped {kind} '{src.stem}', to edit. Check it with `gemfin validate {target.name}`;\n"
               f"# every value you change needs its own `source:` (a publication, or \"assumption: ...\").\n")
    from .io import atomic_write

    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, lambda tmp: tmp.write_text(header + text, encoding="utf-8"))
    return target


def _as_name(kind: str, ref: str) -> str | None:
    p = shipped_path(kind, ref)
    return p.stem if p is not None else None
