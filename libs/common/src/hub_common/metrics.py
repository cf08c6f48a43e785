"""Prometheus metrics shared by every service (``GET /metrics``)."""

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter("hub_http_requests_total", "HTTP requests handled", ["service", "method", "route", "status"])
HTTP_LATENCY = Histogram("hub_http_request_duration_seconds", "HTTP request latency", ["service", "method", "route"])
EVENTS_PUBLISHED = Counter(
    "hub_events_published_total", "Events published by the outbox relay", ["service", "topic", "type"]
)
OUTBOX_BACKLOG = Gauge("hub_outbox_backlog", "Outbox records waiting to be published", ["service"])
RELAY_LEADER = Gauge("hub_outbox_relay_leader", "1 when this worker holds the relay lease", ["service"])
EVENTS_CONSUMED = Counter("hub_events_consumed_total", "Events consumed, by outcome", ["service", "type", "outcome"])
EVENTS_DEAD_LETTERED = Counter("hub_events_dead_lettered_total", "Messages sent to the DLT", ["service", "topic"])
CONSUMER_BATCH_SECONDS = Histogram("hub_consumer_batch_seconds", "Time to process one consumed batch", ["service"])
OUTBOX_OLDEST_AGE = Gauge("hub_outbox_oldest_age_seconds", "Age of the oldest unpublished outbox record", ["service"])
HANDLER_FAILURES = Counter(
    "hub_handler_failures_total", "Handler attempts that failed, by kind", ["service", "type", "kind"]
)
CONSUMER_LAG = Gauge("hub_consumer_lag", "Messages not yet processed, per partition", ["service", "topic", "partition"])
# Where a worker's batch spends its time (e.g. notifications' delivery: claim, recipients, send,
# record), so that an operator sees which stage limits throughput under a backlog.
WORK_STAGE_SECONDS = Histogram(
    "hub_work_stage_seconds", "Time spent in one stage of a worker's batch", ["service", "work", "stage"]
)
# A delivery channel's server as this worker sees it (notifications: email, sms): 0 while its
# messages wait for the server to answer again.
CHANNEL_UP = Gauge("hub_channel_up", "1 while the channel's server answers, 0 while it is down", ["service", "channel"])
# Transactions tried again after a write conflict or a transient error (each retry repeats the
# whole unit of work): a rising rate means two writers contend for the same documents.
TRANSACTION_RETRIES = Counter("hub_transaction_retries_total", "Units of work run again after a conflict", ["source"])
# Processes found dead (their lease not renewed) whose open transactions this process aborted, so
# that the documents they held are free for the work taken over from them.
DEAD_PROCESSES_CLEARED = Counter(
    "hub_dead_processes_cleared_total", "Dead processes whose open transactions were aborted", ["service"]
)
# Items a retention rule removed (by kind of data, e.g. "email and text content"): the schedule at work.
RETENTION_REMOVED = Counter("hub_retention_removed_total", "Items removed by a retention rule", ["service", "kind"])
INBOUND_REFUSED = Counter(
    "hub_inbound_refused_total",
    "Inbound events refused before their handler ran (sender not registered, revoked or not granted)",
    ["service", "type", "reason"],
)
