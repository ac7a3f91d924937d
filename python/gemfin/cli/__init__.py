"""The ``gemfin`` command line.

    gemfin circulaires
    gemfin allocate [--circulaire ID] [--uitkeringsfactor UF | --au-budget EUR] [--out FILE]
    gemfin compare --proposal FILE [--circulaire ID] [--cap EUR | --caps A,B,C | --no-cap]
                   [--years N] [--out FILE] [--fit [--filing DOC:YEAR]]
    gemfin maatstaven [--circulaire ID] [--format table|csv|markdown]
    gemfin balance [--circulaire ID] [--filing begroting:2025] [--overhead KEY] [--out FILE]
    gemfin fund-path [SCENARIO] [--out FILE]
    gemfin validate FILE [--kind scenario|proposal]
    gemfin run SCENARIO --out DIR [--paths N] [--seed S]
    gemfin report SCENARIO --out report.html|report.xlsx
    gemfin backtest --target-year Y --out DIR [--paths N] [--seed S]

Output files are CSV or Excel by extension, checked before any work and written atomically,
each with its provenance. Bad input exits with code 2 and a message naming what was wrong.
"""

from __future__ import annotations

import os
import sys
import warnings

from ..circulaire import circulaires
from ..errors import GemfinError
from .arguments import _join_negative_values, _NUMERIC_OPTIONS, _parser, count, euros
from .files import _cmd_new, _cmd_schema, _cmd_validate, _list_shipped, schema_json
from .fund import _cmd_allocate, _cmd_balance, _cmd_compare, _cmd_fund_path, _cmd_maatstaven, maatstaven_markdown
from .runs import _cmd_backtest, _cmd_calibrate, _cmd_report, _cmd_run, _cmd_sensitivity, balance_available

__all__ = ["main", "count", "euros", "maatstaven_markdown", "schema_json", "balance_available"]


_COMMANDS = {"new": _cmd_new, "scenarios": lambda args: _list_shipped("scenario"),
             "proposals": lambda args: _list_shipped("proposal"), "allocate": _cmd_allocate, "compare": _cmd_compare, "balance": _cmd_balance, "fund-path": _cmd_fund_path, "maatstaven": _cmd_maatstaven, "run": _cmd_run,
             "report": _cmd_report, "backtest": _cmd_backtest, "sensitivity": _cmd_sensitivity,
             "calibrate": _cmd_calibrate, "schema": _cmd_schema}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(_join_negative_values(argv, _NUMERIC_OPTIONS))
    # A plausibility warning reads as one line, as errors do (not file:line plus source).
    warnings.formatwarning = lambda message, category, *_a, **_k: f"gemfin: warning: {message}\n"
    try:
        if args.command == "circulaires":
            for cid in circulaires(args.data):
                print(cid)
        elif args.command == "validate":
            return _cmd_validate(args)  # 1 when the file has problems
        else:
            _COMMANDS[args.command](args)
    except GemfinError as exc:
        print(f"gemfin: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `gemfin maatstaven | head`: the reader left; no traceback
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python's own flush at exit must not fail again
        return 0
    except KeyboardInterrupt:
        print("gemfin: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
