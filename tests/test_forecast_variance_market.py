"""Var(CAR) of a lean market-model panel: the MacKinlay formula by hand, and the general path's bits."""

from __future__ import annotations

import numpy as np

from eventstudy import event_study
from tests.test_batch import synthetic


def _study() -> object:
    ret, ev = synthetic(n_sec=5, n_ev=30, seed=9)
    ret.iloc[ret.index.get_loc(ev["event_date"].iloc[0]) + 1, ret.columns.get_loc(ev["security"].iloc[0])] = np.nan
    return event_study(returns=ret, events=ev, benchmark="MKT", calendar="XNYS", estimation=(-120, -6),
                       windows=[(-5, 5), (0, 2)], min_estimation_obs=100, tests=["bmp"])


def test_market_forecast_variance_equals_mackinlay_by_hand() -> None:
    p = _study().panel  # type: ignore[attr-defined]
    assert p.model == "market" and "event_x" not in p.stored
    days = p.event_days
    for start, end in ((-5, 5), (0, 2), (1, 1)):
        got = p.forecast_variance(start, end)
        w = (days >= start) & (days <= end)
        for i in range(p.n_events):
            used = w & np.isfinite(p.ar[i])
            m_est = p.est_market[i][np.isfinite(p.est_resid[i])]
            t = m_est.size
            length = used.sum()
            smm = ((m_est - m_est.mean()) ** 2).sum()
            expected = p.sigma2[i] * (length + length**2 / t
                                      + (p.raw_event_market[i][used] - m_est.mean()).sum() ** 2 / smm)
            np.testing.assert_allclose(got[i], expected, rtol=1e-9)
    assert (~np.isfinite(p.ar)).any()  # the case has a missing event day


def test_market_shortcut_gives_the_bits_of_the_general_path() -> None:
    p = _study().panel  # type: ignore[attr-defined]
    general = p.replace(event_x=p.event_x)  # a stored event_x takes the general (E, L, k) path
    for start, end in ((-5, 5), (0, 2), (-5, -5)):
        np.testing.assert_array_equal(p.forecast_variance(start, end), general.forecast_variance(start, end))
    assert "event_x" in general.stored and "event_x" not in p.stored
