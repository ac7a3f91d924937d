"""
gemfin compiled core (private; use the gemfin package)
"""
from __future__ import annotations
import collections.abc
from gemfin.errors import CorruptPartError
from gemfin.errors import IncompatibleWorkerError
from gemfin.errors import InputError
import numpy
import numpy.typing
import typing
__all__: list[str] = ['AccresPeriod', 'BudgetModel', 'BudgetOutput', 'CellSummary', 'ClusterBalance', 'CorruptPartError', 'Distribution', 'DriverSpec', 'FundRule', 'FundSpec', 'GDP_HISTORY_YEARS', 'IncompatibleWorkerError', 'InputError', 'MacroProcess', 'ProjectionModel', 'Realisation', 'Response', 'ShockEvent', 'ShockTarget', 'Simulation', 'SimulationOptions', 'SimulationOutput', 'allocate', 'budget_isa', 'check_correlation', 'distribution_catalogue', 'fixed_exp', 'fixed_power', 'kernel_version', 'phase_in', 'simd_target', 'simd_targets']
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
    def kind(self) -> str:
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
class MacroProcess:
    """
    An AR(1) growth process: x_t = mean + persistence·(x_t−1 − mean) + shock.
    """
    def __init__(self, *, mean: typing.SupportsFloat | typing.SupportsIndex, persistence: typing.SupportsFloat | typing.SupportsIndex, start: typing.SupportsFloat | typing.SupportsIndex, shock: Distribution) -> None:
        ...
    @property
    def mean(self) -> float:
        ...
    @property
    def persistence(self) -> float:
        ...
    @property
    def shock(self) -> Distribution:
        ...
    @property
    def start(self) -> float:
        ...
class DriverSpec:
    """
    A volume driver: national log-growth and municipal dispersion.
    """
    def __init__(self, *, name: str, national: Distribution, municipal_sd: typing.SupportsFloat | typing.SupportsIndex, average_years: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    @property
    def average_years(self) -> int:
        ...
    @property
    def municipal_sd(self) -> float:
        ...
    @property
    def name(self) -> str:
        ...
    @property
    def national(self) -> Distribution:
        ...
class FundRule:
    """
    How the fund grows: with central spending (NGRU) or nominal GDP (GDP).
    
    Members:
    
      NGRU
    
      GDP
    """
    GDP: typing.ClassVar[FundRule]
    NGRU: typing.ClassVar[FundRule]
    __members__: typing.ClassVar[dict[str, FundRule]]
    @typing.overload
    def __eq__(self, other: FundRule) -> bool:
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
    def __ne__(self, other: FundRule) -> bool:
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
class AccresPeriod:
    """
    How the accres of one year is set under the gdp rule's processes (docs/budget-model.md).
    
    Members:
    
      GDP
    
      TRAP_OP_TRAP_AF
    
      FIXED
    
      FROZEN_VOLUME
    
      PUBLISHED
    """
    FIXED: typing.ClassVar[AccresPeriod]
    FROZEN_VOLUME: typing.ClassVar[AccresPeriod]
    GDP: typing.ClassVar[AccresPeriod]
    PUBLISHED: typing.ClassVar[AccresPeriod]
    TRAP_OP_TRAP_AF: typing.ClassVar[AccresPeriod]
    __members__: typing.ClassVar[dict[str, AccresPeriod]]
    @typing.overload
    def __eq__(self, other: AccresPeriod) -> bool:
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
    def __ne__(self, other: AccresPeriod) -> bool:
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
class FundSpec:
    """
    The gemeentefonds: base budget, growth rule and policy mutations.
    """
    def __init__(self, *, rule: FundRule, budget0: typing.SupportsFloat | typing.SupportsIndex, growth: MacroProcess, price: MacroProcess | None = None, policy_mutations: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex], growth_history: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex] = [], periods: collections.abc.Sequence[AccresPeriod] = [], published_accres: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex] = [], published_price: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex] = []) -> None:
        ...
    @property
    def budget0(self) -> float:
        ...
    @property
    def growth(self) -> MacroProcess:
        ...
    @property
    def growth_history(self) -> list[float]:
        ...
    @property
    def periods(self) -> list[AccresPeriod]:
        ...
    @property
    def policy_mutations(self) -> list[float]:
        ...
    @property
    def price(self) -> MacroProcess:
        ...
    @property
    def published_accres(self) -> list[float]:
        ...
    @property
    def published_price(self) -> list[float]:
        ...
    @property
    def rule(self) -> FundRule:
        ...
class ShockEvent:
    """
    A one-off loss of a revenue line or extra cost of a domain in one year.
    """
    def __init__(self, *, name: str, year: typing.SupportsInt | typing.SupportsIndex, target: ShockTarget, fraction: Distribution, municipal_sd: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def fraction(self) -> Distribution:
        ...
    @property
    def municipal_sd(self) -> float:
        ...
    @property
    def name(self) -> str:
        ...
    @property
    def target(self) -> ShockTarget:
        ...
    @property
    def year(self) -> int:
        ...
class Realisation:
    """
    From a begroting to the realised result (docs/backtest.md).
    """
    def __init__(self, *, offset: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, 1]"], year: Distribution, residual: Distribution, residual_factor: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, 1]"]) -> None:
        ...
    @property
    def offset(self) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"]:
        ...
    @property
    def residual(self) -> Distribution:
        ...
    @property
    def residual_factor(self) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"]:
        ...
    @property
    def year(self) -> Distribution:
        ...
class Response:
    """
    The municipal response rule (docs/budget-model.md, "Response").
    """
    def __init__(self, *, target: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, 1]"], speed: typing.SupportsFloat | typing.SupportsIndex, max_step: typing.SupportsFloat | typing.SupportsIndex) -> None:
        ...
    @property
    def max_step(self) -> float:
        ...
    @property
    def speed(self) -> float:
        ...
    @property
    def target(self) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"]:
        ...
class ClusterBalance:
    """
    The social clusters' allocation and base netto lasten (docs/fund-balance.md); euros.
    """
    def __init__(self, *, basis: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, n]"], fixed: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, n]"], siudu: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, n]"], netto0: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, n]"]) -> None:
        ...
    @property
    def basis(self) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]"]:
        ...
    @property
    def fixed(self) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]"]:
        ...
    @property
    def netto0(self) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]"]:
        ...
    @property
    def siudu(self) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]"]:
        ...
class BudgetModel:
    """
    Municipal budgets on top of the fund (docs/budget-model.md); euros per municipality.
    """
    def __init__(self, *, lasten: collections.abc.Sequence[typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, 1]"]], ozb: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, 1]"], other_taxes: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, 1]"], other_baten: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, 1]"], buig_baten: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, 1]"], buig_lasten: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, 1]"], siudu: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, 1]"], reserves: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, 1]"], volume_weights: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, n]"], bijstand_driver: typing.SupportsInt | typing.SupportsIndex, woz_driver: typing.SupportsInt | typing.SupportsIndex, revenue_volume_driver: typing.SupportsInt | typing.SupportsIndex = -1, ozb_pass_through: typing.SupportsFloat | typing.SupportsIndex, ozb_policy_growth: typing.SupportsFloat | typing.SupportsIndex, ozb_price_indexed: bool = False, wage_price: MacroProcess, wage_price_follows_fund: bool = False, wage_price_wedge: typing.SupportsFloat | typing.SupportsIndex = 0.0, excess: collections.abc.Sequence[Distribution], excess_persistence: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex], error_mu: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex], error_sigma: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex], vangnet_threshold: typing.SupportsFloat | typing.SupportsIndex, vangnet_full: typing.SupportsFloat | typing.SupportsIndex, vangnet_share: typing.SupportsFloat | typing.SupportsIndex, artikel12_threshold: typing.SupportsFloat | typing.SupportsIndex, artikel12_horizon: typing.SupportsInt | typing.SupportsIndex, balance: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, 1]"], shocks: collections.abc.Sequence[ShockEvent], compensation: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, n]"], realisation: Realisation | None = None, response: Response | None = None, suppletie: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, n]"] = ..., cluster_balance: ClusterBalance | None = None, tasks: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, n]"] = ...) -> None:
        ...
    @property
    def artikel12_horizon(self) -> int:
        ...
    @property
    def artikel12_threshold(self) -> float:
        ...
    @property
    def balance(self) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"]:
        ...
    @property
    def bijstand_driver(self) -> int:
        ...
    @property
    def buig_baten(self) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"]:
        ...
    @property
    def buig_lasten(self) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"]:
        ...
    @property
    def cluster_balance(self) -> ClusterBalance | None:
        ...
    @property
    def compensation(self) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]"]:
        ...
    @property
    def error_mu(self) -> typing.Annotated[list[float], "FixedSize(4)"]:
        ...
    @property
    def error_sigma(self) -> typing.Annotated[list[float], "FixedSize(4)"]:
        ...
    @property
    def excess(self) -> typing.Annotated[list[Distribution], "FixedSize(4)"]:
        ...
    @property
    def excess_persistence(self) -> typing.Annotated[list[float], "FixedSize(4)"]:
        ...
    @property
    def lasten(self) -> typing.Annotated[list[typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"]], "FixedSize(4)"]:
        ...
    @property
    def macro_shocks(self) -> int:
        ...
    @property
    def other_baten(self) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"]:
        ...
    @property
    def other_taxes(self) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"]:
        ...
    @property
    def ozb(self) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"]:
        ...
    @property
    def ozb_pass_through(self) -> float:
        ...
    @property
    def ozb_policy_growth(self) -> float:
        ...
    @property
    def ozb_price_indexed(self) -> bool:
        ...
    @property
    def realisation(self) -> Realisation | None:
        ...
    @property
    def reserves(self) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"]:
        ...
    @property
    def response(self) -> Response | None:
        ...
    @property
    def revenue_volume_driver(self) -> int:
        ...
    @property
    def shocks(self) -> list[ShockEvent]:
        ...
    @property
    def siudu(self) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"]:
        ...
    @property
    def suppletie(self) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]"]:
        ...
    @property
    def tasks(self) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]"]:
        """
        4 × T euros: the money the fund gives in each year for a task of each domain (its lasten rise with it)
        """
    @property
    def vangnet_full(self) -> float:
        ...
    @property
    def vangnet_share(self) -> float:
        ...
    @property
    def vangnet_threshold(self) -> float:
        ...
    @property
    def volume_weights(self) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]"]:
        ...
    @property
    def wage_price(self) -> MacroProcess:
        ...
    @property
    def wage_price_follows_fund(self) -> bool:
        ...
    @property
    def wage_price_wedge(self) -> float:
        ...
    @property
    def woz_driver(self) -> int:
        ...
class ProjectionModel:
    """
    The whole model of a run: allocation coefficients, drivers, fund, correlation and budgets.
    """
    def __init__(self, *, c_basis: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, n]"], c_ozb: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, n]"], drivers: collections.abc.Sequence[DriverSpec], fund: FundSpec, correlation: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, n]"], correlation_names: collections.abc.Sequence[str], years: typing.SupportsInt | typing.SupportsIndex, budget: BudgetModel | None = None, base_year_first: bool = False) -> None:
        ...
    def fingerprint(self) -> str:
        """
        A digest of every field of the model (32 hex digits), the same on every CPU.
        """
    def macro_shock_names(self) -> list[str]:
        """
        The macro shocks in the core's order, which correlation_names must repeat.
        """
    @property
    def base_year_first(self) -> bool:
        ...
    @property
    def budget(self) -> BudgetModel | None:
        ...
    @property
    def c_basis(self) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]"]:
        ...
    @property
    def c_ozb(self) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]"]:
        ...
    @property
    def correlation(self) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]"]:
        ...
    @property
    def correlation_names(self) -> list[str]:
        ...
    @property
    def drivers(self) -> list[DriverSpec]:
        ...
    @property
    def fund(self) -> FundSpec:
        ...
    @property
    def years(self) -> int:
        ...
class SimulationOptions:
    """
    How a run is done; none of these changes a path's numbers except seed, antithetic, bins (quantiles) and block_size.
    """
    def __init__(self, *, paths: typing.SupportsInt | typing.SupportsIndex, seed: typing.SupportsInt | typing.SupportsIndex, threads: typing.SupportsInt | typing.SupportsIndex = 0, antithetic: bool = False, quantiles: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex], keep: collections.abc.Sequence[typing.SupportsInt | typing.SupportsIndex] = [], bins: typing.SupportsInt | typing.SupportsIndex = 2048, block_size: typing.SupportsInt | typing.SupportsIndex = 1024) -> None:
        ...
    @property
    def antithetic(self) -> bool:
        ...
    @property
    def bins(self) -> int:
        ...
    @property
    def block_size(self) -> int:
        ...
    @property
    def keep(self) -> list[int]:
        ...
    @property
    def paths(self) -> int:
        ...
    @property
    def quantiles(self) -> list[float]:
        ...
    @property
    def seed(self) -> int:
        ...
    @property
    def threads(self) -> int:
        ...
class CellSummary:
    """
    Mean, sd and quantiles per cell (municipality·years + year, or year).
    """
    @property
    def mean(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def quantiles(self) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]"]:
        ...
    @property
    def sd(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
class BudgetOutput:
    """
    Budget statistics per cell (municipality·years + year).
    """
    @property
    def cluster_balance(self) -> list[CellSummary]:
        """
        Per social cluster (Jeugd, Wmo, Participatie): the balance per cell; empty without one
        """
    @property
    def cluster_balance_national(self) -> list[CellSummary]:
        """
        Per social cluster: the national balance per year
        """
    @property
    def cluster_p_short(self) -> list[numpy.typing.NDArray[numpy.float64]]:
        """
        Per social cluster: P(balance < 0) per cell
        """
    @property
    def lasten_domains_mean(self) -> numpy.typing.NDArray[numpy.float64]:
        """
        Mean national lasten per domain (cells domain · T + t; Participatie with the BUIG benefits), euros
        """
    @property
    def lasten_mean(self) -> numpy.typing.NDArray[numpy.float64]:
        """
        Mean total lasten per cell (the domains and the BUIG benefits), euros
        """
    @property
    def net_shock(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def p_art12(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def p_deficit(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def p_exhausted(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def p_planned_deficit(self) -> numpy.typing.NDArray[numpy.float64]:
        """
        P(planned saldo < 0) per cell
        """
    @property
    def planned_saldo(self) -> CellSummary:
        """
        The planned saldo per cell: the same paths without shock events and realisation
        """
    @property
    def reserves_mean(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def response_mean(self) -> typing.Any:
        ...
    @property
    def saldo(self) -> CellSummary:
        ...
    @property
    def share_deficit(self) -> CellSummary:
        ...
    @property
    def shortfall(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
class SimulationOutput:
    """
    The statistics of a run (cells: municipality·years + year).
    """
    @property
    def au(self) -> CellSummary:
        ...
    @property
    def budget(self) -> CellSummary:
        ...
    @property
    def cancelled(self) -> bool:
        ...
    @property
    def finances(self) -> BudgetOutput | None:
        ...
    @property
    def kept(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def max_budget_rel_error(self) -> float:
        ...
    @property
    def p_below_base(self) -> numpy.typing.NDArray[numpy.float64]:
        ...
    @property
    def paths_done(self) -> int:
        ...
    @property
    def uf(self) -> CellSummary:
        ...
class Simulation:
    """
    One Monte Carlo run, in chunks that may run in other processes; see gemfin.simulate.
    """
    def __init__(self, *, model: ProjectionModel, options: SimulationOptions) -> None:
        """
        Checks the whole model (InputError naming the field) and prepares the run.
        """
    def chunk_paths(self, chunk: typing.SupportsInt | typing.SupportsIndex) -> int:
        ...
    def finalize(self, parts: collections.abc.Sequence[bytes]) -> SimulationOutput:
        """
        Combines parts (bytes from run_chunks) that cover every chunk, in chunk order.
        """
    def run(self, progress: typing.Any = None) -> SimulationOutput:
        """
        The whole run in this process; returns its statistics.
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
def budget_isa() -> str:
    """
    The instruction set of the budget year's copy in use, chosen with the SIMD target.
    """
def check_correlation(correlation: typing.Annotated[numpy.typing.ArrayLike, numpy.float64, "[m, n]"], names: collections.abc.Sequence[str]) -> None:
    """
    InputError unless the matrix is a correlation matrix (square, unit diagonal, symmetric in [-1, 1], positive semi-definite), naming the variables of a conflict; the check a Simulation makes.
    """
def distribution_catalogue() -> dict:
    """
    The distributions the core knows: kind → the names of its parameters, in order.
    """
def fixed_exp(x: typing.Annotated[numpy.typing.ArrayLike, numpy.float64]) -> numpy.typing.NDArray[numpy.float64]:
    """
    exp of every element with fixed IEEE operations (the same bits on every CPU); NaN stays NaN.
    """
def fixed_power(x: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], exponent: typing.SupportsFloat | typing.SupportsIndex) -> numpy.typing.NDArray[numpy.float64]:
    """
    x**exponent for every element x > 0 with fixed IEEE operations (the same bits on every CPU); NaN for x ≤ 0, non-finite or subnormal x.
    """
def phase_in(effect: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"], inhabitants: typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, 1]"], cumulative_caps: collections.abc.Sequence[typing.SupportsFloat | typing.SupportsIndex]) -> typing.Annotated[numpy.typing.NDArray[numpy.float64], "[m, n]"]:
    """
    Clamp a herverdeeleffect (G euros) per phase-in year to ±cap·inhabitants; returns G×T.
    """
def simd_target() -> str:
    """
    The SIMD target in use: GEMFIN_SIMD if set (InputError if unknown or unsupported), else the best.
    """
def simd_targets() -> list[str]:
    """
    The SIMD targets of the kernels that this CPU supports, best first; every one gives the same bits.
    """
GDP_HISTORY_YEARS: int = 10
kernel_version: int = 5
