"""The one result type shared by every test statistic."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

Alternative = Literal["two-sided", "less", "greater"]

__all__ = ["Alternative", "TestResult"]


@dataclass(frozen=True)
class TestResult:
    """Outcome of one hypothesis test.

    Attributes
    ----------
    name : str
        Short name of the test, e.g. ``"bmp"`` or ``"car-t"``.
    statistic : float
        Value of the test statistic (NaN only when ``valid`` is False).
    pvalue : float
        p-value under ``null`` against ``alternative`` (NaN only when invalid).
    df : float or tuple of float or None
        Degrees of freedom of the reference distribution, if it has any.
    distribution : str
        Reference distribution, e.g. ``"t"``, ``"normal"``, ``"binomial"``.
    null : str
        The null hypothesis in words.
    alternative : {"two-sided", "less", "greater"}
        The alternative hypothesis.
    nobs : int
        Number of observations (events, or days) the statistic used.
    valid : bool
        False when the statistic is undefined for these data; ``reason`` says why.
    reason : str
        Why the statistic is undefined (empty when valid).
    extra : dict
        Test-specific by-products (e.g. ``{"rbar": 0.31}``).
    """

    __test__ = False  # not a pytest test class

    name: str
    statistic: float
    pvalue: float
    df: float | tuple[float, ...] | None
    distribution: str
    null: str
    alternative: Alternative = "two-sided"
    nobs: int = 0
    valid: bool = True
    reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def invalid(
        cls,
        name: str,
        reason: str,
        *,
        null: str = "",
        distribution: str = "",
        alternative: Alternative = "two-sided",
        nobs: int = 0,
    ) -> TestResult:
        """An explicit "undefined" result carrying the reason."""
        return cls(
            name=name,
            statistic=math.nan,
            pvalue=math.nan,
            df=None,
            distribution=distribution,
            null=null,
            alternative=alternative,
            nobs=nobs,
            valid=False,
            reason=reason,
        )

    def __str__(self) -> str:
        if not self.valid:
            return f"{self.name}: undefined ({self.reason})"
        df = "" if self.df is None else f", df={self.df}"
        return (
            f"{self.name}: statistic={self.statistic:.4f}, pvalue={self.pvalue:.4g} "
            f"({self.distribution}{df}; H0: {self.null}; H1: {self.alternative}; n={self.nobs})"
        )

    def to_dict(self) -> dict[str, Any]:
        """Flat dict for a row of a tidy table."""
        return {
            "test": self.name,
            "statistic": self.statistic,
            "pvalue": self.pvalue,
            "df": self.df if not isinstance(self.df, tuple) else str(self.df),
            "distribution": self.distribution,
            "null": self.null,
            "alternative": self.alternative,
            "nobs": self.nobs,
            "valid": self.valid,
            "reason": self.reason,
        }
