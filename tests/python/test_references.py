"""The repository explains itself: every docs page a file names exists, every `§N.M` it
cites into a docs page is a heading there, and nothing cites an issue tracker that is not in the
repository."""

import re

from conftest import REPO

FOLDERS = ("core", "bindings", "python", "scenarios", "notebooks", "tests", "docs", "benchmarks")
SUFFIXES = {".py", ".cpp", ".hpp", ".md", ".yaml", ".ipynb", ".txt", ".toml", ".cmake"}


def _files():
    for folder in FOLDERS:
        for path in (REPO / folder).rglob("*"):
            if path.is_file() and path.suffix in SUFFIXES and "_build" not in path.parts:
                yield path
    yield from (REPO / name for name in ("README.md", "Makefile", "CMakeLists.txt", "pyproject.toml"))


def _sections(page):
    return {m.group(1) for m in re.finditer(r"^#+\s+(\d+(?:\.\d+)*)\b", page.read_text(encoding="utf-8"), re.M)}


def test_docs_pages_and_sections_that_are_cited_exist():
    missing, bad, checked = set(), [], 0
    for path in _files():
        text = path.read_text(encoding="utf-8", errors="replace")
        for m in re.finditer(r"docs/([\w./-]+\.md)((?:\s*§\s*\d+(?:\.\d+)*(?:\s*,\s*§?\d+(?:\.\d+)*)*)?)", text):
            page = REPO / "docs" / m.group(1)
            if not page.is_file():
                missing.add(f"{path.relative_to(REPO)}: docs/{m.group(1)}")
                continue
            for ref in re.findall(r"\d+(?:\.\d+)*", m.group(2)):
                checked += 1
                if ref not in _sections(page):
                    bad.append(f"{path.relative_to(REPO)}: docs/{m.group(1)} §{ref}")
    assert not missing, sorted(missing)
    assert not bad, bad
    assert checked > 50  # the scenarios and the code cite sections throughout


def test_no_issue_numbers():
    found = []
    for path in _files():
        for i, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if re.search(r"\b[Ii]ssue #?\d+|\(#\d+\)", line):
                found.append(f"{path.relative_to(REPO)}:{i}: {line.strip()[:80]}")
    assert found == []
