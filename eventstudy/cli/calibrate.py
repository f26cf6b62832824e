"""``eventstudy calibrate``: size and power of every test on this study's own design.

Placebo mode (default): the study's events are moved to random placebo dates in
the data, keeping their clustering, and each test's rejection rate at 5% is
printed (size under ``--delta 0``, power otherwise). ``--synthetic`` draws
market-model panels instead (the literature's designs).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pandas as pd

from eventstudy.cli._common import add_data_argument, console, make_source
from eventstudy.errors import InvalidParameterError
from eventstudy.escaping import console as text


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "calibrate",
        help="measure each test's size and power on the study's own design (placebo dates)",
        description="Move the study's events (default: the bundled DeepSeek case) to random "
        "placebo dates in the data, keeping the same securities and clustering, add --delta "
        "and an event-day volatility increase if asked, and print how often each test rejects "
        "at the 5% level. With --synthetic, draw market-model panels instead.",
    )
    parser.add_argument("event", nargs="?", type=Path, help="event file (YAML); default: bundled case")
    add_data_argument(parser)
    parser.add_argument("--reps", type=int, default=1000, help="replications (default 1000)")
    parser.add_argument("--delta", type=float, nargs="+", default=[0.0],
                        help="abnormal return(s) added on day 0, decimals (default 0: size)")
    parser.add_argument("--sigma-multiplier", type=float, default=1.0,
                        help="event-day sd multiplier (event-induced variance; default 1)")
    parser.add_argument("--seed", type=int, default=20250127)
    parser.add_argument("--synthetic", action="store_true",
                        help="synthetic market-model panels instead of placebo dates")
    parser.add_argument("--n-events", type=int, default=6, help="events per panel (--synthetic)")
    parser.add_argument("--design", choices=["clustered", "scattered"], default="clustered",
                        help="--synthetic: all events on one date, or each on its own")
    parser.add_argument("--rho", type=float, default=0.1, help="--synthetic: cross-correlation")
    parser.add_argument("--tails", choices=["normal", "t4"], default="normal")
    parser.add_argument("--csv", type=Path, help="also write the table to this CSV file")
    parser.set_defaults(func=run)


def render(table: pd.DataFrame, title: str) -> None:
    """Print the rejection rates, tests as rows and windows/deltas as columns."""
    from rich.table import Table

    con = console()
    con.print(text(title))
    out = Table()
    out.add_column("Test")
    out.add_column("dep.", justify="center")
    out.add_column("var.", justify="center")
    keys = list(dict.fromkeys(zip(table["window"], table["delta"], strict=True)))
    for window, delta in keys:
        head = f"{window}" + (f" δ={delta:+.2%}" if delta else "")
        out.add_column(head, justify="right")
    for test, rows in table.groupby("test", sort=False):
        first = rows.iloc[0]
        cells = []
        for window, delta in keys:
            r = rows[(rows["window"] == window) & (rows["delta"] == delta)]
            if r.empty or not r["reps"].iloc[0]:
                cells.append("-")
            else:
                cells.append(f"{r['rejection_rate'].iloc[0]:.1%} ±{r['std_err'].iloc[0]:.1%}")
        out.add_row(text(str(test)), "yes" if first["dependence_robust"] else "no",
                    "yes" if first["variance_robust"] else "no", *cells)
    con.print(out)
    con.print(text("Rejection rate at 5% (two-sided) ± its standard error. dep. / var.: robust to "
                   "cross-correlation / to event-induced variance. Under δ = 0 a valid test "
                   "rejects about 5% of the time."))


def run(args: argparse.Namespace) -> int:
    from eventstudy.calibration import calibrate, calibrate_synthetic

    if args.reps < 1:
        raise InvalidParameterError("--reps", "a positive integer", args.reps)
    if args.synthetic:
        table = calibrate_synthetic(args.n_events, design=args.design, rho=args.rho,
                                    sigma_multiplier=args.sigma_multiplier, tails=args.tails,
                                    reps=args.reps, deltas=args.delta, seed=args.seed)
        title = (f"Synthetic {args.design} design: {args.n_events} events, rho = {args.rho}, "
                 f"event-day sd x {args.sigma_multiplier:g}, {args.tails} tails, {args.reps} "
                 "replications")
    else:
        from eventstudy.data.wide import wide_prices
        from eventstudy.events import MODEL_FACTOR_FILES, load_event_file
        from eventstudy.resources import case_path

        spec = load_event_file(args.event if args.event is not None else case_path())
        source = make_source(args.data)
        factors = None
        if spec.model in MODEL_FACTOR_FILES:
            from eventstudy.data.french import load_factors

            factors = load_factors(MODEL_FACTOR_FILES[spec.model])
        if not isinstance(spec.benchmark, str):
            raise InvalidParameterError("EVENT", "an event file with one benchmark (calibration "
                                        "runs on one exchange)", spec.benchmark_label)
        prices, _ = wide_prices(source.history([*spec.securities, spec.benchmark]))
        windows = [w for w in spec.windows if hasattr(w, "start") and isinstance(w.start, int)]
        table = calibrate(prices[list(spec.securities)], benchmark=prices[spec.benchmark],
                          event_date=spec.event_date, model=spec.model, factors=factors,
                          estimation=spec.estimation,
                          windows=[(w.start, w.end) for w in windows] or [(0, 0)],
                          reps=args.reps, deltas=args.delta, sigma_multiplier=args.sigma_multiplier,
                          min_estimation_obs=spec.min_estimation_obs,
                          return_type=spec.return_type, seed=args.seed)
        title = (f"{spec.name}: {len(spec.securities)} events on one date, placebo dates in the "
                 f"data, event-day sd x {args.sigma_multiplier:g}, {args.reps} replications")
    render(table, title)
    if args.csv is not None:  # written whole: a temporary file, then a rename
        tmp = args.csv.with_name(f".{args.csv.name}.tmp")
        table.to_csv(tmp, index=False)
        tmp.replace(args.csv)
    return 0
