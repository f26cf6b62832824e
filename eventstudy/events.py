"""Event files (YAML) and running a study from a :class:`PriceSource`.

An event file describes one study::

    name: DeepSeek-R1 selloff
    event_date: 2025-01-27        # or event_time: 2025-01-27T09:00+09:00 (the moment of the news)
    timing: before_open           # optional with event_date: before_open | during | after_close
    securities: [NVDA, AVGO, MU, ARM, ASML, CEG]
    benchmark: ^GSPC              # or one per exchange: {XNYS: ^GSPC, XTKS: ^N225}
    calendars: {ASML.AS: XAMS}    # optional: a security's exchange (default: from its suffix)
    kind: returns                 # optional: returns | volume | volatility
    model: market                 # market | market_adjusted | constant_mean | capm | ff3 | carhart | ff5
    estimation: [-250, -11]       # or {start: 2024-01-02, end: 2024-12-31}
    windows: [[0, 0], [-1, 1], [0, 1], [0, 4], [-5, 5]]   # items may be {start: DATE, end: DATE}
    roll: next                    # optional: next | previous | raise
    min_estimation_obs: 120       # optional
    return_type: simple           # optional: simple | log

Every malformed field raises :class:`~eventstudy.errors.EventFileError` naming
the file and the field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from eventstudy.calendar import to_timestamp
from eventstudy.data.source import PriceSource
from eventstudy.errors import EventFileError, InvalidParameterError, NoEventStudiedError
from eventstudy.models import MODELS
from eventstudy.options import check_option
from eventstudy.results import EventStudyResult
from eventstudy.study import event_study
from eventstudy.windows import DEFAULT_ESTIMATION, DEFAULT_WINDOWS, DateWindow, Window, parse_window
from eventstudy.yamlfile import did_you_mean, load_yaml_mapping, short_repr

__all__ = ["EventSpec", "load_event_file", "run_spec", "spec_from_options"]

#: Which bundled Ken French files each model's factors (and RF) come from.
MODEL_FACTOR_FILES: dict[str, tuple[str, ...]] = {
    "capm": ("ff3",),
    "ff3": ("ff3",),
    "carhart": ("ff3", "mom"),
    "ff5": ("ff5",),
}

_FIELDS = {"name", "event_date", "securities", "benchmark", "model", "estimation", "windows",
           "roll", "min_estimation_obs", "return_type", "description", "calendars", "event_time",
           "timing", "kind"}


@dataclass(frozen=True)
class EventSpec:
    """A parsed event file."""

    name: str
    event_date: pd.Timestamp
    securities: tuple[str, ...]
    benchmark: str | dict[str, str]
    model: str = "market"
    estimation: Window | DateWindow = DEFAULT_ESTIMATION
    windows: tuple[Window | DateWindow, ...] = DEFAULT_WINDOWS
    roll: str = "next"
    min_estimation_obs: int = 120
    return_type: str = "simple"
    description: str = ""
    path: str = ""
    calendars: dict[str, str] | None = None
    #: The moment of the news (ISO with a UTC offset); ``event_date`` is then its date as written.
    event_time: str | None = None
    #: When on ``event_date`` the news came: before_open, during or after_close.
    timing: str | None = None
    #: What is studied: returns, volume (abnormal log volume) or volatility.
    kind: str = "returns"

    @property
    def benchmarks(self) -> tuple[str, ...]:
        """Every benchmark symbol (one, or one per exchange)."""
        b = self.benchmark
        return (b,) if isinstance(b, str) else tuple(dict.fromkeys(b.values()))

    @property
    def benchmark_label(self) -> str:
        """``^GSPC``, or ``XNYS: ^GSPC, XTKS: ^N225`` for one benchmark per exchange."""
        b = self.benchmark
        return b if isinstance(b, str) else ", ".join(f"{k}: {v}" for k, v in b.items())

    def with_overrides(self, **changes: Any) -> EventSpec:
        """Copy with some fields replaced (``None`` values are ignored)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def _err(path: Path, field: str, expected: str, received: object) -> EventFileError:
    return EventFileError(
        f"{path}: field `{field}`: expected {expected}, received {short_repr(received)}."
    )


def load_event_file(path: str | Path) -> EventSpec:
    """Parse and validate an event YAML file.

    Raises
    ------
    EventFileError
        Unreadable file, YAML syntax error, unknown or missing field, or a field
        of the wrong type; the message names the file and the field.
    """
    p = Path(path)
    raw = load_yaml_mapping(p, EventFileError, "event file")
    unknown = sorted(set(raw) - _FIELDS)
    if unknown:
        raise EventFileError(
            f"{p}: field `{unknown[0]}`: unknown field{did_you_mean(unknown[0], _FIELDS)}; "
            f"expected one of {sorted(_FIELDS)}."
        )
    for req in ("securities", "benchmark"):
        if req not in raw:
            raise _err(p, req, "a value (required field)", None)
    moment = raw.get("event_time")
    if moment is None and "event_date" not in raw:
        raise _err(p, "event_date", "a value (required field, unless `event_time` is given)", None)
    if moment is not None:
        from eventstudy.event_time import MOMENT_EXPECTED, parse_moment

        if "event_date" in raw or "timing" in raw:
            raise _err(p, "event_time", "either `event_time` or `event_date` [+ `timing`], not both",
                       moment)
        if isinstance(moment, dt.datetime):
            moment = moment.isoformat()
        try:
            parse_moment(moment, "event_time")
        except InvalidParameterError as exc:
            raise _err(p, "event_time", MOMENT_EXPECTED, moment) from exc
        date: object = pd.Timestamp(str(moment)).tz_localize(None).normalize()
    else:
        date = raw["event_date"]
    if not isinstance(date, dt.date | str):
        raise _err(p, "event_date", "a date such as 2025-01-27", date)
    try:
        event_date = to_timestamp(date, "event_date")
    except InvalidParameterError as exc:
        raise _err(p, "event_date", "a date such as 2025-01-27", date) from exc
    kind = raw.get("kind", "returns")
    if kind not in ("returns", "volume", "volatility"):
        raise _err(p, "kind", "one of returns, volume, volatility", kind)
    timing = raw.get("timing")
    if timing is not None and timing not in ("before_open", "during", "after_close"):
        raise _err(p, "timing", "one of before_open, during, after_close", timing)
    secs = raw["securities"]
    if not isinstance(secs, list) or not secs or not all(isinstance(s, str) and s for s in secs):
        raise _err(p, "securities", "a non-empty list of symbols", secs)
    if len(set(secs)) != len(secs):
        raise _err(p, "securities", "distinct symbols", secs)
    bench = raw["benchmark"]
    if isinstance(bench, dict):
        if not bench or not all(isinstance(k, str) and k and isinstance(v, str) and v
                                for k, v in bench.items()):
            raise _err(p, "benchmark", "a symbol, or a mapping {calendar: symbol} such as "
                       "{XNYS: ^GSPC, XTKS: ^N225}", bench)
    elif not isinstance(bench, str) or not bench:
        raise _err(p, "benchmark", "a symbol, or a mapping {calendar: symbol}", bench)
    cals = raw.get("calendars")
    if cals is not None and (not isinstance(cals, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and v for k, v in cals.items())):
        raise _err(p, "calendars", "a mapping {symbol: exchange code} such as {ASML.AS: XAMS}", cals)
    model = raw.get("model", "market")
    if model not in MODELS:
        raise _err(p, "model", f"one of {sorted(MODELS)}", model)

    def option(name: str, value: object, field: str | None = None) -> Any:
        try:  # the API's own checks (eventstudy.options), reworded with the file and field
            return check_option(name, value) if field is None else parse_window(value, field)  # type: ignore[arg-type]
        except InvalidParameterError as exc:
            raise _err(p, field or name, exc.expected, value) from exc

    roll = option("roll", raw.get("roll", "next"))
    mino = option("min_estimation_obs", raw.get("min_estimation_obs", 120))
    rtype = option("return_type", raw.get("return_type", "simple"))

    def window(value: object, field: str) -> Window | DateWindow:
        return option("estimation", value, field)  # type: ignore[no-any-return]

    est = window(raw["estimation"], "estimation") if "estimation" in raw else DEFAULT_ESTIMATION
    wins_raw = raw.get("windows")
    if wins_raw is None:
        wins: tuple[Window | DateWindow, ...] = DEFAULT_WINDOWS
    else:
        if not isinstance(wins_raw, list) or not wins_raw:
            raise _err(p, "windows", "a non-empty list of windows", wins_raw)
        wins = tuple(window(w, f"windows[{i}]") for i, w in enumerate(wins_raw))
    name = raw.get("name", p.stem)
    if not isinstance(name, str):
        raise _err(p, "name", "a string", name)
    return EventSpec(
        name=name, event_date=event_date, securities=tuple(secs), benchmark=bench, model=model,
        estimation=est, windows=wins, roll=roll, min_estimation_obs=mino, return_type=rtype,
        description=str(raw.get("description", "")), path=str(p),
        calendars=dict(cals) if cals else None,
        event_time=str(moment) if moment is not None else None, timing=timing, kind=kind,
    )


def _option_window(value: Sequence[str], option: str) -> Window | DateWindow:
    """``START END`` from the command line: two integers (relative days) or two dates."""
    ints: list[int] = []
    for v in value:
        try:
            ints.append(int(v))
        except ValueError:
            break
    raw: object = tuple(ints) if len(ints) == 2 else {"start": value[0], "end": value[1]}
    return parse_window(raw, option)  # type: ignore[arg-type]


def spec_from_options(
    base: EventSpec | None,
    *,
    event_date: str | None = None,
    securities: Sequence[str] | None = None,
    benchmark: str | None = None,
    model: str | None = None,
    estimation: Sequence[str] | None = None,
    windows: Sequence[Sequence[str]] | None = None,
    roll: str | None = None,
    min_estimation_obs: int | None = None,
    return_type: str | None = None,
    name: str | None = None,
    event_time: str | None = None,
    timing: str | None = None,
    kind: str | None = None,
) -> EventSpec:
    """An :class:`EventSpec` from command-line options, on top of an event file or alone.

    Parameters
    ----------
    base
        The parsed event file the options override, or ``None`` to build the
        study from the options alone (then ``event_date``, ``securities`` and
        ``benchmark`` are required).
    event_date, securities, benchmark, model, roll, min_estimation_obs, return_type, name
        The event-file fields of the same name; ``None`` keeps ``base``'s value
        (or the event file's default).
    estimation
        ``[START, END]`` as given on the command line: two integers (trading
        days relative to the event) or two ISO dates.
    windows
        A list of such pairs; given, it replaces the event file's windows.

    Raises
    ------
    InvalidParameterError
        A value outside what the event file accepts, or a required option
        missing; the message names the option (``--event-date`` ...).
    """
    if event_time is not None:
        from eventstudy.event_time import MOMENT_EXPECTED, parse_moment

        if event_date is not None:
            raise InvalidParameterError("--event-time", "either --event-time or --event-date, not both",
                                        event_time)
        try:
            parse_moment(event_time, "--event-time")
        except InvalidParameterError as exc:
            raise InvalidParameterError("--event-time", MOMENT_EXPECTED, event_time) from exc
        event_date = str(pd.Timestamp(event_time).tz_localize(None).normalize().date())
    date = to_timestamp(event_date, "--event-date") if event_date is not None else None
    secs: tuple[str, ...] | None = None
    if securities is not None:
        secs = tuple(securities)
        if not secs or not all(secs):
            raise InvalidParameterError("--securities", "one or more non-empty symbols", list(secs))
        if len(set(secs)) != len(secs):
            raise InvalidParameterError("--securities", "distinct symbols", list(secs))
    if benchmark is not None and not benchmark:
        raise InvalidParameterError("--benchmark", "a symbol", benchmark)
    if model is not None and model not in MODELS:
        raise InvalidParameterError("--model", f"one of {sorted(MODELS)}", model)
    given: dict[str, object] = {"roll": roll, "min_estimation_obs": min_estimation_obs,
                                "return_type": return_type}
    for field, setting in given.items():
        if setting is not None:  # the API's own checks (eventstudy.options), named by the flag
            try:
                check_option(field, setting)
            except InvalidParameterError as exc:
                raise InvalidParameterError("--" + field.replace("_", "-"), exc.expected, setting) from exc
    est = _option_window(estimation, "--estimation") if estimation is not None else None
    wins: tuple[Window | DateWindow, ...] | None = None
    if windows is not None:
        wins = tuple(_option_window(w, f"--window[{i}]") for i, w in enumerate(windows))
        if len(set(wins)) != len(wins):
            raise InvalidParameterError("--window", "distinct windows", [str(w) for w in wins])
    if base is None:
        for option, value in (("--event-date", date), ("--securities", secs),
                              ("--benchmark", benchmark)):
            if value is None:
                raise InvalidParameterError(
                    option, "a value (required when no event file is given)", None)
        assert date is not None and secs is not None and benchmark is not None
        base = EventSpec(name=name or f"{' '.join(secs)} on {date:%Y-%m-%d}",
                         event_date=date, securities=secs, benchmark=benchmark)
    if event_time is None and date is not None:
        base = replace(base, event_time=None)  # a date on the command line replaces a file's moment
    return base.with_overrides(
        event_time=event_time, timing=timing, kind=kind,
        event_date=date, securities=secs, benchmark=benchmark, model=model, estimation=est,
        windows=wins, roll=roll, min_estimation_obs=min_estimation_obs, return_type=return_type,
        name=name,
    )


def _run_volume(spec: EventSpec, frames: dict[str, pd.DataFrame]) -> EventStudyResult:
    """An abnormal-volume study (``kind: volume``) of one exchange's securities."""
    from eventstudy.data.wide import wide_volumes

    if not isinstance(spec.benchmark, str):
        raise InvalidParameterError("benchmark", "one benchmark for kind: volume (one exchange per "
                                    "volume study)", spec.benchmark_label)
    vol = wide_volumes(frames)
    return event_study(
        volume=vol[list(spec.securities)], benchmark=vol[spec.benchmark], kind="volume",
        event_date=spec.event_date, securities=list(spec.securities), calendar=spec.calendars,
        model=spec.model, estimation=spec.estimation, windows=spec.windows,
        min_estimation_obs=spec.min_estimation_obs, roll=spec.roll, name=spec.name)


def run_spec(spec: EventSpec, source: PriceSource, factors: pd.DataFrame | None = None) -> EventStudyResult:
    """Run the study an :class:`EventSpec` describes on prices from ``source``.

    Prices are the split- and dividend-adjusted close where the source has it,
    else the close (indices); which one was used is kept in the result's
    ``data_basis``. Factor models load the bundled Fama-French factors unless
    ``factors`` is given.

    Raises
    ------
    NoEventStudiedError
        Every event was excluded (each one's reason is in the message).
    """
    from eventstudy.data.wide import wide_prices

    symbols = list(dict.fromkeys([*spec.securities, *spec.benchmarks]))
    frames = source.history(symbols)
    if spec.kind == "volume":
        return _run_volume(spec, frames)
    prices, basis = wide_prices(frames)
    if spec.model in MODEL_FACTOR_FILES and factors is None:
        from eventstudy.data.french import load_factors

        factors = load_factors(MODEL_FACTOR_FILES[spec.model])
    bench: pd.Series | dict[str, str]
    if isinstance(spec.benchmark, str):
        data, bench = prices[list(spec.securities)], prices[spec.benchmark]
    else:
        data, bench = prices[symbols], dict(spec.benchmark)
    result = event_study(
        data,
        benchmark=bench,
        event_date=spec.event_date if spec.event_time is None else None,
        event_time=spec.event_time,
        timing=spec.timing,
        kind=spec.kind,
        securities=list(spec.securities),
        calendar=spec.calendars,
        model=spec.model,
        factors=factors,
        estimation=spec.estimation,
        windows=spec.windows,
        min_estimation_obs=spec.min_estimation_obs,
        roll=spec.roll,
        return_type=spec.return_type,  # type: ignore[arg-type]
        name=spec.name,
        basis=basis,
    )
    diag = result.diagnostics
    if len(diag) and not (diag["status"] == "ok").any():
        reasons = "; ".join(f"{eid}: {r}" for eid, r in zip(diag.index, diag["reason"], strict=True))
        where = f"{spec.path}: " if spec.path else ""
        raise NoEventStudiedError(
            f"{where}expected at least one event with enough data, but every event was "
            f"excluded ({reasons})."
        )
    return result
