"""Sphinx configuration of gemfin's documentation site (`make docs`).

Sphinx rather than MkDocs: the API reference comes from the docstrings through autodoc, which
imports the installed package (the compiled core included) instead of parsing the sources;
myst-parser reads the Markdown pages as they are, and myst-nb executes the notebooks at build
time, so the figures on the site are those of the code being documented; ``-W`` turns every
broken link and reference into an error. The site is built from a staging copy
(build/docs/src: this folder plus ../notebooks) so that the notebooks need not live in docs/.
"""

from __future__ import annotations

import os

import gemfin

project = "gemfin"
author = "the gemfin developers"
copyright = "the gemfin developers; data: see data/*/SOURCES.md"
release = version = gemfin.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "schemas", "**/.ipynb_checkpoints"]
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3

# Notebooks are executed on every build; a failing cell fails the build (GEMFIN_DOCS_EXECUTE=off
# skips them while editing pages).
nb_execution_mode = os.environ.get("GEMFIN_DOCS_EXECUTE", "force")
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True

autodoc_default_options = {"members": True, "show-inheritance": False}
autodoc_member_order = "bysource"
autodoc_typehints = "signature"

html_theme = "furo"
html_title = f"gemfin {release}"
html_static_path: list[str] = []

