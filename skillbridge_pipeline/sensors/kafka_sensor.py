"""The Kafka sensor: resumes, JDs and analysis requests from topics into the landing store.

Offsets live in this sensor's cursor, stored by Dagster only after the tick, so a tick that
dies is replayed from the same offsets and content-hash landing makes the replay harmless.
Polls are bounded in messages and seconds. It only lands: the inbox sensor dispatches every
landed document, whatever its source, so the same bytes from Kafka and from the inbox are one
partition and one run. A malformed message becomes a dead-letter row and its offset is passed.
"""

import json

from dagster import DefaultSensorStatus, SensorEvaluationContext, SensorResult, SkipReason, sensor

from skillbridge_pipeline.core.kafka_intake import consume, land_messages
from skillbridge_pipeline.metrics import EVENTS_PROCESSED_TOTAL
from skillbridge_pipeline.resources import (
    InboxResource,
    KafkaResource,
    LandingStoreResource,
    ResultsStoreResource,
)
from skillbridge_pipeline.sensors import SENSOR_INTERVAL_SECONDS


@sensor(
    name="kafka_sensor",
    minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
    default_status=DefaultSensorStatus.RUNNING,
    description="Lands documents and analysis requests from Kafka topics.",
)
def kafka_sensor(
    context: SensorEvaluationContext,
    kafka: KafkaResource,
    landing: LandingStoreResource,
    results_store: ResultsStoreResource,
    inbox: InboxResource,
) -> SensorResult | SkipReason:
    if not kafka.bootstrap_servers:
        return SkipReason("Kafka is not configured (SKILLBRIDGE_KAFKA_BOOTSTRAP)")
    cursor = json.loads(context.cursor) if context.cursor else {}
    consumer = kafka.consumer()
    try:
        batch = consume(
            consumer, kafka.topics, cursor, kafka.max_messages_per_tick, kafka.poll_budget_seconds
        )
        land_messages(batch, landing.landing, results_store.store, inbox.root / "requests")
    finally:
        consumer.close()
    for (topic, outcome), count in batch.outcomes.items():
        EVENTS_PROCESSED_TOTAL.labels(source="kafka", topic=topic, outcome=outcome).inc(count)
    if batch.outcomes:
        context.log.info(", ".join(f"{t} {o}: {n}" for (t, o), n in sorted(batch.outcomes.items())))
    return SensorResult(
        cursor=json.dumps(batch.cursor, sort_keys=True),
        skip_reason=None if batch.messages else "no new messages",
    )
