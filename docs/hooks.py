"""MkDocs hooks: the README is the guide page, and the notebook and its figures come from the repo.

Nothing is copied into ``docs/``: the files are added to the build from where
they live, so the docs cannot drift from the README, the notebook or the figures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[1]


@event_priority(100)  # before mkdocs-jupyter turns notebooks into pages
def on_files(files: Files, config: Any) -> Files:
    """Add the notebook and the README's figures from the repository root."""
    for path in [ROOT / "notebooks" / "deepseek-selloff.ipynb",
                 *sorted((ROOT / "notebooks" / "figures").glob("*.png"))]:
        rel = path.relative_to(ROOT).as_posix()
        files.append(File(rel, str(ROOT), config["site_dir"], config["use_directory_urls"]))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    """The guide page is the README, word for word."""
    if page.file.src_uri == "index.md":
        return (ROOT / "README.md").read_text(encoding="utf-8")
    return markdown
