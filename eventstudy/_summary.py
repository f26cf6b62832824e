"""The statsmodels ``Summary`` of an event study, with a LaTeX output that works.

statsmodels' :meth:`~statsmodels.iolib.summary.Summary.as_latex` merges every
table into the first one and sizes the columns over the *shortest* row, so a
summary whose tables differ in width (the 4-column set-up table next to a CAR
table of one or two windows) fails with ``ValueError: zip() argument 2 is
shorter than argument 1``. Its own notes recommend ``as_latex_tabular`` on each
table; :class:`EventStudySummary` does exactly that. This module imports
statsmodels, so it is imported where a summary is built (start-up time).
"""

from __future__ import annotations

from statsmodels.iolib.summary import Summary

__all__ = ["EventStudySummary", "latex_text"]

_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}


def latex_text(text: str) -> str:
    """``text`` with the LaTeX special characters escaped (for the notes)."""
    return "".join(_LATEX_SPECIALS.get(c, c) for c in text)


class EventStudySummary(Summary):  # type: ignore[misc]
    """statsmodels ``Summary`` whose ``as_latex`` renders each table on its own.

    ``as_text``, ``as_html`` and ``as_csv`` are statsmodels' own.
    """

    def __init__(self) -> None:
        super().__init__()
        self.notes: list[str] = []

    def as_latex(self) -> str:
        """Each table as its own ``tabular`` (with its title), then the notes.

        Returns
        -------
        str
            LaTeX source; table cells are escaped by statsmodels, notes here.
        """
        parts = [str(t.as_latex_tabular()) for t in self.tables]
        if self.notes:
            items = "\n".join(rf"\item {latex_text(n)}" for n in self.notes)
            parts.append("Notes:\n\\begin{enumerate}\n" + items + "\n\\end{enumerate}")
        return "\n\n".join(parts)
