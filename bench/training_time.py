"""Training end to end as asset materialisations: the train_gap_model_job on a fresh home.

Target: the gap_model asset (three models: dual-stream, tabular-only, 18-feature baseline) in
under 60 s on the 2-core machine. Prints each step's time.
Run: .venv/bin/python bench/training_time.py
"""

import tempfile
import time
from pathlib import Path

from dagster import instance_for_test

from skillbridge_pipeline.definitions import build_definitions
from skillbridge_pipeline.demo import execute
from skillbridge_pipeline.resources import embedded_resources

TARGET_SECONDS = 60


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, instance_for_test() as instance:
        defs = build_definitions(embedded_resources(Path(tmp)))
        started = time.perf_counter()
        run_id, ok = execute(instance, defs, "train_gap_model_job")
        total = time.perf_counter() - started
        assert ok, run_id
        steps = {s.step_key: s.end_time - s.start_time for s in instance.get_run_step_stats(run_id)}
        for key, seconds in steps.items():
            print(f"{key}: {seconds:.1f} s")
        print(
            f"whole job: {total:.1f} s; gap_model ratio to target ({TARGET_SECONDS} s): "
            f"{TARGET_SECONDS / steps['gap_model']:.1f}x under"
        )


if __name__ == "__main__":
    main()
