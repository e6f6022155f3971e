"""Kafka intake: bounded consumption from explicit offsets, landing, dead letters for poison.

Offsets live in the caller's cursor (the sensor's), not in Kafka: partitions are assigned
explicitly from the cursor, so a replayed tick re-reads the same messages and landing by
content hash makes that harmless. Offsets are also committed, only so lag can be monitored.
"""

from __future__ import annotations

import io
import time
from collections import Counter
from dataclasses import dataclass, field

from skillbridge_pipeline.core.documents.events import (
    AnalysisRequest,
    DocumentEvent,
    parse_event,
)
from skillbridge_pipeline.core.documents.identity import storable_text
from skillbridge_pipeline.core.documents.intake import land_document, record_request
from skillbridge_pipeline.core.documents.landing import LandingStore
from skillbridge_pipeline.core.store import ResultsStore, dead_letters


@dataclass
class KafkaBatch:
    messages: list  # confluent_kafka.Message
    cursor: dict[str, int]  # "topic:partition" -> next offset
    outcomes: Counter = field(default_factory=Counter)  # (topic, outcome) -> count


def consume(
    consumer, topics: list[str], cursor: dict[str, int], max_messages: int, budget_seconds: float
) -> KafkaBatch:
    from confluent_kafka import OFFSET_BEGINNING, TopicPartition

    metadata = consumer.list_topics(timeout=min(5.0, budget_seconds))
    assignment = [
        TopicPartition(topic, p, cursor.get(f"{topic}:{p}", OFFSET_BEGINNING))
        for topic in topics
        if topic in metadata.topics
        for p in sorted(metadata.topics[topic].partitions)
    ]
    batch = KafkaBatch([], dict(cursor))
    if not assignment:
        return batch
    consumer.assign(assignment)
    deadline = time.monotonic() + budget_seconds
    # The first message is waited for up to a second and taken as soon as it is there (a batch
    # `consume` would wait out its whole timeout for fewer than it asked for); then only what
    # has already arrived is drained, in batches.
    first = consumer.poll(timeout=min(1.0, budget_seconds))
    polled = [first] if first is not None else []
    while polled:
        for message in polled:
            if message.error() is None:
                batch.messages.append(message)
                batch.cursor[f"{message.topic()}:{message.partition()}"] = message.offset() + 1
        if len(batch.messages) >= max_messages or time.monotonic() >= deadline:
            break
        polled = consumer.consume(
            num_messages=min(500, max_messages - len(batch.messages)), timeout=0.05
        )
    if batch.messages:
        consumer.commit(
            offsets=[
                TopicPartition(k.rsplit(":", 1)[0], int(k.rsplit(":", 1)[1]), v)
                for k, v in batch.cursor.items()
            ],
            asynchronous=False,
        )
    return batch


def land_messages(batch: KafkaBatch, landing: LandingStore, store: ResultsStore) -> None:
    """Documents to the landing store and the results store; requests to the store (one with a
    JD URL waits for a run to fetch the page); anything malformed, or holding a value no store
    takes, to the DLQ with its offset passed, so one message never stops its partition."""
    for message in batch.messages:
        topic = message.topic()
        coordinates = f"kafka://{topic}/{message.partition()}/{message.offset()}"
        try:
            outcome = _land_event(parse_event(message.value()), landing, store)
        except ValueError as error:  # UnicodeError and the driver's NUL refusal are ValueErrors
            dead_letters.record(
                store,
                event_key=coordinates,
                subject=None,
                asset=None,
                error_type="MalformedEvent",
                error_message=storable_text(str(error)),
                payload=coordinates,
            )
            outcome = "rejected"
        batch.outcomes[(topic, outcome)] += 1


def _land_event(event: DocumentEvent | AnalysisRequest, landing: LandingStore, store) -> str:
    if not isinstance(event, DocumentEvent):
        return "request" if record_request(store, event, source="kafka") else "duplicate"
    content = io.BytesIO(event.content)  # decoded once: documents run to 10 MB
    created = land_document(landing, store, event.kind, content, event.name, "kafka")
    return "landed" if created else "duplicate"
