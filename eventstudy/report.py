"""A shareable report of one event study: self-contained HTML and Markdown.

:func:`build_report` runs the study an :class:`~eventstudy.events.EventSpec`
describes, checks the claims files about the same event, draws the figures
and collects the tables; :func:`write_report` writes

* ``report.html`` - one file, figures embedded as base64 PNG, inline CSS, no
  external URL (it opens offline and can be mailed as is);
* ``report.md`` plus ``figures/*.png`` next to it.

Sections (HTML ``id``\\ s, see :data:`SECTION_IDS`): overview, figures, claims,
results, diagnostics, notes, provenance.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from eventstudy import escaping
from eventstudy.claims import ClaimResult, ClaimSet, ClaimsReport, check_claims, load_claims
from eventstudy.data.source import PriceSource
from eventstudy.errors import EventStudyError
from eventstudy.events import EventSpec, run_spec
from eventstudy.provenance import provenance_table, without_paths
from eventstudy.results import EventStudyResult
from eventstudy.windows import Window

__all__ = [
    "SECTION_IDS",
    "Report",
    "ReportFigure",
    "build_report",
    "claims_counts",
    "claims_for_event",
    "provenance_table",
    "reader_detail",
    "render_html",
    "render_markdown",
    "write_report",
]

#: ``id`` of every top-level section of the HTML report, in order.
SECTION_IDS: tuple[str, ...] = (
    "overview", "figures", "claims", "results", "diagnostics", "notes", "provenance",
)

#: Extra benchmarks used for the price paths and the sensitivity figure when available.
EXTRA_BENCHMARKS: tuple[str, ...] = ("^GSPC", "^IXIC", "^SOX")


@dataclass(frozen=True)
class ReportFigure:
    """One rendered figure."""

    id: str
    title: str
    caption: str
    png: bytes

    @property
    def filename(self) -> str:
        """``<id>.png``: the same names as ``eventstudy run`` writes (``car_paths.png``)."""
        return f"{self.id}.png"


@dataclass(frozen=True)
class Report:
    """Everything the report shows (render with :func:`render_html` / :func:`render_markdown`)."""

    title: str
    spec: EventSpec
    result: EventStudyResult
    claims: tuple[ClaimsReport, ...]
    figures: tuple[ReportFigure, ...]
    provenance: pd.DataFrame
    provenance_text: str
    notes: tuple[str, ...]
    generated: str
    data_note: str = ""
    warnings: tuple[str, ...] = field(default_factory=tuple)


# ------------------------------------------------------------------ building


def study_calendars(spec: EventSpec) -> list[str]:
    """The exchanges of a study's securities (given in the event file, else from their suffixes)."""
    from eventstudy.exchanges import assign_calendars

    choices = assign_calendars([*spec.securities, *spec.benchmarks], spec.calendars)
    return sorted({choices[s].code for s in spec.securities})


def claims_for_event(event_date: pd.Timestamp, paths: Sequence[Path] | None = None,
                     calendars: Sequence[str] | None = None) -> list[ClaimSet]:
    """Claims files about ``event_date`` (default: the bundled ones that match).

    With ``calendars``, only bundled files whose ``event.calendar`` (default
    XNYS) is one of them: the Tokyo claims go with a study of Tokyo securities.
    """
    if paths is None:
        from eventstudy.resources import default_claims_paths

        try:
            paths = default_claims_paths()
        except FileNotFoundError:
            return []
        sets = [load_claims(p) for p in paths]
        return [s for s in sets if s.event_date.normalize() == pd.Timestamp(event_date).normalize()
                and (calendars is None or str(s.event.get("calendar", "XNYS")) in calendars)]
    return [load_claims(p) for p in paths]


def _available(source: PriceSource, symbols: Sequence[str]) -> list[str]:
    known = getattr(source, "symbols", None)
    ordered = list(dict.fromkeys(symbols))
    return ordered if known is None else [s for s in ordered if s in set(known)]


def _figure(fig_id: str, title: str, caption: str, obj: Any) -> ReportFigure:
    from eventstudy.plotting import figure_png

    return ReportFigure(id=fig_id, title=title, caption=caption, png=figure_png(obj, dpi=130))


def build_report(
    spec: EventSpec,
    source: PriceSource,
    claim_sets: Sequence[ClaimSet] | None = None,
    *,
    car_days: tuple[int, int] = (-5, 10),
    sensitivity_models: Sequence[str] = ("market", "market_adjusted", "ff3"),
    generated: str | None = None,
) -> Report:
    """Run the study, check the claims and draw the figures of the report.

    A figure whose data are missing (say ``^SOX`` is not in ``--data``, or no
    claims file covers the event) is left out and the reason is listed under
    the report's notes; the study itself must run.
    """
    from eventstudy import plotting as P

    result = run_spec(spec, source)
    sets = (list(claim_sets) if claim_sets is not None else
            claims_for_event(spec.event_date, calendars=study_calendars(spec)))
    warnings: list[str] = []
    claims_reports: list[ClaimsReport] = []
    for cs in sets:
        try:
            claims_reports.append(check_claims(cs, source))
        except EventStudyError as exc:
            warnings.append(f"Claims file {cs.path.name} could not be checked: {exc}")

    bench = _available(source, [*spec.benchmarks, *EXTRA_BENCHMARKS])
    drawn = _available(source, [*spec.securities, *bench])
    note = P.data_note(source, drawn)
    figures: list[ReportFigure] = []
    event = spec.event_date.normalize()

    # 1. price paths
    try:
        frame = source.history([spec.securities[0]], start=event - pd.Timedelta(days=20),
                               end=event - pd.Timedelta(days=1))[spec.securities[0]]
        base = frame.index[-1]
        paths = P.price_paths(source, drawn, start=event - pd.Timedelta(days=14),
                              end=event + pd.Timedelta(days=18), base_date=base)
        figures.append(_figure(
            "price_paths", "Price paths around the event",
            f"Prices rebased to 100 at the close of {base:%Y-%m-%d} (the session before the "
            f"event); adjusted close for stocks, close for indices. Dashed red line: "
            f"{event:%Y-%m-%d}.",
            P.plot_price_paths(paths, event_date=event, base_date=base, note=note,
                               title=f"Price paths around {spec.name}")))
    except (EventStudyError, IndexError, KeyError) as exc:
        warnings.append(f"Price-path figure left out: {exc}")

    # 2. claims: reported vs recorded
    moves = pd.concat([P.claimed_moves(r) for r in claims_reports]) if claims_reports else None
    if moves is not None and len(moves):
        figures.append(_figure(
            "claims", "Reported vs recorded one-day moves",
            "Left: each article's one-day move (grey, error bar = the claim's tolerance, half a "
            "unit of the reported precision) next to the recorded close-to-close change (blue). "
            "Right: recorded minus reported, against the tolerance band.",
            P.claims_figure(moves, note=note)))
    elif claims_reports:
        warnings.append("No one-day-move claims: the claims figure is left out.")

    # 3. sensitivity to benchmark and model
    models = list(sensitivity_models)
    grid = None
    try:
        grid = P.sensitivity_grid(spec, source, benchmarks=bench, models=models)
    except (EventStudyError, FileNotFoundError) as exc:
        models = [m for m in models if m in P.data.BENCHMARK_MODELS]
        warnings.append(f"Factor models left out of the sensitivity figure: {exc}")
        try:
            grid = P.sensitivity_grid(spec, source, benchmarks=bench, models=models)
        except EventStudyError as exc2:
            warnings.append(f"Sensitivity figure left out: {exc2}")
    if grid is not None:
        figures.append(_figure(
            "sensitivity", "Day-0 abnormal return by benchmark and model",
            "Abnormal return on the event day for every firm under the market model and the "
            "market-adjusted model against each benchmark (and factor models, which use no "
            "benchmark). Estimation window as in the event file.",
            P.plot_sensitivity(grid, note=note)))

    # 4. CAR paths and CAAR band
    wins = tuple(spec.windows)
    extended = spec.with_overrides(windows=(*wins, Window(*car_days)))
    try:
        car_result = run_spec(extended, source)
    except EventStudyError as exc:
        warnings.append(f"CAR paths drawn over the event file's span only: {exc}")
        car_result = result
    cp = P.car_paths(car_result, car_days)
    figures.append(_figure(
        "car_paths", f"CAR paths over ({car_days[0]}, +{car_days[1]}) and the CAAR",
        f"CARs cumulated from day {car_days[0]}; thick line: CAAR. {cp.caption}",
        P.plot_car_paths(cp, note=note)))

    # 5. market value (when a claim gives a share count)
    for cs in sets:
        mv_claims = [c for c in cs.claims if c.kind == "market_value_change" and c.shares
                     and c.symbols and c.symbols[0] in spec.securities]
        if not mv_claims:
            continue
        sym = mv_claims[0].symbols[0]
        try:
            mv = P.market_value(source, cs, symbol=sym, start=event.replace(day=1),
                                end=event + pd.offsets.MonthEnd(0), event_date=event)
        except EventStudyError as exc:
            warnings.append(f"Market-value figure left out: {exc}")
            break
        shares = mv_claims[0].shares
        as_of = f" as of {shares.as_of:%Y-%m-%d}" if shares is not None and shares.as_of else ""
        figures.append(_figure(
            "market_value", f"{sym} market value",
            f"Close × {mv.shares_bn:g}bn shares{as_of} (the count claim {mv_claims[0].id} uses; "
            f"its filing is cited in {cs.path.name}). Event-day change: "
            f"{mv.change_bn:+,.1f} USD bn.",
            P.plot_market_value(mv, note=note)))
        break

    prov, prov_text = provenance_table(source, drawn)
    return Report(
        title=spec.name, spec=spec, result=result, claims=tuple(claims_reports),
        figures=tuple(figures), provenance=prov, provenance_text=prov_text,
        notes=tuple(without_paths(n, source) for n in result.notes),
        warnings=tuple(without_paths(w, source) for w in warnings),
        data_note=without_paths(note, source),
        generated=generated or dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )


# ------------------------------------------------------------------ tables


def _pct(x: Any, digits: int = 2) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return ""
    return "" if not math.isfinite(v) else f"{100 * v:+.{digits}f}%"


def _num(x: Any, spec: str = ".2f") -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    return "" if not math.isfinite(v) else format(v, spec)


def _overview_rows(report: Report) -> list[tuple[str, str]]:
    s, r = report.spec, report.result
    est = s.estimation.label if hasattr(s.estimation, "label") else str(s.estimation)
    caar0 = r.caar.iloc[0] if len(r.caar) else None
    rows = [
        ("Event", s.name), ("Event date", f"{s.event_date:%Y-%m-%d}"),
        ("Securities", ", ".join(s.securities)), ("Benchmark", s.benchmark_label),
        ("Model", s.model), ("Estimation window", f"{est} trading days"),
        ("Windows", ", ".join(getattr(w, "label", str(w)) for w in s.windows)),
        ("Return type", s.return_type),
    ]
    if caar0 is not None:
        rows.append((f"CAAR{r.caar.index[0]}",
                     f"{_pct(caar0['caar'])} (N = {int(caar0['nobs'])}, t = {_num(caar0['statistic'])}, "
                     f"p = {_num(caar0['pvalue'], '.4f')})"))
    if report.claims:
        rows.append(("Claims", claims_counts(report.claims)))
    rows.append(("Generated", report.generated))
    return rows


def claims_counts(reports: Sequence[ClaimsReport]) -> str:
    """``"13 hold, 0 fail, 8 uncheckable (21 claims)"``: the three counts add up to the total."""
    counts = {v: sum(c.count(v) for c in reports) for v in ("holds", "fails", "uncheckable")}
    total = sum(len(c) for c in reports)
    if sum(counts.values()) != total:  # pragma: no cover - every claim has one of the verdicts
        raise AssertionError(f"claim verdicts {counts} do not add up to {total}")
    return (f"{counts['holds']} hold, {counts['fails']} fail, {counts['uncheckable']} "
            f"uncheckable ({total} claims)")


def _pvalue(x: Any) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return ""
    return "" if not math.isfinite(v) else ("<0.0001" if v < 0.0001 else f"{v:.4f}")


def _car_frame(r: EventStudyResult) -> pd.DataFrame:
    """Events x windows: ``CAR (t)``, ``*`` when p < 0.05."""
    car = r.car
    wins = list(dict.fromkeys(car.index.get_level_values("window")))
    rows = []
    for eid in r.event_ids:
        row = {"event": eid}
        for w in wins:
            x = car.loc[(eid, w)]
            star = "*" if float(x["pvalue"]) < 0.05 else ""
            row[f"CAR{w}"] = f"{_pct(x['car'])} ({_num(x['statistic'])}){star}"
        rows.append(row)
    return pd.DataFrame(rows)


def _caar_frame(r: EventStudyResult) -> pd.DataFrame:
    c = r.caar.reset_index()
    return pd.DataFrame({
        "window": c["window"], "CAAR": c["caar"].map(_pct), "N": c["nobs"].map(lambda v: _num(v, ".0f")),
        "sd": c["sd"].map(lambda v: _pct(v).lstrip("+")), "t": c["statistic"].map(_num),
        "p": c["pvalue"].map(_pvalue),
    })


def _tests_frame(r: EventStudyResult) -> pd.DataFrame:
    t = r.tests
    if not len(t):
        return pd.DataFrame()
    if "headline" in t.columns and t["headline"].astype(bool).any():
        t = t[t["headline"].astype(bool)]
    elif "scope" in t.columns:
        t = t[t["scope"] == "window"]
    from eventstudy.inference import TESTS

    reason = "reason" in t.columns and bool((t["reason"].astype(str) != "").any())
    out = pd.DataFrame({
        "window": t["window"].map(str), "test": t["test"],
        "in words": t["test"].map(lambda n: TESTS[n].label if n in TESTS else n),
        "statistic": t["statistic"].map(lambda v: _num(v, ".4f")),
        "p": t["pvalue"].map(_pvalue),
    })
    if reason:
        out["note"] = t["reason"].to_numpy()
    return out.reset_index(drop=True)


def reader_detail(result: ClaimResult) -> str:
    """How a claim was computed, without the claims file's notes on its own sources.

    A market-value claim's detail quotes its share count's ``source`` note
    (working notes such as which filing was found); the report names the
    count and its date instead: the note stays in the claims file.
    """
    detail = result.detail
    shares = getattr(result.claim, "shares", None)
    source = getattr(shares, "source", "") if shares is not None else ""
    if source and source in detail:
        as_of = getattr(shares, "as_of", None)
        detail = detail.replace(f" ({source})", f" as of {as_of:%Y-%m-%d}" if as_of else "")
        detail = detail.replace(source, "")
    return detail


def _claims_frame(report: Report) -> pd.DataFrame:
    frames = []
    for c in report.claims:
        f = c.to_frame().reset_index()
        f["detail"] = [reader_detail(r) for r in c.results]
        frames.append(pd.DataFrame({
            "claim": f["id"], "symbols": f["symbols"], "dates": f["dates"],
            "reported": f["reported"].map(lambda v: _num(v, ".4g")),
            "recorded": f["recorded"].map(lambda v: _num(v, ".4f")),
            "difference": f["difference"].map(lambda v: _num(v, "+.4f")),
            "tolerance": f["tolerance"].map(lambda v: _num(v, ".4g")), "unit": f["unit"],
            "verdict": f["verdict"], "detail": f["detail"],
        }))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


_DIAG_COLS = ("event_id", "security", "benchmark", "event_session", "rolled", "estimation_start",
              "estimation_end", "nobs", "estimation_missing", "event_missing", "status", "reason")


def _diagnostics_frame(r: EventStudyResult) -> pd.DataFrame:
    d = r.diagnostics.reset_index() if r.diagnostics.index.name else r.diagnostics
    out = d[[c for c in _DIAG_COLS if c in d.columns]].copy()
    for c in ("event_session", "estimation_start", "estimation_end"):
        if c in out.columns:
            out[c] = out[c].map(lambda v: f"{pd.Timestamp(v):%Y-%m-%d}" if pd.notna(v) else "")
    return out


# ------------------------------------------------------------------ HTML

_CSS = """
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1.2em;color:#1a1a1a;line-height:1.45}
h1{font-size:1.7em;margin-bottom:.2em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.8em 0;font-size:.86em}
th,td{border:1px solid #d0d0d0;padding:.25em .55em;vertical-align:top;text-align:left}
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:1.2em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.9em;color:#444}.holds{color:#1b7837;font-weight:bold}
.fails{color:#b2182b;font-weight:bold}.uncheckable{color:#777}.muted{color:#666;font-size:.9em}
nav a{margin-right:1em}
"""


_esc = escaping.html


def _html_table(frame: pd.DataFrame, numeric: Sequence[str] = ()) -> str:
    if frame.empty:
        return '<p class="muted">(none)</p>'
    head = "".join(f"<th>{_esc(c)}</th>" for c in frame.columns)
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for col, val in zip(frame.columns, row, strict=True):
            cls = ' class="num"' if col in numeric else ""
            if col == "verdict":
                cls = f' class="{_esc(val)}"'
            cells.append(f"<td{cls}>{_esc(val)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def render_html(report: Report) -> str:
    """The report as one self-contained HTML document (figures as data URIs)."""
    r = report.result
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(report.title)} - event study report</title><style>{_CSS}</style></head><body>",
        f"<h1>{_esc(report.title)}</h1>",
        f'<p class="muted">{_esc(report.spec.description)}</p>' if report.spec.description else "",
        "<nav>" + "".join(f'<a href="#{s}">{s.capitalize()}</a>' for s in SECTION_IDS) + "</nav>",
        '<section id="overview"><h2>Overview</h2><table><tbody>'
        + "".join(f"<tr><th>{_esc(k)}</th><td>{_esc(v)}</td></tr>" for k, v in _overview_rows(report))
        + "</tbody></table></section>",
        '<section id="figures"><h2>Figures</h2>',
    ]
    for f in report.figures:
        data = base64.b64encode(f.png).decode("ascii")
        parts.append(
            f'<figure id="fig-{_esc(f.id)}"><img alt="{_esc(f.title)}" '
            f'src="data:image/png;base64,{data}"><figcaption><b>{_esc(f.title)}.</b> '
            f"{_esc(f.caption)}</figcaption></figure>")
    parts.append("</section>")
    claims = _claims_frame(report)
    parts.append('<section id="claims"><h2>Claims from articles</h2>')
    if report.claims:
        parts.append("<p>" + "<br>".join(_esc(f"{c.event_name}: {c.summary}") for c in report.claims)
                     + "</p>")
    parts.append(_html_table(claims, ("reported", "recorded", "difference", "tolerance")) + "</section>")
    parts.append('<section id="results"><h2>Results</h2><h3>CAR per event</h3>'
                 + _html_table(_car_frame(r), tuple(_car_frame(r).columns[1:]))
                 + '<p class="muted">CAR (t, forecast-error corrected); * p &lt; 0.05.</p>'
                 + "<h3>CAAR (cross-sectional t, Brown &amp; Warner 1985)</h3>"
                 + _html_table(_caar_frame(r), ("CAAR", "N", "sd", "t", "p")))
    tests = _tests_frame(r)
    if not tests.empty:
        parts.append("<h3>Headline tests</h3>" + _html_table(tests, ("statistic", "p")))
    parts.append("</section>")
    parts.append('<section id="diagnostics"><h2>Diagnostics</h2>'
                 + _html_table(_diagnostics_frame(r), ("nobs", "estimation_missing", "event_missing"))
                 + "</section>")
    notes = [*report.notes, *report.warnings]
    parts.append('<section id="notes"><h2>Notes</h2>'
                 + ("<ol>" + "".join(f"<li>{_esc(n)}</li>" for n in notes) + "</ol>" if notes
                    else '<p class="muted">(none)</p>') + "</section>")
    parts.append('<section id="provenance"><h2>Data provenance</h2>'
                 f"<p>{_esc(report.provenance_text)}</p><p>{_esc(report.data_note)}</p>"
                 + _html_table(report.provenance, ("rows",)) + "</section>")
    parts.append(f'<p class="muted">Generated by eventstudy {_esc(_version())} on '
                 f"{_esc(report.generated)}.</p></body></html>")
    return "\n".join(p for p in parts if p)


def _version() -> str:
    from eventstudy import __version__

    return __version__


# ------------------------------------------------------------------ Markdown


_md = escaping.markdown


def _md_table(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "_(none)_"
    lines = ["| " + " | ".join(_md(c) for c in frame.columns) + " |",
             "|" + "|".join("---" for _ in frame.columns) + "|"]
    lines += ["| " + " | ".join(_md(v) for v in row) + " |"
              for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def render_markdown(report: Report, figures_dir: str = "figures") -> str:
    """The report as Markdown; figures are referenced as ``figures_dir/<id>.png``.

    Every piece of text that is not the report's own (event name and description,
    symbols, claim text and sources, notes, provenance, table cells) goes
    through :func:`eventstudy.escaping.markdown`, so it renders as typed.
    """
    r = report.result
    out = [f"# {_md(report.title)}", ""]
    if report.spec.description:
        out += [_md(report.spec.description), ""]
    out += ["## Overview", "", _md_table(pd.DataFrame(_overview_rows(report), columns=["", "value"])),
            "", "## Figures", ""]
    for f in report.figures:
        out += [f"![{_md(f.title)}]({figures_dir}/{f.filename})", "",
                f"**{_md(f.title)}.** {_md(f.caption)}", ""]
    out += ["## Claims from articles", ""]
    out += [f"{_md(f'{c.event_name}: {c.summary}')}  " for c in report.claims] + [""]
    out += [_md_table(_claims_frame(report)), "", "## Results", "", "### CAR per event", "",
            _md_table(_car_frame(r)), "", "CAR (t, forecast-error corrected); * p < 0.05.", "",
            "### CAAR (cross-sectional t, Brown & Warner 1985)", "",
            _md_table(_caar_frame(r)), ""]
    tests = _tests_frame(r)
    if not tests.empty:
        out += ["### Headline tests", "", _md_table(tests), ""]
    out += ["## Diagnostics", "", _md_table(_diagnostics_frame(r)), "", "## Notes", ""]
    notes = [*report.notes, *report.warnings]
    out += [f"{i}. {_md(n)}" for i, n in enumerate(notes, 1)] if notes else ["_(none)_"]
    out += ["", "## Data provenance", "", _md(report.provenance_text), "", _md(report.data_note), "",
            _md_table(report.provenance), "",
            f"_Generated by eventstudy {_md(_version())} on {_md(report.generated)}._", ""]
    return "\n".join(out)


def write_report(report: Report, out: str | Path) -> dict[str, Path]:
    """Write ``report.html``, ``report.md`` and ``figures/*.png`` into ``out``."""
    folder = Path(out)
    figdir = folder / "figures"
    figdir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for f in report.figures:
        path = figdir / f.filename
        path.write_bytes(f.png)
        written[f"figures/{f.filename}"] = path
    html_path = folder / "report.html"
    html_path.write_text(render_html(report), encoding="utf-8")
    md_path = folder / "report.md"
    md_path.write_text(render_markdown(report), encoding="utf-8")
    written["report.html"] = html_path
    written["report.md"] = md_path
    return written
