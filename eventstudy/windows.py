"""Estimation and event windows in relative trading days (or explicit dates).

A :class:`Window` is a closed interval of relative trading days ``[start, end]``
around the event session (day 0). A :class:`DateWindow` is a closed interval of
calendar dates that is turned into relative days once the event session is known.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from eventstudy.calendar import to_timestamp
from eventstudy.errors import InvalidParameterError

__all__ = [
    "DEFAULT_ESTIMATION",
    "DEFAULT_WINDOWS",
    "DateWindow",
    "Window",
    "WindowLike",
    "event_span",
    "parse_window",
    "parse_windows",
]


@dataclass(frozen=True, eq=False)
class Window:
    """Relative trading days ``[start, end]`` (inclusive), day 0 = event session.

    A small value type that equals the tuple ``(start, end)`` and hashes like it
    (``Window(-1, 1) == (-1, 1)``, ``{(-1, 1): x}[Window(-1, 1)]``), orders by
    start then end, and prints as its :attr:`label` ``(-1, +1)``. It is a scalar
    to pandas (not a tuple, so pandas never reads it as several labels or
    levels), which makes it the ``window`` level of result indexes:
    ``res.car.xs((0, 0), level="window")``. ``tuple(w)`` is spelled
    :meth:`as_tuple`.

    Parameters
    ----------
    start, end : int
        First and last relative trading day, ``start <= end``.

    Raises
    ------
    InvalidParameterError
        If an end is not an integer or ``start > end``.
    """

    start: int
    end: int

    def __post_init__(self) -> None:
        ends = (self.start, self.end)
        if not all(isinstance(d, int | np.integer) and not isinstance(d, bool) for d in ends):
            raise InvalidParameterError("window", "integer relative trading days (start, end)", ends)
        if self.start > self.end:
            raise InvalidParameterError("window", "start <= end (relative trading days)", ends)
        object.__setattr__(self, "start", int(self.start))
        object.__setattr__(self, "end", int(self.end))

    def as_tuple(self) -> tuple[int, int]:
        """``(start, end)``."""
        return (self.start, self.end)

    @staticmethod
    def _other(other: object) -> tuple[int, int] | None:
        if isinstance(other, Window):
            return other.as_tuple()
        if isinstance(other, tuple) and len(other) == 2:
            return other  # type: ignore[return-value]
        return None

    def __eq__(self, other: object) -> bool:
        o = self._other(other)
        return NotImplemented if o is None else self.as_tuple() == o

    def __hash__(self) -> int:
        return hash(self.as_tuple())

    def __lt__(self, other: object) -> bool:
        o = self._other(other)
        return NotImplemented if o is None else self.as_tuple() < o

    def __le__(self, other: object) -> bool:
        o = self._other(other)
        return NotImplemented if o is None else self.as_tuple() <= o

    def __gt__(self, other: object) -> bool:
        o = self._other(other)
        return NotImplemented if o is None else self.as_tuple() > o

    def __ge__(self, other: object) -> bool:
        o = self._other(other)
        return NotImplemented if o is None else self.as_tuple() >= o

    @property
    def length(self) -> int:
        """Number of trading days ``L`` in the window."""
        return self.end - self.start + 1

    @property
    def label(self) -> str:
        """``"(0, 0)"``, ``"(-1, +1)"`` ..."""

        def fmt(d: int) -> str:
            return f"+{d}" if d > 0 else str(d)

        return f"({fmt(self.start)}, {fmt(self.end)})"

    def __str__(self) -> str:
        return self.label

    def __repr__(self) -> str:
        return self.label


@dataclass(frozen=True)
class DateWindow:
    """Calendar dates ``[start, end]`` (inclusive), resolved to sessions later."""

    start: pd.Timestamp
    end: pd.Timestamp

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise InvalidParameterError(
                "window", "start <= end", (str(self.start.date()), str(self.end.date()))
            )

    @property
    def label(self) -> str:
        return f"[{self.start.date()} .. {self.end.date()}]"

    def __str__(self) -> str:
        return self.label


WindowLike = Window | DateWindow | Sequence[object] | Mapping[str, object]

#: Default estimation window: 250 to 11 sessions before the event.
DEFAULT_ESTIMATION = Window(-250, -11)
#: Default event windows.
DEFAULT_WINDOWS: tuple[Window, ...] = (
    Window(0, 0),
    Window(-1, 1),
    Window(0, 1),
    Window(0, 4),
    Window(-5, 5),
)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_window(value: WindowLike, parameter: str = "window") -> Window | DateWindow:
    """Parse ``[a, b]``, ``(a, b)``, ``{"start": a, "end": b}`` or a window object.

    Integers are relative trading days; strings/dates are calendar dates.

    Raises
    ------
    InvalidParameterError
        For anything else, naming ``parameter``.
    """
    if isinstance(value, Window | DateWindow):
        return value
    expected = "[start, end] of relative trading days (ints) or {start: DATE, end: DATE}"
    if isinstance(value, Mapping):
        if set(value) != {"start", "end"}:
            raise InvalidParameterError(parameter, expected, dict(value))
        a, b = value["start"], value["end"]
    elif isinstance(value, Sequence) and not isinstance(value, str | bytes) and len(value) == 2:
        a, b = value[0], value[1]
    else:
        raise InvalidParameterError(parameter, expected, value)
    if _is_int(a) and _is_int(b):
        if int(a) > int(b):  # type: ignore[call-overload]
            raise InvalidParameterError(parameter, "start <= end", [a, b])
        return Window(int(a), int(b))  # type: ignore[call-overload]
    if _is_int(a) or _is_int(b):
        raise InvalidParameterError(parameter, "both ends relative days or both dates", [a, b])
    start = to_timestamp(a, f"{parameter}.start")
    end = to_timestamp(b, f"{parameter}.end")
    if start > end:
        raise InvalidParameterError(parameter, "start <= end", [str(a), str(b)])
    return DateWindow(start, end)


def parse_windows(values: Iterable[WindowLike], parameter: str = "windows") -> tuple[Window | DateWindow, ...]:
    """Parse a list of windows; duplicates are an error (never silently dropped)."""
    if isinstance(values, str | bytes | Mapping):
        raise InvalidParameterError(parameter, "a list of windows", values)
    out = tuple(parse_window(v, f"{parameter}[{i}]") for i, v in enumerate(values))
    if not out:
        raise InvalidParameterError(parameter, "at least one window", list(out))
    if len(set(out)) != len(out):
        raise InvalidParameterError(parameter, "distinct windows", [str(w) for w in out])
    return out


def event_span(windows: Iterable[Window]) -> tuple[int, int]:
    """``(lo, hi)``: the relative days from the earliest window start (or day 0) to the latest end.

    The event span every event's abnormal returns are computed on.
    """
    wins = list(windows)
    return min(0, *(w.start for w in wins)), max(0, *(w.end for w in wins))
