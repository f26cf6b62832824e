"""Re-export of the banded Kolari-Pynnönen ``rbar`` (kept for :mod:`eventstudy.batch`).

The one implementation lives in :mod:`eventstudy.inference.correlation`:
:func:`~eventstudy.inference.correlation.banded_residual_correlation` and
:func:`~eventstudy.inference.correlation.panel_positions`.
"""

from __future__ import annotations

from eventstudy.inference.correlation import (
    _positions,
    banded_residual_correlation,
    panel_positions,
)

__all__ = ["_positions", "banded_residual_correlation", "panel_positions"]
