"""Quantitative market claims from articles, stated as data and checked against prices.

A claims file (YAML, see ``seeds/``) lists what articles said about market moves
(for example "NVIDIA fell 17% on 27 January 2025"), each with the precision the
article gave it. :func:`load_claims` validates such a file into a
:class:`ClaimSet`; :func:`check_claims` recomputes every checkable claim from a
:class:`~eventstudy.data.source.PriceSource` and returns a :class:`ClaimsReport`.

Kinds of claim and what is recomputed (``reported`` unit / ``tolerance`` unit):

``close_to_close_change`` (percent / percentage_points)
    ``price_field`` on the date divided by ``price_field`` on the previous
    session of the symbol's exchange, minus one, in percent. The exchange comes
    from the symbol's suffix (``6857.T`` is Tokyo, XTKS; no suffix is New York,
    XNYS; :func:`eventstudy.exchanges.infer_calendar`), its sessions from
    ``exchange_calendars``, and the data must have that row. An
    explicit ``base_date`` (a session of that exchange before the date) is the date the
    change is measured from; when it is not the previous session, the result's
    ``note`` says so (and the table shows ``... from <base_date>``).
``intraday_high`` (USD / USD)
    The ``high`` on the date.
``price_ratio`` (ratio / ratio)
    ``price_field`` on ``dates[1]`` divided by ``price_field`` on ``dates[0]``.
``market_value_change`` (USD_billions / USD_billions)
    (``price_field`` on the date - ``price_field`` on the previous session,
    or on ``base_date``) x ``shares`` (given in the claim, in billions, with its
    source).
``uncheckable``
    Not recomputed; a ``reason`` says what data it would need.

A claim *holds* when the recorded value lies in the range its ``qualifier``
accepts (inclusive, widened by an epsilon of 1e-9 in the claim's unit against
floating-point noise); see :func:`~eventstudy.claims.schema.accepted_range`:

``exact`` (the default)
    ``|recorded - reported| <= tolerance``; the tolerance is required.
``about``
    ``|recorded - reported| <= tolerance``, or half a unit of the last digit
    of ``reported`` as written when no tolerance is given (``about 17%``:
    +-0.5; ``about 17.4%``: +-0.05).
``more_than`` / ``at_least``
    The move went the reported way by at least ``|reported|``: "fell more
    than 11%" (``reported: -11``) holds when the change is <= -11%.
``less_than`` / ``at_most``
    The move went the reported way by at most ``|reported|``: "rose less than
    2%" holds when the change is within [0, 2].
``nearly`` / ``almost``
    The move went the reported way by ``|reported|`` or a little less: within
    half a unit of the last written digit below it (or ``tolerance`` below
    it); "almost 3%" holds when ``|change|`` is within [2.5, 3].

Qualified claims need no tolerance; one given to a one-sided qualifier moves
its bound in the claim's favour (data uncertainty, e.g. a share count).

Each claim names its ``source`` (``publisher``, ``date`` and a ``file`` or
``url``); the top-level ``sources`` list is optional. Units may be written
short: ``%`` (percent), ``pp`` (percentage_points), ``bn`` (billion, for share
counts) and ``usd_bn`` / ``USD_bn`` (USD_billions).

:func:`load_claims` reports every problem of a file at once, one line each,
naming the file, the field path and its line.
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
    QUALIFIERS,
    SCHEMA_VERSION,
    UNIT_ALIASES,
    Claim,
    ClaimSet,
    ClaimSource,
    Quantity,
    Shares,
    SourceInfo,
    accepted_range,
)

# ``format_quantity`` stays importable from here, as before the split, but is not in __all__.
__all__ = [
    "CHECKABLE_KINDS",
    "EPSILON",
    "FRAME_COLUMNS",
    "KINDS",
    "QUALIFIERS",
    "SCHEMA_VERSION",
    "UNIT_ALIASES",
    "Claim",
    "ClaimResult",
    "ClaimSet",
    "ClaimSource",
    "ClaimsReport",
    "Quantity",
    "Shares",
    "SourceInfo",
    "accepted_range",
    "check_claims",
    "load_claims",
]
