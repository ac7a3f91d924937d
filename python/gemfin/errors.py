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
    """A reform proposal (YAML) is invalid."""


class GemfinWarning(UserWarning):
    """A result that is computed but looks implausible (e.g. an uitkeringsfactor far outside
    the published ones); the message says what and why."""
