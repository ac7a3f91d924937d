"""Input that used to be read silently wrong is refused with a message that says why."""

import subprocess
import sys

import pytest

import gemfin
from gemfin.cli import main
from gemfin.errors import ScenarioError

from conftest import REPO


def test_a_key_given_twice_is_refused_with_its_lines(tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text(f"extends: {REPO / 'scenarios' / 'baseline.yaml'}\nfund:\n  periods:\n    2024: gdp\n"
                    "    2024: fixed\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"key 2024 appears twice in one mapping \(first on line 4\)"):
        gemfin.load_scenario(path)


@pytest.mark.parametrize("text", ["2,5", "41,5e9", "1,00", "10,00,000"])
def test_a_decimal_comma_on_the_command_line_is_refused(text, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["allocate", "--au-budget", text])
    assert exc.value.code == 2
    assert "Dutch decimal comma" in capsys.readouterr().err


@pytest.mark.parametrize("text, paths", [("10,000", 10_000), ("1e3", 1000), ("2_500", 2500)])
def test_thousands_separators_still_work(text, paths):
    from gemfin.cli import count

    assert count(text) == paths


def test_a_results_directory_named_like_a_file_is_refused(tmp_path, capsys):
    out = tmp_path / "results.xlsx"
    assert main(["run", str(REPO / "scenarios" / "baseline.yaml"), "--paths", "64", "--out", str(out)]) == 2
    assert "looks like a file name" in capsys.readouterr().err
    assert not out.exists()


def test_a_closed_pipe_ends_quietly():
    # 30 listings (~300 kB) overflow the pipe's buffer after the reader has gone
    cmd = [sys.executable, "-c", "import sys; from gemfin.cli import main; "
           "sys.exit(max(main(['maatstaven']) for _ in range(30)))"]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.read(200)
    p.stdout.close()
    _, err = p.communicate(timeout=120)
    assert b"Traceback" not in err and b"BrokenPipeError" not in err
    assert p.returncode == 0


def test_kept_paths_of_a_code_not_kept_says_which_were():
    res = gemfin.simulate("baseline", paths=64, keep=["GM0014"], progress=False)
    assert res.kept_paths["GM0014"].shape == (64, 10)
    with pytest.raises(gemfin.InputError, match=r"did not keep the paths of 'GM0363' \(kept: \['GM0014'\]\); run "
                                                r"simulate\(\.\.\., keep=\['GM0363'\]\)"):
        res.kept_paths["GM0363"]
    assert res.kept_paths.get("GM0363") is None
