"""`eventstudy report`: self-contained HTML with every section, Markdown with PNG files."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from eventstudy.cli import main
from eventstudy.data.fixtures import CsvSource
from eventstudy.events import load_event_file, run_spec
from eventstudy.report import SECTION_IDS, build_report, render_html, write_report
from eventstudy.resources import case_path, fixtures_dir

REPO = Path(__file__).resolve().parents[1]

FIGURE_IDS = ["price_paths", "claims", "sensitivity", "car_paths", "market_value"]


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.sections: list[str] = []
        self.imgs: list[str] = []
        self.urls: list[tuple[str, str, str]] = []
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.append(a["id"])
            if tag == "section":
                self.sections.append(a["id"])
        if tag == "img":
            self.imgs.append(a.get("src", ""))
        for key in ("src", "href", "action", "poster", "data"):
            if key in a:
                self.urls.append((tag, key, a[key]))
        if tag == "link" or tag == "script":
            self.urls.append((tag, "tag", str(a)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    assert main(["report", "--out", str(folder)]) == 0
    return folder


@pytest.fixture(scope="module")
def parsed(out: Path) -> _Collector:
    p = _Collector()
    p.feed((out / "report.html").read_text(encoding="utf-8"))
    return p


def test_writes_html_markdown_and_pngs(out: Path) -> None:
    assert (out / "report.html").is_file() and (out / "report.md").is_file()
    pngs = sorted(p.name for p in (out / "figures").glob("*.png"))
    assert pngs == sorted(f"{f}.png" for f in FIGURE_IDS)
    for p in (out / "figures").glob("*.png"):
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_every_section_present_in_order(parsed: _Collector) -> None:
    assert parsed.sections == list(SECTION_IDS)
    assert {f"fig-{f}" for f in FIGURE_IDS} <= set(parsed.ids)


def test_figures_embedded_as_base64_png(parsed: _Collector, out: Path) -> None:
    assert len(parsed.imgs) == len(FIGURE_IDS)
    for src in parsed.imgs:
        assert src.startswith("data:image/png;base64,")
        raw = base64.b64decode(src.split(",", 1)[1], validate=True)
        assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    # the embedded bytes are the PNG files written next to the Markdown
    files = {p.read_bytes() for p in (out / "figures").glob("*.png")}
    assert {base64.b64decode(s.split(",", 1)[1]) for s in parsed.imgs} == files


def test_self_contained_no_external_urls(parsed: _Collector, out: Path) -> None:
    for tag, key, value in parsed.urls:
        assert tag not in ("link", "script"), (tag, value)
        assert value.startswith(("#", "data:image/png;base64,")), (tag, key, value[:80])
    html = (out / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html, flags=re.I)
    assert "@import" not in html and "url(" not in html


def test_contents(parsed: _Collector) -> None:
    text = " ".join(parsed.text)
    # claims verdicts
    assert "ceg-1d-003" in text and "holds" in text and "uncheckable" in text
    assert "21 claims: 13 hold, 0 fail, 8 uncheckable" in text
    # results and diagnostics
    assert "CAR(0, 0)" in text and "CAAR" in text
    assert "NVDA" in text and "2025-01-27" in text
    # notes: every note of the engine (e.g. the same-day clustering caveat)
    result = run_spec(load_event_file(case_path()), CsvSource(fixtures_dir()))
    assert result.notes
    for note in result.notes:
        assert note in text
    # provenance from the manifest
    assert "growwanalysis/nasdaq100:data/NVDA.csv" in text
    assert "manifest" in text and "2023-01-03 to 2025-06-30" in text
    assert "-592.7 USD bn" in text  # market-value caption


def test_markdown_links_figures(out: Path) -> None:
    md = (out / "report.md").read_text(encoding="utf-8")
    for f in FIGURE_IDS:
        assert f"](figures/{f}.png)" in md
        assert (out / "figures" / f"{f}.png").is_file()
    for heading in ("## Overview", "## Figures", "## Claims from articles", "## Results",
                    "## Diagnostics", "## Notes", "## Data provenance"):
        assert heading in md
    assert "| ceg-1d-003 |" in md


def test_missing_benchmarks_and_claims_are_noted(tmp_path: Path) -> None:
    """User data without ^IXIC/^SOX and no matching claims: figures left out, no crash."""
    data = tmp_path / "data"
    data.mkdir()
    for name in ("NVDA.csv", "AVGO.csv", "GSPC.csv"):
        (data / name).write_bytes((fixtures_dir() / name).read_bytes())
    spec = load_event_file(case_path()).with_overrides(securities=("NVDA", "AVGO"))
    report = build_report(spec, CsvSource(data), claim_sets=[],
                          sensitivity_models=("market", "market_adjusted"))
    ids = [f.id for f in report.figures]
    assert ids == ["price_paths", "sensitivity", "car_paths"]
    html = render_html(report)
    assert "No manifest.json" in html
    paths = write_report(report, tmp_path / "out")
    assert set(paths) == {"report.html", "report.md", "figures/price_paths.png",
                          "figures/sensitivity.png", "figures/car_paths.png"}


def test_cli_bad_event_file_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("securities: [NVDA]\n", encoding="utf-8")
    assert main(["report", str(bad), "--out", str(tmp_path / "o")]) == 2


# ------------------------------------------------------------------ a report worth sharing


def _seed_claims() -> list[dict[str, object]]:
    import yaml

    from eventstudy.resources import seeds_dir

    doc = yaml.safe_load((seeds_dir() / "deepseek-2025-01-27.yaml").read_text(encoding="utf-8"))
    return list(doc["claims"])


def test_counts_add_up(parsed: _Collector, out: Path) -> None:
    claims = _seed_claims()
    uncheckable = [c for c in claims if c.get("kind") == "uncheckable" or "reason" in c]
    assert len(claims) == 21 and len(uncheckable) == 8  # the seed file, read with PyYAML
    text = " ".join(parsed.text)
    assert "13 hold, 0 fail, 8 uncheckable (21 claims)" in text
    assert "checked" not in text.lower().replace("unchecked", "")
    assert "| Claims | 13 hold, 0 fail, 8 uncheckable (21 claims) |" in (
        out / "report.md").read_text(encoding="utf-8")


def test_no_working_notes_from_the_claims_file(out: Path) -> None:
    """The share counts' `source` notes stay in the claims file; the report gives count and date."""
    notes = [str(c["shares"]["source"]) for c in _seed_claims()  # type: ignore[index]
             if isinstance(c.get("shares"), dict)]
    assert notes
    for name in ("report.html", "report.md"):
        body = " ".join((out / name).read_text(encoding="utf-8").split())
        assert "search tools" not in body and "Must be verified" not in body, name
        for note in notes:
            assert " ".join(note.split())[:60] not in body, (name, note[:60])
        assert "24.49bn shares as of 2024-11-15" in body


def test_provenance_by_file_name_and_sha256_without_paths(out: Path) -> None:
    import hashlib

    html = (out / "report.html").read_text(encoding="utf-8")
    md = (out / "report.md").read_text(encoding="utf-8")
    for body in (html, md):
        assert str(fixtures_dir()) not in body and str(REPO) not in body
        assert "site-packages" not in body and "/home/" not in body
    # each data file by name with the sha256 of its bytes (hashlib, not the manifest)
    for name in ("NVDA.csv", "GSPC.csv", "SOX.csv"):
        digest = hashlib.sha256((fixtures_dir() / name).read_bytes()).hexdigest()
        assert re.search(rf"\| {re.escape(name)} \|.*\| {digest} \|", md), name
    manifest = hashlib.sha256((fixtures_dir() / "manifest.json").read_bytes()).hexdigest()
    assert f"fixtures/manifest.json sha256 {manifest}" in md


def test_without_paths_cuts_any_data_folder(tmp_path: Path) -> None:
    from eventstudy.provenance import without_paths

    folder = tmp_path / "site-packages" / "eventstudy" / "_bundled" / "mydata"
    folder.mkdir(parents=True)
    (folder / "NVDA.csv").write_bytes((fixtures_dir() / "NVDA.csv").read_bytes())
    text = without_paths(f"missing row in {folder}/NVDA.csv", CsvSource(folder))
    assert text == "missing row in mydata/NVDA.csv"


def test_headline_tests_named_in_words(out: Path) -> None:
    from eventstudy.inference import TESTS

    md = (out / "report.md").read_text(encoding="utf-8")
    assert f"| (0, 0) | kp-bmp | {TESTS['kp-bmp'].label} |" in md


def test_run_and_report_name_the_car_figure_alike(out: Path, tmp_path: Path) -> None:
    assert main(["run", "--out", str(tmp_path / "run")]) == 0
    run_pngs = {p.name for p in (tmp_path / "run").glob("*.png")}
    report_pngs = {p.name for p in (out / "figures").glob("*.png")}
    assert "car_paths.png" in run_pngs & report_pngs
    assert not any("-" in n for n in run_pngs | report_pngs)
