"""Bundled cases by name: prices, benchmark, securities, event date and factors.

>>> from eventstudy import datasets
>>> case = datasets.deepseek()
>>> case.benchmark, case.securities[:2], f"{case.event_date:%Y-%m-%d}"
('^GSPC', ('NVDA', 'AVGO'), '2025-01-27')

``datasets.load("deepseek")`` is the same; :func:`names` lists the cases. The
prices come from the recorded fixtures (hash-checked against their
``manifest.json``), the event from the bundled case file, the factors from the
bundled Ken French files, so everything runs offline.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from eventstudy.errors import InvalidParameterError

__all__ = ["Case", "deepseek", "load", "names", "tokyo", "world"]


@dataclass(frozen=True)
class Case:
    """A bundled event-study case.

    Attributes
    ----------
    name
        The case's short name (``"deepseek"``).
    title
        Its descriptive name from the case file.
    prices
        Wide prices of the securities and the benchmark (see
        :func:`eventstudy.load_prices`; ``attrs["basis"]`` says adjusted close
        or close per symbol).
    benchmark
        Column of ``prices`` used as the market, or ``{calendar: column}``
        (one market per exchange, as ``event_study(benchmark=...)`` takes it).
    securities
        The event's securities, in the case file's order.
    event_date
        The event date.
    model
        The case's normal-return model.
    case_file
        Path of the bundled YAML case file (for ``eventstudy run --events``).
    """

    name: str
    title: str
    prices: pd.DataFrame
    benchmark: str | dict[str, str]
    securities: tuple[str, ...]
    event_date: pd.Timestamp
    model: str
    case_file: Path

    def factors(self, models: str | Sequence[str] = ("ff3",)) -> pd.DataFrame:
        """Daily Fama-French factors (decimals, with ``RF``) of ``models``.

        ``models`` among ``"ff3"``, ``"mom"``, ``"ff5"`` (see
        :func:`eventstudy.data.french.load_factors`), from the bundled files.
        """
        from eventstudy.data.french import load_factors

        return load_factors((models,) if isinstance(models, str) else tuple(models))


def deepseek() -> Case:
    """The DeepSeek-R1 selloff of 27 January 2025.

    Six AI-exposed stocks (NVDA, AVGO, MU, ARM, ASML, CEG) against the S&P 500
    (``^GSPC``), daily prices 2023-01-03 to 2025-06-30.
    """
    return _from_case_file("deepseek", "deepseek-2025-01-27.yaml")


def tokyo() -> Case:
    """The same shock in Tokyo: five Tokyo names against the Nikkei 225 on Tokyo sessions.

    Advantest (6857.T), Tokyo Electron (8035.T), SoftBank Group (9984.T),
    Fujikura (5803.T) and Disco (6146.T) against ``^N225``; printed closes
    (not dividend-adjusted), April 2023 to May 2025.
    """
    return _from_case_file("tokyo", "deepseek-tokyo-2025-01-27.yaml")


def world() -> Case:
    """New York and Tokyo in one study, each on its own exchange against its own market.

    ``benchmark`` is ``{"XNYS": "^GSPC", "XTKS": "^N225"}``.
    """
    return _from_case_file("world", "deepseek-world-2025-01-27.yaml")


_CASES: dict[str, Callable[[], Case]] = {"deepseek": deepseek, "tokyo": tokyo, "world": world}


def names() -> list[str]:
    """Names of the bundled cases, for :func:`load`."""
    return sorted(_CASES)


def load(name: str) -> Case:
    """The bundled case called ``name`` (see :func:`names`).

    Raises
    ------
    InvalidParameterError
        No bundled case has that name.
    """
    if name not in _CASES:
        raise InvalidParameterError("name", f"one of {names()}", name)
    return _CASES[name]()


def _from_case_file(name: str, file: str) -> Case:
    from eventstudy.events import load_event_file
    from eventstudy.loading import load_prices
    from eventstudy.resources import case_path

    path = case_path(file)
    spec = load_event_file(path)
    prices = load_prices(list(dict.fromkeys([*spec.securities, *spec.benchmarks])))
    return Case(name=name, title=spec.name, prices=prices, benchmark=spec.benchmark,
                securities=tuple(spec.securities), event_date=pd.Timestamp(spec.event_date),
                model=spec.model, case_file=path)
