"""Prometheus metrics of the governance service (the guideline's operational figures).

Counters end in `_total`, durations are `_seconds` histograms with buckets that fit (waits for a person are
minutes), and no label ever holds a conversation id, a text or anything personal: labels are topics,
reasons, roles, types and status codes, all from closed lists. Queue length and the kill switch are read
from the database at scrape time, so every worker reports the same truth. With several workers set
PROMETHEUS_MULTIPROC_DIR; /metrics then merges the workers' files.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from knowledge import ESCALATING_TOPICS, SMALL_TALK_TOPICS

disable_created_metrics()  # the *_created series only add noise to dashboards and alerts

CONVERSATIONS = Counter("ga_conversations_started_total", "Conversations started")
DISCLOSURES = Counter("ga_ai_disclosures_total", "Opening messages that say the citizen talks to an AI assistant")
MESSAGES = Counter("ga_messages_total", "Messages stored, by who wrote them", ["role"])
ANSWERS = Counter("ga_bot_answers_total", "Bot decisions, by contract topic", ["topic"])
FALLBACKS = Counter("ga_fallbacks_total", "Turns the bot could not answer: clarify, out_of_scope", ["kind"])
ESCALATIONS = Counter("ga_escalations_total", "Bot decisions that a person is needed, by reason", ["reason"])
HANDOVERS = Counter("ga_handovers_total", "Conversations put in the staff queue, by reason", ["reason"])
CALLBACKS = Counter("ga_callback_requests_total", "Call-back requests left outside office hours")
TAKEOVERS = Counter("ga_staff_takeovers_total", "Conversations a staff member took over from the queue")
RESOLVED = Counter("ga_escalations_resolved_total", "Escalations resolved by staff, by outcome", ["outcome"])
FEEDBACK = Counter("ga_feedback_total", "Citizen feedback on answers", ["rating"])
PII = Counter("ga_pii_redactions_total", "Messages in which the PII screen replaced data, by type", ["type"])
PROBLEMS = Counter("ga_problem_responses_total", "Error responses (problem+json), by HTTP status", ["status"])
CONFIDENCE = Histogram(
    "ga_intent_confidence",
    "Model confidence of bot decisions, by topic group",
    ["topic_group"],
    buckets=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0),
)
TIME_TO_HUMAN = Histogram(
    "ga_time_to_human_seconds",
    "From joining the queue to a staff member taking over",
    buckets=(30, 60, 120, 300, 600, 900, 1800, 3600, 7200),
)
TURN_SECONDS = Histogram(
    "ga_turn_duration_seconds",
    "A citizen's message until the reply is stored",
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20),
)
RASA_SECONDS = Histogram(
    "ga_rasa_request_duration_seconds",
    "The call to Rasa within a turn",
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20),
)
BOT_UP = Gauge(
    "ga_bot_up",
    "1 when the last call to Rasa and the action server worked, 0 when it failed",
    multiprocess_mode="min",  # one worker that cannot reach Rasa is enough to show it
)
SPOOLED = Counter("ga_decisions_spooled_total", "Turns whose decision records waited on local disk because the database was away")
RATE_LIMITED = Counter("ga_rate_limited_total", "Citizen API requests refused with 429, by limit", ["scope"])
BOT_CIRCUIT_OPEN = Gauge(
    "ga_bot_circuit_open",
    "Rasa replicas whose circuit breaker stops calls after repeated failures (citizens are offered a person)",
    multiprocess_mode="max",
)


def topic_group(topic: str, sensitive: bool) -> str:
    if topic in ESCALATING_TOPICS:
        return "safety"
    if sensitive:
        return "sensitive"
    if topic in SMALL_TALK_TOPICS:
        return "small_talk"
    if topic in ("out_of_scope", "bot_vraag"):
        return "other"
    return "services"


def observe_decision(explanation: dict, *, sensitive: bool) -> None:
    """`sensitive` comes from the topic's knowledge file, the one place that says which topics are sensitive."""
    topic = explanation.get("topic") or "out_of_scope"
    ANSWERS.labels(topic).inc()
    if explanation.get("confidence") is not None:
        CONFIDENCE.labels(topic_group(topic, sensitive)).observe(float(explanation["confidence"]))
    if explanation.get("action") == "action_clarify":
        FALLBACKS.labels("clarify").inc()
    elif topic == "out_of_scope":
        FALLBACKS.labels("out_of_scope").inc()
    if explanation.get("escalate"):
        ESCALATIONS.labels(explanation.get("escalation_reason") or "unknown").inc()


def observe_redactions(pii_types: tuple[str, ...]) -> None:
    for kind in pii_types:
        PII.labels(kind).inc()


@dataclass(frozen=True)
class DatabaseGauges:
    """What the database says at scrape time. Read by the composition root (it knows the queue and the switch),
    so this module depends on no domain and every domain may count here."""

    waiting_by_kind: dict[str, int]
    oldest_chat_wait_seconds: float
    kill_switch_enabled: bool


class DatabaseCollector(Collector):
    """Gauges read from the database when Prometheus scrapes: queue length, oldest wait, kill switch."""

    def __init__(self, read: Callable[[], DatabaseGauges]) -> None:
        self.read = read

    def collect(self) -> Iterator[GaugeMetricFamily]:
        gauges = self.read()
        queue = GaugeMetricFamily("ga_queue_length", "Escalations waiting for staff, by kind", labels=["kind"])
        oldest = GaugeMetricFamily("ga_queue_oldest_wait_seconds", "How long the longest-waiting chat has waited")
        switch = GaugeMetricFamily("ga_kill_switch_enabled", "1 while the kill switch stops the bot")
        for kind in ("chat", "callback"):
            queue.add_metric([kind], gauges.waiting_by_kind.get(kind, 0))
        oldest.add_metric([], gauges.oldest_chat_wait_seconds)
        switch.add_metric([], 1.0 if gauges.kill_switch_enabled else 0.0)
        yield queue
        yield oldest
        yield switch


def render(read_gauges: Callable[[], DatabaseGauges]) -> tuple[bytes, str]:
    """The /metrics body: this process's metrics (or all workers' in multiprocess mode) plus the database gauges."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY

        registry = REGISTRY
    body = generate_latest(registry) + generate_latest(_database_registry(read_gauges))
    return body, CONTENT_TYPE_LATEST


def _database_registry(read_gauges: Callable[[], DatabaseGauges]) -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(DatabaseCollector(read_gauges))
    return registry
