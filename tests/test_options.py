"""One validated options object: bad method options fail before the data are read, named the same
way by the API, the event file and the command line."""

from __future__ import annotations

import pickle
from pathlib import Path

import pandas as pd
import pytest

from eventstudy import event_study
from eventstudy.errors import EventFileError, InvalidParameterError
from eventstudy.events import load_event_file, spec_from_options
from eventstudy.options import StudyOptions
from eventstudy.windows import Window

NOT_DATA = pd.DataFrame({"x": ["not", "returns"]})  # never read: the options fail first


@pytest.mark.parametrize(("kwargs", "parameter"), [
    ({"roll": "sideways"}, "roll"),
    ({"min_estimation_obs": 0}, "min_estimation_obs"),
    ({"tests": ["nope"]}, "tests"),
    ({"tests": "bmp"}, "tests"),
    ({"days": [0.5]}, "days"),
    ({"chunk_size": 0}, "chunk_size"),
    ({"alternative": "up"}, "alternative"),
    ({"model": "capmm"}, "model"),
    ({"windows": [(1, 0)]}, "windows[0]"),
    ({"estimation": "last year"}, "estimation"),
])
def test_bad_options_fail_before_the_data(kwargs: dict[str, object], parameter: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        event_study(returns=NOT_DATA, event_date="2025-01-27", **kwargs)  # type: ignore[arg-type]
    assert info.value.parameter == parameter


def test_options_are_canonical_and_picklable() -> None:
    opts = StudyOptions.build(windows=[(0, 0), [-1, 1]], estimation=[-250, -11], tests=["bmp"], days=[0])
    assert opts.windows == (Window(0, 0), Window(-1, 1)) and opts.estimation == Window(-250, -11)
    assert opts.tests == ("bmp",) and opts.days == (0,)
    assert pickle.loads(pickle.dumps(opts)) == opts  # shipped to Dask workers as is
    assert opts.engine_kwargs()["windows"] == opts.windows


def test_the_file_and_the_flags_use_the_same_checks(tmp_path: Path) -> None:
    f = tmp_path / "e.yaml"
    f.write_text("event_date: 2025-01-27\nsecurities: [NVDA]\nbenchmark: ^GSPC\nroll: sideways\n",
                 encoding="utf-8")
    with pytest.raises(EventFileError, match=r"field `roll`: expected one of \['next', 'previous', 'raise'\]"):
        load_event_file(f)
    with pytest.raises(InvalidParameterError) as info:
        spec_from_options(None, event_date="2025-01-27", securities=["NVDA"], benchmark="^GSPC",
                          roll="sideways")
    assert info.value.parameter == "--roll"
    assert "one of ['next', 'previous', 'raise']" in str(info.value)


def test_rbar_cap_reaches_the_tests_and_volume_refuses_batch_options() -> None:
    import eventstudy.inference as inf
    from tests.test_batch import KW, synthetic

    ret, ev = synthetic(n_sec=5, n_ev=40, seed=2)
    ev["event_date"] = ev["event_date"].iloc[0]  # one date: every pair shares the window
    capped = event_study(returns=ret, events=ev.drop(columns="event_id").drop_duplicates("security"),
                         benchmark="MKT", calendar="XNYS", rbar_max_partners=1, tests=["kp-bmp"], **KW)
    p = capped.panel
    assert p.rbar_max_partners == 1
    res = inf.kp_bmp_test(p, -5, 5)
    n = p.n_events
    assert res.extra["rbar_pairs"] + res.extra["rbar_omitted_pairs"] == n * (n - 1) // 2
    assert res.extra["rbar_pairs"] == n - 1  # each event with the next one only
    with pytest.raises(InvalidParameterError, match="tests"):
        event_study(volume=ret.abs() * 1e6, kind="volume", event_date="2023-06-01", benchmark="MKT",
                    tests=["bmp"])
