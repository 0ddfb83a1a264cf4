"""A retried message (same Idempotency-Key: after a network drop, or after the worker handling it stopped)
is never stored or answered twice; a turn that was cut off before its answer is answered once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from governance.conversation.models import Message
from governance.decision.models import DecisionRecord
from tests.governance.conftest import auth


def send(client, conversation, text: str, key: str):
    return client.post(
        f"/api/v1/conversations/{conversation['conversation_id']}/messages",
        json={"text": text},
        headers={**auth(conversation), "Idempotency-Key": key},
    )


def counts(app, conversation) -> tuple[int, int]:
    with app.state.runtime.session_factory() as session:
        citizen = session.scalar(
            select(func.count())
            .select_from(Message)
            .where(Message.conversation_id == conversation["conversation_id"], Message.role == "citizen")
        )
        decisions = session.scalar(
            select(func.count())
            .select_from(DecisionRecord)
            .where(DecisionRecord.conversation_id == conversation["conversation_id"])
        )
    return citizen, decisions


def test_a_retry_gets_the_same_answer_without_doubling(app, client, conversation, bot):
    first = send(client, conversation, "wat kost een paspoort", "k-0001-abcdef")
    again = send(client, conversation, "wat kost een paspoort", "k-0001-abcdef")
    assert first.status_code == again.status_code == 200
    assert [m["id"] for m in again.json()["messages"]] == [m["id"] for m in first.json()["messages"]]
    assert counts(app, conversation) == (1, 1)
    assert len(bot.sent) == 1  # Rasa was asked once
    # another key is another message
    assert send(client, conversation, "wat kost een paspoort", "k-0002-abcdef").status_code == 200
    assert counts(app, conversation) == (2, 2)


def test_a_turn_cut_off_before_its_answer_is_answered_once(app, client, conversation, bot):
    # What a worker killed mid-turn leaves behind: the citizen's words committed, no answer.
    from governance.conversation.messages import add_message
    from governance.conversation.models import Conversation

    with app.state.runtime.session_factory() as session:
        stored = session.get(Conversation, conversation["conversation_id"])
        add_message(session, stored, role="citizen", text="wanneer komt het grofvuil", client_key="k-cut-000001")
        session.commit()
    assert counts(app, conversation) == (1, 0)  # the words are stored, no answer yet

    # retried at once: the first attempt might still be running, so the client is asked to wait
    busy = send(client, conversation, "wanneer komt het grofvuil", "k-cut-000001")
    assert busy.status_code == 409 and busy.json()["code"] == "turn_in_progress"

    with app.state.runtime.session_factory() as session:  # time passes beyond any turn's time-out
        message = session.scalar(select(Message).where(Message.client_key == "k-cut-000001"))
        message.created_at = message.created_at - dt.timedelta(minutes=5)
        session.commit()
    retried = send(client, conversation, "wanneer komt het grofvuil", "k-cut-000001")
    assert retried.status_code == 200 and retried.json()["messages"][0]["explanation"]["decision_id"]
    assert counts(app, conversation) == (1, 1)
    again = send(client, conversation, "wanneer komt het grofvuil", "k-cut-000001")
    assert [m["id"] for m in again.json()["messages"]] == [m["id"] for m in retried.json()["messages"]]
    assert counts(app, conversation) == (1, 1)


def test_a_malformed_key_is_refused(client, conversation):
    assert send(client, conversation, "hoi", "x").status_code == 422
    assert send(client, conversation, "hoi", "bad key with spaces!").status_code == 422
