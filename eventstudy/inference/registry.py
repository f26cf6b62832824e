"""One registry of the test statistics: name, words, robustness, assumptions, reference.

The battery, the headline choice, the summary notes, the CLI legend and the
README's assumptions table all read from :data:`TESTS`, so a test is
described in one place.

Two robustness flags, because a one-day shock to a handful of firms can break
a test in two independent ways:

``dependence_robust``
    valid when events share calendar dates and their abnormal returns are
    cross-sectionally correlated (a portfolio or time-series variance, or the
    Kolari–Pynnönen ``rbar`` adjustment);
``variance_robust``
    valid when the event itself raises the variance of abnormal returns
    (a cross-sectional variance of the event-period values, as in BMP).

Only tests with both flags lead the summary for clustered events; their size
in the bundled case's design is measured in the README's validation table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from eventstudy.inference.bhar import bhar_bootstrap_test, bhar_skewness_adjusted_t_test
from eventstudy.inference.parametric import (
    bmp_test,
    brown_warner_time_series_test,
    cross_sectional_t_test,
    kp_bmp_test,
    kp_patell_test,
    patell_test,
)
from eventstudy.inference.quantile import sq_test
from eventstudy.inference.rank import corrado_test, corrado_zivney_test, grank_test
from eventstudy.inference.result import TestResult
from eventstudy.inference.savickas import savickas_test
from eventstudy.inference.sign import generalized_sign_test, sign_test, wilcoxon_test

__all__ = ["HEADLINE_CLUSTERED", "HEADLINE_INDEPENDENT", "TESTS", "TestSpec", "label"]

TestFn = Callable[..., TestResult]


@dataclass(frozen=True)
class TestSpec:
    """A registered test statistic.

    Attributes
    ----------
    name : str
        Short name used in tables (``"kp-bmp"``).
    label : str
        Words for sentences and legends (``"KP-adjusted BMP t"``).
    fn : callable
        ``fn(panel, start, end=None, *, alternative=...) -> TestResult``.
    dependence_robust, variance_robust : bool
        See the module docstring.
    assumes : str
        What the test assumes, in one sentence (README table, CLI legend).
    reference : str
        The paper that defines it (and, where different, the one that shows
        its robustness).
    scopes : tuple of str
        ``"day"`` (AAR on each event day) and/or ``"window"`` (CAAR over a window).
    headline_min_events : int
        Fewest events for which the test leads a clustered summary; below it
        the test stays in ``tests`` but not in the headline (GRANK's
        re-standardisation is too noisy with a handful of firms).
    reference_test : str
        The test (``file::function``) that checks its value against an
        independent computation.
    """

    __test__ = False  # not a pytest test class

    name: str
    label: str
    fn: TestFn
    dependence_robust: bool
    variance_robust: bool
    assumes: str
    reference: str
    scopes: tuple[str, ...] = ("day", "window")
    headline_min_events: int = 2
    reference_test: str = "tests/test_inference_reference.py::test_statistic_and_pvalue"


TESTS: dict[str, TestSpec] = {t.name: t for t in (
    TestSpec("car-t", "cross-sectional t", cross_sectional_t_test, False, True,
             "independent events; the cross-sectional variance absorbs an event-day variance increase",
             "Brown & Warner (1985)"),
    TestSpec("bw-ts", "Brown–Warner time-series t", brown_warner_time_series_test, True, False,
             "event-day variance equal to the estimation period's (portfolio time-series variance)",
             "Brown & Warner (1980, 1985)"),
    TestSpec("patell", "Patell Z", patell_test, False, False,
             "independent events and no event-induced variance",
             "Patell (1976)"),
    TestSpec("kp-patell", "KP-adjusted Patell Z", kp_patell_test, True, False,
             "no event-induced variance (the variance is the estimation period's)",
             "Kolari & Pynnönen (2010)"),
    TestSpec("bmp", "BMP t", bmp_test, False, True,
             "independent events (the cross-sectional variance of SARs misses their correlation)",
             "Boehmer, Musumeci & Poulsen (1991)"),
    TestSpec("kp-bmp", "KP-adjusted BMP t", kp_bmp_test, True, True,
             "correlation captured by the estimation-residual rbar; approximately normal SCARs",
             "Kolari & Pynnönen (2010)"),
    TestSpec("savickas", "Savickas GARCH-standardised t", savickas_test, False, True,
             "independent events; GARCH conditional variances standardise each day (GARCH models "
             "only; undefined otherwise)",
             "Savickas (2003)",
             reference_test="tests/test_garch.py::test_savickas_equals_a_hand_computation_from_arch"),
    TestSpec("corrado", "Corrado rank test", corrado_test, True, False,
             "event-day variance equal to the estimation period's (ranks of raw abnormal returns)",
             "Corrado (1989); Cowan (1992); Cowan & Sergeant (1996)"),
    TestSpec("corrado-zivney", "Corrado–Zivney rank test", corrado_zivney_test, True, True,
             "event-day SARs re-standardised by their cross-sectional sd, corrected by sqrt(1 - rbar)",
             "Corrado & Zivney (1992); Kolari & Pynnönen (2010)", headline_min_events=30),
    TestSpec("grank", "GRANK t", grank_test, True, True,
             "enough events to re-standardise the SCARs (N - 1 degrees of freedom), corrected by "
             "sqrt(1 - rbar)",
             "Kolari & Pynnönen (2011)", headline_min_events=30),
    TestSpec("sq", "sample-quantile test", sq_test, True, False,
             "the event window is an ordinary stretch of the estimation period (a volatility "
             "increase is a departure too); exact, no normality",
             "Gelbach, Helland & Klick (2013)",
             reference_test="tests/test_sq.py::test_sq_matches_the_refitting_reference"),
    TestSpec("sign", "sign test", sign_test, False, True,
             "independent events with a median abnormal return of zero", "Brown & Warner (1980)"),
    TestSpec("gsign", "generalized sign test", generalized_sign_test, False, True,
             "independent events; the share of positive returns as in the estimation period",
             "Cowan (1992)"),
    TestSpec("wilcoxon", "Wilcoxon signed-rank test", wilcoxon_test, False, True,
             "independent events with CARs symmetric about zero", "Wilcoxon (1945)",
             reference_test="tests/test_inference_reference.py::test_wilcoxon"),
    TestSpec("bhar-skew-t", "skewness-adjusted BHAR t", bhar_skewness_adjusted_t_test, False, True,
             "independent events", "Lyon, Barber & Tsai (1999)", scopes=("window",)),
    TestSpec("bhar-boot", "bootstrapped skewness-adjusted BHAR t", bhar_bootstrap_test, False, True,
             "independent events", "Lyon, Barber & Tsai (1999)", scopes=("window",),
             reference_test="tests/test_inference_reference.py::test_bhar_bootstrap"),
)}

#: Tests the summary leads with for clustered events, in this order (each has
#: both robustness flags; those with ``headline_min_events`` lead only from
#: that many events on).
HEADLINE_CLUSTERED: tuple[str, ...] = ("kp-bmp", "grank", "corrado-zivney")
#: Tests the summary leads with when events are spread out in calendar time
#: (each is variance-robust; dependence does not arise).
HEADLINE_INDEPENDENT: tuple[str, ...] = ("bmp", "car-t", "gsign")


def label(name: str) -> str:
    """Words for test ``name`` (the name itself if unregistered)."""
    spec = TESTS.get(name)
    return spec.label if spec is not None else name
