"""HTML for notebooks: the one place gemfin writes the ``_repr_html_`` of its objects.

Every text that reaches the page is escaped here (a municipality, scenario or proposal name may
hold ``<`` or ``&``), so the objects pass plain text. tests/python/test_repr_html.py renders each
object and checks its caption, its fields and the escaping.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import pandas as pd

_TH = "<th style='text-align:left'>"


def fields(caption: str, rows: Iterable[tuple[str, object]]) -> str:
    """A two-column table, label and value, with a caption (all text escaped)."""
    body = "".join(f"<tr>{_TH}{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows)
    return f"<table><caption>{html.escape(caption)}</caption>{body}</table>"


def frame(df: pd.DataFrame, title: str | None = None, digits: int | None = 3) -> str:
    """A DataFrame as a table (pandas escapes its cells), rounded, with a title line above."""
    shown = df.round(digits) if digits is not None else df
    head = f"<p>{html.escape(title)}</p>" if title else ""
    return head + shown.to_html(escape=True)


def items(title: str | None, lines: Iterable[str]) -> str:
    """A bulleted list (escaped), with a title line above; empty when there are no lines."""
    lines = list(lines)
    if not lines:
        return ""
    head = f"<p>{html.escape(title)}</p>" if title else ""
    return head + "<ul>" + "".join(f"<li>{html.escape(x)}</li>" for x in lines) + "</ul>"


def heading(text: str) -> str:
    return f"<b>{html.escape(text)}</b>"
