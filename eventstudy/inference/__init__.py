"""Statistical tests on abnormal returns.

Every test is a pure function ``test(panel, start, end=None, *, alternative=...)``
of an :class:`~eventstudy.panel.AbnormalPanel` and a window of relative trading
days (``end=None`` for one event day), returning a :class:`TestResult`.
"""

from eventstudy.inference.battery import (
    COLUMNS,
    DAY_TESTS,
    DEPENDENCE_ROBUST,
    VARIANCE_ROBUST,
    WINDOW_TESTS,
    headline_tests,
    run_battery,
)
from eventstudy.inference.bhar import (
    bhar,
    bhar_bootstrap_test,
    bhar_skewness_adjusted_t_test,
    skewness_adjusted_t,
)
from eventstudy.inference.clustering import (
    HEADLINE_CLUSTERED,
    HEADLINE_INDEPENDENT,
    TEST_LABELS,
    Clustering,
    detect_clustering,
    headline_for,
)
from eventstudy.inference.correlation import ResidualCorrelation, residual_correlation
from eventstudy.inference.parametric import (
    bmp_test,
    brown_warner_time_series_test,
    cross_sectional_t_test,
    kp_bmp_test,
    kp_patell_test,
    patell_test,
)
from eventstudy.inference.quantile import placebo_sums, sq_test
from eventstudy.inference.rank import corrado_test, corrado_zivney_test, grank_test
from eventstudy.inference.registry import TESTS, TestSpec
from eventstudy.inference.result import Alternative, TestResult
from eventstudy.inference.sign import generalized_sign_test, sign_test, wilcoxon_test

__all__ = [
    "COLUMNS",
    "DAY_TESTS",
    "HEADLINE_CLUSTERED",
    "HEADLINE_INDEPENDENT",
    "DEPENDENCE_ROBUST",
    "VARIANCE_ROBUST",
    "TESTS",
    "TestSpec",
    "TEST_LABELS",
    "WINDOW_TESTS",
    "Alternative",
    "Clustering",
    "ResidualCorrelation",
    "TestResult",
    "bhar",
    "bhar_bootstrap_test",
    "bhar_skewness_adjusted_t_test",
    "bmp_test",
    "brown_warner_time_series_test",
    "corrado_test",
    "corrado_zivney_test",
    "cross_sectional_t_test",
    "detect_clustering",
    "generalized_sign_test",
    "grank_test",
    "headline_for",
    "headline_tests",
    "kp_bmp_test",
    "kp_patell_test",
    "patell_test",
    "placebo_sums",
    "residual_correlation",
    "run_battery",
    "sign_test",
    "skewness_adjusted_t",
    "sq_test",
    "wilcoxon_test",
]
