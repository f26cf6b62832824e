"""``eventstudy run``: run an event study and write its tables and figures.

The study comes from an event file (default: the bundled DeepSeek case), from
options alone (``--event-date``, ``--securities``, ``--benchmark``), or from an
event file with options that override its fields.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from eventstudy.calendar import ROLL_POLICIES
from eventstudy.cli._common import (
    OUTPUT_MANIFEST,
    add_data_argument,
    console,
    make_source,
    output_folder,
    pct,
    pvalue,
    resolve_event_file,
    write_csv,
)
from eventstudy.escaping import console as text
from eventstudy.events import EventSpec, load_event_file, run_spec, spec_from_options
from eventstudy.models import MODELS
from eventstudy.resources import case_path
from eventstudy.results import EventStudyResult

#: Parameter names that hold the slope on the market (benchmark or Mkt-RF), in preference order.
_BETA_NAMES: tuple[str, ...] = ("beta", "market", "Mkt-RF")


def add_study_arguments(parser: argparse.ArgumentParser) -> None:
    """The event-file fields as options (shared by ``run`` and ``report``)."""
    parser.add_argument("event", nargs="?", metavar="EVENT",
                        help="event file (YAML) or the name of a bundled case (`eventstudy cases`); "
                        "default: the bundled DeepSeek case, or the options alone when "
                        "--event-date is given")
    add_data_argument(parser)
    g = parser.add_argument_group(
        "study options", "the event file's fields; they override the event file, and with "
        "--event-date and no EVENT they describe the whole study")
    g.add_argument("--event-date", metavar="DATE", help="event date, e.g. 2025-01-27")
    g.add_argument("--event-time", metavar="MOMENT",
                   help="the moment of the news instead of a date, with its UTC offset, e.g. "
                   "2025-01-27T09:00+09:00: day 0 is each exchange's first session closing after it")
    g.add_argument("--timing", choices=["before_open", "during", "after_close"],
                   help="when on --event-date the news came (after_close: day 0 is the next session)")
    g.add_argument("--kind", choices=["returns", "volume", "volatility"],
                   help="what is studied: returns (default), volume (abnormal log volume) or "
                   "volatility (abnormal volatility)")
    g.add_argument("--securities", nargs="+", metavar="SYM", help="securities, e.g. NVDA AVGO")
    g.add_argument("--benchmark", metavar="SYM", help="benchmark symbol, e.g. ^GSPC")
    g.add_argument("--model", choices=sorted(MODELS), help="normal-return model (default: market)")
    g.add_argument("--estimation", nargs=2, metavar=("START", "END"),
                   help="estimation window: relative trading days (-250 -11, the default) or "
                   "two dates")
    g.add_argument("--window", nargs=2, action="append", metavar=("START", "END"), dest="windows",
                   help="event window, relative days or dates; repeat for several (default: "
                   "0 0, -1 1, 0 1, 0 4, -5 5)")
    g.add_argument("--roll", choices=list(ROLL_POLICIES),
                   help="an event date that is not a session: next (default), previous or raise")
    g.add_argument("--min-estimation-obs", type=int, metavar="N",
                   help="fewest estimation returns (default 120)")
    g.add_argument("--return-type", choices=["simple", "log"], help="default: simple")
    g.add_argument("--name", help="name of the study in the output")


def spec_from_args(args: argparse.Namespace) -> EventSpec:
    """The study the command line describes (see :func:`add_study_arguments`)."""
    if args.event is not None:
        base: EventSpec | None = load_event_file(resolve_event_file(args.event))
    elif args.event_date is not None or args.event_time is not None:
        base = None
    else:
        base = load_event_file(case_path())
    return spec_from_options(
        base, event_date=args.event_date, securities=args.securities, benchmark=args.benchmark,
        model=args.model, estimation=args.estimation, windows=args.windows, roll=args.roll,
        min_estimation_obs=args.min_estimation_obs, return_type=args.return_type, name=args.name,
        event_time=args.event_time, timing=args.timing, kind=args.kind,
    )


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run an event study (default: the bundled DeepSeek case on the bundled data)",
        description="Run an event study on recorded data, print the results and write ar.csv, "
        "car.csv, caar.csv, tests.csv, diagnostics.csv, params.csv, summary.txt and figures "
        "to --out. The study is EVENT (a YAML file; default: the bundled 27 January 2025 "
        "DeepSeek selloff case) with the options below overriding its fields, or, with "
        "--event-date and no EVENT, the options alone, e.g. "
        "`eventstudy run --event-date 2025-01-27 --securities NVDA AVGO --benchmark ^GSPC`.",
    )
    add_study_arguments(parser)
    parser.add_argument("--out", type=Path, default=Path("eventstudy-output"),
                        help="output folder (default: ./eventstudy-output)")
    parser.add_argument("--no-figures", action="store_true", help="do not write PNG figures")
    parser.set_defaults(func=run)


Number = Callable[[float], str]


def _plain(x: float) -> str:
    """A volume or volatility value: a signed number ('' for NaN, as :func:`pct`)."""
    return pct(x) if x != x else f"{x:+.3f}"


def _formatter(result: EventStudyResult) -> Number:
    """How the tables print values: percent for returns, plain numbers for volume and volatility."""
    from eventstudy.kinds import kind_labels

    return pct if kind_labels(getattr(result, "kind", "returns")).percent else _plain


def _has_note(rows: pd.DataFrame) -> bool:
    return bool((~rows["valid"].astype(bool)).any())


def _tests_table(rows: pd.DataFrame, caar: pd.DataFrame | None = None, number: Number = pct) -> Any:
    """A rich table of battery rows: window, [CAAR,] test, statistic, p, N [, note].

    The note column is there only when some row is undefined.
    """
    from rich.table import Table

    note = _has_note(rows)
    cols = ["Window", *(["CAAR"] if caar is not None else []), "Test", "Statistic", "p", "N",
            *(["Note"] if note else [])]
    table = Table()
    for col in cols:
        table.add_column(col, justify="left" if col in ("Window", "Test", "Note") else "right")
    caar_by_window = ({str(w): v for w, v in zip(caar.index, caar["caar"], strict=True)}
                      if caar is not None else {})
    for rec in rows.to_dict("records"):
        r = dict(rec)
        valid = bool(r["valid"])
        stat = "-"
        if valid:
            stat = f"{r['statistic']:+.2%}" if r["test"] == "sq" else f"{r['statistic']:.3f}"
        cells = [text(r["window"])]
        if caar is not None:
            cells.append(text(number(caar_by_window.get(str(r["window"]), float("nan")))))
        cells += [text(r["test"]), text(stat), text(pvalue(r["pvalue"]) if valid else "-"),
                  text(str(int(r["nobs"])))]
        if note:
            cells.append(text("" if valid else f"undefined: {r['reason']}"))
        table.add_row(*cells)
    return table


def _caar_table(caar: pd.DataFrame, number: Number = pct) -> Any:
    """CAAR per window with the cross-sectional t (when the battery has no headline rows)."""
    from rich.table import Table

    table = Table()
    for col in ("Window", "CAAR", "N", "t", "p"):
        table.add_column(col, justify="left" if col == "Window" else "right")
    for rec in caar.reset_index().to_dict("records"):
        r = dict(rec)
        table.add_row(text(r["window"]), text(number(r["caar"])), text(str(int(r["nobs"]))),
                      text(f"{r['statistic']:.2f}"), text(pvalue(r["pvalue"])))
    return table


def beta_name(result: EventStudyResult) -> str | None:
    """The parameter that is the slope on the market, or ``None`` (constant-mean, market-adjusted)."""
    names = list(result.params.columns)
    return next((n for n in _BETA_NAMES if n in names), None)


def _firm_table(result: EventStudyResult, number: Number = pct) -> Any:
    """Per security: β and its standard error, then AR/CAR, t, p and days per window."""
    from rich.table import Table

    car = result.car
    beta = beta_name(result)
    betas: dict[Any, float] = result.params[beta].astype(float).to_dict() if beta else {}
    ses: dict[Any, float] = result.bse[beta].astype(float).to_dict() if beta else {}
    has_reason = "reason" in car.columns and bool((car["reason"].astype(str) != "").any())
    cols: list[tuple[str, str]] = [("Security", "left")]
    if beta is not None:
        cols += [("β", "right"), ("se(β)", "right")]
    cols += [("Window", "left"), ("AR/CAR", "right"), ("t", "right"), ("p", "right"),
             ("days", "right")]
    if has_reason:
        cols.append(("Note", "left"))
    table = Table()
    for col, just in cols:
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    records: dict[tuple[str, str], dict[Any, Any]] = {
        (str(r["event_id"]), str(r["window"])): r for r in car.reset_index().to_dict("records")
    }
    for eid in result.event_ids:
        for j, w in enumerate(result.windows):
            r = records[(eid, str(w.label))]
            label = "AR day 0" if (w.start, w.end) == (0, 0) else f"CAR{w.label}"
            cells = [text(eid if j == 0 else "")]
            if beta is not None:
                b, se = betas[eid], ses[eid]
                cells += [text(f"{b:.3f}" if j == 0 and b == b else ""),
                          text(f"{se:.3f}" if j == 0 and se == se else "")]
            cells += [text(label), text(number(r["car"])), text(f"{r['statistic']:.2f}"),
                      text(pvalue(r["pvalue"])), text(str(int(r["days"])))]
            if has_reason:
                cells.append(text(r.get("reason", "")))
            table.add_row(*cells, end_section=j == len(result.windows) - 1)
    return table


def _legend(result: EventStudyResult, shown: list[str]) -> list[str]:
    """Lines naming each test shown in words, then the columns' meanings."""
    from eventstudy.inference import TESTS

    rows = [(name, f"{TESTS[name].label}, {TESTS[name].reference}")
            for name in dict.fromkeys(shown) if name in TESTS]
    beta = beta_name(result)
    if beta is not None:
        on = "Mkt-RF" if beta == "Mkt-RF" else "the benchmark's return"
        rows.append(("β, se(β)", f"slope on {on} in the estimation window, its OLS standard error"))
    rows.append(("t, p", "per security: the forecast-error-corrected t-test; p two-sided, "
                 "<0.0001 when below 0.0001"))
    width = max(len(k) for k, _ in rows)
    return [f"  {k.ljust(width)}  {v}" for k, v in rows]


def print_result(result: EventStudyResult) -> None:
    """Print the headline tests, the per-security table, a legend and the notes.

    User text (the event name, event ids, window labels, reasons, notes) is
    printed as typed: it is passed to rich as :class:`rich.text.Text`
    (:func:`eventstudy.escaping.console`), never parsed as console markup.
    """
    from eventstudy.kinds import kind_labels

    labels = kind_labels(getattr(result, "kind", "returns"))
    number = _formatter(result)
    con = console()
    if labels.name != "returns":
        con.print(text(f"Study of {labels.abnormal} ({labels.cumulative} per window, "
                       f"{labels.average} across events); values: {labels.values}"), soft_wrap=True)
    con.print(text(f"{result.name}: {result.model.name} model, estimation window "
                   f"{result.estimation.label} sessions, {result.panel.n_events} events"),
              soft_wrap=True)
    diag = result.diagnostics
    if len(diag) and "calendar" in diag.columns:
        day0 = diag.groupby("calendar", sort=False)["event_session"].agg(["min", "max"])
        con.print(text("Day 0: " + "; ".join(
            f"{a:%Y-%m-%d}{'' if a == b else f' .. {b:%Y-%m-%d}'} on {code} sessions"
            for code, (a, b) in day0.iterrows())), soft_wrap=True)
    tests = result.tests
    caar = result.caar
    shown: list[str] = []
    head = tests.iloc[0:0]
    if len(tests) and "headline" in tests.columns:
        wins = tests["scope"] == "window"
        head = tests[tests["headline"].astype(bool) & wins]
    others = head
    if len(head):
        clustered = bool(head["dependence_robust"].all()) and bool(head["variance_robust"].all())
        robust_to = ("the shared date and to an event-day variance increase" if clustered else
                     "an event-day variance increase; the events do not share dates")
        con.print(text(f"Headline tests of the CAAR: robust to {robust_to} (tests.csv has them all)"))
        con.print(_tests_table(head, caar, number))
        shown += list(head["test"])
        if clustered:
            others = tests[wins & tests["test"].isin(["sq", "bw-ts", "car-t"])]
    else:
        con.print(text("CAAR with the cross-sectional t-test (Brown & Warner 1985)"))
        con.print(_caar_table(caar, number))
        shown.append("car-t")
    con.print(text("Per security: the fitted slope and the abnormal returns"))
    con.print(_firm_table(result, number))
    if len(others) and others is not head:
        con.print(text("Other tests of the CAAR: they assume no event-day variance increase "
                       "(sq, bw-ts) or independent events (car-t)"))
        con.print(_tests_table(others, number=number))
        shown += list(others["test"])
    con.print(text("Legend:"))
    for line in _legend(result, shown):
        con.print(text(line))
    if result.notes:
        con.print(text("Notes:"))
        for i, n in enumerate(result.notes, 1):
            con.print(text(f"  [{i}] {n}"))


def write_outputs(result: EventStudyResult, out: Path, figures: bool = True) -> list[Path]:
    """Write the result's tables (CSV), summary and figures into the folder ``out``.

    Text cells are neutralised against spreadsheet formula injection; every
    CSV's first columns are named (the frame's index names), never an unnamed
    positional index. Figures: ``car_paths.png`` and ``abnormal_returns.png``.
    """
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in (("ar.csv", result.to_frame()), ("car.csv", result.car),
                        ("caar.csv", result.caar), ("tests.csv", result.tests),
                        ("diagnostics.csv", result.diagnostics), ("params.csv", result.params)):
        written.append(write_csv(frame, out / name))
    summary = out / "summary.txt"
    summary.write_text(str(result) + "\n", encoding="utf-8")
    written.append(summary)
    if figures:
        from eventstudy.plotting import save_result_figures

        written.extend(save_result_figures(result, out))
    return written


def run(args: argparse.Namespace) -> int:
    spec = spec_from_args(args)
    source = make_source(args.data)
    with output_folder(args.out, "run", source) as tmp:  # refuses a bad --out before any work
        result = run_spec(spec, source)
        print_result(result)
        written = write_outputs(result, tmp, figures=not args.no_figures)
    console().print(text(f"Wrote {len(written) + 1} files to {args.out}/: "
                         + ", ".join(p.name for p in written) + f", {OUTPUT_MANIFEST}"))
    return 0
