"""Shipped scenarios and proposals by name from any folder; copies to edit; output folders created."""

import pytest
import yaml

import gemfin
from gemfin.cli import main
from gemfin.errors import InputError, ProposalError
from gemfin.io import check_output
from gemfin.scenario import ScenarioError

from conftest import REPO


@pytest.fixture()
def elsewhere(tmp_path, monkeypatch):
    """A working directory outside the repository."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_lists_match_the_shipped_folders():
    files = {p.stem for p in (REPO / "scenarios").glob("*.yaml")} - {"realisation"}
    assert set(gemfin.scenarios()) == files
    assert gemfin.proposals() == sorted(p.stem for p in (REPO / "scenarios" / "proposals").glob("*.yaml"))


def test_proposal_by_name_from_another_folder(elsewhere):
    p = gemfin.load_proposal("jeugd-naar-jongeren")
    assert p.path == REPO / "scenarios" / "proposals" / "jeugd-naar-jongeren.yaml"
    assert gemfin.load_proposal("jeugd-naar-jongeren.yaml").path == p.path


def test_compare_with_a_proposal_name(elsewhere, circ):
    by_name = gemfin.compare(circ, "jeugd-naar-jongeren")
    by_path = gemfin.compare(circ, REPO / "scenarios" / "proposals" / "jeugd-naar-jongeren.yaml")
    assert by_name.herverdeeleffect.equals(by_path.herverdeeleffect)


@pytest.mark.parametrize("ref", ["baseline", "baseline.yaml"])
def test_extends_a_shipped_name(elsewhere, ref):
    (elsewhere / "mine.yaml").write_text(f"extends: {ref}\nname: Mine\nhorizon: 3\n")
    s = gemfin.load_scenario("mine.yaml")
    assert s.name == "Mine" and s.horizon == 3 and s.circulaire == gemfin.load_scenario("baseline").circulaire


def test_a_file_of_your_own_beats_the_shipped_name(elsewhere):
    (elsewhere / "baseline.yaml").write_text("extends: " + str(REPO / "scenarios" / "baseline.yaml")
                                             + "\nname: My own baseline\n")
    (elsewhere / "child.yaml").write_text("extends: baseline.yaml\nname: Child\n")
    assert gemfin.load_scenario("baseline.yaml").name == "My own baseline"
    assert gemfin.load_scenario("child.yaml").name == "Child"
    # ... and the shipped one by name is still the shipped one from a folder without that file
    assert gemfin.load_scenario(str(REPO / "scenarios" / "baseline.yaml")).name == "Baseline"


def test_unknown_names_are_refused_with_the_list(elsewhere):
    with pytest.raises(ScenarioError, match=r"'basline' is neither.*did you mean 'baseline'\?.*shipped: \["):
        gemfin.load_scenario("basline")
    with pytest.raises(ProposalError, match="nor a shipped proposal.*jeugd-naar-jongeren"):
        gemfin.load_proposal("jeugd")
    (elsewhere / "x.yaml").write_text("extends: nowhere\nname: X\n")
    with pytest.raises(ScenarioError, match=r"x.yaml: extends: 'nowhere' is neither a scenario file"):
        gemfin.load_scenario("x.yaml")


def test_a_shipped_scenario_with_a_proposal_loads_from_anywhere(elsewhere):
    s = gemfin.load_scenario("reform-jeugd-stochastic")
    assert s.proposal == REPO / "scenarios" / "proposals" / "jeugd-naar-jongeren.yaml"


def test_new_copies_a_scenario_that_validates_from_its_new_folder(elsewhere, capsys):
    assert main(["new", "scenario", "reform", "--from", "reform-jeugd-stochastic", "--dir", "work"]) == 0
    text = (elsewhere / "work" / "reform.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=file://")
    assert "scenario.schema.json" in text.splitlines()[0]
    doc = yaml.safe_load(text)
    assert doc["extends"] == "baseline" and doc["proposal"] == "jeugd-naar-jongeren"
    assert main(["validate", "work/reform.yaml"]) == 0
    original = gemfin.load_scenario("reform-jeugd-stochastic")
    copy = gemfin.load_scenario(elsewhere / "work" / "reform.yaml")
    assert copy.proposal == original.proposal and copy.budget == original.budget
    capsys.readouterr()
    assert main(["new", "scenario", "reform", "--from", "baseline", "--dir", "work"]) == 2
    assert "exists" in capsys.readouterr().err
    assert main(["new", "scenario", "reform", "--from", "baseline", "--dir", "work", "--force"]) == 0
    assert yaml.safe_load((elsewhere / "work" / "reform.yaml").read_text())["name"] == "Baseline"


def test_new_proposal_and_bad_names(elsewhere, capsys):
    assert main(["new", "proposal", "mijn-voorstel", "--from", "vast-bedrag-kleine-gemeenten"]) == 0
    assert gemfin.load_proposal("mijn-voorstel.yaml").name == gemfin.load_proposal("vast-bedrag-kleine-gemeenten").name
    capsys.readouterr()
    assert main(["new", "proposal", "x", "--from", "nope"]) == 2
    assert "not a shipped proposal" in capsys.readouterr().err
    assert main(["new", "scenario", "../../etc/x y"]) == 2
    assert "not a usable file name" in capsys.readouterr().err


def test_cli_lists(capsys):
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in out] == gemfin.scenarios()
    assert main(["proposals"]) == 0
    assert capsys.readouterr().out.split()[0] == gemfin.proposals()[0]


def test_output_folders_are_created(elsewhere):
    # checked first, created when written: a failed run leaves no empty folders behind
    assert not check_output("out/deeper/a.csv", suffixes=(".csv",)).parent.exists()
    assert check_output("out/deeper/a.csv", suffixes=(".csv",), create=True).parent.is_dir()
    assert not check_output("results/run1", directory=True).exists()
    (elsewhere / "afile").write_text("x")
    with pytest.raises(InputError, match="afile is a file, not a directory"):
        check_output("afile/sub/a.csv", suffixes=(".csv",))
    assert main(["allocate", "--out", "new/dir/alloc.csv"]) == 0
    assert (elsewhere / "new" / "dir" / "alloc.csv").is_file()
