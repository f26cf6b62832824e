"""eventstudy: financial event studies with honest statistics.

Pipeline: data (:mod:`eventstudy.data`) -> calendar and windows
(:mod:`eventstudy.calendar`, :mod:`eventstudy.windows`) -> normal-return models
(:mod:`eventstudy.models`) -> abnormal returns (:mod:`eventstudy.abnormal`) ->
inference (:mod:`eventstudy.inference`) -> results (:mod:`eventstudy.results`)
-> plots and CLI (:mod:`eventstudy.plotting`, :mod:`eventstudy.cli`).
"""

from __future__ import annotations

from eventstudy import datasets
from eventstudy.calendar import TradingCalendar
from eventstudy.data.fixtures import CsvSource
from eventstudy.data.source import PriceSource
from eventstudy.events import EventSpec, load_event_file, run_spec
from eventstudy.inference.result import TestResult
from eventstudy.loading import load_prices
from eventstudy.portfolio import portfolio_event_study
from eventstudy.results import EventStudyResult
from eventstudy.study import event_study, prepare_data, run_events
from eventstudy.windows import DEFAULT_ESTIMATION, DEFAULT_WINDOWS, DateWindow, Window

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_ESTIMATION",
    "DEFAULT_WINDOWS",
    "CsvSource",
    "DateWindow",
    "EventSpec",
    "EventStudyResult",
    "PriceSource",
    "TestResult",
    "TradingCalendar",
    "Window",
    "__version__",
    "datasets",
    "event_study",
    "load_event_file",
    "load_prices",
    "portfolio_event_study",
    "prepare_data",
    "run_events",
    "run_spec",
]
