"""The Kafka sensor: resumes, JDs and analysis requests from topics, landed and dispatched.

Offsets live in this sensor's cursor, stored by Dagster only after the tick's runs are
launched, so a tick that dies is replayed from the same offsets, and content-hash landing makes
the replay harmless. Polls are bounded in messages and seconds. What it lands it dispatches in
the same tick (`sensors/dispatch.py`); documents are claimed into batches atomically in the
results store, so the same bytes from Kafka and the inbox are still one document and one run.
A malformed message becomes a dead-letter row and its offset is passed.
"""

import json

from dagster import DefaultSensorStatus, SensorEvaluationContext, SensorResult, sensor

from skillbridge_pipeline.core.documents.kafka_intake import consume, land_messages
from skillbridge_pipeline.metrics import EVENTS_PROCESSED_TOTAL
from skillbridge_pipeline.resources import (
    InboxResource,
    KafkaResource,
    LandingStoreResource,
    ModelStoreResource,
    ResultsStoreResource,
)
from skillbridge_pipeline.sensors import SENSOR_INTERVAL_SECONDS
from skillbridge_pipeline.sensors.dispatch import DISPATCHED_JOBS, dispatch_documents


@sensor(
    name="kafka_sensor",
    jobs=DISPATCHED_JOBS,
    minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
    default_status=DefaultSensorStatus.RUNNING,
    description="Lands documents and analysis requests from Kafka topics and dispatches them.",
)
def kafka_sensor(
    context: SensorEvaluationContext,
    kafka: KafkaResource,
    landing: LandingStoreResource,
    results_store: ResultsStoreResource,
    inbox: InboxResource,
    models: ModelStoreResource,
) -> SensorResult:
    if not kafka.bootstrap_servers:
        return SensorResult(skip_reason="Kafka is not configured (SKILLBRIDGE_KAFKA_BOOTSTRAP)")
    cursor = json.loads(context.cursor) if context.cursor else {}
    consumer = kafka.consumer()
    try:
        batch = consume(
            consumer, kafka.topics, cursor, kafka.max_messages_per_tick, kafka.poll_budget_seconds
        )
        land_messages(batch, landing.landing, results_store.store)
    finally:
        consumer.close()
    for (topic, outcome), count in batch.outcomes.items():
        EVENTS_PROCESSED_TOTAL.labels(source="kafka", topic=topic, outcome=outcome).inc(count)
    if batch.outcomes:
        context.log.info(", ".join(f"{t} {o}: {n}" for (t, o), n in sorted(batch.outcomes.items())))
    dispatched = dispatch_documents(
        results_store.store,
        inbox,
        models.registry.latest_version() is not None,
        source="kafka",
    )
    return dispatched.sensor_result(
        cursor=json.dumps(batch.cursor, sort_keys=True), skip_reason="no new messages"
    )
