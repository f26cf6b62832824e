"""Hand-written mutation testing of the statistics, models, claims, calendar and engine code.

Each mutant changes one line of one source file: an exact snippet, which must
occur exactly once in that file, is replaced by another. Every mutant is checked
at start-up, before ``--list`` or any run (``check_mutants``): a missing file, a
snippet that no longer exists (code moved or rewritten) or occurs twice is an
error that lists every bad mutant and exits 2, never a silent skip;
``tests/test_mutant_gaps.py`` runs the same check in the suite. The worktree is never modified: each worker copies ``eventstudy/``,
``tests/`` and the data folders into a temporary directory, and a small server
there imports the heavy libraries once and forks one child per mutant, which
writes nothing but the mutated file and runs ``pytest -x -q -p no:cacheprovider``
on the tests that exercise that module (``TEST_MAP``, plus every
``tests/test_edges_*.py``, first) under a per-mutant timeout; the file is then
restored. A mutant is *killed* when pytest exits non-zero (a timeout counts as
killed and is reported as such). Mutants judged equivalent (no observable
behaviour change) carry the reason in ``equivalent=`` and are left out of the
score.

Not part of CI (a full run takes about 15 minutes with 3 workers on 2 cores)::

    python benchmarks/mutation.py                 # every mutant
    python benchmarks/mutation.py --only sign     # a module stem, an area or a mutant id
    python benchmarks/mutation.py --list          # list the mutants, run nothing
    python benchmarks/mutation.py --baseline      # the suite without tests/test_edges_*.py
    python benchmarks/mutation.py --recheck-survivors   # survivors vs the whole suite

Writes ``benchmarks/mutation_report.json`` and ``benchmarks/mutation_report.md``
(``--report-dir`` to change; ``--only`` adds a suffix). Exit status: 0 when
every area reaches ``--threshold`` (default 0.9), 1 otherwise, 2 on a bad
mutant definition or a dirty ``eventstudy/`` (``git diff --quiet`` must hold).
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# ----------------------------------------------------------------- test subsets
_INFERENCE = ("tests/test_inference_units.py", "tests/test_inference_reference.py",
              "tests/test_inference_ranks.py")
_ENGINE = ("tests/test_engine_behaviour.py", "tests/test_engine_reference.py", "tests/test_batch.py")
_CLAIMS = ("tests/test_claims.py", "tests/test_cli_check.py")
_RBAR = ("tests/test_rbar_reference.py", "tests/test_batch.py")
#: Small targeted tests written for surviving mutants (absent files are skipped).
_GAPS = ("tests/test_mutant_gaps.py",)

#: Source file (or folder, ending in "/") -> the test files that exercise it. Every
#: ``tests/test_edges_*.py`` file is added to each subset (they are small and fast).
TEST_MAP: dict[str, tuple[str, ...]] = {
    "eventstudy/inference/": _INFERENCE,
    "eventstudy/claims/": _CLAIMS,
    "eventstudy/inference/correlation.py": (*_GAPS, *_RBAR, *_INFERENCE),
    "eventstudy/engine/": (*_GAPS, *_ENGINE, "tests/test_lean_panel.py"),
    "eventstudy/panel.py": (*_GAPS, "tests/test_lean_panel.py", *_RBAR, *_ENGINE),
    "eventstudy/models.py": (*_GAPS, *_ENGINE, "tests/test_lean_panel.py"),
    "eventstudy/options.py": (*_GAPS, "tests/test_options.py", "tests/test_bad_inputs.py", "tests/test_batch.py"),
    "eventstudy/output.py": (*_GAPS, "tests/test_output.py"),
    "eventstudy/yamlfile.py": ("tests/test_bad_inputs.py", "tests/test_claims.py", "tests/test_cli_run.py"),
    "eventstudy/inference/quantile.py": ("tests/test_sq.py", *_INFERENCE),
    "eventstudy/inference/reducers.py": ("tests/test_reducers.py", *_INFERENCE),
    "eventstudy/inference/_common.py": ("tests/test_reducers.py", *_INFERENCE),
    "eventstudy/": _ENGINE,
}

#: Areas of the score (the issue's targets): source prefix -> area name.
AREAS: tuple[tuple[str, str], ...] = (
    ("eventstudy/inference/", "inference"),
    ("eventstudy/models.py", "models"),
    ("eventstudy/abnormal.py", "abnormal"),
    ("eventstudy/claims/", "claims"),
    ("eventstudy/calendar.py", "calendar"),
    ("eventstudy/windows.py", "windows"),
    ("eventstudy/study.py", "engine"),
    ("eventstudy/prepare.py", "engine"),
    ("eventstudy/inputs.py", "engine"),
    ("eventstudy/engine/", "engine"),
    ("eventstudy/panel.py", "engine"),
    ("eventstudy/options.py", "engine"),
    ("eventstudy/output.py", "engine"),
    ("eventstudy/event_dates.py", "engine"),
    ("eventstudy/yamlfile.py", "claims"),
)


@dataclass(frozen=True)
class Mutant:
    """One single-line mutant: ``original`` (unique in ``path``) becomes ``mutated``."""

    path: str
    original: str
    mutated: str
    description: str
    kind: str = "other"
    equivalent: str = ""  # the reason, when judged equivalent (excluded from the score)
    id: str = ""

    @property
    def module(self) -> str:
        return Path(self.path).stem

    @property
    def area(self) -> str:
        for prefix, name in AREAS:
            if self.path.startswith(prefix):
                return name
        return "other"


def M(path: str, original: str, mutated: str, description: str, kind: str = "other",
      equivalent: str = "") -> Mutant:
    """Shorthand constructor (paths relative to ``eventstudy/``)."""
    return Mutant("eventstudy/" + path, original, mutated, description, kind, equivalent)


# ----------------------------------------------------------------- the mutants
_MUTANTS: list[Mutant] = [
    # ---- inference/sign.py
    M("inference/sign.py", "keep = t_i > 0", "keep = t_i >= 0",
      "gsign: events without estimation residuals enter p0", "cmp"),
    M("inference/sign.py", "if n_est < 1:", "if n_est < 0:",
      "gsign: no guard when no event has estimation residuals", "guard"),
    M("inference/sign.py", "out = ((resid > 0).sum(axis=1)", "out = ((resid >= 0).sum(axis=1)",
      "gsign: zero estimation residuals counted as positive", "zero"),
    M("inference/sign.py", "    if n < 1:\n", "    if n < 0:\n",
      "sign: no guard when no event has a CAR", "guard"),
    M("inference/sign.py", "if not 0.0 < p0 < 1.0:", "if not 0.0 <= p0 < 1.0:",
      "gsign: p0 = 0 accepted", "cmp"),
    M("inference/sign.py", "w = int((x[used] > 0).sum())", "w = int((x[used] >= 0).sum())",
      "sign: zero CARs counted as positive", "zero"),
    M("inference/sign.py", "math.sqrt(n * p0 * (1.0 - p0))", "math.sqrt(n * p0)",
      "sign: wrong denominator of Z", "denominator"),
    M("inference/sign.py", "p_exact = _binom_p(w, n, p0, alternative)",
      "p_exact = _binom_p(n - w, n, p0, alternative)", "sign: counts negatives for the exact p",
      "sign"),
    M("inference/sign.py", "return TestResult(name, float(w), p_exact",
      "return TestResult(name, float(n), p_exact", "sign exact: statistic is N not w", "output"),
    M("inference/sign.py", '"n_positive": w,', '"n_positive": n,',
      "sign: extra n_positive reports N", "output"),
    M("inference/sign.py", "n_zero = int((x == 0).sum())", "n_zero = int((x < 0).sum())",
      "wilcoxon: extra n_zero counts negatives", "output"),
    M("inference/sign.py", "    if n < 2:\n", "    if n < 1:\n",
      "wilcoxon: a single non-zero CAR is tested", "threshold"),
    M("inference/sign.py", "w_plus = float(ranks[nz > 0].sum())",
      "w_plus = float(ranks[nz >= 0].sum())", "wilcoxon: W+ with zeros (none remain)", "zero",
      equivalent="zeros were removed from nz two lines above, so nz >= 0 equals nz > 0"),
    M("inference/sign.py", "w_plus = float(ranks[nz > 0].sum())",
      "w_plus = float(ranks[nz < 0].sum())", "wilcoxon: statistic W- instead of W+", "sign"),
    M("inference/sign.py", "exact = n <= 50 and not ties", "exact = n < 50 and not ties",
      "wilcoxon: exact distribution stops at 49 events", "threshold"),
    M("inference/sign.py", "ties = np.unique(np.abs(nz)).size < n",
      "ties = np.unique(np.abs(nz)).size <= n", "wilcoxon: always treated as tied", "cmp"),
    # ---- inference/_common.py
    M("inference/_common.py", "if int(start) != start or int(end) != end:",
      "if int(start) != start:", "window: a fractional end is accepted", "guard"),
    M("inference/_common.py", "    if start > end:\n        raise InvalidParameterError(\"start\", f\"a relative day <= end ({end})\", start)\n    days = np.asarray(panel.event_days)",
      "    if start >= end:\n        raise InvalidParameterError(\"start\", f\"a relative day <= end ({end})\", start)\n    days = np.asarray(panel.event_days)",
      "window: a single day is refused", "cmp"),
    M("inference/_common.py", "start < days.min() or end > days.max()",
      "start <= days.min() or end > days.max()", "window: the first event day is refused", "cmp"),
    M("inference/_common.py", "start < days.min() or end > days.max()",
      "start < days.min() or end >= days.max()", "window: the last event day is refused", "cmp"),
    M("inference/_common.py", "        p = sf(statistic)\n", "        p = sf(-statistic)\n",
      "p-value: 'greater' uses the lower tail", "sign"),
    M("inference/_common.py", "p = 2.0 * sf(abs(statistic))",
      "p = 2.0 * sf(statistic)", "p-value: two-sided without abs", "sign"),
    M("inference/_common.py", "return float(min(p, 1.0))", "return float(p)",
      "p-value: no clamp at 1", "guard",
      equivalent="2 sf(|z|) <= 1 and a one-sided sf/cdf <= 1 already; the clamp never binds"),
    M("inference/_common.py", "total = np.where(days > 0, np.nansum(ar, axis=1), np.nan)",
      "total = np.where(days >= 0, np.nansum(ar, axis=1), np.nan)",
      "CAR: an event with no AR in the window gets CAR 0, not NaN", "nan"),
    M("inference/_common.py", "ok = np.isfinite(s2) & (s2 > 0)", "ok = np.isfinite(s2) & (s2 >= 0)",
      "sigma: zero residual variance accepted", "cmp"),
    M("inference/_common.py", "ok = np.isfinite(total) & (days > 0) & np.isfinite(var) & (var > 0)",
      "ok = np.isfinite(total) & (days > 0) & np.isfinite(var) & (var >= 0)",
      "SCAR: zero variance accepted", "cmp",
      equivalent="a zero variance makes the SCAR +-inf or NaN, and every caller (patell, bmp, grank, "
                 "kp-patell, kp-bmp) keeps only finite SCARs, exactly as with the NaN of the guard"),
    M("inference/_common.py", "ranks[tied] = (first + last + 2) * 0.5",
      "ranks[tied] = (first + last + 1) * 0.5", "average ranks: off by one half on ties", "offbyone"),
    M("inference/_common.py", "out[nan_rows] = np.where(np.isnan(v[nan_rows]), np.nan, out[nan_rows])",
      "out[nan_rows] = out[nan_rows]", "average ranks: NaN gets a rank", "nan"),
    M("inference/_common.py", 'if scope == "day" or (scope == "auto" and start == end):',
      'if scope == "day" or (scope == "auto" and start <= end):',
      "window label: every window labelled as a day", "cmp"),
    # ---- inference/parametric.py
    M("inference/_common.py", "what: str, variance_of: str | None = None,\n                          min_n: int = 2)",
      "what: str, variance_of: str | None = None,\n                          min_n: int = 1)",
      "cross-sectional t (car-t, BMP, Savickas): one event reaches the variance guard", "threshold"),
    M("inference/parametric.py", "return TestResult(name, stat, pvalue(stat, alternative, \"t\", n - 1), float(n - 1), \"t\", null,\n                      alternative, n, extra={\"mean\"",
      "return TestResult(name, stat, pvalue(stat, alternative, \"t\", n), float(n - 1), \"t\", null,\n                      alternative, n, extra={\"mean\"",
      "car-t: p-value with df N", "offbyone"),
    M("inference/parametric.py", "stat = mean / (sd / math.sqrt(n))", "stat = mean / (sd / math.sqrt(n - 1))",
      "car-t: wrong denominator", "denominator"),
    M("inference/parametric.py", "used = np.isfinite(ar).any(axis=1)", "used = np.isfinite(ar).all(axis=1)",
      "bw-ts: events with a partly missing window dropped", "nan"),
    M("inference/parametric.py", "length = int((n_t > 0).sum())", "length = int(mask.sum())",
      "bw-ts: L counts window days nobody has", "nan"),
    M("inference/parametric.py", "if t_slots < 2:", "if t_slots < 1:",
      "bw-ts: one estimation slot accepted", "threshold"),
    M("inference/parametric.py", "sd = float(port.std(ddof=1))", "sd = float(port.std(ddof=0))",
      "bw-ts: ddof 0", "offbyone"),
    M("inference/parametric.py", "pvalue(stat, alternative, \"t\", t_slots - 1)",
      "pvalue(stat, alternative, \"t\", t_slots)", "bw-ts: df T", "offbyone"),
    M("inference/parametric.py", "stat = caar / (math.sqrt(length) * sd)", "stat = caar / (length * sd)",
      "bw-ts: wrong denominator", "denominator"),
    M("inference/reducers.py", "p_used = finite & (dfr > 2)", "p_used = finite & (dfr > 1)",
      "patell: events with T_i - k = 2 enter (infinite variance)", "threshold"),
    M("inference/reducers.py", "(d / (d - 2.0)).sum()", "(d / (d - 1.0)).sum()",
      "patell: wrong variance of the SCAR", "denominator"),
    M("inference/parametric.py", "if adjust and n < 2:", "if adjust and n < 1:",
      "kp-patell: one event accepted", "threshold"),
    M("inference/parametric.py", "        factor = 1.0 + (n - 1) * rc.rbar\n        extra.update(rc.as_extra())\n        if not factor > 0:",
      "        factor = 1.0 + n * rc.rbar\n        extra.update(rc.as_extra())\n        if not factor > 0:",
      "kp-patell: (N) instead of (N - 1)", "offbyone"),
    M("inference/parametric.py", "stat /= math.sqrt(factor)", "stat /= factor",
      "kp-patell: no square root", "denominator"),
    M("inference/_common.py", "return math.sqrt(self.m2 / (self.n - 1)) if self.n > 1 else math.nan",
      "return math.sqrt(self.m2 / self.n) if self.n > 1 else math.nan", "bmp, car-t (Moments.sd): ddof 0", "offbyone"),
    M("inference/parametric.py", "        if not factor > 0 or not rc.usable:\n            return TestResult.invalid(name, f\"rbar = {rc.rbar:.3g} leaves no valid adjustment\",",
      "        if not factor > 0:\n            return TestResult.invalid(name, f\"rbar = {rc.rbar:.3g} leaves no valid adjustment\",",
      "kp-bmp: rbar = 1 accepted", "cmp"),
    M("inference/parametric.py", "stat *= math.sqrt((1.0 - rc.rbar) / factor)",
      "stat *= math.sqrt(1.0 / factor)", "kp-bmp: drops (1 - rbar)", "denominator"),
    M("inference/parametric.py", "stat = m.mean / (m.sd / math.sqrt(n))",
      "stat = m.mean / (m.sd / math.sqrt(n + 1))", "bmp: wrong denominator", "denominator"),
    M("inference/_common.py", "self.m2 + other.m2 + delta * delta * self.n * other.n / n,",
      "self.m2 + other.m2,", "moments: merge drops the between-chunk term", "formula"),
    # ---- inference/rank.py
    M("inference/rank.py", "ranks / (1.0 + m) - 0.5", "ranks / m - 0.5",
      "scaled ranks: divide by M not M + 1", "denominator"),
    M("inference/rank.py", "np.sqrt(np.where(have, n_t, 1))", "np.where(have, n_t, 1)",
      "rank z: divide by N_t, not sqrt(N_t)", "denominator"),
    M("inference/rank.py", "s2 = float((z[have] ** 2).mean())", "s2 = float((z ** 2).mean())",
      "rank z: slots with no observation enter the variance", "nan"),
    M("inference/rank.py", "length = int((have & tested).sum())", "length = int(tested.sum())",
      "rank z: L counts tested days nobody has", "nan"),
    M("inference/rank.py", "        if not (m.n >= 2 and sd > 0):", "        if not (m.n >= 1 and sd > 0):",
      "corrado-zivney: one event per day accepted", "threshold",
      equivalent="with one observation Moments.sd (ddof=1) is NaN, so sd > 0 is already False"),
    M("inference/rank.py", "moments = [Moments.of(col[np.isfinite(col)]) for col in sar.T]",
      "moments = [Moments.of(col[np.isfinite(col)][1:]) for col in sar.T]",
      "corrado-zivney: a day's sd without its first event", "offbyone"),
    M("inference/rank.py", "used = np.isfinite(event[:, mask]).any(axis=1)",
      "used = np.isfinite(event[:, mask]).all(axis=1)", "corrado: events with a partly missing window dropped", "nan"),
    M("inference/rank.py", "    if n < 2:\n        return math.nan, TestResult.invalid(name, f\"needs at least 2 events to re-standardize",
      "    if n < 1:\n        return math.nan, TestResult.invalid(name, f\"needs at least 2 events to re-standardize",
      "grank: one event reaches the variance guard", "threshold"),
    M("inference/rank.py", "if not math.isfinite(z) or t_slots < 3:", "if not math.isfinite(z) or t_slots < 2:",
      "grank: two estimation days accepted (df 0)", "threshold"),
    M("inference/rank.py", "room = t_slots - 1 - z * z", "room = t_slots - z * z",
      "grank: T instead of T - 1", "offbyone"),
    M("inference/rank.py", "pvalue(stat, alternative, \"t\", t_slots - 2)", "pvalue(stat, alternative, \"t\", t_slots - 1)",
      "grank: df T - 1", "offbyone"),
    M("inference/rank.py", "tested[-1] = True", "tested[0] = True",
      "grank: tests the first estimation day", "index"),
    M("inference/rank.py", "np.flatnonzero(used), (scar[used] / scale)[:, None])",
      "np.flatnonzero(used), (scar[used])[:, None])",
      "grank: no re-standardisation of the SCARs", "denominator"),
    # ---- inference/correlation.py
    M("inference/correlation.py", "    if min_overlap < 2:\n        raise InvalidParameterError(\"min_overlap\", \"an integer >= 2\", min_overlap)\n    cap =",
      "    if min_overlap < 1:\n        raise InvalidParameterError(\"min_overlap\", \"an integer >= 2\", min_overlap)\n    cap =",
      "rbar: min_overlap = 1 accepted", "threshold"),
    M("inference/correlation.py", "[:, (days >= start) & (days <= end)]", "[:, (days > start) & (days <= end)]",
      "rbar: the first window day is ignored for sharing", "cmp"),
    M("inference/correlation.py", "n_possible = n * (n - 1) // 2", "n_possible = n * n // 2",
      "rbar: wrong number of pairs", "denominator"),
    M("inference/correlation.py", "shares = d > 0", "shares = d >= 0",
      "rbar: pairs that share no session count", "cmp"),
    M("inference/correlation.py", "usable = shares & (n >= min_overlap)", "usable = shares & (n > min_overlap)",
      "rbar: exactly min_overlap common days refused", "threshold"),
    M("inference/correlation.py", "float(np.clip(self.total / n_possible, -1.0, 1.0))",
      "float(np.clip(self.total / self.pairs, -1.0, 1.0))", "rbar: mean over usable pairs only", "denominator"),
    # ---- inference/clustering.py
    M("inference/clustering.py", "np.flatnonzero(counts >= 2)", "np.flatnonzero(counts > 2)",
      "clustering: two events on one date not reported", "threshold"),
    M("inference/clustering.py", "lo[order][1:].astype(np.int64) > run_hi[:-1]",
      "lo[order][1:].astype(np.int64) >= run_hi[:-1]",
      "clustering: windows touching on one session are not overlapping", "cmp"),
    M("inference/clustering.py", "if b - a >= 2:", "if b - a > 2:",
      "clustering: pairs are not groups", "threshold"),
    M("inference/clustering.py", "if idx.size >= 2:", "if idx.size > 2:",
      "clustering: two events never grouped", "threshold"),
    M("inference/clustering.py", "return headline_for(self.n_events, self.clustered)",
      "return headline_for(self.n_events, not self.clustered)",
      "clustering: headline tests swapped", "swap"),
    M("inference/clustering.py", "if len(shared) == 1 and len(shared[0][1]) == n:",
      "if len(shared) == 1:", "clustering: 'all events share' said of a subset", "guard"),
    # ---- inference/bhar.py
    M("inference/bhar.py", "ok = np.isfinite(r) & np.isfinite(m)", "ok = np.isfinite(r)",
      "bhar: a missing benchmark return poisons the BHAR", "benchmark"),
    M("inference/bhar.py", "return np.where(ok.any(axis=1), gross, np.nan)", "return gross",
      "bhar: an event with no return gets BHAR 0, not NaN", "nan"),
    M("inference/bhar.py", "g / (6.0 * n)", "g / (6.0 * (n - 1))", "skew-t: wrong bias term", "denominator"),
    M("inference/bhar.py", "g * s**2 / 3.0", "g * s**2 / 6.0", "skew-t: wrong skewness term", "denominator"),
    M("inference/bhar.py", "/ (n * sd**3)", "/ ((n - 1) * sd**3)", "skew-t: gamma with N - 1", "offbyone"),
    M("inference/_common.py", "if m.n < min_n:", "if m.n <= min_n:",
      "cross-sectional t: exactly min_n events refused (2 for car-t, 3 for the BHAR tests)", "threshold"),
    M("inference/bhar.py", 'n_b = n if resample == "full" else n // 4', 'n_b = n if resample == "full" else n // 3',
      "bhar-boot: quarter resample is a third", "denominator"),
    M("inference/bhar.py", "if n_b < 3:", "if n_b < 2:", "bhar-boot: resample of 2 accepted", "threshold"),
    M("inference/bhar.py", "skewness_adjusted_t(x[rng.integers(0, n, size=",
      "skewness_adjusted_t(x[rng.integers(0, n - 1, size=",
      "bhar-boot: the largest BHAR is never drawn", "offbyone"),
    M("inference/bhar.py", "    centre = float(x.mean())\n", "    centre = 0.0\n", "bhar-boot: bootstrap not centred on the sample mean", "other"),
    M("inference/bhar.py", "p_hi = (1.0 + float((tb >= stat).sum())) / (1.0 + b)",
      "p_hi = (1.0 + float((tb >= stat).sum())) / b", "bhar-boot: wrong denominator of p", "denominator"),
    M("inference/bhar.py", '"two-sided": 2.0 * min(p_hi, p_lo)', '"two-sided": min(p_hi, p_lo)',
      "bhar-boot: two-sided p not doubled", "other"),
    M("inference/bhar.py", "min(p, 1.0), None", "p, None", "bhar-boot: p above 1 not clamped", "guard"),
    M("inference/bhar.py", 'if int(n_boot) != n_boot or n_boot < 1:', 'if int(n_boot) != n_boot or n_boot < 0:',
      "bhar-boot: n_boot = 0 accepted", "threshold"),
    M("inference/bhar.py", '"skewness": float(((x - mean) ** 3).mean() / sd**3)',
      '"skewness": float(((x - mean) ** 3).mean() / sd**2)', "bhar: extra skewness wrong", "output"),
    # ---- inference/battery.py
    M("inference/battery.py", "if len(w) != 2:", "if len(w) > 2:",
      "battery: a 1-element window is not refused with a typed error", "guard"),
    M("inference/battery.py", '"dependence_robust": TESTS[test].dependence_robust,',
      '"dependence_robust": not TESTS[test].dependence_robust,',
      "battery: dependence flag inverted", "output"),
    M("inference/battery.py", 'plan += [("window", s, e, window_tests)', 'plan += [("window", s, e, day_tests)',
      "battery: windows lose the BHAR tests", "other"),
    M("inference/battery.py", "n_boot=n_boot, seed=bootstrap_seed)", "n_boot=n_boot)",
      "battery: bootstrap seed ignored", "output"),
    M("inference/battery.py", "order = HEADLINE_CLUSTERED if clustered else HEADLINE_INDEPENDENT",
      "order = HEADLINE_INDEPENDENT if clustered else HEADLINE_CLUSTERED", "battery: headline swapped", "swap"),
    M("inference/registry.py", 'TestSpec("grank", "GRANK t", grank_test, True, True,',
      'TestSpec("grank", "GRANK t", grank_test, False, True,',
      "registry: grank not flagged dependence-robust", "output"),
    M("inference/battery.py", '"nobs": int(res.nobs),', '"nobs": int(res.nobs) + 1,',
      "battery: n column off by one", "output"),
    # ---- inference/result.py
    M("inference/result.py", "            valid=False,", "            valid=True,",
      "result: invalid results marked valid", "output"),
    M("inference/result.py", '"nobs": self.nobs,', '"nobs": 0,', "result: to_dict drops n", "output"),
    M("inference/result.py", 'df = "" if self.df is None else f", df={self.df}"',
      'df = ""', "result: str() omits df", "output"),
    # ---- models.py
    M("models.py", "return int(self.intercept) + int(self.uses_market) + len(self.factors)",
      "return int(self.uses_market) + len(self.factors)", "k: intercept not counted", "offbyone"),
    M("models.py", "if self.intercept and self.name != \"market_adjusted\":", "if self.intercept:",
      "design: market_adjusted check dropped", "guard",
      equivalent="market_adjusted is the only model with intercept=False; get_model cannot build another"),
    M("models.py", "if factors is None or f not in factors:", "if factors is None:",
      "design: a missing factor is a KeyError, not a typed error", "guard"),
    M("models.py", "        if not factor_columns:", "        if factor_columns is None:",
      "get_model: an empty factor list accepted", "guard"),
    M("models.py", '"capm": ModelSpec("capm", uses_market=True, excess=True),',
      '"capm": ModelSpec("capm", uses_market=True, excess=False),', "capm: no excess returns", "other"),
    M("models.py", "        df_resid = nobs - 1\n", "        df_resid = nobs\n",
      "k=0 fit: df = T", "offbyone"),
    M("models.py", "np.nanvar(resid, axis=1, ddof=1)", "np.nanvar(resid, axis=1, ddof=0)",
      "k=0 fit: ddof 0", "offbyone"),
    M("models.py", "        sigma2 = np.where(df_resid > 0, sigma2, np.nan)\n        empty",
      "        sigma2 = np.where(df_resid >= 0, sigma2, np.nan)\n        empty",
      "k=0 fit: guard on df 0", "cmp",
      equivalent="with one observation nanvar(ddof=1) is already NaN; with none it is NaN too"),
    M("models.py", "& (nobs[lo:hi] > k)", "& (nobs[lo:hi] >= k)",
      "QR fit: an exactly identified design is fitted", "cmp"),
    M("models.py", "    ok = nobs > k\n", "    ok = nobs >= k\n",
      "centred fit: an exactly identified design is fitted", "cmp"),
    M("models.py", "ok &= eig[:, 0] > 1e-12 * np.maximum(eig[:, -1], 1e-300)", "ok &= eig[:, 0] > 0",
      "centred fit: near-singular design accepted", "threshold"),
    M("models.py", 'inv[:, 0, 0] = 1.0 / n + np.einsum("ep,ep->e", zbar, sm_)',
      'inv[:, 0, 0] = 1.0 / (n - 1) + np.einsum("ep,ep->e", zbar, sm_)',
      "centred fit: wrong (X'X)^-1 corner", "denominator"),
    M("models.py", "    df_resid = nobs - k\n", "    df_resid = nobs - k + 1\n", "fit: df off by one", "offbyone"),
    M("models.py", "sigma2 = np.where(rank_ok & (df_resid > 0), sigma2, np.nan)",
      "sigma2 = np.where(rank_ok & (df_resid >= 0), sigma2, np.nan)", "fit: sigma2 with df 0", "cmp",
      equivalent="rank_ok already requires nobs > k, i.e. df_resid > 0"),
    M("models.py", "resid = np.where(mask & rank_ok[:, None], y - fitted, np.nan)",
      "resid = np.where(mask, y - fitted, np.nan)", "fit: residuals of singular fits kept", "guard",
      equivalent="params of a rank-deficient fit are NaN, so y - fitted is NaN on those rows anyway"),
    M("models.py", 'slopes = np.einsum("epq,eq->ep", s_inv, szy)', 'slopes = np.einsum("epq,eq->ep", s_inv, -szy)',
      "centred fit: slope sign flipped", "sign"),
    # ---- abnormal.py
    M("abnormal.py", "return np.asarray(2.0 * stats.t.sf(np.abs(stat), df), dtype=np.float64)",
      "return np.asarray(stats.t.sf(np.abs(stat), df), dtype=np.float64)", "CAR t: two-sided p not doubled", "other"),
    M("abnormal.py", "return np.asarray(stats.t.sf(stat, df), dtype=np.float64)",
      "return np.asarray(stats.t.cdf(stat, df), dtype=np.float64)", "CAR t: greater uses lower tail", "sign"),
    M("abnormal.py", "return car, np.where(days > 0, var, np.nan), days", "return car, var, days",
      "CAR: a variance for a window with no AR", "nan"),
    M("abnormal.py", "if days[event] == 0:", "if days[event] < 0:",
      "car_test: no guard for an empty window", "guard"),
    M("abnormal.py", "var[event] <= 0:", "var[event] < 0:", "car_test: zero variance accepted", "cmp"),
    M("abnormal.py", "df = float(panel.df_resid[event])", "df = float(panel.df_resid[event] + 1)",
      "car_test: df off by one", "offbyone"),
    M("abnormal.py", "tstat = np.where(se > 0, car / se, np.nan)", "tstat = np.where(se >= 0, car / se, np.nan)",
      "car_table: zero se gives an infinite t", "cmp"),
    M("abnormal.py", '("missing_days", w.length - days)', '("missing_days", w.length - days - 1)',
      "car_table: missing_days off by one", "output"),
    M("abnormal.py", "stat = float(car[event] / np.sqrt(var[event]))", "stat = float(car[event] / var[event])",
      "car_test: no square root", "denominator"),
    # ---- calendar.py
    M("calendar.py", "if ts != ts.normalize():", "if ts < ts.normalize():",
      "to_timestamp: a time of day accepted", "cmp"),
    M("calendar.py", "        if ts < self.first_session or ts > self.last_session:\n            return False",
      "        if ts <= self.first_session or ts > self.last_session:\n            return False",
      "is_session: the first session is not a session", "edge"),
    M("calendar.py", "        if ts < self.first_session or ts > self.last_session:\n            return False",
      "        if ts < self.first_session or ts >= self.last_session:\n            return False",
      "is_session: the last session is not a session", "edge"),
    M("calendar.py", "        if ts < self.first_session or ts > self.last_session:\n            raise",
      "        if ts <= self.first_session or ts > self.last_session:\n            raise",
      "resolve: an event on the first session refused", "edge"),
    M("calendar.py", "        if ts < self.first_session or ts > self.last_session:\n            raise",
      "        if ts < self.first_session or ts >= self.last_session:\n            raise",
      "resolve: an event on the last session refused", "edge"),
    M("calendar.py", 'direction = "next" if policy == "next" else "previous"',
      'direction = "previous" if policy == "next" else "next"', "resolve: roll policy swapped", "roll"),
    M("calendar.py", 'if policy == "raise":', 'if policy == "never":',
      "resolve: roll='raise' rolls silently", "roll"),
    M("calendar.py", "return ResolvedDate(ts, ts, False, policy)", "return ResolvedDate(ts, ts, True, policy)",
      "resolve: a session date flagged as rolled", "output"),
    M("calendar.py", "        if not self.rolled:\n", "        if self.rolled:\n",
      "note: text only for dates not rolled", "output"),
    M("calendar.py", "except (ValueError, xcals.errors.CalendarError) as exc:\n            raise CalendarError",
      "except (KeyError, xcals.errors.CalendarError) as exc:\n            raise CalendarError",
      "calendar: a span the calendar cannot cover is a raw exchange_calendars error", "guard"),
    M("calendar.py", 'if policy not in ROLL_POLICIES:', 'if policy is None:',
      "resolve: an unknown roll policy accepted", "roll"),
    # ---- windows.py
    M("windows.py", "        if self.start > self.end:\n            raise InvalidParameterError(\"window\", \"start <= end (relative",
      "        if self.start >= self.end:\n            raise InvalidParameterError(\"window\", \"start <= end (relative",
      "Window: a one-day window refused", "cmp"),
    M("windows.py", "return self.end - self.start + 1", "return self.end - self.start",
      "Window.length off by one", "offbyone"),
    M("windows.py", 'return f"+{d}" if d > 0 else str(d)', 'return f"+{d}" if d >= 0 else str(d)',
      "label: day 0 printed +0", "cmp"),
    M("windows.py", "        if self.start > self.end:\n            raise InvalidParameterError(\n                \"window\", \"start <= end\", (str",
      "        if self.start >= self.end:\n            raise InvalidParameterError(\n                \"window\", \"start <= end\", (str",
      "DateWindow: a one-day date window refused", "cmp"),
    M("windows.py", 'if set(value) != {"start", "end"}:', 'if not set(value) >= {"start", "end"}:',
      "parse_window: extra keys in a mapping accepted", "guard"),
    M("windows.py", "and not isinstance(value, str | bytes) and len(value) == 2:",
      "and not isinstance(value, str | bytes) and len(value) >= 2:",
      "parse_window: a 3-element list accepted", "guard"),
    M("windows.py", "if int(a) > int(b):", "if int(a) >= int(b):",
      "parse_window: a one-day window refused", "cmp"),
    M("windows.py", "if _is_int(a) or _is_int(b):", "if _is_int(a) and _is_int(b):",
      "parse_window: a mixed int/date window reaches the date parser", "guard"),
    M("windows.py", "return isinstance(value, int) and not isinstance(value, bool)",
      "return isinstance(value, int)", "parse_window: True accepted as day 1", "guard"),
    M("windows.py", "if len(set(out)) != len(out):", "if len(set(out)) > len(out):",
      "parse_windows: duplicate windows accepted", "guard"),
    M("windows.py", "if isinstance(values, str | bytes | Mapping):", "if isinstance(values, str | bytes):",
      "parse_windows: a mapping taken as a list of windows", "guard"),
    M("windows.py", "    if start > end:\n        raise InvalidParameterError(parameter, \"start <= end\", [str(a), str(b)])",
      "    if start >= end:\n        raise InvalidParameterError(parameter, \"start <= end\", [str(a), str(b)])",
      "parse_window: a one-day date window refused", "cmp"),
    # ---- inputs.py
    M("inputs.py", "    if data.empty:\n", "    if data.empty and False:\n",
      "as_wide: an empty frame is not refused up front", "guard"),
    M("inputs.py", "if out.columns.duplicated().any():", "if out.columns.duplicated().all():",
      "as_wide: duplicate columns accepted", "guard"),
    M("inputs.py", "pos = int(np.flatnonzero(np.diff(idx.asi8) < 0)[0]) + 1",
      "pos = int(np.flatnonzero(np.diff(idx.asi8) < 0)[0])", "unsorted dates: message names the wrong pair", "offbyone"),
    M("inputs.py", "bad = np.argwhere(values <= 0)", "bad = np.argwhere(values < 0)",
      "prices: a zero price accepted", "zero"),
    M("inputs.py", "bad = (simple <= lo) | (simple > hi)", "bad = (simple < lo) | (simple > hi)",
      "returns: -100% accepted", "threshold"),
    M("inputs.py", "if np.isinf(values).any():", "if np.isinf(values).all():",
      "an infinite value accepted", "guard"),
    M("inputs.py", "ratio[1:] = p[1:] / p[:-1]", "ratio[1:] = p[:-1] / p[1:]",
      "prices_to_returns: arguments swapped", "swap"),
    M("inputs.py", 'values = np.log(ratio) if return_type == "log" else ratio - 1.0',
      'values = ratio - 1.0 if return_type == "log" else np.log(ratio)', "log/simple swapped", "swap"),
    M("inputs.py", "    if len(timed):\n", "    if len(timed) > 1:\n",
      "a time of day on one row accepted", "guard"),
    M("inputs.py", "    if len(extra):\n", "    if len(extra) > 1:\n",
      "align: one non-session date accepted (silently dropped)", "threshold"),
    M("inputs.py", 'more = f" ... ({len(vals)} in total)" if len(vals) > limit else ""',
      'more = ""', "error message: the total count of bad dates dropped", "output"),
    # ---- study.py, prepare.py, engine/compute.py
    M("prepare.py", "clash = [c for c in benchmark.columns if c in data.columns]", "clash = []",
      "prepare_data: a benchmark named like a security accepted", "guard"),
    M("prepare.py", "inside = fac_all.loc[(fac_all.index >= sessions[0]) & (fac_all.index <= sessions[-1])]",
      "inside = fac_all.loc[(fac_all.index > sessions[0]) & (fac_all.index <= sessions[-1])]",
      "prepare_data: the first session's factors dropped", "edge"),
    M("study.py", "c for c in available if c not in leave_out", "c for c in available",
      "event_study: the benchmark studied as a security", "benchmark"),
    M("study.py", "dup = ev[\"security\"].duplicated(keep=False)", "dup = ev[\"security\"].duplicated(keep=\"first\")",
      "events: the first of repeated securities keeps a bare id", "other"),
    M("study.py", "    if ev.empty:\n", "    if ev.empty and False:\n",
      "events: an empty events table accepted", "guard"),
    M("engine/compute.py", 'b = sessions.get_loc(cal.resolve(w.end, "previous"',
      'b = sessions.get_loc(cal.resolve(w.end, "next"', "date window: end rolls forward", "roll"),
    M("engine/compute.py", 'a = sessions.get_loc(cal.resolve(w.start, "next"', 'a = sessions.get_loc(cal.resolve(w.start, "previous"',
      "date window: start rolls back", "roll"),
    M("event_dates.py", 'pos = idx if roll == "next" else idx - 1', 'pos = idx if roll == "previous" else idx - 1',
      "resolve_event_dates: roll policy swapped", "roll"),
    M("event_dates.py", "if (pos < 0).any() or (pos >= s.size).any():", "if (pos < 0).any():",
      "fast resolve: no fallback past the last session", "edge",
      equivalent="dates after the calendar's last session (= the data's last session) take the slow path above, so pos < s.size always"),
    M("engine/compute.py", "ok = (rows >= 0) & (rows < n)", "ok = (rows > 0) & (rows < n)",
      "_gather: the first session's row treated as missing", "edge"),
    M("engine/compute.py", "ok = (rows >= 0) & (rows < n)", "ok = (rows >= 0) & (rows <= n)",
      "_gather: a row past the last session takes the last session's value", "edge"),
    M("engine/compute.py", "min_estimation_obs <= spec.k:", "min_estimation_obs < spec.k:",
      "min_estimation_obs = k accepted", "cmp"),
    M("engine/compute.py", 'needs_bench = spec.uses_market or spec.name == "market_adjusted"',
      "needs_bench = spec.uses_market", "market_adjusted without a benchmark accepted", "benchmark"),
    M("engine/compute.py", "if est.end >= lo:", "if est.end > lo:", "estimation may end on the first event day", "cmp"),
    M("engine/compute.py", "if est.length < min_estimation_obs:", "if est.length <= min_estimation_obs:",
      "an estimation window of exactly min_estimation_obs refused", "threshold"),
    M("engine/compute.py", "m = np.where(has_bench[:, None], _gather(values, rows, bench_idx), np.nan)",
      "m = _gather(values, rows, bench_idx)", "an event without benchmark gets column 0 as its market", "benchmark"),
    M("engine/compute.py", "mkt_est = m_est - rf_est if spec.excess else m_est", "mkt_est = m_est",
      "excess models: market not in excess of RF", "other"),
    M("engine/compute.py", 'status = np.where(fit.nobs < min_estimation_obs, "excluded", "ok")',
      'status = np.where(fit.nobs <= min_estimation_obs, "excluded", "ok")',
      "exactly min_estimation_obs returns excluded", "threshold"),
    M("engine/compute.py", "    short = fit.nobs < min_estimation_obs\n", "    short = fit.nobs < 0\n",
      "excluded events lose their reason", "output"),
    M("engine/compute.py", "no_day0 = (status == \"ok\") & ~np.isfinite(", "no_day0 = (status == \"excluded\") & ~np.isfinite(",
      "the 'no day-0 return' note is lost", "output"),
    M("engine/compute.py", '"estimation_missing": est.length - fit.nobs,', '"estimation_missing": est.length - fit.nobs - 1,',
      "diagnostics: estimation_missing off by one", "output"),
    M("engine/compute.py", 'miss = diagnostics.loc[keep & (diagnostics["event_missing"].to_numpy() > 0)]',
      'miss = diagnostics.loc[keep & (diagnostics["event_missing"].to_numpy() > 1)]',
      "one missing event-span return gets no note", "threshold"),
    M("engine/compute.py", "ok = (rows >= 0) & (rows < len(to_d))", "ok = (rows > 0) & (rows < len(to_d))",
      "dates: the first session's date is NaT", "edge"),
    M("engine/compute.py", '        x_est = x_ev = None\n        if spec.name == "market_adjusted":\n            y_est, y_ev = r_est - m_est, r_ev - m_ev',
      '        x_est = x_ev = None\n        if spec.name == "market_adjusted":\n            y_est, y_ev = r_est - m_est, r_ev + m_ev',
      "market_adjusted: sign flip in the event window", "sign"),
    # ---- engine/chunks.py (chunking and overlaps, formerly batch.py), options.py
    M("options.py", "if not isinstance(value, int) or isinstance(value, bool) or value < 1:",
      "if not isinstance(value, int) or isinstance(value, bool) or value < 0:",
      "options: chunk_size (or min_estimation_obs) = 0 accepted", "threshold"),
    M("engine/chunks.py", "return [(lo, min(lo + size, n)) for lo in range(0, n, size)]",
      "return [(lo, min(lo + size, n - 1)) for lo in range(0, n, size)]", "chunks drop the last event", "offbyone"),
    M("engine/chunks.py", "win = count(key - width, key + width) - 1", "win = count(key - width, key + width)",
      "overlap: every event overlaps itself", "offbyone"),
    M("engine/chunks.py", "width = hi - lo  #", "width = hi - lo + 1  #",
      "overlap: events one session apart beyond the span flagged", "offbyone"),
    M("engine/chunks.py", "est = count(key + estimation.start, key + estimation.end)",
      "est = count(key + estimation.start, key + estimation.end + 1)",
      "overlap: estimation window one session too long", "offbyone"),
    M("engine/chunks.py", '"estimation_contaminated": est > 0', '"estimation_contaminated": est > 1',
      "overlap: one contaminating event ignored", "threshold"),
    M("engine/chunks.py", 'ids = ", ".join(map(str, flagged[:5])) + (", ..." if len(flagged) > 5 else "")',
      'ids = ", ".join(map(str, flagged[:5]))', "overlap note: truncation not marked", "output"),
    M("inference/correlation.py", "reach = np.searchsorted(ws, we, side=\"right\")", "reach = np.searchsorted(ws, we, side=\"left\")",
      "banded rbar: windows touching on one session do not share", "cmp"),
    M("inference/correlation.py", "hi = np.minimum(end_s[gi], end_s[gj]) + 1", "hi = np.minimum(end_s[gi], end_s[gj])",
      "banded rbar: the last common day dropped", "offbyone"),
    M("inference/parametric.py", "        factor = 1.0 + (n - 1) * rc.rbar\n        extra.update(rc.as_extra())\n        if not factor > 0 or",
      "        factor = 1.0 + n * rc.rbar\n        extra.update(rc.as_extra())\n        if not factor > 0 or",
      "kp-bmp: N instead of N - 1", "offbyone"),
    M("inference/parametric.py", '        stat *= math.sqrt((1.0 - rc.rbar) / factor)\n    return TestResult(name, stat, pvalue(stat, alternative, "t", n - 1)',
      '        stat *= math.sqrt((1.0 - rc.rbar) / factor)\n    return TestResult(name, stat, pvalue(stat, alternative, "t", n)',
      "bmp / kp-bmp: p-value with df N", "offbyone"),
    M("panel.py", "a[(a < 0) | (a >= n)] = -1", "a[(a <= 0) | (a >= n)] = -1",
      "positions: the first session left out of rbar", "edge"),
    M("panel.py", "a[(a < 0) | (a >= n)] = -1", "a[(a < 0) | (a > n)] = -1",
      "positions: a slot past the last session numbered n (a phantom session)", "edge"),
    M("panel.py", "    return np.where(bad, -1, np.searchsorted(grid, np.where(bad, grid[0], d))).astype(np.int64)",
      "    return np.searchsorted(grid, np.where(bad, grid[0], d)).astype(np.int64)",
      "positions (dated grid): NaT dates get position 0", "nan"),
    M("study.py", 'ev["benchmark"] = ev["benchmark"].where(ev["benchmark"].notna(), bench_name)',
      'ev["benchmark"] = ev["benchmark"]', "events: a NaN in the events' benchmark column not defaulted",
      "benchmark"),
    # ---- claims/checker.py
    M("claims/checker.py", "if not cal.first_session < date <= cal.last_session:",
      "if not cal.first_session <= date <= cal.last_session:",
      "claims: a change on the calendar's first session has no previous session", "edge"),
    M("claims/checker.py", "if not cal.first_session < date <= cal.last_session:",
      "if not cal.first_session < date < cal.last_session:",
      "claims: a claim on the calendar's last session refused", "edge"),
    M("claims/checker.py", "if not cal.is_session(date):", "if cal.is_session(date) is None:",
      "claims: a non-session date rolls to the previous session", "guard"),
    M("claims/checker.py", "if date not in frame.index:", "if date is None:",
      "claims: a missing data row is a KeyError, not a typed error", "guard"),
    M("claims/checker.py", "if math.isnan(out):", "if out is None:",
      "claims: a NaN price checked (verdict fails, not an error)", "nan"),
    M("claims/checker.py", "recorded = (p1 / p0 - 1.0) * 100.0", "recorded = (p0 / p1 - 1.0) * 100.0",
      "claims: change computed backwards", "swap"),
    M("claims/checker.py", "recorded = p1 / p0\n", "recorded = p0 / p1\n", "claims: ratio inverted", "swap"),
    M("claims/checker.py", "recorded = (p1 - p0) * claim.shares.value", "recorded = (p0 - p1) * claim.shares.value",
      "claims: market value change sign flipped", "sign"),
    M("claims/checker.py", "holds = low - EPSILON <= recorded <= high + EPSILON",
      "holds = low - EPSILON <= recorded < high - EPSILON", "claims: a value on the upper bound fails", "threshold"),
    M("claims/checker.py", "holds = low - EPSILON <= recorded <= high + EPSILON",
      "holds = low <= recorded <= high", "claims: no float slack on the tolerance", "threshold"),
    M("claims/checker.py", "holds = low - EPSILON <= recorded <= high + EPSILON",
      "holds = recorded <= high + EPSILON", "claims: no lower bound (too low always holds)", "sign"),
    M("claims/checker.py", "difference = recorded - claim.reported.value", "difference = claim.reported.value - recorded",
      "claims: difference sign flipped", "output"),
    M("claims/checker.py", 'recorded = _value(frames, symbol, date, "high", claim.id)',
      "recorded = _value(frames, symbol, date, col, claim.id)", "intraday high read from price_field", "other",
      equivalent="the loader forces price_field == 'high' for intraday_high claims"),
    M("claims/checker.py", "        if verdict not in _VERDICTS:\n", "        if verdict is None:\n",
      "count: an unknown verdict counts 0", "guard"),
    M("claims/checker.py", 'return self.count("fails") == 0', 'return self.count("holds") > 0',
      "all_hold: true when one holds", "other"),
    M("claims/checker.py", "start = min(dates) - pd.Timedelta(days=14)", "start = min(dates)",
      "check_claims: the previous session is not fetched", "edge"),
    M("claims/checker.py", "        if missing:\n", "        if missing and False:\n",
      "check_claims: a symbol the source lacks is a KeyError", "guard"),
    M("claims/checker.py", '"percent": 4,', '"percent": 2,', "format: recorded percent to 2 decimals", "output"),
    M("claims/checker.py", "if claim.qualifier in (\"exact\", \"about\") and claim.tolerance is not None:", "if claim.tolerance is not None:",
      "table: tolerance shown for an uncheckable claim", "output"),
    M("claims/checker.py", "{self.count('uncheckable')} uncheckable", "{self.count('fails')} uncheckable",
      "summary: uncheckable count wrong", "output"),
    # ---- claims/basis.py
    M("claims/basis.py", 'keys = ("close",) if column in ("open", "high", "low") else (column,)',
      "keys = (column,)", "basis: high/low do not share the close's basis", "other"),
    M("claims/basis.py", 'if column in ("open", "high", "low", "close") and isinstance(flag, bool):',
      "if isinstance(flag, bool):", "basis: adj_close gets a dividend-adjusted mark", "guard"),
    M("claims/basis.py", "{'yes' if flag else 'no'}", "{'no' if flag else 'yes'}",
      "basis: dividend flag inverted", "swap"),
    M("claims/basis.py", 'if column == "adj_close":', 'if column == "close":',
      "basis: fallback wording swapped", "swap"),
    M("claims/basis.py", 'item.get("symbol") == symbol', 'item.get("symbol") != symbol',
      "basis: manifest list entry of another symbol", "other"),
    M("claims/basis.py", "described = entry[key].strip()", "described = entry[key]",
      "basis: whitespace not stripped", "output"),
    # ---- claims/schema.py
    M("claims/schema.py", "EPSILON = 1e-9", "EPSILON = 1e-3", "claims: tolerance slack 1e-3", "threshold"),
    M("claims/schema.py", 'return self.kind != "uncheckable"', 'return self.kind == "uncheckable"',
      "checkable inverted", "other"),
    M("claims/schema.py", '"price_ratio": ("ratio", "ratio", 2),', '"price_ratio": ("ratio", "ratio", 1),',
      "price_ratio takes one date", "offbyone"),
    M("claims/schema.py", "return tuple(c.id for c in self.claims)", "return tuple(c.id for c in self.claims[1:])",
      "ClaimSet.ids drops the first id", "output"),
    # ---- claims/loader.py
    M("claims/loader.py", "        if not value.strip():", "        if not value:",
      "loader: a blank string accepted", "guard"),
    M("claims/loader.py", "if isinstance(value, bool) or not isinstance(value, int | float):",
      "if not isinstance(value, int | float):", "loader: true accepted as the number 1", "guard"),
    M("claims/loader.py", "if not math.isfinite(out):", "if math.isnan(out):",
      "loader: .inf accepted as a number", "guard"),
    M("claims/loader.py", "        if isinstance(value, dt.datetime):\n", "        if isinstance(value, str) and False:\n",
      "loader: a datetime accepted as a date", "guard"),
    M("claims/loader.py", "        extra = sorted(set(m) - allowed)\n", "        extra: list[str] = []\n",
      "loader: unknown keys accepted", "guard"),
    M("claims/loader.py", "if file is not None and source_files and file not in source_files:",
      "if file is not None and not source_files and file not in source_files:",
      "loader: a claim source not listed under sources accepted", "guard"),
    M("claims/loader.py", "val.check(tolerance.value >= 0", "val.check(tolerance.value > 0",
      "loader: a zero tolerance refused", "zero"),
    M("claims/loader.py", "val.check(len(symbols) == 1", "val.check(len(symbols) <= 1",
      "loader: a checkable claim without a symbol accepted", "guard"),
    M("claims/loader.py", "val.check(dates[0] < dates[1]",
      "val.check(dates[0] <= dates[1]", "loader: ratio of a date to itself accepted", "cmp"),
    M("claims/loader.py", "if price_field not in PRICE_COLUMNS[:5]:", "if price_field not in PRICE_COLUMNS[:4]:",
      "loader: adj_close refused as price_field", "offbyone"),
    M("claims/loader.py", 'if kind == "intraday_high" and price_field != "high":',
      'if kind == "intraday_high" and price_field is None:', "loader: intraday_high on close accepted", "guard"),
    M("claims/loader.py", 'if unit is not None and unit != "billion":', 'if unit is None:', "loader: shares in millions accepted", "guard"),
    M("claims/loader.py", "if value is not None and value <= 0:", "if value is not None and value < 0:", "loader: zero shares accepted", "zero"),
    M("claims/loader.py", '    elif m.get("shares") is not None:', '    elif m.get("shares") is None and False:',
      "loader: shares on a non-market-value claim accepted", "guard"),
    M("claims/loader.py", "if isinstance(value, bool) or value != SCHEMA_VERSION:",
      "if value != SCHEMA_VERSION:", "loader: schema_version true accepted as 1", "guard"),
    M("claims/loader.py", "val.check(s.file not in source_files", "val.check(s.file is not None",
      "loader: duplicate source files accepted", "guard"),
    M("claims/loader.py", "isinstance(raw_claims, list) and bool(raw_claims)",
      "isinstance(raw_claims, list)", "loader: an empty claims list accepted", "guard"),
    M("claims/loader.py", "        if c.id in first_index:\n", "        if c.id is None:\n",
      "loader: duplicate claim ids accepted", "guard"),
    M("yamlfile.py", "        if node is None:\n", "        if node is False:\n",
      "yaml: an empty file is not named as empty", "guard"),
    M("yamlfile.py", '            if key in first_line and key != "<<":', '            if key in first_line and False:',
      "yaml: a repeated key accepted (last one wins)", "guard"),
    M("yamlfile.py", "        if size > MAX_EXPANDED_NODES:", "        if size > MAX_EXPANDED_NODES * 10**6:",
      "yaml: an alias bomb accepted", "threshold"),
    M("yamlfile.py", "            if self.aliases > MAX_ALIASES:", "            if self.aliases > MAX_ALIASES * 10:",
      "yaml: too many aliases accepted", "threshold"),
    M("yamlfile.py", "    if len(data) > MAX_BYTES:", "    if len(data) > MAX_BYTES * 10:",
      "yaml: an oversized file accepted", "threshold"),
    M("claims/loader.py", "        if isinstance(value, bool):\n            raise self.fail(where, f\"expected a string",
      "        if isinstance(value, str) and False:\n            raise self.fail(where, f\"expected a string",
      "loader: yes/no accepted as text", "guard"),
    M("claims/loader.py", "        if isinstance(value, str):\n            value = [value]",
      "        if False:\n            value = [value]", "loader: a single symbol string refused", "other"),
    # ---- issue 9: sample-quantile test, exact sign tests, weighted rbar, corrected re-standardisation
    M("inference/quantile.py", "    lower = (1.0 + float((y <= x).sum())) / (m + 1.0)",
      "    lower = (1.0 + float((y < x).sum())) / (m + 1.0)", "sq: ties not counted against rejection", "cmp"),
    M("inference/quantile.py", "    return min(1.0, 2.0 * min(lower, upper))", "    return min(lower, upper)",
      "sq: two-sided p not doubled", "other"),
    M("inference/quantile.py", "    m = t_len - length + 1", "    m = t_len - length",
      "sq: the last placebo stretch dropped", "off-by-one"),
    M("inference/quantile.py", "a[i][col] = np.where(full, float(i == col) - acc, float(i == col))",
      "a[i][col] = np.where(full, float(i == col) + acc, float(i == col))", "sq: wrong deletion identity", "sign"),
    M("inference/quantile.py", "    missing = member & ~np.isfinite(ar).all(axis=1)",
      "    missing = member & ~np.isfinite(ar).any(axis=1)", "sq: a member missing one day accepted", "guard"),
    M("inference/quantile.py", "    x = float((w[member, None] * ar[member]).sum())",
      "    x = float((ar[member]).sum())", "sq: weights ignored", "other"),
    M("inference/sign.py", "    upper = float(special.bdtrc(k - 1, n, p)) if k >= 1 else 1.0  # P(B >= k)",
      "    upper = float(special.bdtrc(k, n, p)) if k >= 1 else 1.0  # P(B >= k)",
      "sign: upper tail excludes w", "off-by-one"),
    M("inference/sign.py", "        return (w - 0.5 - mu) / sd", "        return (w + 0.5 - mu) / sd",
      "sign: continuity correction the wrong way", "sign"),
    M("inference/sign.py", "    return min(1.0, 2.0 * min(lower, upper))", "    return min(1.0, min(lower, upper))",
      "sign: exact two-sided p not doubled", "other"),
    M("inference/correlation.py", "total += float((r * weight)[usable].sum())", "total += float(r[usable].sum())",
      "rbar: overlap weights ignored", "other"),
    M("inference/correlation.py", "        d = np.maximum(np.minimum(we[gi], we[gj]) - np.maximum(ws[gi], ws[gj]) + 1, 0)",
      "        d = np.maximum(np.minimum(we[gi], we[gj]) - np.maximum(ws[gi], ws[gj]), 0)",
      "banded rbar: shared sessions off by one", "off-by-one"),
    M("inference/rank.py", "        sd /= math.sqrt(1.0 - rc.rbar)\n    return sd, None",
      "        sd *= math.sqrt(1.0 - rc.rbar)\n    return sd, None",
      "grank: correction the wrong way", "other"),
    M("inference/rank.py", "_joined_rank_sums(panel, standardized, np.flatnonzero(used), event[used][:, mask])",
      "_joined_rank_sums(panel, standardized, np.flatnonzero(used), event[used])",
      "corrado: ranks over the whole event span again", "other"),
    M("inference/rank.py", "            sd /= math.sqrt(1.0 - rc.rbar)\n        out[j] = sd",
      "            sd *= 1.0\n        out[j] = sd", "corrado-zivney: no rbar correction", "other"),
    M("inference/clustering.py", "    return tuple(t for t in HEADLINE_CLUSTERED if n_events >= TESTS[t].headline_min_events)",
      "    return tuple(t for t in HEADLINE_CLUSTERED if n_events > TESTS[t].headline_min_events)",
      "headline: a test leads only above its minimum", "cmp"),
    # ---- issue 10: the lean panel, the closed-form market fit, the options object, Parquet output
    M("panel.py", "        ok = (rows >= 0) & (rows < n)\n        safe =", "        ok = (rows > 0) & (rows < n)\n        safe =",
      "lean panel _rows (several grids): the first session's row is missing", "edge"),
    M("panel.py", 'return r - _rows(panel, est, panel.bench_col) if panel.model == "market_adjusted" else r',
      'return r + _rows(panel, est, panel.bench_col) if panel.model == "market_adjusted" else r',
      "lean panel est_y: market_adjusted adds the benchmark", "sign"),
    M("panel.py", 'cols = [] if panel.model == "market_adjusted" else [np.ones_like(m)]',
      'cols = [] if panel.model == "market_adjusted" else [np.zeros_like(m)]',
      "lean panel est_x / event_x: constant column of zeros", "other"),
    M("panel.py", "    est = np.arange(src.est_start, src.est_start + src.est_length)\n    if name",
      "    est = np.arange(src.est_start + 1, src.est_start + src.est_length + 1)\n    if name",
      "lean panel _derive: estimation slots shifted one session later", "offbyone"),
    M("panel.py", "        fit = panel.params[:, [0]] + m * panel.params[:, [1]]",
      "        fit = panel.params[:, [0]] - m * panel.params[:, [1]]",
      "lean panel _residuals: market term with the wrong sign", "sign"),
    M("panel.py", "return np.where(np.isfinite(y), y - panel.params[:, [0]], np.nan)  # constant mean",
      "return np.where(np.isfinite(y), y, np.nan)  # constant mean",
      "lean panel _residuals: constant mean not subtracted", "other"),
    M("panel.py", "est: PosArray = p0 + np.arange(src.est_start, src.est_start + src.est_length).astype(np.int32)",
      "est: PosArray = p0 + np.arange(src.est_start - 1, src.est_start + src.est_length - 1).astype(np.int32)",
      "positions (one grid): estimation sessions one earlier", "offbyone"),
    M("panel.py", 'changes["stored"] = {name: v[idx] for name, v in self.stored.items()}',
      'changes["stored"] = {name: v for name, v in self.stored.items()}',
      "take: stored arrays not restricted to the rows", "other"),
    M("panel.py", "ids.append(np.asarray(remap, dtype=np.int64)[p.grid])", "ids.append(p.grid)",
      "concat: grid numbers not remapped to the shared source", "index"),
    M("models.py", "    ok = (nobs > 2) & (smm > 0)\n", "    ok = (nobs > 1) & (smm > 0)\n",
      "fit_market: two observations give parameters", "threshold"),
    M("models.py", "xtx_inv[:, 0, 0] = 1.0 / n + zbar * zbar * inv_s",
      "xtx_inv[:, 0, 0] = 1.0 / (n - 1) + zbar * zbar * inv_s",
      "fit_market: (X'X)^-1 intercept entry with n - 1", "offbyone"),
    M("models.py", "    df_resid = nobs - 2\n    with np.errstate", "    df_resid = nobs - 1\n    with np.errstate",
      "fit_market: residual df n - 1", "offbyone"),
    M("options.py", 'if not isinstance(value, str) or value not in (*MODELS, "factors"):',
      "if not isinstance(value, str) or value not in MODELS:",
      "check_option: model 'factors' refused", "guard"),
    M("options.py", "        if unknown or not names:\n", "        if unknown:\n",
      "check_option: an empty list of tests accepted", "guard"),
    M("options.py", "isinstance(d, int) and not isinstance(d, bool) for d in value):",
      "isinstance(d, int) for d in value):", "check_option: True accepted as a relative day", "guard"),
    M("output.py", "if not isinstance(block, int) or block < 1:", "if not isinstance(block, int) or block < 0:",
      "write_parquet: block = 0 accepted (untyped error later)", "threshold"),
    M("output.py", "        for lo in range(0, max(n, 1), block):", "        for lo in range(1, max(n, 1), block):",
      "write_parquet: the first event's AR rows not written", "offbyone"),
    M("output.py", "running = np.where(np.isfinite(p.ar), running, np.nan)", "running = running",
      "long_frame: running CAR shown on days without an AR", "nan"),
    M("output.py", "                writer.close()\n            temp.unlink(missing_ok=True)\n",
      "                writer.close()\n            temp.exists()\n",
      "write_parquet: a failed write leaves its partial file", "guard"),
]


def all_mutants() -> list[Mutant]:
    """The mutants with stable ids ``<module>-<nn>`` (order within the module)."""
    counter: dict[str, int] = {}
    out = []
    for m in _MUTANTS:
        key = m.module.lstrip("_")
        counter[key] = counter.get(key, 0) + 1
        out.append(Mutant(m.path, m.original, m.mutated, m.description, m.kind, m.equivalent,
                          f"{key}-{counter[key]:02d}"))
    return out


# ----------------------------------------------------------------- application
class MutantError(Exception):
    """A mutant whose original text is missing, repeated or spans more than one statement line."""


def apply(source: str, m: Mutant) -> str:
    """``source`` with the mutant applied; the original must occur exactly once."""
    count = source.count(m.original)
    if count != 1:
        raise MutantError(f"{m.id} ({m.path}): original text occurs {count} times, expected 1: {m.original!r}")
    if m.original == m.mutated:
        raise MutantError(f"{m.id} ({m.path}): mutated text equals the original")
    changed = [(a, b) for a, b in zip(m.original.splitlines(), m.mutated.splitlines(), strict=False) if a != b]
    if len(changed) != 1 or len(m.original.splitlines()) != len(m.mutated.splitlines()):
        raise MutantError(f"{m.id} ({m.path}): a mutant must change exactly one line")
    return source.replace(m.original, m.mutated)


def check_mutants(mutants: Sequence[Mutant]) -> tuple[dict[str, str], list[str]]:
    """The sources by path, and one message per bad mutant.

    A mutant is bad when its file is missing, its original text is absent (code
    moved or rewritten: the mutant would test nothing) or occurs more than once,
    or it does not change exactly one line. Every mutant is checked, so one run
    lists them all; ``main`` refuses to list or run anything while one is bad.
    """
    sources: dict[str, str] = {}
    problems: list[str] = []
    for m in mutants:
        if m.path not in sources:
            path = ROOT / m.path
            if not path.is_file():
                problems.append(f"{m.id} ({m.path}): no such file")
                continue
            sources[m.path] = path.read_text(encoding="utf-8")
        try:
            apply(sources[m.path], m)
        except MutantError as exc:
            problems.append(str(exc))
    return sources, problems


def line_of(source: str, m: Mutant) -> int:
    """1-based line number of the changed line."""
    start = source.index(m.original)
    for off, (a, b) in enumerate(zip(m.original.splitlines(), m.mutated.splitlines(), strict=False)):
        if a != b:
            return source.count("\n", 0, start) + 1 + off
    return source.count("\n", 0, start) + 1


def tests_for(path: str, root: Path, edges: bool = True) -> list[str]:
    """The edge tests, then the test files exercising ``path`` (longest matching prefix of TEST_MAP)."""
    best = max((p for p in TEST_MAP if path == p or (p.endswith("/") and path.startswith(p))), key=len)
    # The edge tests first: they are fast and targeted, so with -x a killed mutant stops early.
    files = sorted(str(p.relative_to(root)) for p in (root / "tests").glob("test_edges_*.py")) if edges else []
    files += [f for f in TEST_MAP[best] if (root / f).is_file()]
    return list(dict.fromkeys(files))


@dataclass
class Outcome:
    id: str
    path: str
    line: int
    description: str
    kind: str
    equivalent: str
    status: str  # killed | survived | timeout | equivalent
    seconds: float
    tests: list[str] = field(default_factory=list)
    failure: str = ""


#: Left out of --recheck-survivors (a notebook kernel, a Dask cluster).
_SLOW_TESTS = ("test_notebook.py", "test_dask_executor.py")

_COPY = ("eventstudy", "tests", "fixtures", "seeds", "notebooks", "README.md", "pyproject.toml")


def make_copy(dest: Path) -> None:
    for name in _COPY:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "_bundled"))
        elif src.is_file():
            shutil.copy2(src, dest / name)


#: A worker: imports the heavy third-party libraries once, then forks one child per mutant
#: that runs pytest in-process (so only eventstudy and the tests are imported per mutant).
_SERVER = r"""
import json, os, signal, sys, time
os.environ.setdefault("MPLBACKEND", "Agg")
import numpy, pandas, scipy.stats, scipy.optimize, statsmodels.api, yaml, rich.console
import exchange_calendars, matplotlib, matplotlib.pyplot, hypothesis, pytest
for line in sys.stdin:
    job = json.loads(line)
    out = job["out"]
    pid = os.fork()
    if pid == 0:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        try:
            rc = int(pytest.main(["-x", "-q", "-p", "no:cacheprovider", "-W", "ignore", *job["files"]]))
        except BaseException:
            rc = 99
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(rc)
    deadline = time.monotonic() + job["timeout"]
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            rc = os.waitstatus_to_exitcode(status)
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            rc = "timeout"
            break
        time.sleep(0.05)
    print(json.dumps({"rc": rc}), flush=True)
"""


class Worker:
    """A copy of the tree plus its forking pytest server."""

    def __init__(self, copy: Path, python: str) -> None:
        self.copy = copy
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(copy),
               "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
        self.proc = subprocess.Popen([python, "-c", _SERVER], cwd=copy, env=env, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def pytest(self, files: list[str], timeout: float) -> tuple[int | str, str]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        out = self.copy / "pytest-output.txt"
        self.proc.stdin.write(json.dumps({"files": files, "timeout": timeout, "out": str(out)}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the pytest server in {self.copy} died")
        rc = json.loads(line)["rc"]
        return rc, out.read_text(encoding="utf-8", errors="replace") if out.is_file() else ""

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)


def run_mutant(m: Mutant, worker: Worker, timeout: float, tests: list[str] | None,
               edges: bool = True) -> Outcome:
    original = (ROOT / m.path).read_text(encoding="utf-8")
    line = line_of(original, m)
    target = worker.copy / m.path
    files = tests if tests is not None else tests_for(m.path, worker.copy, edges)
    t0 = time.perf_counter()
    target.write_text(apply(original, m), encoding="utf-8")
    try:
        rc, output = worker.pytest(files, timeout)
    finally:
        target.write_text(original, encoding="utf-8")
    failure = ""
    if rc == "timeout":
        status, failure = "timeout", f"no result within {timeout:.0f} s"
    elif rc != 0:
        status = "killed"
        fails = [ln for ln in output.splitlines() if ln.startswith(("FAILED", "ERROR"))]
        last = output.strip().splitlines()[-1] if output.strip() else f"exit {rc}"
        failure = (fails[0] if fails else last)[:200]
    else:
        status = "survived"
    return Outcome(m.id, m.path, line, m.description, m.kind, m.equivalent, status,
                   round(time.perf_counter() - t0, 1), files, failure)


# ----------------------------------------------------------------- reporting
def score_table(outcomes: Sequence[Outcome], key: str) -> list[tuple[str, int, int, int, float]]:
    """Rows (group, killed, total non-equivalent, equivalent, score)."""
    groups: dict[str, list[Outcome]] = {}
    for o in outcomes:
        g = o.path.split("/", 1)[1] if key == "module" else _area(o.path)
        groups.setdefault(g, []).append(o)
    rows = []
    for g, os_ in sorted(groups.items()):
        live = [o for o in os_ if o.status != "equivalent"]
        killed = sum(o.status in ("killed", "timeout") for o in live)
        rows.append((g, killed, len(live), len(os_) - len(live), killed / len(live) if live else 1.0))
    return rows


def _area(path: str) -> str:
    for prefix, name in AREAS:
        if path.startswith(prefix):
            return name
    return "other"


def render(outcomes: Sequence[Outcome]) -> str:
    lines = ["| module | killed | total | equivalent | score |", "|---|---:|---:|---:|---:|"]
    for g, k, t, e, s in score_table(outcomes, "module"):
        lines.append(f"| {g} | {k} | {t} | {e} | {s:.1%} |")
    lines += ["", "| area | killed | total | equivalent | score |", "|---|---:|---:|---:|---:|"]
    for g, k, t, e, s in score_table(outcomes, "area"):
        lines.append(f"| {g} | {k} | {t} | {e} | {s:.1%} |")
    live = [o for o in outcomes if o.status != "equivalent"]
    killed = sum(o.status in ("killed", "timeout") for o in live)
    lines += ["", f"**Overall: {killed}/{len(live)} = {killed / max(len(live), 1):.1%}** "
              f"({len(outcomes) - len(live)} equivalent mutants excluded)"]
    surv = [o for o in outcomes if o.status == "survived"]
    lines += ["", "## Surviving mutants", ""]
    lines += [f"- `{o.id}` {o.path}:{o.line}: {o.description}" for o in surv] or ["(none)"]
    eq = [o for o in outcomes if o.status == "equivalent"]
    lines += ["", "## Equivalent mutants", ""]
    lines += [f"- `{o.id}` {o.path}:{o.line}: {o.description} — {o.equivalent}" for o in eq] or ["(none)"]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", action="append", default=[],
                    help="module stem (sign, checker, study...), area (inference, claims, engine...) "
                         "or mutant id; repeatable")
    ap.add_argument("--list", action="store_true", help="list the mutants and exit")
    ap.add_argument("--jobs", "-j", type=int, default=2, help="parallel workers (default 2)")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per mutant (default 300)")
    ap.add_argument("--recheck-survivors", action="store_true",
                    help="run survivors again against the whole suite (slow tests excluded)")
    ap.add_argument("--baseline", action="store_true",
                    help="leave out tests/test_edges_*.py (the score of the suite without them)")
    ap.add_argument("--report-dir", type=Path, default=ROOT / "benchmarks")
    ap.add_argument("--threshold", type=float, default=0.9)
    ap.add_argument("--allow-dirty", action="store_true",
                    help="run even if eventstudy/ has uncommitted changes")
    args = ap.parse_args(argv)

    mutants = all_mutants()
    sources, problems = check_mutants(mutants)
    if problems:  # every bad definition, before anything runs (--list included)
        for problem in problems:
            print(f"bad mutant: {problem}", file=sys.stderr)
        print(f"{len(problems)} bad mutant definition(s): fix or retarget them", file=sys.stderr)
        return 2
    ids = [m.id for m in mutants]
    if len(set(ids)) != len(ids):
        print("bad mutant list: duplicate ids", file=sys.stderr)
        return 2
    if args.only:
        wanted = set(args.only)
        mutants = [m for m in mutants
                   if m.module in wanted or m.module.lstrip("_") in wanted or m.area in wanted or m.id in wanted]
        if not mutants:
            print(f"--only {args.only}: no mutant matches", file=sys.stderr)
            return 2
    if args.list:
        for m in mutants:
            eq = f"  [equivalent: {m.equivalent}]" if m.equivalent else ""
            print(f"{m.id:16} {m.path}:{line_of(sources[m.path], m):<4} {m.kind:11} {m.description}{eq}")
        print(f"{len(mutants)} mutants ({sum(bool(m.equivalent) for m in mutants)} equivalent)")
        return 0
    dirty = subprocess.run(["git", "diff", "--quiet", "HEAD", "--", "eventstudy/"], cwd=ROOT).returncode
    if dirty and not args.allow_dirty:
        print("eventstudy/ has uncommitted changes (git diff --quiet fails); commit them or pass "
              "--allow-dirty", file=sys.stderr)
        return 2

    python = sys.executable
    todo = [m for m in mutants if not m.equivalent]
    outcomes: dict[str, Outcome] = {
        m.id: Outcome(m.id, m.path, line_of(sources[m.path], m), m.description, m.kind, m.equivalent,
                      "equivalent", 0.0)
        for m in mutants if m.equivalent
    }
    with tempfile.TemporaryDirectory(prefix="mutation-") as tmp:
        workers: queue.Queue[Worker] = queue.Queue()
        started: list[Worker] = []
        for j in range(max(1, args.jobs)):
            d = Path(tmp) / f"w{j}"
            d.mkdir()
            make_copy(d)
            started.append(Worker(d, python))
            workers.put(started[-1])

        def work(m: Mutant, tests: list[str] | None = None) -> Outcome:
            w = workers.get()
            try:
                return run_mutant(m, w, args.timeout, tests, not args.baseline)
            finally:
                workers.put(w)

        t0 = time.perf_counter()
        try:
            with cf.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
                futures = {pool.submit(work, m): m for m in todo}
                for i, fut in enumerate(cf.as_completed(futures), 1):
                    o = fut.result()
                    outcomes[o.id] = o
                    print(f"[{i:3}/{len(todo)}] {o.status:8} {o.id:16} {o.seconds:6.1f}s  {o.description}",
                          flush=True)
                if args.recheck_survivors:
                    surv = [m for m in todo if outcomes[m.id].status == "survived"]
                    full = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests").glob("test_*.py")
                                  if p.name not in _SLOW_TESTS
                                  and not (args.baseline and p.name.startswith("test_edges_")))
                    futures = {pool.submit(work, m, full): m for m in surv}
                    for fut in cf.as_completed(futures):
                        o = fut.result()
                        print(f"[recheck] {o.status:8} {o.id:16} {o.seconds:6.1f}s  {o.description}",
                              flush=True)
                        outcomes[o.id] = o
        finally:
            for w in started:
                w.close()
        elapsed = time.perf_counter() - t0

    ordered = [outcomes[m.id] for m in mutants]
    text = render(ordered)
    print()
    print(text)
    print(f"{len(todo)} mutants run in {elapsed:.0f} s with {args.jobs} worker(s).")
    args.report_dir.mkdir(parents=True, exist_ok=True)
    suffix = "" if not args.only else "_" + "_".join(sorted(args.only))
    (args.report_dir / f"mutation_report{suffix}.json").write_text(
        json.dumps({"elapsed_seconds": round(elapsed, 1), "outcomes": [asdict(o) for o in ordered]},
                   indent=1) + "\n", encoding="utf-8")
    (args.report_dir / f"mutation_report{suffix}.md").write_text(
        "# Mutation testing report\n\nCommand: `python benchmarks/mutation.py"
        + "".join(f" --only {o}" for o in args.only) + "`\n\n" + text, encoding="utf-8")
    ok = all(s >= args.threshold for _, _, t, _, s in score_table(ordered, "area") if t)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
