"""Result frames whose ``window`` index level holds :class:`~eventstudy.windows.Window` values.

pandas reads a tuple inside a ``.loc`` key as a list of labels, and a 2-tuple
given to ``DataFrame.loc`` as ``(rows, columns)``, so ``frame.loc[("NVDA", (-1, 1))]``
would look for the columns ``-1`` and ``1`` (a :class:`Window` itself is a
scalar to pandas, but the user's ``(-1, 1)`` is a tuple). :class:`WindowFrame` resolves such keys first: a key that names a whole
row, by tuple or by label (``(-1, 1)``, ``Window(-1, 1)`` or ``"(-1, +1)"``),
selects that row; everything else is pandas' own ``.loc``. ``xs`` takes the
same window spellings, and frames derived from a WindowFrame (a column
selection, ``copy``, ``sort_index``, ``groupby`` ...) are WindowFrames too.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from eventstudy.windows import Window

__all__ = ["WindowFrame"]


def _window_values(index: pd.Index) -> dict[object, Window]:
    """Every spelling of the windows in ``index``'s ``window`` level -> the Window."""
    if "window" not in (index.names or []):
        return {}
    values = index.get_level_values("window") if isinstance(index, pd.MultiIndex) else index
    out: dict[object, Window] = {}
    for w in pd.unique(values.to_numpy(dtype=object)):
        if isinstance(w, Window):
            out[w.label] = w
            out[(w.start, w.end)] = w
    return out


class WindowFrame(pd.DataFrame):
    """A :class:`pandas.DataFrame` whose ``.loc`` and ``.xs`` accept windows as tuples or labels.

    ``car.loc[("NVDA", (-1, 1))]``, ``car.loc[("NVDA", "(-1, +1)"), "car"]``,
    ``caar.loc[(0, 0)]`` and ``car.xs((0, 0), level="window")`` select rows.
    A plain pandas object holding Windows (a column ``car["car"]``, a plain
    ``DataFrame``) finds them by ``Window(0, 0)``: pandas' own hash tables do
    not match a plain tuple key against a non-tuple label.
    """

    @property
    def _constructor(self) -> type[WindowFrame]:
        return WindowFrame

    def _window(self, key: Any) -> Any:
        """``key`` as the Window it spells in this frame's index, else unchanged."""
        try:
            return _window_values(self.index).get(key, key)
        except TypeError:  # unhashable key (list, slice ...)
            return key

    def _row_key(self, key: Any) -> tuple[bool, Any]:
        """(whether ``key`` names exactly one row label, the key with windows resolved)."""
        index = self.index
        if isinstance(index, pd.MultiIndex):
            if not isinstance(key, tuple) or len(key) != index.nlevels:
                return False, key
            pos = index.names.index("window") if "window" in index.names else -1
            key = tuple(self._window(k) if i == pos else k for i, k in enumerate(key))
        else:
            key = self._window(key)
            if not isinstance(key, Window):
                return False, key
        try:
            return key in index, key
        except TypeError:
            return False, key

    @property
    def loc(self) -> Any:  # type: ignore[override]
        """pandas ``.loc``, with whole-row keys that spell a window resolved first."""
        return _WindowLoc(self)

    def xs(self, key: Any, axis: Any = 0, level: Any = None, drop_level: bool = True) -> Any:
        """pandas ``xs``; ``key`` may spell a window as ``(start, end)`` or its label."""
        if level == "window" or (level is None and not isinstance(self.index, pd.MultiIndex)):
            key = self._window(key)
        elif level is None and isinstance(key, tuple):
            key = self._row_key(key)[1]
        return super().xs(key, axis=axis, level=level, drop_level=drop_level)


class _WindowLoc:
    """The ``.loc`` of a :class:`WindowFrame` (delegates to pandas after resolving windows)."""

    def __init__(self, frame: WindowFrame) -> None:
        self._frame = frame
        self._loc = pd.DataFrame.loc.fget(frame)  # type: ignore[attr-defined]

    def _resolve(self, key: Any) -> Any:
        """``key`` for pandas: a whole-row key (alone or with columns) with its window resolved."""
        frame = self._frame
        whole, rows = frame._row_key(key)
        if whole:
            return (rows, slice(None))
        if isinstance(key, tuple) and len(key) == 2:
            whole, rows = frame._row_key(key[0])
            if whole:
                return (rows, key[1])
        return key

    def __getitem__(self, key: Any) -> Any:
        return self._loc[self._resolve(key)]

    def __setitem__(self, key: Any, value: Any) -> None:
        self._loc[key] = value

    def __call__(self, axis: Any = None) -> Any:
        return self._loc(axis)

    def __getattr__(self, name: str) -> Any:  # pandas internals reach into its indexer
        return getattr(self._loc, name)
