"""The study's method options, validated once: one object for the API, the engine and its executors.

:class:`StudyOptions` holds what says *how* a study is run (model, estimation
and event windows, minimum estimation returns, roll policy, which tests on
which days, the alternative, the chunk size), checks every field when it is
built and raises :class:`~eventstudy.errors.InvalidParameterError` naming the
field, what was expected and what was received. :func:`eventstudy.event_study`
builds one from its keywords before touching the data (bad options fail fast),
hands it to the engine (:mod:`eventstudy.engine`) and to the executors, which
ship it to Dask workers as is. The event-file loader and the command line run
the same checks on their fields (:func:`check_option`) and reword the error
with the file and field, or the flag.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from eventstudy.calendar import ROLL_POLICIES
from eventstudy.errors import InvalidParameterError
from eventstudy.windows import (
    DEFAULT_ESTIMATION,
    DEFAULT_WINDOWS,
    DateWindow,
    Window,
    WindowLike,
    parse_window,
    parse_windows,
)

if TYPE_CHECKING:
    from eventstudy.inference.result import Alternative

__all__ = ["StudyOptions", "check_option"]

def _positive_int(name: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InvalidParameterError(name, "a positive integer", value)
    return value


def check_option(name: str, value: Any) -> Any:
    """Validate one option and return it in its canonical form.

    Parameters
    ----------
    name : str
        A field of :class:`StudyOptions` (``"model"``, ``"estimation"``, ...).
    value
        As given by the user (windows as pairs or ``{start, end}`` mappings).

    Raises
    ------
    InvalidParameterError
        Naming ``name``, what was expected and what was received.
    """
    if name == "model":
        from eventstudy.models import MODELS

        if not isinstance(value, str) or value not in (*MODELS, "factors"):
            raise InvalidParameterError("model", f"one of {[*MODELS, 'factors']}", value)
        return value
    if name == "estimation":
        return parse_window(value, "estimation")
    if name == "windows":
        return parse_windows(value, "windows")
    if name == "min_estimation_obs":
        return _positive_int(name, value)
    if name == "roll":
        if value not in ROLL_POLICIES:
            raise InvalidParameterError("roll", f"one of {list(ROLL_POLICIES)}", value)
        return value
    if name == "return_type":
        if value not in ("simple", "log"):
            raise InvalidParameterError("return_type", "'simple' or 'log'", value)
        return value
    if name == "alternative":
        from eventstudy.inference._common import check_alternative

        return check_alternative(value)
    if name == "tests":
        if value is None:
            return None
        from eventstudy.inference.registry import TESTS

        if isinstance(value, str) or not isinstance(value, Iterable):
            raise InvalidParameterError("tests", f"a list of registered test names among {list(TESTS)}",
                                        value)
        names = tuple(value)
        unknown = [t for t in names if t not in TESTS]
        if unknown or not names:
            raise InvalidParameterError("tests", f"a non-empty list of registered test names among "
                                        f"{list(TESTS)}", unknown or names)
        return names
    if name == "days":
        if value is None:
            return None
        if isinstance(value, str) or not isinstance(value, Iterable) or not all(
                isinstance(d, int) and not isinstance(d, bool) for d in value):
            raise InvalidParameterError("days", "a list of relative trading days (integers)", value)
        return tuple(int(d) for d in value)
    if name == "chunk_size":
        return None if value is None else _positive_int(name, value)
    if name == "rbar_max_partners":
        return None if value is None else _positive_int(name, value)
    if name == "factor_columns":
        if value is None:
            return None
        if isinstance(value, str) or not all(isinstance(c, str) for c in value):
            raise InvalidParameterError("factor_columns", "a list of column names", value)
        return tuple(value)
    raise InvalidParameterError("option", "a field of StudyOptions", name)


@dataclass(frozen=True)
class StudyOptions:
    """How a study is run, validated when built (see :func:`check_option`).

    Attributes
    ----------
    model : str
        Normal-return model (``"market"``, ``"constant_mean"``, ...; :mod:`eventstudy.models`).
    factor_columns : tuple of str or None
        Regressors of ``model="factors"``.
    estimation : Window or DateWindow
    windows : tuple of Window or DateWindow
    min_estimation_obs : int
    roll : {"next", "previous", "raise"}
    return_type : {"simple", "log"}
    tests : tuple of str or None
        Registered statistics to compute (``None``: all).
    days : tuple of int or None
        Relative days whose AAR is tested (``None``: every day of the span).
    alternative : {"two-sided", "less", "greater"}
    chunk_size : int or None
        Events per engine chunk (``None``: :data:`~eventstudy.engine.DEFAULT_CHUNK_SIZE`).
    rbar_max_partners : int or None
        Cap on the Kolari–Pynnönen ``rbar`` pair term (partners per event; ``None``:
        every pair); see :func:`eventstudy.inference.correlation.residual_correlation`.
    """

    model: str = "market"
    factor_columns: tuple[str, ...] | None = None
    estimation: Window | DateWindow = DEFAULT_ESTIMATION
    windows: tuple[Window | DateWindow, ...] = field(default=DEFAULT_WINDOWS)
    min_estimation_obs: int = 120
    roll: str = "next"
    return_type: str = "simple"
    tests: tuple[str, ...] | None = None
    days: tuple[int, ...] | None = None
    alternative: Alternative = "two-sided"
    chunk_size: int | None = None
    rbar_max_partners: int | None = None

    def __post_init__(self) -> None:
        for name in self.__dataclass_fields__:
            object.__setattr__(self, name, check_option(name, getattr(self, name)))

    @classmethod
    def build(cls, *, estimation: WindowLike = DEFAULT_ESTIMATION,
              windows: Iterable[WindowLike] = DEFAULT_WINDOWS,
              factor_columns: Sequence[str] | None = None, **rest: Any) -> StudyOptions:
        """Options from user-facing values (windows as pairs, lists instead of tuples)."""
        return cls(estimation=estimation, windows=windows, factor_columns=factor_columns,  # type: ignore[arg-type]
                   **rest)

    def engine_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of :func:`eventstudy.engine.compute.compute_events`."""
        return {"model": self.model, "factor_columns": self.factor_columns,
                "estimation": self.estimation, "windows": self.windows,
                "min_estimation_obs": self.min_estimation_obs, "roll": self.roll}
