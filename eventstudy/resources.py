"""Where the bundled case, fixtures and claims live.

In a wheel, ``fixtures/`` and ``seeds/`` are packaged under
``eventstudy/_bundled/``; in a source checkout (or an editable install) they are
the top-level folders of the repository.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent

#: File name of the bundled event-study case (in ``eventstudy/cases``).
CASE_FILE = "deepseek-2025-01-27.yaml"


def _bundled(name: str) -> Path:
    for candidate in (_PACKAGE_DIR / "_bundled" / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"The bundled `{name}/` folder was not found next to the package "
        f"({_PACKAGE_DIR}); reinstall eventstudy or pass --data DIR."
    )


def package_dir() -> Path:
    """Folder of the installed ``eventstudy`` package (a checkout's or site-packages')."""
    return _PACKAGE_DIR


def fixtures_dir() -> Path:
    """Folder of the bundled recorded market data (CSV files + ``manifest.json``)."""
    return _bundled("fixtures")


def factor_fixtures_dir() -> Path:
    """Folder of the bundled Fama-French factor data."""
    return fixtures_dir() / "factors"


def seeds_dir() -> Path:
    """Folder of the bundled claims files (one YAML per event)."""
    return _bundled("seeds")


def case_path(name: str = CASE_FILE) -> Path:
    """Path of a bundled event-study case file."""
    return _PACKAGE_DIR / "cases" / name


def case_paths() -> list[Path]:
    """Every bundled event-study case file (``eventstudy/cases/*.yaml``), sorted by name."""
    return sorted((_PACKAGE_DIR / "cases").glob("*.yaml"))


def default_claims_paths() -> list[Path]:
    """Every bundled claims file."""
    return sorted(seeds_dir().glob("*.yaml"))
