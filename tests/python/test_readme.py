"""The README's examples run from a folder outside the repository (tests/readme_examples.py;
`make wheel` runs the same script against the wheel in a fresh venv)."""

import subprocess
import sys

from conftest import REPO


def test_readme_examples_run_outside_the_repository():
    done = subprocess.run([sys.executable, str(REPO / "tests" / "readme_examples.py"), str(REPO / "README.md")],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "python and" in done.stdout
