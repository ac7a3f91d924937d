"""Subcommands about files: ``new`` (a shipped scenario or proposal to edit), ``validate``,
``schema``, and the lists of shipped ``scenarios`` and ``proposals``."""

from __future__ import annotations

from pathlib import Path

from ..booked import load_circulaire
from ..circulaire import newest_circulaire
from ..errors import GemfinError


def _is_proposal(path: str) -> bool:
    """A proposal has 'changes' and no 'fund'/'drivers' (any unreadable file is a scenario:
    its loader then says what is wrong)."""
    from .._yaml import load_yaml_mapping
    from ..scenario import ScenarioError
    from ..shipped import shipped_path

    if not Path(path).exists():  # a shipped name
        return shipped_path("scenario", path) is None and shipped_path("proposal", path) is not None
    try:
        doc = load_yaml_mapping(path, ScenarioError)
    except ScenarioError:
        return False
    return "changes" in doc and "fund" not in doc and "drivers" not in doc


def _list_shipped(kind: str) -> None:
    """One line per shipped file: its name and the ``name:`` inside it."""
    from .._yaml import load_yaml_mapping
    from ..shipped import names, shipped_path

    shipped = names(kind)
    width = max(len(n) for n in shipped)
    for n in shipped:
        path = shipped_path(kind, n)
        title = load_yaml_mapping(path, GemfinError).get("name", "") if path else ""
        print(f"{n:<{width}}  {title}")


def _cmd_new(args) -> None:
    from ..shipped import names, new_file

    source = args.source or ("baseline" if args.kind == "scenario" else names("proposal")[0])
    directory = Path(args.dir) if args.dir else None
    target = new_file(args.kind, args.name, source, directory, force=args.force)
    print(f"wrote {target} (a copy of the shipped {args.kind} '{source}'); check it with: gemfin validate {target}")


def _cmd_validate(args) -> int:
    from ..scenario import ScenarioError, load_scenario

    kind = args.kind or ("proposal" if _is_proposal(args.scenario) else "scenario")
    if kind == "proposal":
        from ..errors import ProposalError
        from ..proposal import load_proposal

        try:
            prop = load_proposal(args.scenario)
            prop.apply(load_circulaire(newest_circulaire(args.data), args.data))
        except ProposalError as exc:
            print(f"{args.scenario}: {len(exc.problems)} problem(s) (proposal)")
            for p in exc.problems:
                print(f"  - {p}")
            return 1
        print(f"{args.scenario}: valid proposal ({prop.name}; {len(prop.changes)} change(s), "
              f"applies to {newest_circulaire(args.data)})")
        return 0
    try:
        scen = load_scenario(args.scenario)
    except ScenarioError as exc:
        print(f"{args.scenario}: {len(exc.problems)} problem(s)")
        for p in exc.problems:
            print(f"  - {p}")
        return 1
    budget = "with municipal budgets" if scen.budget else "allocation only"
    print(f"{args.scenario}: valid ({scen.name}; {scen.circulaire} + {scen.horizon} years, {len(scen.drivers)} drivers, "
          f"{budget}, {len(scen.shocks)} shocks, {len(scen.compensation)} compensation components)")
    return 0


def _cmd_schema(args) -> None:
    from ..schema import proposal as schema_proposal, scenario as schema_scenario
    from ..io import atomic_write

    text = schema_json(schema_scenario.json_schema() if args.kind == "scenario" else schema_proposal.json_schema())
    if args.out:
        out = atomic_write(args.out, lambda p: p.write_text(text, encoding="utf-8"))
        print(f"gemfin schema {args.kind}: written {out}")
    else:
        print(text, end="")


def schema_json(schema: dict) -> str:
    """A JSON Schema as the files in docs/schemas hold it (sorted keys, 2-space indent)."""
    import json

    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
