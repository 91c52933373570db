"""nab_evaluate over folders of NAB-format files: figures, the --out CSV, clear errors."""

import csv
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from anomalies.engine.nab_scoring import normalised_score, score_file, window_rows
from anomalies.nab import NabInputError, nab_evaluate, nab_report

SHARED_NAB = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "nab"
ROWS = 2000


def write_series(path: Path, values: np.ndarray) -> pd.DatetimeIndex:
    stamps = pd.date_range("2024-01-01", periods=len(values), freq="5min")
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"timestamp": stamps.strftime("%Y-%m-%d %H:%M:%S"), "value": values}).to_csv(
        path, index=False
    )
    return stamps


def daily(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(ROWS)
    return 50 + 30 * np.sin(2 * np.pi * t / 144) + rng.normal(0, 1, ROWS)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A NAB-shaped corpus: a shift inside its window, a quiet file, a file without windows."""
    root = tmp_path / "nab"
    shifted = daily(1)
    shifted[1500:] += 40
    stamps = write_series(root / "synthetic" / "shift.csv", shifted)
    write_series(root / "synthetic" / "quiet.csv", daily(2))
    write_series(root / "synthetic" / "deeper" / "no_windows.csv", daily(3))
    fmt = "%Y-%m-%d %H:%M:%S.%f"
    labels = {
        "synthetic/shift.csv": [[stamps[1400].strftime(fmt), stamps[1600].strftime(fmt)]],
        "synthetic/quiet.csv": [[stamps[1000].strftime(fmt), stamps[1100].strftime(fmt)]],
        "synthetic/deeper/no_windows.csv": [],
    }
    (root / "labels").mkdir()
    (root / "labels" / "combined_windows.json").write_text(json.dumps(labels))
    return root


def rescore(out: Path, data_root: Path, labels: Path) -> float:
    """Score a flagged-points CSV without the detector: flagged timestamps are detections."""
    with out.open(newline="") as handle:
        reader = csv.reader(handle)
        assert next(reader) == ["file", "timestamp", "score"]
        flagged: dict[str, set[pd.Timestamp]] = {}
        for key, stamp, _ in reader:
            flagged.setdefault(key, set()).add(pd.Timestamp(stamp))
    windows = json.loads(labels.read_text())
    scores = []
    for key, limits in windows.items():
        frame = pd.read_csv(data_root / key, parse_dates=["timestamp"])
        detections = frame["timestamp"].isin(flagged.get(key, set())).to_numpy()
        scores.append(score_file(detections, window_rows(frame["timestamp"], limits)))
    return normalised_score(scores)


def test_evaluate_reports_figures_and_flags_rescore_to_the_same_score(corpus, tmp_path):
    out = tmp_path / "flags.csv"
    result = nab_evaluate(corpus / "synthetic", out=out)
    json.dumps(result)
    assert set(result["files"]) == {
        "synthetic/shift.csv",
        "synthetic/quiet.csv",
        "synthetic/deeper/no_windows.csv",
    }
    shift = result["files"]["synthetic/shift.csv"]
    assert (shift["windows_found"], shift["event_recall"]) == (1, 1.0)
    assert shift["nab_score"] > 80
    assert result["files"]["synthetic/quiet.csv"]["windows_found"] == 0
    assert result["files"]["synthetic/deeper/no_windows.csv"]["nab_score"] is None
    overall = result["overall"]
    assert (overall["windows"], overall["windows_found"]) == (2, 1)
    assert set(overall) >= {"event_recall", "precision", "f1", "nab_score", "detections"}
    assert result["settings"]["threshold"] == 5.0
    assert overall["nab_score"] == pytest.approx(
        rescore(out, corpus, corpus / "labels" / "combined_windows.json"), abs=0.01
    )
    report = nab_report(result)
    assert "synthetic/shift.csv" in report
    assert "overall (3 files)" in report


def test_corpus_root_and_explicit_labels_give_the_same_keys(corpus, tmp_path):
    labels = tmp_path / "elsewhere.json"
    labels.write_text((corpus / "labels" / "combined_windows.json").read_text())
    from_root = nab_evaluate(corpus, labels=labels)
    assert from_root["files"].keys() == nab_evaluate(corpus / "synthetic")["files"].keys()


def test_missing_folder_is_refused(tmp_path):
    with pytest.raises(NabInputError, match="not a folder"):
        nab_evaluate(tmp_path / "absent")


def test_missing_labels_are_refused(corpus, tmp_path):
    (corpus / "labels" / "combined_windows.json").unlink()
    with pytest.raises(NabInputError, match="no labels"):
        nab_evaluate(corpus / "synthetic")
    with pytest.raises(NabInputError, match="does not exist"):
        nab_evaluate(corpus / "synthetic", labels=tmp_path / "nope.json")


def test_malformed_csv_names_file_and_row(corpus):
    bad = corpus / "synthetic" / "quiet.csv"
    lines = bad.read_text().splitlines()
    lines[5] = "2024-01-01 00:20:00,n/a"
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(NabInputError, match=r"quiet.csv row 6: value 'n/a'"):
        nab_evaluate(corpus / "synthetic")
    bad.write_text("time,reading\n2024-01-01,1\n")
    with pytest.raises(NabInputError, match="timestamp,value"):
        nab_evaluate(corpus / "synthetic")


def test_file_missing_from_labels_is_refused(corpus):
    write_series(corpus / "synthetic" / "unlabelled.csv", daily(4))
    with pytest.raises(NabInputError, match=r"unlabelled\.csv is not in the labels"):
        nab_evaluate(corpus / "synthetic")


@pytest.mark.skipif(not SHARED_NAB.is_dir(), reason="shared NAB data not present")
def test_real_nab_file_flags_rescore_to_the_same_score(tmp_path):
    """ec2_request_latency repeats an hour at a daylight-saving change; rows still agree."""
    key = "realKnownCause/ec2_request_latency_system_failure.csv"
    data = tmp_path / "realKnownCause"
    data.mkdir()
    (data / Path(key).name).symlink_to((SHARED_NAB / key).resolve())
    labels = tmp_path / "windows.json"
    all_windows = json.loads((SHARED_NAB / "labels" / "combined_windows.json").read_text())
    labels.write_text(json.dumps({key: all_windows[key]}))
    out = tmp_path / "flags.csv"
    result = nab_evaluate(data, labels=labels, out=out)
    assert result["overall"]["windows"] == 3
    assert result["overall"]["nab_score"] == pytest.approx(rescore(out, tmp_path, labels), abs=0.01)


def test_the_command_prints_json_writes_the_flags_and_refuses_bad_input(corpus, tmp_path):
    out = tmp_path / "command_flags.csv"
    stdout = io.StringIO()
    call_command(
        "evaluate_anomalies",
        "--dataset",
        "nab",
        str(corpus / "synthetic"),
        "--out",
        str(out),
        "--json",
        stdout=stdout,
    )
    result = json.loads(stdout.getvalue())
    labels = corpus / "labels" / "combined_windows.json"
    assert result["overall"]["nab_score"] == pytest.approx(rescore(out, corpus, labels), abs=0.01)
    table = io.StringIO()
    call_command("evaluate_anomalies", "--dataset", "nab", str(corpus / "synthetic"), stdout=table)
    assert "synthetic/shift.csv" in table.getvalue()
    with pytest.raises(CommandError, match="needs PATH"):
        call_command("evaluate_anomalies", "--dataset", "nab")
    with pytest.raises(CommandError):
        call_command("evaluate_anomalies", "--dataset", "nab", str(tmp_path / "missing"))
