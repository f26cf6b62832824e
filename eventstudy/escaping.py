"""Escaping of user text (event names, symbols, claim text, sources) for every output.

One helper per output format, so that text a user typed is shown as typed and
never interpreted as markup, syntax or a formula:

* :func:`html` - HTML element text and attribute values (``html.escape``);
* :func:`markdown` - Markdown headings, paragraphs and table cells;
* :func:`console` - rich console output (a :class:`rich.text.Text`, so neither
  console markup such as ``[link=...]`` nor ``:emoji:`` codes are interpreted);
* :func:`mathtext` - matplotlib text (titles, labels, legends, notes), where a
  pair of ``$`` would otherwise start mathtext;
* :func:`csv_frame` - a copy of a DataFrame whose text cells and labels cannot
  be read as a spreadsheet formula (CSV/formula injection).

Only user text goes through these; the library's own fixed text is written
as is.
"""

from __future__ import annotations

import html as _html
import re
from typing import Any

import pandas as pd
from rich.text import Text

__all__ = ["FORMULA_PREFIXES", "console", "csv_cell", "csv_frame", "html", "markdown", "mathtext"]

#: First characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection).
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

#: A number as typed in a table: optional sign, digits (thousands commas allowed),
#: decimals, exponent, optional percent sign; e.g. ``-0.05``, ``+3%``, ``-1e-3``.
_NUMBER = re.compile(r"[+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?")

# Markdown: characters escaped with a backslash anywhere (CommonMark lets any ASCII
# punctuation be backslash-escaped); ``_`` only where it could open or close emphasis
# (not between two letters or digits, so ``estimation_missing`` stays readable).
_MD_ALWAYS = re.compile(r"([\\`*\[\]|~$#])")
_MD_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
# GitHub-flavoured autolinks (``https://x``, ``www.x``): break them with a harmless escape.
_MD_SCHEME = re.compile(r"://")
_MD_WWW = re.compile(r"\b(www)\.", re.IGNORECASE)
# Block markers at the start of a line: bullet, setext underline, ordered list item.
_MD_BULLET = re.compile(r"^([-+=])")
_MD_ORDERED = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")


def _str(text: Any) -> str:
    return "" if text is None else str(text)


def html(text: Any) -> str:
    """Escape ``text`` for HTML element content and quoted attribute values.

    Parameters
    ----------
    text : Any
        The text (converted with ``str``; ``None`` gives ``""``).

    Returns
    -------
    str
        ``text`` with ``&``, ``<``, ``>``, ``"`` and ``'`` replaced by character
        references (:func:`html.escape` with ``quote=True``).
    """
    return _html.escape(_str(text), quote=True)


def markdown(text: Any) -> str:
    """Escape ``text`` for one line of Markdown: a heading, a paragraph or a table cell.

    Line breaks become spaces and surrounding whitespace is dropped (Markdown does
    not keep them either); HTML-special characters become character references;
    backslash, backtick, ``*``, ``[``, ``]``, ``|``, ``~``, ``$`` and ``#`` (and
    ``_`` where it could start emphasis) are backslash-escaped; a leading ``-``,
    ``+``, ``=`` or ``1.`` that would start a list or underline a heading is
    escaped unless the whole text is a number (``-0.05``, ``+3%`` stay as they
    are); ``https://`` and ``www.`` are broken so that GitHub does not autolink
    them. The rendered text reads exactly as typed.

    Parameters
    ----------
    text : Any
        The text (converted with ``str``; ``None`` gives ``""``).

    Returns
    -------
    str
        Markdown source that renders as ``text``.
    """
    s = " ".join(_str(text).splitlines()).strip()
    s = _MD_ALWAYS.sub(r"\\\1", s)
    s = _MD_UNDERSCORE.sub(r"\\_", s)
    s = _MD_SCHEME.sub(r"\\://", s)
    s = _MD_WWW.sub(r"\1\\.", s)
    if not _NUMBER.fullmatch(s):
        s = _MD_BULLET.sub(r"\\\1", s)
        s = _MD_ORDERED.sub(r"\1\\\2", s)
    return _html.escape(s, quote=False)


def console(text: Any, style: str = "") -> Text:
    """``text`` as a :class:`rich.text.Text`, printed by rich exactly as typed.

    A plain ``str`` given to rich is parsed for console markup (``[bold]``,
    ``[link=...]``, ``[/]``, which can also raise
    :class:`rich.errors.MarkupError`) and for ``:emoji:`` codes; a ``Text`` is
    not. Use it for console prints and rich table cells, titles and captions;
    join pieces with :meth:`rich.text.Text.assemble`.

    Parameters
    ----------
    text : Any
        The text (converted with ``str``; ``None`` gives ``""``).
    style : str, optional
        A rich style for the whole text (e.g. ``"bold red"``), applied as a style,
        never parsed from ``text``.

    Returns
    -------
    rich.text.Text
        The literal text.
    """
    return Text(_str(text), style=style)


def mathtext(text: Any) -> str:
    r"""Escape ``text`` for a matplotlib Text (title, label, legend entry, annotation).

    matplotlib reads a string with an even number of unescaped ``$`` as mathtext
    (``"$5 vs $"`` would draw an italic ``5 vs``, and ``"$\frac$"`` would fail
    when drawn). Every ``$`` becomes ``\$``, which matplotlib draws as ``$``
    both in plain text and inside mathtext. The figures of
    :mod:`eventstudy.plotting` are drawn with ``text.usetex`` off, so no other
    character is special.

    Parameters
    ----------
    text : Any
        The text (converted with ``str``; ``None`` gives ``""``).

    Returns
    -------
    str
        Text that matplotlib draws as typed.
    """
    return _str(text).replace("$", r"\$")


def csv_cell(value: Any) -> Any:
    """Neutralise one CSV cell that a spreadsheet would read as a formula.

    A string beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return (the OWASP list) gets a leading ``'`` unless the whole string is a
    number (``-0.05``, ``+3%``, ``-1e-3``); anything else is returned unchanged.

    Parameters
    ----------
    value : Any
        One cell or label.

    Returns
    -------
    Any
        ``"'" + value`` for a formula-like string, else ``value`` itself.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def _labels(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        return pd.MultiIndex.from_arrays(
            [_labels(index.get_level_values(i)) for i in range(index.nlevels)], names=index.names)
    if index.dtype == object or isinstance(index.dtype, (pd.StringDtype, pd.CategoricalDtype)):
        return pd.Index([csv_cell(v) for v in index], name=index.name, dtype=object)
    return index


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` safe to open in a spreadsheet (no CSV formula injection).

    Every text cell (columns of ``object``, ``string`` or ``category`` dtype),
    every index label and every column label goes through :func:`csv_cell`:
    ``=HYPERLINK(...)``, ``@SUM(1)``, ``+cmd`` and ``-cmd`` get a leading ``'``,
    numbers written as text (``-0.05``, ``+3%``) do not. Numeric, boolean and
    date columns are not touched (text columns come back as ``object`` dtype), and
    ``frame`` itself is not changed.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table about to be written with :meth:`pandas.DataFrame.to_csv`.

    Returns
    -------
    pandas.DataFrame
        The neutralised copy (same shape, order and non-text values).
    """
    out = frame.copy()
    for j in range(out.shape[1]):
        col = out.iloc[:, j]
        if col.dtype == object or isinstance(col.dtype, (pd.StringDtype, pd.CategoricalDtype)):
            out.isetitem(j, col.astype(object).map(csv_cell).to_numpy(dtype=object))
    out.index = _labels(out.index)
    out.columns = _labels(out.columns)
    return out
