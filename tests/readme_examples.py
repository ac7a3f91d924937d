"""Run the README's examples as a newcomer would: in an empty folder outside the repository,
against the gemfin that this interpreter imports (the editable install, or a wheel in a fresh
venv). Python blocks run in one namespace, in order; each line of a bash block runs as a
command, `gemfin` being the one installed beside this interpreter.

    python tests/readme_examples.py README.md

Exits non-zero, naming the block and line, when an example fails.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path


def blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


def run(readme: Path) -> None:
    text = readme.read_text(encoding="utf-8")
    gemfin_cli = Path(sys.executable).with_name("gemfin")
    with tempfile.TemporaryDirectory(prefix="gemfin-readme-") as work:
        os.chdir(work)
        os.environ.setdefault("MPLBACKEND", "Agg")
        namespace: dict = {}
        for i, code in enumerate(blocks(text, "python")):
            try:
                exec(compile(code, f"{readme.name}, python block {i + 1}", "exec"), namespace)
            except Exception as exc:
                raise SystemExit(f"{readme.name}, python block {i + 1} failed: {type(exc).__name__}: {exc}") from exc
        for i, code in enumerate(blocks(text, "bash")):
            for line in code.splitlines():
                command = line.split("#", 1)[0].strip()
                if not command.startswith("gemfin "):
                    continue  # make targets and set-up lines are for a checkout, not this folder
                args = shlex.split(command)
                done = subprocess.run([str(gemfin_cli), *args[1:], *(["--no-progress"] if args[1] in ("run", "report")
                                                                      else [])],
                                      capture_output=True, text=True)
                if done.returncode != 0:
                    raise SystemExit(f"{readme.name}, bash block {i + 1}: `{command}` exited {done.returncode}:\n"
                                     f"{done.stderr}")
        print(f"{readme.name}: {len(blocks(text, 'python'))} python and {len(blocks(text, 'bash'))} bash blocks ran "
              f"in {work}")


if __name__ == "__main__":
    run(Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "README.md").resolve())
