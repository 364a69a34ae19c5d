"""One slot crowded with observations (issue 12, item 13): `show` at the head and with
`--known-at` stays near linear. Before, every pair of a slot's claims was compared: 8,000
claims of one month took 58 to 150 s, and 5,000 daily values 27 s with `--known-at`."""

from __future__ import annotations

import csv
import os
from datetime import date, timedelta
from pathlib import Path

from freezegun.api import FrozenDateTimeFactory
from reliability_support import report

from tracker.services import Tracker

COLUMNS = ["type", "date", "subject", "summary", "source", "id", "attribute", "value"]


def write(path: Path, dates: list[str], prefix: str) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for n, text in enumerate(dates):
            row = ["military.force_level", text, "Wagner", "Count.", f"S{n % 7}", f"{prefix}:{n}"]
            writer.writerow([*row, "fighters", str(1000 + n % 5)])
    return path


def timed(tracker: Tracker, known_at: str | None) -> float:
    # The clock is frozen (freezegun patches perf_counter too); os.times() is the real one.
    started = os.times().elapsed
    picture, _cut = tracker.show("2024-12", known_at)
    assert len(picture.slots) == 1
    return round(os.times().elapsed - started, 2)


def test_a_crowded_slot_is_pictured_in_near_linear_time(
    tracker: Tracker, frozen: FrozenDateTimeFactory, tmp_path: Path
) -> None:
    tracker.import_paths([str(write(tmp_path / "month.csv", ["2024-05"] * 8000, "month"))])
    day = date(2010, 1, 1)
    daily = [(day + timedelta(days=n)).isoformat() for n in range(5000)]
    frozen.tick(timedelta(hours=1))
    tracker.import_paths([str(write(tmp_path / "daily.csv", daily, "day"))])
    frozen.tick(timedelta(hours=1))
    tracker.add(
        {"type": "diplomacy.visit", "date": "2024", "subject": "S", "summary": "x", "source": "y"}
    )
    cut = str(tracker.store.head().position - 1)
    figures = {
        "show at the head (s)": timed(tracker, None),
        "show --known-at (s)": timed(tracker, f"@{cut}"),
    }
    report(f"large_slot_{tracker.store.engine.dialect.name}", figures)
    assert max(figures.values()) < 20, figures
