"""
gemfin compiled core (private; use the gemfin package)
"""
from __future__ import annotations
import collections.abc
import numpy
import numpy.typing
import typing
__all__: list[str] = ['Distribution', 'ShockTarget', 'Simulation', 'allocate', 'phase_in']
class Distribution:
    """
    A marginal distribution of the core (built and validated once).
    """
    def __init__(self, kind: str, params: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex]) -> None:
        ...
    def mean(self) -> float:
        ...
    def quantile(self, u: typing.SupportsFloat | typing.SupportsIndex) -> float:
        ...
    @property
    def params(self) -> list[float]:
        ...
    @property
    def tabulated(self) -> bool:
        ...
class ShockTarget:
    """
    What a shock event hits: a revenue line or a domain's lasten.
    
    Members:
    
      OZB
    
      OTHER_TAXES
    
      OTHER_BATEN
    
      JEUGD
    
      WMO
    
      PARTICIPATIE
    
      OVERIG
    """
    JEUGD: typing.ClassVar[ShockTarget]
    OTHER_BATEN: typing.ClassVar[ShockTarget]
    OTHER_TAXES: typing.ClassVar[ShockTarget]
    OVERIG: typing.ClassVar[ShockTarget]
    OZB: typing.ClassVar[ShockTarget]
    PARTICIPATIE: typing.ClassVar[ShockTarget]
    WMO: typing.ClassVar[ShockTarget]
    __members__: typing.ClassVar[dict[str, ShockTarget]]
    @typing.overload
    def __eq__(self, other: ShockTarget) -> bool:
        ...
    @typing.overload
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> int:
        ...
    def __hash__(self) -> int:
        ...
    def __index__(self) -> int:
        ...
    def __init__(self, value: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __int__(self) -> int:
        ...
    @typing.overload
    def __ne__(self, other: ShockTarget) -> bool:
        ...
    @typing.overload
    def __ne__(self, other: typing.Any) -> bool:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, state: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __str__(self) -> str:
        ...
    @property
    def name(self) -> str:
        ...
    @property
    def value(self) -> int:
        ...
class Simulation:
    """
    One Monte Carlo run, in chunks that may run in other processes; see gemfin.simulate.
    """
    def __init__(self, c_basis: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, n]"], c_ozb: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, n]"], drivers: list, fund: dict, correlation: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, n]"], correlation_names: collections.abc.Sequence[str], years: typing.SupportsInt | typing.SupportsIndex, paths: typing.SupportsInt | typing.SupportsIndex, seed: typing.SupportsInt | typing.SupportsIndex, threads: typing.SupportsInt | typing.SupportsIndex, antithetic: bool, quantiles: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex], keep: collections.abc.Sequence[typing.SupportsInt | typing.SupportsIndex], bins: typing.SupportsInt | typing.SupportsIndex, block_size: typing.SupportsInt | typing.SupportsIndex, budget: typing.Any = None) -> None:
        ...
    def chunk_paths(self, chunk: typing.SupportsInt | typing.SupportsIndex) -> int:
        ...
    def finalize(self, parts: collections.abc.Sequence[bytes]) -> dict:
        """
        Combines parts (bytes from run_chunks) that cover every chunk, in chunk order.
        """
    def run(self, progress: typing.Any = None) -> dict:
        """
        The whole run in this process; returns the statistics as a dict.
        """
    def run_chunks(self, begin: typing.SupportsInt | typing.SupportsIndex, end: typing.SupportsInt | typing.SupportsIndex, progress: typing.Any = None) -> bytes:
        """
        Runs chunks [begin, end) and returns the part as bytes (for finalize, possibly in another process).
        """
    @property
    def chunks(self) -> int:
        ...
def allocate(volumes: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]", "flags.c_contiguous"], rates: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, n]"], is_ozb: collections.abc.Sequence[bool], uitkeringsfactor: typing.SupportsFloat | typing.SupportsIndex | None = None, au_budget: typing.SupportsFloat | typing.SupportsIndex | None = None) -> dict:
    """
    Allocate the algemene uitkering. volumes: G×M, rates: M×K bedragen per eenheid by cluster, is_ozb: M flags. Give exactly one of uitkeringsfactor and au_budget.
    """
def phase_in(effect: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"], inhabitants: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"], cumulative_caps: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex]) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]"]:
    """
    Clamp a herverdeeleffect (G euros) per phase-in year to ±cap·inhabitants; returns G×T.
    """
