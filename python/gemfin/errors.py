"""Exception classes of gemfin.

Every error caused by bad input (a data file, a scenario or proposal, an API argument) is a
:class:`GemfinError` whose message names the culprit -- file, field, row or municipality --
and says what was expected.
"""

from __future__ import annotations


class GemfinError(Exception):
    """Base class of all gemfin errors."""


class InputError(GemfinError, ValueError):
    """A bad argument to a gemfin function (also raised by the compiled core)."""


class DataError(GemfinError, ValueError):
    """A shipped or user-supplied data file does not have the expected content."""


class ProposalError(GemfinError, ValueError):
    """A reform proposal (YAML) is invalid. ``problems`` lists every problem found in the file's
    structure, each with the path of its field (applying it to a circulaire stops at the first
    change that does not fit)."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems if problems is not None else [message]


class ScenarioError(GemfinError, ValueError):
    """A scenario file or dictionary is invalid. ``problems`` lists every problem found, each
    with the path of its field."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems if problems is not None else [message]


class CorruptPartError(InputError):
    """A part of a distributed run is damaged, out of order or from another run (raised by the
    compiled core when parts are combined)."""


class IncompatibleWorkerError(GemfinError, RuntimeError):
    """A worker computed with another model, gemfin build or CPU instruction set than the
    client: its numbers would differ, so the run stops instead of mixing them.

    The three classes the compiled core raises mirror its C++ classes (core/include/gemfin/
    error.hpp): InputError ↔ std::invalid_argument, CorruptPartError ↔ a kind of InputError,
    IncompatibleWorkerError ↔ std::runtime_error."""


class GemfinWarning(UserWarning):
    """A result that is computed but looks implausible (e.g. an uitkeringsfactor far outside
    the published ones); the message says what and why."""
