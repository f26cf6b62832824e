"""Tidy data behind the figures (pandas only; no matplotlib here).

Each function returns the numbers one figure draws, so the notebook, the
report and the tests can look at them without drawing anything.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from eventstudy.errors import InvalidParameterError

if TYPE_CHECKING:
    from eventstudy.claims import ClaimSet, ClaimsReport
    from eventstudy.data.source import PriceSource
    from eventstudy.events import EventSpec
    from eventstudy.results import EventStudyResult

__all__ = [
    "BENCHMARK_MODELS",
    "FIRMS",
    "INDICES",
    "CarPaths",
    "MarketValue",
    "car_paths",
    "claimed_moves",
    "data_note",
    "market_value",
    "price_paths",
    "result_note",
    "sensitivity_grid",
]

#: The six firms of the bundled DeepSeek case, in the order they are drawn.
FIRMS: tuple[str, ...] = ("NVDA", "AVGO", "MU", "ARM", "ASML", "CEG")
#: Benchmarks drawn next to them.
INDICES: tuple[str, ...] = ("^GSPC", "^IXIC", "^SOX")
#: Models whose abnormal return depends on the benchmark (the others use factors only).
BENCHMARK_MODELS: frozenset[str] = frozenset({"market", "market_adjusted", "capm"})


def _ts(value: pd.Timestamp | str) -> pd.Timestamp:
    return pd.Timestamp(value).normalize()


# ------------------------------------------------------------------ source notes


def data_note(source: PriceSource, symbols: Sequence[str]) -> str:
    """One-line source note: where the prices come from and the data's date range.

    With a manifest (the bundled fixtures) the range is the recorded range of
    the files of ``symbols`` as listed in ``manifest.json``; without one it is
    the range of the rows actually present.
    """
    manifest: dict[str, Any] | None = getattr(source, "manifest", None)
    folder = getattr(source, "folder", None)
    where = Path(folder).name if folder is not None else "price source"
    if manifest is not None:
        entries = [e for e in manifest.get("files", []) if e.get("symbol") in set(symbols)]
        if entries and all("start" in e and "end" in e for e in entries):
            start = min(str(e["start"]) for e in entries)
            end = max(str(e["end"]) for e in entries)
            late = [f"{e['symbol']} from {e['start']}" for e in entries if str(e["start"]) != start]
            extra = f" ({'; '.join(late)})" if late else ""
            return (f"Source: recorded daily prices {start} to {end}{extra}, "
                    f"{where}/manifest.json (sha256-verified).")
    frames = source.history(list(symbols))
    start_ts = min(f.index.min() for f in frames.values())
    end_ts = max(f.index.max() for f in frames.values())
    return f"Source: daily prices {start_ts:%Y-%m-%d} to {end_ts:%Y-%m-%d} from {where} (no manifest)."


def result_note(result: EventStudyResult) -> str:
    """Source note for a figure drawn from a result alone (no price source at hand)."""
    d = result.diagnostics
    ok = d[d["status"] == "ok"] if "status" in d.columns else d
    if len(ok):
        est = (f"estimation {pd.Timestamp(ok['estimation_start'].min()):%Y-%m-%d} to "
               f"{pd.Timestamp(ok['estimation_end'].max()):%Y-%m-%d}")
    else:
        est = f"estimation {result.estimation.label}"
    dates = result.panel.event_dates
    span = ""
    if dates.size:
        finite = dates[~np.isnat(dates)]
        if finite.size:
            span = f", event span {pd.Timestamp(finite.min()):%Y-%m-%d} to {pd.Timestamp(finite.max()):%Y-%m-%d}"
    bases = sorted(set(result.data_basis.values()))
    basis = f"; returns from {', '.join(bases)}" if bases else ""
    name = f"{result.name}, " if result.name else ""
    return f"Source: {name}{result.model.name} model, {est}{span}{basis}."


# ------------------------------------------------------------------ price paths


def price_paths(
    source: PriceSource,
    symbols: Sequence[str],
    start: pd.Timestamp | str = "2025-01-13",
    end: pd.Timestamp | str = "2025-02-14",
    base_date: pd.Timestamp | str = "2025-01-24",
) -> pd.DataFrame:
    """Prices rebased to 100 at the close of ``base_date``.

    Uses the adjusted close where the source has it (stocks), else the close
    (indices), as the event study does. Index ``date``, one column per symbol.
    """
    from eventstudy.data.wide import wide_prices

    lo, hi, base = _ts(start), _ts(end), _ts(base_date)
    if not lo <= base <= hi:
        raise InvalidParameterError("base_date", f"a date between {lo:%Y-%m-%d} and {hi:%Y-%m-%d}",
                                    f"{base:%Y-%m-%d}")
    prices, _ = wide_prices(source.history(list(symbols), start=lo, end=hi))
    if base not in prices.index:
        raise InvalidParameterError("base_date", "a session present in the data", f"{base:%Y-%m-%d}")
    level = prices.loc[base]
    return 100.0 * prices[list(symbols)] / level[list(symbols)]


# ------------------------------------------------------------------ claims


def claimed_moves(report: ClaimsReport, kind: str = "close_to_close_change") -> pd.DataFrame:
    """Reported against recorded values of the checked claims of one ``kind``.

    Columns: ``symbol, date, reported, recorded, difference, tolerance, verdict,
    publisher``; index ``id`` (file order). Uncheckable claims are left out.
    """
    rows = []
    for r in report.results:
        c = r.claim
        if c.kind != kind or r.recorded is None or c.reported is None or c.tolerance is None:
            continue
        rows.append({
            "id": c.id, "symbol": c.symbols[0] if c.symbols else "",
            "date": c.dates[-1] if c.dates else pd.NaT, "reported": c.reported.value,
            "recorded": float(r.recorded), "difference": float(r.recorded) - c.reported.value,
            "tolerance": c.tolerance.value, "verdict": r.verdict, "publisher": c.source.publisher,
        })
    cols = ["id", "symbol", "date", "reported", "recorded", "difference", "tolerance", "verdict",
            "publisher"]
    return pd.DataFrame(rows, columns=cols).set_index("id")


# ------------------------------------------------------------------ sensitivity


def sensitivity_grid(
    spec: EventSpec,
    source: PriceSource,
    benchmarks: Sequence[str] = INDICES,
    models: Sequence[str] = ("market", "market_adjusted"),
    day: int = 0,
) -> pd.DataFrame:
    """Abnormal return on ``day`` per firm for every (model, benchmark) pair.

    Factor models (``ff3`` ...) do not use the benchmark: they are run once and
    their ``benchmark`` is ``"factors"``. Returns a long frame with columns
    ``event_id, model, benchmark, ar`` (decimal returns).
    """
    from eventstudy.events import run_spec

    rows = []
    for model in models:
        benches: Sequence[str] = benchmarks if model in BENCHMARK_MODELS else (benchmarks[0],)
        for bench in benches:
            res = run_spec(spec.with_overrides(benchmark=bench, model=model), source)
            ar = res.ar.loc[day]
            for eid, value in zip(ar.index, ar.to_numpy(float), strict=True):
                rows.append({"event_id": str(eid), "model": model,
                             "benchmark": bench if model in BENCHMARK_MODELS else "factors",
                             "ar": float(value)})
    return pd.DataFrame(rows, columns=["event_id", "model", "benchmark", "ar"])


# ------------------------------------------------------------------ CAR paths


@dataclass(frozen=True)
class CarPaths:
    """Cumulative abnormal returns from ``days[0]`` and their cross-sectional mean.

    ``car``: index ``relative_day``, one column per event (decimal returns).
    ``caar``: index ``relative_day``, columns ``caar, sd, n, half_width, lower,
    upper``, the band being ``caar ± t(1 - alpha/2, n - 1) · sd / sqrt(n)``.
    """

    car: pd.DataFrame
    caar: pd.DataFrame
    level: float

    @property
    def caption(self) -> str:
        pct = f"{100 * self.level:g}%"
        return (f"{pct} band: CAAR ± t quantile (n-1 df) × cross-sectional sd of CARs / √N; "
                "it ignores the correlation of same-day events, so it is too narrow.")


def car_paths(result: EventStudyResult, days: tuple[int, int] = (-5, 10),
              level: float = 0.95) -> CarPaths:
    """CARs cumulated from ``days[0]`` to each day up to ``days[1]``, with the CAAR band.

    Days outside the result's event span are dropped (run the study with a window
    covering ``days`` to draw all of them).
    """
    if not 0 < level < 1:
        raise InvalidParameterError("level", "a confidence level in (0, 1)", level)
    p = result.panel
    mask = (p.event_days >= days[0]) & (p.event_days <= days[1])
    if not mask.any():
        raise InvalidParameterError("days", f"days inside the event span {p.event_days.tolist()}",
                                    days)
    ar = p.ar[:, mask]
    cum = np.where(np.isfinite(ar), np.nancumsum(ar, axis=1), np.nan)
    index = pd.Index(p.event_days[mask], name="relative_day")
    car = pd.DataFrame(cum.T, index=index, columns=pd.Index(result.event_ids, name="event_id"))
    n = car.notna().sum(axis=1).astype(float)
    mean = car.mean(axis=1)
    sd = car.std(axis=1, ddof=1)
    q = pd.Series([float(stats.t.ppf(0.5 + level / 2, k - 1)) if k > 1 else math.nan for k in n],
                  index=index)
    half: pd.Series = q * sd / np.sqrt(n)
    caar = pd.DataFrame({"caar": mean, "sd": sd, "nobs": n, "half_width": half,
                         "lower": mean - half, "upper": mean + half})
    return CarPaths(car=car, caar=caar, level=level)


# ------------------------------------------------------------------ market value


@dataclass(frozen=True)
class MarketValue:
    """Market value (USD bn) = close × share count, and the event-day change."""

    symbol: str
    value: pd.Series
    shares_bn: float
    shares_source: str
    event_date: pd.Timestamp
    change_bn: float


def market_value(
    source: PriceSource,
    claims: ClaimSet,
    symbol: str = "NVDA",
    start: pd.Timestamp | str = "2025-01-02",
    end: pd.Timestamp | str = "2025-01-31",
    event_date: pd.Timestamp | str | None = None,
) -> MarketValue:
    """Daily market value of ``symbol`` from the share count in its market-value claim.

    The share count (and the close field) come from the first
    ``market_value_change`` claim about ``symbol``; the event-day change is
    ``(close[event] - close[previous row]) × shares``, as the claims checker
    computes it.
    """
    claim = next((c for c in claims.claims
                  if c.kind == "market_value_change" and symbol in c.symbols and c.shares), None)
    if claim is None or claim.shares is None:
        raise InvalidParameterError("claims", f"a market_value_change claim about {symbol}",
                                    str(claims.path))
    day = _ts(event_date) if event_date is not None else claim.dates[0]
    lo, hi = _ts(start), _ts(end)
    frame = source.history([symbol], start=min(lo, day - pd.Timedelta(days=14)), end=max(hi, day))[symbol]
    close = frame[claim.price_field].astype(float)
    mv = close * claim.shares.value
    if day not in mv.index:
        raise InvalidParameterError("event_date", f"a session in the {symbol} data", f"{day:%Y-%m-%d}")
    pos = mv.index.get_loc(day)
    if not isinstance(pos, int) or pos == 0:
        raise InvalidParameterError("event_date", "a session with a previous session in the data",
                                    f"{day:%Y-%m-%d}")
    change = float(mv.iloc[pos] - mv.iloc[pos - 1])
    shown = mv.loc[lo:hi].rename(f"{symbol} market value (USD bn)")
    return MarketValue(symbol=symbol, value=shown, shares_bn=claim.shares.value,
                       shares_source=claim.shares.source, event_date=day, change_bn=change)
