"""bench/latency.py runs by hand for minutes; this runs its scenarios tiny, so the benchmark can't rot
unnoticed: every phase must measure something, in both modes (its numbers are not judged here)."""

from __future__ import annotations

from bench import latency


async def test_every_scenario_measures_in_both_modes(clean_database: str) -> None:
    args = latency.parser().parse_args(["--circles", "20", "--flood", "5", "--quiet-seconds", "1",
                                        "--flood-seconds", "1.5", "--fanout-seconds", "2"])

    rows, problems = await latency.run(clean_database, args)

    assert problems == []  # the probe answered when quiet, the flood got answers, reminders were queued and sent
    labels = [label.strip().split(":")[0] for label, *_ in rows]
    for mode in ("polling", "webhook"):
        start = next(i for i, label in enumerate(labels) if label.startswith(mode))
        assert labels[start + 1:start + 7] == ["quiet", "flood of 5 /summary", "flood", "fan-out", "fan-out", "fan-out"]
    flood_answers = [value for label, value, _ in rows if label.strip().startswith("flood: its own answers")]
    assert [value.split(" (")[0] for value in flood_answers] == ["5 of 5", "5 of 5"]  # under the group's burst of 20
