"""JD pages named by URL, fetched in a run of their own (never in a sensor's tick).

A request that names its JD by URL waits as `fetching` until the inbox or Kafka dispatch puts
it in a page batch. This run fetches the batch's pages (a crawl subprocess each, bounded by its
timeout) and lands each page as a JD document, which then goes the way of any landed JD. A
page that does not answer (a timeout, a refused connection, HTTP 429 or 5xx) is tried again
by the step's retry policy; one that cannot be fetched (refused by the URL guard, HTTP 404, not
a page) fails its request alone, with the reason and a dead-letter row, and the rest go on.
"""

import json

from dagster import (
    AssetExecutionContext,
    Failure,
    MaterializeResult,
    asset,
)

from skillbridge_pipeline.assets.documents import markdown_table
from skillbridge_pipeline.core.documents.intake import fetch_pages
from skillbridge_pipeline.core.store import RequestRecord, ResultsStore, dead_letters
from skillbridge_pipeline.hooks import PAGE_RETRIES, fail_requests, step_coordinates
from skillbridge_pipeline.partitions import BATCHES, STRICT_TAG
from skillbridge_pipeline.resources import (
    InboxResource,
    LandingStoreResource,
    ResultsStoreResource,
)


class PagesUnreachable(RuntimeError):
    """Some pages did not answer: the step is retried for them alone."""


@asset(partitions_def=BATCHES, group_name="jds", kinds={"scrapy"})
def jd_pages(
    context: AssetExecutionContext,
    inbox: InboxResource,
    landing: LandingStoreResource,
    results_store: ResultsStoreResource,
) -> MaterializeResult:
    """The batch's JD pages, fetched and landed as JD documents."""
    store, batch = results_store.store, context.partition_key
    store.update_batch(batch, status="running", run_id=context.run.run_id)
    waiting = [r for r in store.requests_in_batch(batch) if r.status == "fetching"]
    outcome = fetch_pages(waiting, inbox.fetch_job, landing.landing, store)
    last_attempt = context.retry_number >= PAGE_RETRIES.max_retries
    if outcome.unreachable and not last_attempt:
        raise PagesUnreachable(
            f"{len(outcome.unreachable)} of {len(waiting)} pages did not answer; trying again: "
            + "; ".join(list(outcome.unreachable.values())[:3])
        )
    failed = {**outcome.failed, **outcome.unreachable}
    by_id = {r.request_id: r for r in waiting}
    record_page_failures(context, store, [by_id[i] for i in failed], failed)
    if failed and context.run.tags.get(STRICT_TAG) == "true":
        request_id, reason = next(iter(failed.items()))
        raise Failure(description=reason, metadata={"request_id": request_id}, allow_retries=False)
    store.update_batch(batch, status="done")
    return MaterializeResult(
        metadata={
            "pages": len(waiting),
            "fetched": len(outcome.fetched),
            "failed": len(failed),
            "attempt": context.retry_number + 1,
            **(
                {"failed_pages": markdown_table(["request", "reason"], list(failed.items())[:100])}
                if failed
                else {}
            ),
        }
    )


def record_page_failures(
    context: AssetExecutionContext,
    store: ResultsStore,
    requests: list[RequestRecord],
    reasons: dict[str, str],
) -> None:
    """Each request fails with its reason (its session is told) and gets a dead-letter row
    holding the request itself: `skillbridge dlq replay` fetches that page again, alone."""
    for request in requests:
        reason = reasons[request.request_id]
        fail_requests(store, [request.request_id], reason)
        dead_letters.record(
            store,
            event_key=f"page:{request.request_id}",
            subject=request.request_id,
            **step_coordinates(context),
            error_type="PageFetchFailed",
            error_message=reason,
            payload=json.dumps(
                {
                    "jd_url": request.jd_url,
                    "resume_id": request.resume_id,
                    "session_id": request.session_id,
                }
            ),
        )
    if requests:
        context.log.warning(f"{len(requests)} JD pages could not be fetched")
