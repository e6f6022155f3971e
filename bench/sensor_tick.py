"""One inbox-sensor tick over 1,000 new files: land bytes, record rows, plan batched runs.

Target: < 10 s on the 2-core reference machine. Prints the time and its ratio to the target.
Run: .venv/bin/python bench/sensor_tick.py
"""

import tempfile
import time
from pathlib import Path

from dagster import build_sensor_context, instance_for_test

from skillbridge_pipeline.resources import embedded_resources
from skillbridge_pipeline.sensors.inbox_sensor import document_inbox_sensor

TARGET_SECONDS = 10.0
SAMPLE = (Path(__file__).parents[1] / "data/samples/resumes/ana_silva_backend.txt").read_text()


def main(files: int = 1000) -> None:
    with tempfile.TemporaryDirectory() as tmp, instance_for_test() as instance:
        home = Path(tmp)
        inbox = home / "inbox" / "resumes"
        inbox.mkdir(parents=True)
        for i in range(files):  # distinct bytes: 1,000 distinct documents
            (inbox / f"resume_{i:05d}.txt").write_text(f"{SAMPLE}\nReference {i}\n")
        resources = embedded_resources(home)
        started = time.perf_counter()
        with build_sensor_context(instance=instance, resources=resources) as context:
            result = document_inbox_sensor(context)
        seconds = time.perf_counter() - started
        from skillbridge_pipeline.core.store import ResultsStore

        store = ResultsStore(resources["results_store"].url)
        landed = sum(store.status_counts().values())
        batches = sum(len(r.partition_keys) for r in result.dynamic_partitions_requests)
        print(
            f"sensor tick: {files} new files -> {landed} documents landed in {batches} batches, "
            f"{len(result.run_requests)} run requests in {seconds:.2f} s"
        )
        print(f"ratio to target ({TARGET_SECONDS:.0f} s): {TARGET_SECONDS / seconds:.1f}x faster")


if __name__ == "__main__":
    main()
