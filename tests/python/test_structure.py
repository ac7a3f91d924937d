"""The package's structure: no import circles between gemfin's modules (module-level or
inside functions), imports only down the floors of docs/architecture.md, two modules that talk
to the compiled core (the engine room and the compile step), and modules that fit on a page."""

import ast
import pathlib

import gemfin

PACKAGE = pathlib.Path(gemfin.__file__).parent


def _module_id(f: pathlib.Path) -> str:
    """``compare``, ``scan`` (a subpackage's __init__) or ``scan.result``."""
    parts = list(f.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _graph() -> dict[str, set[str]]:
    """Imports between gemfin's modules, subpackages included (relative imports resolved)."""
    files = sorted(PACKAGE.rglob("*.py"))
    known = {_module_id(f) for f in files}

    def resolve(parts: list[str]) -> str | None:
        for n in range(len(parts), 0, -1):
            if ".".join(parts[:n]) in known:
                return ".".join(parts[:n])
        return None

    g: dict[str, set[str]] = {}
    for f in files:
        me = _module_id(f)
        package = list(f.relative_to(PACKAGE).parts[:-1])
        deps = g.setdefault(me, set())
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level >= 1:
                base = package[:len(package) - (node.level - 1)]
                targets = ([base + node.module.split(".")] if node.module else
                           [base + [a.name] for a in node.names])
                for t in targets:
                    r = resolve(t)
                    if r is not None and r != me:
                        deps.add(r)
    return g


def _cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in g.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in list(g):
        if v not in index:
            visit(v)
    return out


#: The floors of the package, top (what a user calls) to bottom (the ground floor): a module
#: imports only from its own floor or lower ones. A module is placed by its id ("run.compile")
#: or its package ("run"); "" is gemfin/__init__.py.
FLOORS: list[set[str]] = [
    {"", "cli"},
    {"report"},
    {"sensitivity", "backtest", "calibrate"},
    {"run"},
    {"results.simulation"},
    {"scenario"},
    {"scan", "comparison"},
    {"plot"},
    {"results.budget", "results.tables", "results"},
    {"proposal", "allocation", "ingroei", "realisation", "response"},
    {"schema"},
    {"shipped", "booked"},
    {"io"},
    {"results.definitions"},
    {"circulaire", "iv3", "municipalities", "envelopes"},
    {"engine", "provenance", "repr_html", "language", "_yaml", "_tables", "_datadir", "dutch_numbers", "errors"},
]


def _floor(module: str) -> int:
    parts = module.split(".")
    for n in range(len(parts), -1, -1):
        for i, floor in enumerate(FLOORS):
            if ".".join(parts[:n]) in floor:
                return i
    raise AssertionError(f"module {module!r} is on no floor: add it to FLOORS")


def test_imports_go_down_the_floors():
    g = _graph()
    up = [f"{m} (floor {_floor(m)}) imports {d} (floor {_floor(d)})"
          for m, deps in sorted(g.items()) for d in sorted(deps) if _floor(d) < _floor(m)]
    assert not up, "imports that climb: " + "; ".join(up)


def test_the_floor_check_sees_a_climb():
    assert _floor("engine") > _floor("run.compile") > _floor("cli.runs")


#: A module longer than this says why in its docstring ("Longer than a page: ...").
PAGE_LINES = 400


def test_every_module_fits_on_a_page_or_says_why():
    long = []
    for f in sorted(PACKAGE.rglob("*.py")):
        text = f.read_text(encoding="utf-8")
        doc = ast.get_docstring(ast.parse(text)) or ""
        if len(text.splitlines()) > PAGE_LINES and "Longer than a page:" not in doc:
            long.append(f"{f.relative_to(PACKAGE)} ({len(text.splitlines())} lines)")
    assert not long, f"modules over {PAGE_LINES} lines that do not say why: {long}"


def test_public_names_load_on_first_use_and_no_module_shadows_one():
    """``import gemfin`` loads its names when first used; a submodule of the same name as a
    public function would replace the function once imported (``gemfin.compare``)."""
    import subprocess
    import sys

    modules = {f.stem for f in PACKAGE.glob("*.py")} | {d.name for d in PACKAGE.iterdir() if (d / "__init__.py").exists()}
    assert not set(gemfin.__all__) & modules
    code = "import sys, gemfin; print(sorted(m for m in ('pandas', 'pydantic', 'gemfin._core') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    assert all(callable(getattr(gemfin, n)) or n == "CLUSTERS" for n in gemfin.__all__)


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_circles():
    g = _graph()
    assert "scan.result" in g and "allocation" in g["scan.result"]
    assert _cycles(g) == []


def test_only_the_engine_room_and_the_compile_step_talk_to_the_core():
    """Only engine.py (the core's operations) and run/compile.py (the one place the core's
    model is built) import gemfin._core to run it (an import for type annotations alone, under
    ``if TYPE_CHECKING:``, runs nothing)."""
    import re

    def imports_core(text: str) -> bool:
        lines = text.splitlines()
        for i, line in enumerate(lines):
            if re.match(r"\s*(from \.+ import _core|from \.+_core import|import gemfin\._core)", line):
                if not (i and "TYPE_CHECKING" in lines[i - 1]):
                    return True
        return False

    users = sorted(str(f.relative_to(PACKAGE)) for f in PACKAGE.rglob("*.py") if imports_core(f.read_text(encoding="utf-8")))
    assert users == ["engine.py", "run/compile.py"]


def test_the_core_checks_the_order_of_the_macro_shocks():
    """The correlation matrix is labelled by the scenario (Scenario.shock_names); the core
    knows its own order and refuses a mismatch, naming both."""
    import pytest

    from gemfin import _core
    from gemfin.engine import RunOptions, simulation
    from gemfin.errors import InputError
    from gemfin.run.base import build_base
    from gemfin.run.compile import compile_model

    scen = gemfin.load_scenario("baseline")
    model = compile_model(scen, build_base(scen))
    names = list(model.correlation_names)
    names[0], names[1] = names[1], names[0]
    swapped = _core.ProjectionModel(c_basis=model.c_basis, c_ozb=model.c_ozb, drivers=model.drivers, fund=model.fund,
                                    correlation=scen.correlation_matrix(), correlation_names=names, years=model.years,
                                    budget=model.budget)
    with pytest.raises(InputError, match=r"expected the macro shocks in the core's order \[growth, price, inwoners.*"
                                         r"got \[price, growth"):
        simulation(swapped, RunOptions(16, 1, 1, False, (0.5,), (), 64, 1024))


def test_every_shock_target_has_its_core_enum():
    from gemfin.engine import SHOCK_TARGETS
    from gemfin.schema.scenario import SHOCK_TARGETS as NAMES

    assert sorted(SHOCK_TARGETS) == sorted(NAMES)
    assert len({int(v) for v in SHOCK_TARGETS.values()}) == len(NAMES)


def test_core_stubs_are_current(tmp_path):
    """python/gemfin/_core.pyi is what pybind11-stubgen makes of the built module (`make stubs`)."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "pybind11_stubgen", "gemfin._core", "-o", str(tmp_path)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    generated = (tmp_path / "gemfin" / "_core.pyi").read_text(encoding="utf-8")
    assert generated == (PACKAGE / "_core.pyi").read_text(encoding="utf-8"), "stale stubs: run `make stubs`"
