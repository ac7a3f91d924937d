"""mypy finds no type errors in the package (configuration: [tool.mypy] in pyproject.toml)."""

from mypy import api

from conftest import REPO


def test_mypy_is_clean():
    stdout, stderr, status = api.run(["--config-file", str(REPO / "pyproject.toml"), str(REPO / "python" / "gemfin")])
    assert status == 0, stdout + stderr
