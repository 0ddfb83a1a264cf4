"""The policy shown in "Waarom dit antwoord?" is read from Rasa's tracker-store rows (no HTTP round trip);
when the rows cannot tell, the caller must fall back to Rasa's API instead of showing a wrong policy."""

from __future__ import annotations

import json

from sqlalchemy import create_engine, text

from governance.privacy.tracker import TrackerStore


def rasa_events_table(url: str, rows: list[tuple[str, dict]]) -> None:
    """The columns Rasa 3.6's SQLTrackerStore creates (rasa-notes section 5)."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), type_name VARCHAR(255),"
                " timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"
            )
        )
        for sender, event in rows:
            connection.execute(
                text("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (:s, :t, 0, :d)"),
                {"s": sender, "t": event["event"], "d": json.dumps(event)},
            )
    engine.dispose()


def action(name: str, policy: str, confidence: float) -> dict:
    return {"event": "action", "name": name, "policy": policy, "confidence": confidence}


def test_actions_of_the_latest_turn_only_with_policy_and_confidence(tmp_path):
    url = f"sqlite:///{tmp_path / 'rasa.db'}"
    rasa_events_table(
        url,
        [
            ("s_a", {"event": "user", "text": "hoi"}),
            ("s_a", action("action_greet", "RulePolicy", 1.0)),
            ("s_a", action("action_listen", "RulePolicy", 1.0)),
            ("s_b", {"event": "user", "text": "andere burger"}),
            ("s_b", action("action_other", "TEDPolicy", 0.4)),
            ("s_a", {"event": "user", "text": "wat kost een paspoort"}),
            ("s_a", {"event": "slot", "name": "topic", "value": "reisdocument"}),
            ("s_a", action("action_answer_from_knowledge_base", "RulePolicy", 0.97)),
            ("s_a", action("action_listen", "RulePolicy", 1.0)),
        ],
    )
    store = TrackerStore(url)
    traces = store.recent_actions("s_a")
    store.dispose()
    assert [(t.name, t.policy, t.confidence) for t in traces] == [("action_answer_from_knowledge_base", "RulePolicy", 0.97)]


def test_unknown_when_the_store_cannot_tell(tmp_path):
    assert TrackerStore("").recent_actions("s_a") is None  # not configured
    empty = TrackerStore(f"sqlite:///{tmp_path / 'empty.db'}")
    assert empty.recent_actions("s_a") is None  # Rasa has written nothing yet: no table
    empty.dispose()
    url = f"sqlite:///{tmp_path / 'rasa.db'}"
    rasa_events_table(url, [("s_a", action("action_session_start", "RulePolicy", 1.0))])
    store = TrackerStore(url)
    assert store.recent_actions("s_a") is None  # no user event among the rows read
    assert store.recent_actions("s_unknown") is None
    store.dispose()


def test_reading_does_not_take_the_write_lock_of_rasas_database(tmp_path):
    """Rasa keeps writing while the service reads: a read must not hold or wait for SQLite's write lock."""
    url = f"sqlite:///{tmp_path / 'rasa.db'}"
    rasa_events_table(url, [("s_a", {"event": "user", "text": "hoi"}), ("s_a", action("action_greet", "RulePolicy", 1.0))])
    writer = create_engine(url, connect_args={"timeout": 0.1})
    with writer.connect() as connection:
        connection.exec_driver_sql("BEGIN IMMEDIATE")  # Rasa in the middle of saving a tracker
        store = TrackerStore(url)
        assert [t.name for t in store.recent_actions("s_a")] == ["action_greet"]
        store.dispose()
        connection.exec_driver_sql("ROLLBACK")
    writer.dispose()
