"""Statistics as reducers: per-chunk sufficient statistics, merged exactly.

The Patell and BMP tests (and their Kolari–Pynnönen versions, before the rbar
factor) need, for one window, only a few sums over the events' standardized
values; the Corrado rank test only the sums of scaled ranks per slot. Each is
computed on a chunk of events (:func:`standardized_sums`, :func:`rank_sums`),
merged with any other chunk's (``merge``: sums add, means and squared
deviations combine by Chan, Golub & LeVeque's pairwise update), and turned into
the statistic at the end. The tests in :mod:`eventstudy.inference.parametric`
and :mod:`eventstudy.inference.rank` are computed this way on the whole panel
(one chunk), so there is one implementation; chunks can be of any events, in any
order, and merging them gives the whole-panel value to rounding (tested to
1e-12 in ``tests/test_reducers.py``).

The same holds for

- the sign and generalized sign tests (:class:`SignSums`: counts of finite and
  positive CARs; Cowan's ``p`` is a mean of per-event fractions, so a sum and a
  count; :func:`~eventstudy.inference.sign.sign_sums`);
- the Brown–Warner time-series test (:class:`PortfolioSums`: per window day the
  sum and count of the ARs, per estimation slot those of the residuals, over the
  events with an AR in the window; the portfolio's mean residual per slot and
  its standard deviation over slots are taken after merging;
  :func:`~eventstudy.inference.parametric.portfolio_sums`);
- the skewness-adjusted BHAR t (:class:`~eventstudy.inference._common.Moments3`:
  count, mean and the second and third centred moments, merged by Pébay's 2008
  pairwise update; :func:`~eventstudy.inference.bhar.bhar_moments`);
- the sample-quantile test (:class:`~eventstudy.inference.quantile.PlaceboPortfolio`:
  the portfolio's weighted sum of window ARs and, per stretch of estimation days,
  of the members' placebo sums, with the total weight; the quantile of the CAR
  among the placebo sums is counted after merging, so a count can differ from
  the whole panel's only for a placebo sum within rounding of the CAR;
  :func:`~eventstudy.inference.quantile.sq_sums`).

The Kolari–Pynnönen rbar is reducible too, but not by chunks of arbitrary
events: its pairs share sessions, so chunks are cut by event date and each reads
the partners of its last events from a halo
(:class:`~eventstudy.inference.correlation.RbarSums`). A chunk's sums for a whole
battery are gathered by :mod:`eventstudy.inference.chunked`. Not reducible in one
pass: the tests that re-standardise by a cross-sectional deviation before ranking
(Corrado–Zivney, GRANK: two passes over the cross-section), the cross-sectional
ranks of the Wilcoxon test and the BHAR bootstrap (resamples of the whole
cross-section).

References
----------
Chan, T. F., Golub, G. H., & LeVeque, R. J. (1983). Algorithms for computing the
sample variance: analysis and recommendations. The American Statistician 37(3),
242-247.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from eventstudy.inference._common import Moments, standardized_window, window_mask
from eventstudy.panel import AbnormalPanel, FloatArray

__all__ = ["Moments", "PortfolioSums", "RankSums", "SignSums", "StandardizedSums", "rank_sums",
           "standardized_sums"]


@dataclass(frozen=True)
class StandardizedSums:
    """What the Patell and BMP tests of one window need from a set of events.

    Attributes
    ----------
    values : Moments
        Of the events' standardized values (``SAR`` on a day, ``SCAR`` over a
        window) that are finite (BMP).
    patell_n : int
        Events with a finite value and ``T_i - k > 2`` (Patell).
    patell_total, patell_var : float
        Their sum, and the sum of their variances ``d_i / (d_i - 2)``.
    patell_nobs : float
        Sum of their estimation returns ``T_i`` (for the mean ``T``).
    """

    values: Moments = Moments()
    patell_n: int = 0
    patell_total: float = 0.0
    patell_var: float = 0.0
    patell_nobs: float = 0.0

    def merge(self, other: StandardizedSums) -> StandardizedSums:
        return StandardizedSums(self.values.merge(other.values), self.patell_n + other.patell_n,
                                self.patell_total + other.patell_total,
                                self.patell_var + other.patell_var,
                                self.patell_nobs + other.patell_nobs)


def standardized_sums(panel: AbnormalPanel, start: int, end: int | None = None
                      ) -> tuple[StandardizedSums, npt.NDArray[np.bool_]]:
    """The sums of one chunk of events for the window ``[start, end]``, and the events used.

    Returns
    -------
    StandardizedSums
    ndarray of bool
        The events with a finite standardized value (the BMP set).
    """
    start, end, _ = window_mask(panel, start, end)
    scar = standardized_window(panel, start, end)
    dfr = np.asarray(panel.df_resid, dtype=np.float64)
    finite = np.isfinite(scar)
    p_used = finite & (dfr > 2)
    d = dfr[p_used]
    return StandardizedSums(
        Moments.of(scar[finite]), int(p_used.sum()), float(scar[p_used].sum()),
        float((d / (d - 2.0)).sum()), float(np.asarray(panel.nobs)[p_used].sum()),
    ), finite


@dataclass(frozen=True)
class RankSums:
    """Sums of the scaled ranks per slot (estimation slots, then the tested window) and counts.

    ``n_events``: events with an abnormal return in the window (those ranked).
    """

    total: FloatArray
    count: npt.NDArray[np.int64]
    n_events: int = 0

    def merge(self, other: RankSums) -> RankSums:
        return RankSums(self.total + other.total, self.count + other.count,
                        self.n_events + other.n_events)


def rank_sums(panel: AbnormalPanel, start: int, end: int | None = None) -> RankSums:
    """The Corrado rank sums of one chunk of events for the window ``[start, end]``.

    Each event's abnormal returns of the window are ranked with its estimation
    residuals (:func:`eventstudy.inference.rank.corrado_test`); an event with no
    abnormal return in the window adds nothing.
    """
    from eventstudy.inference.rank import _joined_rank_sums

    _, _, mask = window_mask(panel, start, end)
    event = np.asarray(panel.ar, dtype=np.float64)
    used = np.isfinite(event[:, mask]).any(axis=1)
    total, count = _joined_rank_sums(panel, False, np.flatnonzero(used), event[used][:, mask])
    return RankSums(total, count, int(used.sum()))


def _int_array() -> npt.NDArray[np.int64]:
    return np.zeros(0, dtype=np.int64)


def _add_padded(a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    out = np.zeros(max(a.size, b.size), dtype=np.int64)
    out[:a.size] += a
    out[:b.size] += b
    return out


@dataclass(frozen=True)
class SignSums:
    """What the sign and generalized sign tests of one window need from a set of events.

    Every field is an integer count, so chunks merge exactly in any order and the
    merged sums (and the statistic) do not depend on the chunking at all.

    Attributes
    ----------
    n : int
        Events with a finite CAR (AR on a day) over the window.
    positive : int
        Of them, those with a positive CAR (zero is not positive).
    est_events : ndarray of int64
        Generalized sign only: entry ``T`` counts those events with ``T > 0``
        estimation residuals (events without residuals are left out of Cowan's
        ``p``: entry 0 stays 0).
    est_positive : ndarray of int64
        Entry ``T``: their positive estimation residuals, summed.
    """

    n: int = 0
    positive: int = 0
    est_events: npt.NDArray[np.int64] = field(default_factory=_int_array)
    est_positive: npt.NDArray[np.int64] = field(default_factory=_int_array)

    def merge(self, other: SignSums) -> SignSums:
        return SignSums(self.n + other.n, self.positive + other.positive,
                        _add_padded(self.est_events, other.est_events),
                        _add_padded(self.est_positive, other.est_positive))

    @property
    def frac_n(self) -> int:
        """Events with estimation residuals (``T_i > 0``)."""
        return int(self.est_events.sum())

    @property
    def p0(self) -> float:
        """Cowan's ``p``: the mean over those events of their fractions of positive residuals.

        ``(1/N) sum_i n_i / T_i = (1/N) sum_T (sum_{i: T_i = T} n_i) / T``, from the
        integer counts by ``T`` (NaN without such events).
        """
        t = np.flatnonzero(self.est_events)
        t = t[t > 0]
        if t.size == 0:
            return float("nan")
        return float((self.est_positive[t] / t).sum()) / self.frac_n


@dataclass(frozen=True)
class PortfolioSums:
    """What the Brown–Warner time-series test of one window needs from a set of events.

    Over the events with at least one abnormal return in the window (``n``): the
    sums and counts of their finite abnormal returns per window day (the AAR is
    ``ar_total / ar_count``) and of their finite estimation residuals per
    estimation slot (the portfolio residual ``Abar_s`` is ``resid_total / resid_count``).
    """

    n: int
    ar_total: FloatArray
    ar_count: npt.NDArray[np.int64]
    resid_total: FloatArray
    resid_count: npt.NDArray[np.int64]

    def merge(self, other: PortfolioSums) -> PortfolioSums:
        return PortfolioSums(self.n + other.n, self.ar_total + other.ar_total,
                             self.ar_count + other.ar_count, self.resid_total + other.resid_total,
                             self.resid_count + other.resid_count)
