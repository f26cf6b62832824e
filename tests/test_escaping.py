"""User text is shown as typed in every output: HTML, Markdown, console, figures, CSV.

The hostile event name below carries HTML, rich console markup, a mathtext
pair of ``$`` and a Markdown pipe plus a spreadsheet formula. Expected
strings are written out by hand; Markdown is also rendered with an
independent CommonMark parser (markdown-it-py, which rich depends on) and
figure text is compared with matplotlib's own ``parse_math=False`` rendering.
"""

from __future__ import annotations

import html as stdlib_html
import io
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import matplotlib as mpl
import pandas as pd
import pytest
import yaml
from claims_helpers import SRC, claim
from markdown_it import MarkdownIt
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text as MplText
from rich.console import Console

from eventstudy import escaping
from eventstudy.claims import load_claims
from eventstudy.cli import main
from eventstudy.cli import run as cli_run
from eventstudy.data.fixtures import CsvSource
from eventstudy.events import load_event_file, run_spec
from eventstudy.plotting import figure_png, plot_price_paths, plot_sensitivity
from eventstudy.report import Report, ReportFigure, build_report, render_html, render_markdown
from eventstudy.resources import case_path, fixtures_dir

NAME = "<script>alert(1)</script> [link=https://evil]x[/link] $5 vs $ | =cmd"
#: Console markup that rich cannot parse ([/] closes nothing), an emoji code, an escaped bracket.
CRASHER = r"crash [/] :smiley: \[bold] [red]b"
CLAIM_ID = "[/]x [bold]y"
SYMBOL = "[/]X [link=https://evil]y[/link] $1 $ =cmd"

NAME_HTML = ("&lt;script&gt;alert(1)&lt;/script&gt; [link=https://evil]x[/link] "
             "$5 vs $ | =cmd")
NAME_MD = (r"&lt;script&gt;alert(1)&lt;/script&gt; \[link=https\://evil\]x\[/link\] "
           r"\$5 vs \$ \| =cmd")
NAME_MPL = r"<script>alert(1)</script> [link=https://evil]x[/link] \$5 vs \$ | =cmd"


# ------------------------------------------------------------------ helpers


def _claims_file(tmp_path: Path) -> Path:
    """A claims file whose event name, claim id and claim text are hostile (the claim holds)."""
    doc = {
        "schema_version": 1,
        "event": {"name": NAME, "date": "2025-01-27"},
        "sources": [{**SRC, "language": "en"}],
        "claims": [claim(id=CLAIM_ID, claim="NVIDIA fell 17% [link=https://evil]x[/link]",
                         symbols=["NVDA"], reported={"value": -17, "unit": "percent"})],
    }
    path = tmp_path / "claims.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _event_file(tmp_path: Path, name: str) -> Path:
    doc = yaml.safe_load(case_path().read_text(encoding="utf-8"))
    doc.update(name=name, securities=["NVDA", "AVGO"], description=None)
    doc = {k: v for k, v in doc.items() if v is not None}
    doc["event_date"] = str(doc["event_date"])
    path = tmp_path / "event.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: dict[str, list[str]] = {}
        self.attrs: list[tuple[str, dict[str, str]]] = []
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.append((tag, {k: v or "" for k, v in attrs}))
        self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._open:
            self.text.setdefault(self._open[-1], []).append(data)


# ------------------------------------------------------------------ report: HTML and Markdown


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    spec = load_event_file(case_path()).with_overrides(name=NAME, securities=("NVDA", "AVGO"))
    claims = load_claims(_claims_file(tmp_path_factory.mktemp("claims")))
    built = build_report(spec, CsvSource(fixtures_dir()), claim_sets=[claims],
                         sensitivity_models=("market",))
    extra = ReportFigure(id="user", title='fig "title" ' + NAME, caption="caption " + NAME,
                         png=b"\x89PNG\r\n\x1a\n")
    return replace(built, figures=(*built.figures, extra), notes=(*built.notes, "note " + NAME),
                   provenance_text="provenance " + NAME)


def test_report_html_escapes_every_user_text(report: Report) -> None:
    doc = render_html(report)
    assert "<script" not in doc.lower()
    assert f"<title>{NAME_HTML} - event study report</title>" in doc
    assert f"<h1>{NAME_HTML}</h1>" in doc
    assert f"<th>Event</th><td>{NAME_HTML}</td>" in doc
    assert f'alt="fig &quot;title&quot; {NAME_HTML}"' in doc
    assert f"<b>fig &quot;title&quot; {NAME_HTML}.</b> caption {NAME_HTML}</figcaption>" in doc
    assert f"<li>note {NAME_HTML}</li>" in doc
    assert f"<p>provenance {NAME_HTML}</p>" in doc
    assert f"<p>{NAME_HTML}: 1 claims: 1 hold, 0 fail, 0 uncheckable</p>" in doc
    assert "<td>[/]x [bold]y</td>" in doc
    parsed = _Tags()
    parsed.feed(doc)
    assert "script" not in parsed.tags
    assert parsed.text["h1"] == [NAME]
    assert parsed.text["title"] == [f"{NAME} - event study report"]
    alts = [a["alt"] for tag, a in parsed.attrs if tag == "img"]
    assert alts[-1] == 'fig "title" ' + NAME
    assert all(set(a) <= {"alt", "src"} for tag, a in parsed.attrs if tag == "img")


def test_report_markdown_escapes_every_user_text(report: Report) -> None:
    md = render_markdown(report)
    assert "<script" not in md.lower()
    assert f"# {NAME_MD}\n" in md
    assert f"| Event | {NAME_MD} |" in md
    assert f"![fig \"title\" {NAME_MD}](figures/user.png)" in md
    assert f"**fig \"title\" {NAME_MD}.** caption {NAME_MD}" in md
    assert f". note {NAME_MD}\n" in md
    assert f"provenance {NAME_MD}\n" in md
    assert r"| \[/\]x \[bold\]y | NVDA |" in md

    rendered = MarkdownIt("commonmark").enable("table").render(md)
    assert "<script" not in rendered.lower()
    assert "<a " not in rendered and "<code>" not in rendered
    (h1,) = re.findall(r"<h1>(.*?)</h1>", rendered)
    assert stdlib_html.unescape(h1) == NAME
    assert f'<img src="figures/user.png" alt="fig &quot;title&quot; {NAME_HTML}" />' in rendered
    # a pipe in a cell does not add a column: every row has as many cells as its header
    for table in re.findall(r"<table>.*?</table>", rendered, flags=re.S):
        width = len(re.findall(r"<th[ >]", table))
        for row in re.findall(r"<tbody>.*?</tbody>", table, flags=re.S)[0].split("</tr>")[:-1]:
            assert len(re.findall(r"<td[ >]", row)) == width
    assert f"<td>{NAME_HTML}</td>" in rendered


# ------------------------------------------------------------------ console (rich)


@pytest.mark.parametrize("name", [NAME, CRASHER])
def test_run_cli_prints_name_as_typed(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    event = _event_file(tmp_path, name)
    assert main(["run", str(event), "--out", str(tmp_path / "out"), "--no-figures"]) == 0
    out = capsys.readouterr().out
    assert f"{name}: market model, estimation window (-250, -11) sessions, 2 events\n" in out
    assert "\x1b" not in out


def test_run_cli_table_and_figures_show_symbol_as_typed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A security whose symbol carries markup, mathtext and a formula (user data, no manifest)."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "GSPC.csv").write_bytes((fixtures_dir() / "GSPC.csv").read_bytes())
    prices = pd.read_csv(fixtures_dir() / "NVDA.csv", dtype=str, keep_default_na=False)
    prices["symbol"] = SYMBOL
    prices.to_csv(data / "X.csv", index=False)
    doc = yaml.safe_load(_event_file(tmp_path, NAME).read_text(encoding="utf-8"))
    doc["securities"] = [SYMBOL]
    event = tmp_path / "symbol.yaml"
    event.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    out_dir = tmp_path / "out"
    assert main(["run", str(event), "--data", str(data), "--out", str(out_dir)]) == 0
    out = capsys.readouterr().out
    # the symbol's row: symbol, β, se(β), then the day-0 AR (issue 11 added the β columns)
    assert re.search(re.escape(f"│ {SYMBOL} │ ") + r"\d+\.\d{3} │ \d+\.\d{3} │ AR day 0 ", out)
    assert "\x1b" not in out
    assert (out_dir / "car_paths.png").is_file() and (out_dir / "abnormal_returns.png").is_file()
    # the symbol starts with '[', not a formula character: kept as typed in the CSV
    car = pd.read_csv(out_dir / "car.csv", dtype=str)
    assert set(car["event_id"]) == {SYMBOL}


def test_run_csv_cells_are_neutralised(tmp_path: Path) -> None:
    """A symbol that a spreadsheet would run as a formula is written with a leading quote."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "GSPC.csv").write_bytes((fixtures_dir() / "GSPC.csv").read_bytes())
    prices = pd.read_csv(fixtures_dir() / "NVDA.csv", dtype=str, keep_default_na=False)
    prices["symbol"] = "=HYPERLINK(1)"
    prices.to_csv(data / "X.csv", index=False)
    doc = yaml.safe_load(_event_file(tmp_path, "csv").read_text(encoding="utf-8"))
    doc["securities"] = ["=HYPERLINK(1)"]
    event = tmp_path / "formula.yaml"
    event.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    out_dir = tmp_path / "out"
    assert main(["run", str(event), "--data", str(data), "--out", str(out_dir), "--no-figures"]) == 0
    for name in ("car.csv", "diagnostics.csv", "ar.csv"):
        text = (out_dir / name).read_text(encoding="utf-8")
        assert "'=HYPERLINK(1)" in text and "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text


def test_report_cli_prints_name_with_markup_as_typed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    event = _event_file(tmp_path, "crash [/] x")
    assert main(["report", str(event), "--out", str(tmp_path / "rep")]) == 0
    assert "Report of crash [/] x:" in capsys.readouterr().out


def test_print_result_on_a_terminal_interprets_no_markup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    buf = io.StringIO()
    term = Console(file=buf, force_terminal=True, color_system="truecolor", width=200)
    monkeypatch.setattr(cli_run, "console", lambda: term)
    spec = load_event_file(_event_file(tmp_path, NAME + " " + CRASHER))
    cli_run.print_result(run_spec(spec, CsvSource(fixtures_dir())))
    out = buf.getvalue()
    assert "\x1b]8;" not in out  # no terminal hyperlink (OSC 8) from [link=...]
    assert f"{NAME} {CRASHER}: market model" in out


def test_check_cli_prints_claims_text_as_typed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(_claims_file(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert f"{NAME} (2025-01-27): claims.yaml" in " ".join(out.split("\n")[:3])
    assert re.search(r"^\s*\[/\]x \[bold\]y\s+NVDA\s.*\sholds$", out, flags=re.M)
    assert "\x1b" not in out


@pytest.mark.parametrize("text", [NAME, CRASHER, "[bold]b[/bold]", "[/]", "a\\", ":smiley:"])
def test_console_text_prints_as_typed(text: str) -> None:
    buf = io.StringIO()
    Console(file=buf, force_terminal=True, width=200).print(escaping.console(text))
    assert buf.getvalue() == text + "\n"


# ------------------------------------------------------------------ figures (mathtext)


def _width(text: MplText, fig: Figure) -> float:
    return float(text.get_window_extent(FigureCanvasAgg(fig).get_renderer()).width)


def test_figure_title_legend_and_note_drawn_as_typed() -> None:
    days = pd.bdate_range("2025-01-22", "2025-01-29")
    paths = pd.DataFrame({NAME: [100.0, 101, 100, 90, 91, 92]}, index=days)
    ax = plot_price_paths(paths, event_date="2025-01-27", base_date="2025-01-24", title=NAME,
                          note=NAME)
    fig = ax.get_figure()
    assert isinstance(fig, Figure)
    figure_png(ax)  # draws on Agg
    assert ax.get_title(loc="left") == NAME_MPL
    (title,) = [t for t in ax.get_children() if isinstance(t, MplText) and t.get_text() == NAME_MPL]
    legend = ax.get_legend()
    assert legend is not None
    assert legend.get_texts()[0].get_text() == NAME_MPL
    (note,) = [t for t in fig.texts if t.get_gid() == "source-note"]
    assert note.get_text() == NAME_MPL
    # drawn exactly like the literal text with mathtext off; with mathtext on it would differ
    with mpl.rc_context({"font.family": "DejaVu Sans"}):
        props = title.get_fontproperties()
        literal = fig.text(0, 0, NAME, fontproperties=props, parse_math=False)
        as_math = fig.text(0, 0, NAME, fontproperties=props)
        assert _width(title, fig) == pytest.approx(_width(literal, fig))
        assert _width(as_math, fig) != pytest.approx(_width(literal, fig))


def test_figure_with_invalid_mathtext_still_draws() -> None:
    bad = r"$\frac{$ and $x"
    grid = pd.DataFrame({"event_id": [bad], "model": ["market"], "benchmark": [bad],
                         "ar": [-0.1]})
    ax = plot_sensitivity(grid, note=bad)
    assert len(figure_png(ax)) > 0
    assert ax.get_xticklabels()[0].get_text() == r"\$\frac{\$ and \$x"


# ------------------------------------------------------------------ CSV formula injection


def test_csv_frame_neutralises_formulas_but_not_numbers() -> None:
    cells = ['=HYPERLINK("https://evil","x")', "@SUM(1)", "+cmd", "-cmd", "\tTAB", "\rCR",
             "-0.05", "+3%", "-1e-3", "plain", None]
    frame = pd.DataFrame({"text": cells, "value": [-1.5] * len(cells)},
                         index=pd.Index([f"=A{i}" for i in range(len(cells))], name="id"))
    frame["category"] = pd.Categorical(["-x"] * len(cells))
    frame.columns = pd.Index(["text", "@value", "category"])
    out = escaping.csv_frame(frame)
    assert out["text"].iloc[:-1].tolist() == [
        '\'=HYPERLINK("https://evil","x")', "'@SUM(1)", "'+cmd", "'-cmd", "'\tTAB", "'\rCR",
        "-0.05", "+3%", "-1e-3", "plain",
    ]
    assert pd.isna(out["text"].iloc[-1])
    assert out.index.tolist() == [f"'=A{i}" for i in range(len(cells))]
    assert out.index.name == "id"
    assert out.columns.tolist() == ["text", "'@value", "category"]
    assert out["'@value"].dtype == float and out["'@value"].tolist() == [-1.5] * len(cells)
    assert out["category"].tolist() == ["'-x"] * len(cells)
    # the input frame is not changed
    assert frame["text"].iloc[:-1].tolist() == cells[:-1] and frame.index[0] == "=A0"
    first = out.to_csv().splitlines()[1]
    assert first == '\'=A0,"\'=HYPERLINK(""https://evil"",""x"")",-1.5,\'-x'


def test_csv_frame_multiindex_labels() -> None:
    index = pd.MultiIndex.from_tuples([("=cmd", "(0, 0)"), ("NVDA", "-1")],
                                      names=["event_id", "window"])
    out = escaping.csv_frame(pd.DataFrame({"car": [0.1, 0.2]}, index=index))
    assert out.index.tolist() == [("'=cmd", "(0, 0)"), ("NVDA", "-1")]
    assert list(out.index.names) == ["event_id", "window"]


# ------------------------------------------------------------------ the helpers themselves

_HOSTILE = [NAME, CRASHER, "-cmd", "+ item", "# heading", "1. item", "2) item", "---", "===",
            "> quote", "`code`", "*em* **strong**", "_em_ __init__", "[x](http://y)", "![i](x)",
            "<b>bold</b>", "&amp; &#65;", "a\\b", "ends with \\", "www.example.com", "~~del~~",
            "foo #", "a | b", "<http://x.y>", "-0.05", "+3%"]


@pytest.mark.parametrize("text", _HOSTILE)
def test_markdown_renders_as_typed(text: str) -> None:
    md = MarkdownIt("commonmark").enable("table")
    para = md.render(escaping.markdown(text))
    assert para.startswith("<p>") and para.endswith("</p>\n")
    body = para[3:-5]
    assert "<" not in body
    assert stdlib_html.unescape(body) == text
    table = md.render(f"| h |\n|---|\n| {escaping.markdown(text)} |\n")
    (cell,) = re.findall(r"<td>(.*?)</td>", table)
    assert stdlib_html.unescape(cell) == text


def test_markdown_examples() -> None:
    assert escaping.markdown("line one\nline two\r\n") == "line one line two"
    assert escaping.markdown("-0.05") == "-0.05"
    assert escaping.markdown("-cmd") == r"\-cmd"
    assert escaping.markdown("estimation_missing") == "estimation_missing"
    assert escaping.markdown("_em_") == r"\_em\_"
    assert escaping.markdown(None) == ""


def test_html_examples() -> None:
    assert escaping.html("x\" onerror='y' <b>&") == "x&quot; onerror=&#x27;y&#x27; &lt;b&gt;&amp;"
    assert escaping.html(None) == ""


@pytest.mark.parametrize("text", [NAME, "$x$", r"a\$b", "$$", r"$\frac{$"])
def test_mathtext_draws_as_typed(text: str) -> None:
    fig = Figure()
    escaped = fig.text(0, 0, escaping.mathtext(text))
    literal = fig.text(0, 0, text, parse_math=False)
    figure_png(fig)
    assert _width(escaped, fig) == pytest.approx(_width(literal, fig))
