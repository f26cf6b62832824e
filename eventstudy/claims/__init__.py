"""Quantitative market claims from articles, stated as data and checked against prices.

A claims file (YAML, see ``seeds/``) lists what articles said about market moves
(for example "NVIDIA fell 17% on 27 January 2025"), each with the precision the
article gave it. :func:`load_claims` validates such a file into a
:class:`ClaimSet`; :func:`check_claims` recomputes every checkable claim from a
:class:`~eventstudy.data.source.PriceSource` and returns a :class:`ClaimsReport`.

Kinds of claim and what is recomputed (``reported`` unit / ``tolerance`` unit):

``close_to_close_change`` (percent / percentage_points)
    ``price_field`` on the date divided by ``price_field`` on the previous NYSE
    session, minus one, in percent. The previous session comes from the
    ``exchange_calendars`` XNYS calendar and the data must have that row.
``intraday_high`` (USD / USD)
    The ``high`` on the date.
``price_ratio`` (ratio / ratio)
    ``price_field`` on ``dates[1]`` divided by ``price_field`` on ``dates[0]``.
``market_value_change`` (USD_billions / USD_billions)
    (``price_field`` on the date - ``price_field`` on the previous NYSE session)
    x ``shares`` (given in the claim, in billions, with its source).
``uncheckable``
    Not recomputed; a ``reason`` says what data it would need.

A claim *holds* when ``|recorded - reported| <= tolerance`` (inclusive, plus an
epsilon of 1e-9 in the claim's unit against floating-point noise).
"""

from eventstudy.claims.checker import (
    FRAME_COLUMNS,
    ClaimResult,
    ClaimsReport,
    check_claims,
)
from eventstudy.claims.checker import format_quantity as format_quantity
from eventstudy.claims.loader import load_claims
from eventstudy.claims.schema import (
    CHECKABLE_KINDS,
    EPSILON,
    KINDS,
    SCHEMA_VERSION,
    Claim,
    ClaimSet,
    ClaimSource,
    Quantity,
    Shares,
    SourceInfo,
)

# ``format_quantity`` stays importable from here, as before the split, but is not in __all__.
__all__ = [
    "CHECKABLE_KINDS",
    "EPSILON",
    "FRAME_COLUMNS",
    "KINDS",
    "SCHEMA_VERSION",
    "Claim",
    "ClaimResult",
    "ClaimSet",
    "ClaimSource",
    "ClaimsReport",
    "Quantity",
    "Shares",
    "SourceInfo",
    "check_claims",
    "load_claims",
]
