"""The immutable result of an event study.

Outputs are tidy pandas objects with named indexes; ``summary()`` returns a
statsmodels :class:`~statsmodels.iolib.summary.Summary`. Frames are copied on
access, so a result cannot be changed through them. As in statsmodels, the
model parameters come with ``bse``, ``tvalues``, ``pvalues``, ``conf_int()``,
``cov_params()`` and ``rsquared`` (per event), the CARs and the CAAR with
``car_conf_int()`` and ``caar_conf_int()``. The ``window`` index level holds
:class:`~eventstudy.windows.Window` values, selected by ``(start, end)`` tuples.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from eventstudy.abnormal import car_test, window_array
from eventstudy.frames import WindowFrame
from eventstudy.inference.result import TestResult
from eventstudy.models import ModelSpec, fit_statsmodels
from eventstudy.panel import AbnormalPanel
from eventstudy.windows import Window, parse_window

if TYPE_CHECKING:  # statsmodels is imported where it is used (start-up time)
    from statsmodels.regression.linear_model import RegressionResultsWrapper

    from eventstudy._summary import EventStudySummary

__all__ = ["EventStudyResult"]


def _t_quantile(alpha: float, df: np.ndarray) -> np.ndarray:
    """``t(1 - alpha/2, df)``; ``alpha`` must lie in (0, 1)."""
    from scipy import stats

    if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not 0.0 < float(alpha) < 1.0:
        from eventstudy.errors import InvalidParameterError
        raise InvalidParameterError("alpha", "a number in (0, 1)", alpha)
    with np.errstate(invalid="ignore"):
        return np.asarray(stats.t.ppf(1.0 - float(alpha) / 2.0, np.asarray(df, dtype=np.float64)),
                          dtype=np.float64)


def _fmt(x: float, spec: str = ".4f") -> str:
    return "" if x is None or not np.isfinite(x) else format(x, spec)


@dataclass(frozen=True)
class EventStudyResult:
    """Result of :func:`eventstudy.event_study`.

    Attributes
    ----------
    name : str
    model : ModelSpec
    estimation : Window
    windows : tuple of Window
    panel : AbnormalPanel
        The stacked arrays every statistic is computed from (included events only).
    notes : tuple of str
        Every adjustment made (rolls, exclusions, missing days) and caveats.
    n_chunks : int
        Chunks of events the engine ran (``chunk_size``).
    timings : dict of str to float
        Seconds spent in each stage: ``prepare``, ``engine``, ``assemble``,
        ``tests``, ``total``.
    parquet : dict of str to Path
        The per-event tables written by ``event_study(parquet=...)``: ``ar`` and
        ``car`` (a folder of one file per chunk, or one file) and ``diagnostics``.
    """

    name: str
    model: ModelSpec
    estimation: Window
    windows: tuple[Window, ...]
    panel: AbnormalPanel
    notes: tuple[str, ...]
    return_type: str
    calendar: str
    _diagnostics: pd.DataFrame = field(repr=False)
    #: The CAR table, or a function that builds it on first use (:meth:`_car_frame`).
    _car: pd.DataFrame | Callable[[], pd.DataFrame] = field(repr=False)
    _caar: pd.DataFrame = field(repr=False)
    _tests: pd.DataFrame = field(repr=False)
    data_basis: dict[str, str] = field(default_factory=dict, repr=False)
    #: ``"returns"``, ``"volume"`` or ``"volatility"`` (:mod:`eventstudy.kinds`).
    kind: str = "returns"
    n_chunks: int = field(default=1, repr=False)
    timings: dict[str, float] = field(default_factory=dict, repr=False, compare=False)
    parquet: dict[str, Path] = field(default_factory=dict, repr=False, compare=False)

    # ----------------------------------------------------------------- frames
    def _car_frame(self) -> pd.DataFrame:
        """The CAR table, built the first time it is needed and kept (a study of a
        million events that writes its tables to Parquet may never ask for it)."""
        car = self._car
        if not isinstance(car, pd.DataFrame):
            car = car()
            object.__setattr__(self, "_car", car)  # a cache: the table's content is fixed
        return car

    @property
    def event_ids(self) -> list[str]:
        return [str(e) for e in self.panel.event_ids]

    @property
    def ar(self) -> pd.DataFrame:
        """Abnormal returns: rows ``relative_day``, columns ``event_id``."""
        return pd.DataFrame(
            self.panel.ar.T.copy(),
            index=pd.Index(self.panel.event_days, name="relative_day"),
            columns=pd.Index(self.event_ids, name="event_id"),
        )

    @property
    def car(self) -> pd.DataFrame:
        """CAR per event and window with its t-test (index ``event_id, window``).

        The ``window`` level holds :class:`~eventstudy.windows.Window` values
        (tuples that print as ``(-1, +1)``); the frame is a
        :class:`~eventstudy.frames.WindowFrame`, so rows are selected by tuple
        or label: ``car.loc[("NVDA", (-1, 1))]``, ``car.loc[("NVDA", "(-1, +1)")]``,
        ``car.xs((0, 0), level="window")``.

        Every requested event has a row per window, excluded events too: their
        numbers are NaN and ``reason`` says why (``"event excluded: ..."``). A
        row of an included event whose statistics are undefined carries its
        reason as well; ``reason`` is ``""`` when every number is defined.
        """
        return WindowFrame(self._car_frame().copy())

    @property
    def caar(self) -> pd.DataFrame:
        """Cross-sectional CAAR per window with the cross-sectional t-test.

        Index ``window`` of :class:`~eventstudy.windows.Window` values:
        ``caar.loc[(-1, 1)]`` or ``caar.loc["(-1, +1)"]`` selects a row.
        """
        return WindowFrame(self._caar.copy())

    @property
    def tests(self) -> pd.DataFrame:
        """Tidy table of every test statistic for every window and day."""
        return self._tests.copy()

    @property
    def diagnostics(self) -> pd.DataFrame:
        """One row per requested event: sessions, rolls, observations, exclusions."""
        return self._diagnostics.copy()

    @property
    def overlaps(self) -> pd.DataFrame:
        """Diagnostics rows of events whose span overlaps another event of the same security,
        or whose estimation window contains one (``window_overlap``, ``estimation_contaminated``)."""
        d = self._diagnostics
        if "window_overlap" not in d.columns:
            return d.iloc[:0].copy()
        return d.loc[d["window_overlap"] | d["estimation_contaminated"]].copy()

    @property
    def params(self) -> pd.DataFrame:
        """Estimated normal-return parameters (index ``event_id``, columns ``param``).

        One vocabulary everywhere (``params``, ``bse``, ``tvalues``, ``pvalues``,
        ``conf_int``, ``cov_params``, :meth:`fit_detail`, ``params.csv``): the
        finance names ``alpha`` (the constant), ``beta`` (the benchmark return's
        coefficient) and the factor columns' own names (``Mkt-RF``, ``SMB`` ...).
        """
        return pd.DataFrame(self.panel.params.copy(),
                            index=pd.Index(self.event_ids, name="event_id"),
                            columns=pd.Index(list(self.model.param_names), name="param"))

    @property
    def bse(self) -> pd.DataFrame:
        """Standard errors of :attr:`params`."""
        se = np.sqrt(self.panel.sigma2[:, None] * np.diagonal(self.panel.xtx_inv, axis1=1, axis2=2))
        return pd.DataFrame(se, index=pd.Index(self.event_ids, name="event_id"),
                            columns=pd.Index(list(self.model.param_names), name="param"))

    @property
    def tvalues(self) -> pd.DataFrame:
        """t-statistics of :attr:`params`."""
        return self.params / self.bse

    @property
    def pvalues(self) -> pd.DataFrame:
        """Two-sided p-values of :attr:`tvalues`, Student t with ``T_i - k`` df (as statsmodels OLS)."""
        from scipy import stats

        df = self.panel.df_resid.astype(np.float64)[:, None]
        with np.errstate(invalid="ignore"):
            p = 2.0 * stats.t.sf(np.abs(self.tvalues.to_numpy(dtype=float)), df)
        return pd.DataFrame(p, index=self.params.index, columns=self.params.columns)

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Confidence intervals of :attr:`params`: ``params +/- t(1 - alpha/2, T_i - k) * bse``.

        Parameters
        ----------
        alpha : float, default 0.05
            The intervals have coverage ``1 - alpha``.

        Returns
        -------
        pandas.DataFrame
            Index ``(event_id, param)``, columns ``lower`` and ``upper`` (per
            event, the rows of statsmodels' ``conf_int`` for that event's OLS).
        """
        q = _t_quantile(alpha, self.panel.df_resid)[:, None]
        est, se = self.params, self.bse
        return pd.DataFrame({"lower": (est - q * se).stack(), "upper": (est + q * se).stack()})

    def cov_params(self) -> pd.DataFrame:
        """Covariance matrix of :attr:`params`, ``s_i^2 (X_i'X_i)^-1`` per event.

        Returns
        -------
        pandas.DataFrame
            Index ``(event_id, param)``, one column per parameter.
        """
        names = list(self.model.param_names)
        cov = self.panel.sigma2[:, None, None] * self.panel.xtx_inv
        index = pd.MultiIndex.from_product([self.event_ids, names], names=["event_id", "param"])
        return pd.DataFrame(cov.reshape(-1, len(names)), index=index,
                            columns=pd.Index(names, name="param"))

    @property
    def rsquared(self) -> pd.Series:
        """R-squared of each event's estimation regression, ``1 - RSS / TSS``.

        TSS is centred (every model here with parameters has a constant), so a
        constant-only model has R-squared 0; NaN when the model estimates nothing.
        """
        resid = self.panel.est_resid
        used = np.isfinite(resid)
        y = np.where(used, self.panel.est_y, np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            tss = np.nansum((y - np.nanmean(y, axis=1, keepdims=True)) ** 2, axis=1)
            r2 = 1.0 - np.nansum(np.where(used, resid, 0.0) ** 2, axis=1) / tss
        if self.model.k == 0:
            r2 = np.full(self.panel.n_events, np.nan)
        return pd.Series(r2, index=pd.Index(self.event_ids, name="event_id"), name="rsquared")

    def car_conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Confidence intervals of each CAR: ``car +/- t(1 - alpha/2, df) * se``.

        ``std_err`` is the forecast-error-corrected standard error and ``df`` the
        residual degrees of freedom of the :attr:`car` table (its t-test).

        Parameters
        ----------
        alpha : float, default 0.05
            Coverage ``1 - alpha``.

        Returns
        -------
        pandas.DataFrame
            Indexed like :attr:`car`, columns ``car``, ``lower``, ``upper``.
        """
        car = self._car_frame()
        q = _t_quantile(alpha, car["df"].to_numpy(dtype=float))
        est, se = car["car"].to_numpy(dtype=float), car["std_err"].to_numpy(dtype=float)
        return WindowFrame({"car": est, "lower": est - q * se, "upper": est + q * se}, index=car.index)

    def caar_conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Confidence intervals of the CAAR from the cross-sectional t-test.

        ``caar +/- t(1 - alpha/2, df) * sd / sqrt(n)``, with ``sd`` the
        cross-sectional standard deviation of the CARs and ``df = n - 1``
        (Brown & Warner 1985), the test reported in :attr:`caar`.

        Returns
        -------
        pandas.DataFrame
            Index ``window``, columns ``caar``, ``lower``, ``upper``.
        """
        c = self._caar
        q = _t_quantile(alpha, c["df"].to_numpy(dtype=float))
        est = c["caar"].to_numpy(dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            se = c["sd"].to_numpy(dtype=float) / np.sqrt(c["nobs"].to_numpy(dtype=float))
        return WindowFrame({"caar": est, "lower": est - q * se, "upper": est + q * se}, index=c.index)

    def to_latex(self, table: str = "car", float_format: str = ".4f") -> str:
        """One of the result's tables as a LaTeX ``tabular`` (booktabs rules).

        Rendered by statsmodels' ``SimpleTable`` (which escapes ``# $ % & _``),
        so no extra dependency is needed; windows print as their labels.

        Parameters
        ----------
        table : {"car", "caar", "tests", "params"}
            Which table: :attr:`car`, :attr:`caar`, :attr:`tests` or :attr:`params`.
        float_format : str, default ".4f"
            Format spec of the floating-point cells (NaN is left empty).

        Returns
        -------
        str
            LaTeX source of one ``tabular`` inside a ``center`` environment.

        Raises
        ------
        InvalidParameterError
            For another ``table``.
        """
        from statsmodels.iolib.table import SimpleTable

        frames = {"car": self._car_frame(), "caar": self._caar, "tests": self._tests, "params": self.params}
        if table not in frames:
            from eventstudy.errors import InvalidParameterError
            raise InvalidParameterError("table", f"one of {sorted(frames)}", table)
        frame = frames[table]
        flat = frame.reset_index() if any(n is not None for n in frame.index.names) else frame

        def cell(v: Any) -> str:
            if isinstance(v, float | np.floating):
                return _fmt(float(v), float_format)
            return "" if v is None else str(v)

        rows = [[cell(v) for v in row] for row in flat.itertuples(index=False, name=None)]
        return str(SimpleTable(rows or [[""] * flat.shape[1]], headers=[str(c) for c in flat.columns],
                               title=table).as_latex_tabular())

    def _windows_arg(self, windows: Sequence[Window | tuple[int, int]] | None) -> list[Window]:
        """The study's windows named by ``windows`` (Windows or ``(start, end)`` pairs)."""
        from eventstudy.errors import InvalidParameterError

        if windows is None:
            return list(self.windows)
        out = []
        for i, w in enumerate(windows):
            parsed = parse_window(w, f"windows[{i}]")  # type: ignore[arg-type]
            if not isinstance(parsed, Window) or parsed not in self.windows:
                raise InvalidParameterError(f"windows[{i}]", f"one of the study's windows {list(self.windows)}", w)
            out.append(parsed)
        return out

    @property
    def sigma2(self) -> pd.Series:
        """Residual variance of the estimation window, ``RSS / (T - k)``."""
        return pd.Series(self.panel.sigma2.copy(), index=pd.Index(self.event_ids, name="event_id"),
                         name="sigma2")

    @property
    def nobs(self) -> pd.Series:
        """Estimation returns used per event (``T_i``)."""
        return pd.Series(self.panel.nobs.copy(), index=pd.Index(self.event_ids, name="event_id"),
                         name="nobs")

    @property
    def resid(self) -> pd.DataFrame:
        """Estimation-window residuals: rows ``date``... long format (event_id, date)."""
        e, t = self.panel.est_resid.shape
        frame = pd.DataFrame({
            "event_id": np.repeat(self.panel.event_ids, t),
            "date": pd.to_datetime(self.panel.est_dates.ravel()),
            "resid": self.panel.est_resid.ravel(),
        })
        return frame.dropna().set_index(["event_id", "date"])["resid"].to_frame()

    def plot(self, kind: str = "car", ax: Any = None, **kwargs: Any) -> Any:
        """Draw one figure of the result: ``"ar"``, ``"car"``, ``"tests"`` or ``"prices"``.

        Returns a matplotlib ``Figure`` that Jupyter shows inline; ``ax=`` draws
        into an existing axes. See :func:`eventstudy.plotting.plot_result`.
        """
        from eventstudy.plotting import plot_result

        return plot_result(self, kind, ax=ax, **kwargs)  # type: ignore[arg-type]

    def to_frame(self) -> pd.DataFrame:
        """Tidy long table of AR and running CAR, index ``(event_id, relative_day)``.

        ``reason`` says why ``ar`` (and ``car``) is missing on a day: the session
        is outside the data, the security or the benchmark/factors have no return
        on it; ``""`` when the abnormal return exists.
        """
        from eventstudy.output import long_frame

        frame = long_frame(self.panel)
        return frame.set_index(["event_id", "relative_day"])

    def to_parquet(self, directory: str | os.PathLike[str],
                   tables: Sequence[str] = ("ar", "car", "diagnostics"), *,
                   block: int = 100_000) -> dict[str, Path]:
        """Write the per-event tables to ``directory/<table>.parquet``, block by block.

        ``ar`` is :meth:`to_frame` (AR and running CAR per event and day),
        ``car`` the :attr:`car` table, ``diagnostics`` the :attr:`diagnostics`;
        each is written ``block`` events at a time (never whole in memory) and
        renamed into place when complete (:func:`eventstudy.output.write_parquet`).
        Needs ``pyarrow`` (extra ``eventstudy-honest[parquet]``).

        Returns
        -------
        dict of str to Path
        """
        from eventstudy.output import write_parquet

        return write_parquet(self, directory, tables, block=block)

    # ------------------------------------------------------------ per event
    def _pos(self, event_id: str) -> int:
        ids = self.event_ids
        if event_id not in ids:
            from eventstudy.errors import UnknownSymbolError
            raise UnknownSymbolError([event_id], "this result's events", ids)
        return ids.index(event_id)

    def car_test(self, event_id: str, window: Window | Sequence[int] = (0, 0)) -> TestResult:
        """The forecast-error-corrected t-test of one event's CAR.

        For a volatility study (``kind == "volatility"``), the variance-ratio F
        test of the window (one of the study's windows).
        """
        w = parse_window(window, "window")  # type: ignore[arg-type]
        if not isinstance(w, Window):
            from eventstudy.errors import InvalidParameterError
            raise InvalidParameterError("window", "(start, end) relative trading days", window)
        if self.kind == "volatility":  # the variance-ratio F test (eventstudy.volatility)
            from eventstudy.volatility import variance_ratio_test
            return variance_ratio_test(self, self.event_ids[self._pos(event_id)], w)
        return car_test(self.panel, self._pos(event_id), w)

    def fit_detail(self, event_id: str) -> RegressionResultsWrapper:
        """statsmodels OLS of one event's estimation window (for ``summary()``).

        Its exogenous variables carry the names of :attr:`params` (``alpha``,
        ``beta``, factor names), so ``fit_detail(e).params`` matches
        ``params.loc[e]``. For the GARCH models it is ``arch``'s own result
        instead (:func:`eventstudy.garch.arch_result`, percent-return units).
        """
        i = self._pos(event_id)
        if self.model.k == 0:
            raise ValueError(f"model {self.model.name!r} estimates no parameters")
        if self.model.name in ("dimson", "scholes_williams"):
            from eventstudy.errors import InvalidParameterError

            raise InvalidParameterError(
                "model", "an OLS model for fit_detail (a Dimson or Scholes-Williams beta is not one "
                "OLS fit; its parts are in `params` and `notes`)", self.model.name)
        if self.model.volatility:
            from eventstudy.garch import arch_result

            return arch_result(self.model.volatility, self.panel.est_y[i], self.panel.est_market[i])
        index = pd.DatetimeIndex(pd.to_datetime(self.panel.est_dates[i]), name="date")
        x = pd.DataFrame(self.panel.est_x[i], index=index, columns=list(self.model.param_names))
        y = pd.Series(self.panel.est_y[i], index=index, name=self.event_ids[i])
        return fit_statsmodels(y, x)

    # ------------------------------------------------------------- display
    def summary(self, windows: Sequence[Window | tuple[int, int]] | None = None) -> EventStudySummary:
        """statsmodels ``Summary``: setup, CARs, CAAR tests and notes.

        Parameters
        ----------
        windows : sequence of Window or (start, end) tuples, optional
            The CAR columns to show, among the study's windows (default: all).

        Returns
        -------
        EventStudySummary
            A statsmodels ``Summary``: ``as_text()``, ``as_html()``, ``as_csv()``
            and ``as_latex()`` (each table its own ``tabular``).

        Raises
        ------
        InvalidParameterError
            If a window is not a pair of ints or was not computed by the study.
        """
        from statsmodels.iolib.table import SimpleTable

        from eventstudy._summary import EventStudySummary
        from eventstudy.kinds import kind_labels

        lab = kind_labels(self.kind)
        wins = self._windows_arg(windows)
        smry = EventStudySummary()
        d = self._diagnostics
        sessions = sorted({str(pd.Timestamp(s).date()) for s in d["event_session"].unique()})
        n_ok = int((d["status"] == "ok").sum())
        left = [
            ("Study:", self.name or "event study"),
            ("Model:", self.model.name),
            ("Return type:", self.return_type),
            ("Calendar:", self.calendar),
            ("Kind:", self.kind),
        ]
        right = [
            ("Estimation:", f"{self.estimation.label} sessions"),
            ("Event session(s):", sessions[0] if len(sessions) == 1 else f"{len(sessions)} dates"),
            ("Events used:", f"{n_ok} of {len(d)}"),
            ("Median T:", str(int(np.median(self.panel.nobs))) if n_ok else "-"),
            ("Values:", lab.values),
        ]
        smry.tables.append(SimpleTable(
            [[a[0], a[1], b[0], b[1]] for a, b in zip(left, right, strict=True)],
            title="Event study results",
        ))
        car = self._car_frame()
        if len(car):
            rows, stubs = [], []
            records: dict[tuple[str, str], dict[Any, Any]] = {
                (str(r["event_id"]), str(r["window"])): r for r in car.reset_index().to_dict("records")
            }
            for eid in self.event_ids:
                row = []
                for w in wins:
                    r = records[(eid, w.label)]
                    star = "*" if r["pvalue"] < 0.05 else ""
                    stat = r["ratio"] if self.kind == "volatility" else r["statistic"]  # an F for volatility
                    row.append(f"{lab.number(r['car'])} ({_fmt(stat, '.2f')}){star}")
                rows.append(row)
                stubs.append(eid)
            smry.tables.append(SimpleTable(rows, headers=[f"{lab.cumulative}{w.label}" for w in wins],
                                           stubs=stubs, title=f"{lab.cumulative} per event "
                                           f"({lab.event_test}; * p<0.05)"))
        caar = self._caar.loc[pd.Index(window_array(wins), tupleize_cols=False)] if len(self._caar) else self._caar
        if len(caar):
            cols = ["caar", "nobs", "statistic", "pvalue"]
            data = [[lab.number(r["caar"], 3), str(int(r["nobs"])), _fmt(r["statistic"], ".3f"),
                     _fmt(r["pvalue"], ".4f")] for r in caar[cols].to_dict("records")]
            smry.tables.append(SimpleTable(data, headers=[lab.average, "N", "t", "p"],
                                           stubs=[str(w) for w in caar.index],
                                           title=f"{lab.average}, {lab.average_test}"))
        headline = self._tests[self._tests.get("headline", pd.Series(False, index=self._tests.index)).astype(bool)] \
            if len(self._tests) else self._tests
        if len(headline):
            headline = headline[headline["window"].astype(str).isin([w.label for w in wins])]
        if len(headline):
            data = [[r["window"], r["test"], _fmt(r["statistic"], ".3f"), _fmt(r["pvalue"], ".4f"),
                     r.get("reason", "") or ""] for r in headline.to_dict("records")]
            smry.tables.append(SimpleTable(data, headers=["window", "test", "statistic", "p", "note"],
                                           title="Headline tests"))
        if self.notes:
            smry.add_extra_txt(["Notes:", *[f"[{i + 1}] {n}" for i, n in enumerate(self.notes)]])
            smry.notes = list(self.notes)
        return smry

    def __str__(self) -> str:
        return str(self.summary().as_text())

    def __repr__(self) -> str:
        return (f"EventStudyResult(name={self.name!r}, kind={self.kind!r}, model={self.model.name!r}, "
                f"events={self.panel.n_events}, windows={[w.label for w in self.windows]})")

    def _repr_html_(self) -> str:
        return str(self.summary().as_html())
