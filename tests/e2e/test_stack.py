"""End to end: the real stack (action server, Rasa with the trained model, governance service) on loopback.

Runs the held-out set through the contract's API, one new conversation per question, and checks the
things a citizen would notice: the topic, every crisis and request for a person escalated, hardly any
false escalation, an honest "ben je een robot?", and the phone number with an offer of a person when Rasa is down.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest
import yaml

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SENSITIVE_TOPICS = {"bijstand", "wmo", "schulden", "klacht"}
PORTS = {"GATEWAY_PORT": "18000", "RASA_PORT": "15005", "ACTIONS_PORT": "15055"}
BASE = f"http://127.0.0.1:{PORTS['GATEWAY_PORT']}"
# Issue 14's targets for the multi-turn set (tests/conversations/multi_turn.yml).
FOLLOW_UP_TOPIC_TARGET = 0.90
FOLLOW_UP_ANSWER_TARGET = 0.85
WRONG_TOPIC_CEILING = 0.02


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    var = tmp_path_factory.mktemp("stack")
    env = {
        **os.environ,
        **PORTS,
        "GA_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'governance.db'}",
        # Staff are "always there" in this run, so the handover test does not depend on the hour CI runs at.
        "GOV_CHAT_STAFFED": "always",
        # one test client asks hundreds of questions from one address: the address limits would (rightly)
        # stop it; the per-conversation limit stays on (tests/governance/test_abuse.py covers all three)
        "GOV_RATE_LIMIT_IP_PER_MINUTE": "0",
        "GOV_RATE_LIMIT_STARTS_PER_MINUTE": "0",
    }
    started = time.monotonic()
    result = subprocess.run(
        [str(ROOT / "scripts" / "stack.sh"), "--background"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=400
    )
    assert result.returncode == 0, result.stderr[-4000:]
    pids = [int(p) for p in (var / "stack.pids").read_text().split()]
    names = ["actions", "rasa", "governance"]
    info = {
        "pids": dict(zip(names, pids, strict=True)),
        "startup_seconds": time.monotonic() - started,
        "env": env,
    }
    with httpx.Client(base_url=BASE, timeout=30) as client:
        yield client, info
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)


def ask(client: httpx.Client, text: str) -> dict:
    created = client.post("/api/v1/conversations", json={}).json()
    reply = client.post(
        f"/api/v1/conversations/{created['conversation_id']}/messages",
        json={"text": text},
        headers={"Authorization": f"Bearer {created['token']}"},
    )
    assert reply.status_code == 200, (text, reply.text)
    return reply.json()["messages"][0]


def heldout(name: str) -> list[tuple[str, str]]:
    data = yaml.safe_load((ROOT / "tests" / "nlu" / name).read_text(encoding="utf-8"))
    return [
        (b["intent"], line.strip()[2:])
        for b in data["nlu"]
        for line in b["examples"].splitlines()
        if line.strip().startswith("- ")
    ]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def test_ready_with_model_and_figures(stack):
    client, info = stack
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["model_version"].startswith("gemeente-assistent-")
    rss = {name: round(rss_mb(pid)) for name, pid in info["pids"].items()}
    print(f"\nstart-up to ready: {info['startup_seconds']:.1f} s; RSS MB: {rss}")


@pytest.mark.parametrize("heldout_set", ["heldout.yml", "heldout_blind.yml"])
def test_heldout_questions_through_the_api(stack, heldout_set):
    client, _ = stack
    correct = 0
    per_topic: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    missed_escalations, false_escalations, wrong = [], [], []
    for gold, text in heldout(heldout_set):
        message = ask(client, text)
        explanation = message["explanation"]
        assert message["role"] == "assistant" and explanation["decision_id"] and explanation["summary_nl"]
        per_topic[gold][1] += 1
        if explanation["topic"] == gold:
            correct += 1
            per_topic[gold][0] += 1
        else:
            wrong.append((gold, explanation["topic"], text))
        if gold in ("crisis", "medewerker"):
            expected_reason = "crisis" if gold == "crisis" else "citizen_request"
            if not (explanation["escalate"] and explanation["escalation_reason"] == expected_reason):
                missed_escalations.append((gold, text))
        elif explanation["escalate"] and not (
            # a personal question about money, care or a complaint is offered a person by design
            explanation["escalation_reason"] == "sensitive_topic" and gold in SENSITIVE_TOPICS
        ):
            false_escalations.append((gold, explanation["escalation_reason"], text))
        if gold not in ("out_of_scope", "greet", "thanks", "goodbye", "medewerker") and explanation["topic"] == gold:
            assert explanation["sources"], text
    total = sum(n for _, n in per_topic.values())
    accuracy = correct / total
    print(f"\n{heldout_set}: system topic accuracy {accuracy:.4f} ({correct}/{total})")
    print(f"false escalations: {len(false_escalations)} {false_escalations}")
    for gold, got, text in wrong:
        print(f"  {gold} -> {got}: {text}")
    assert missed_escalations == []
    assert len(false_escalations) <= 2
    assert accuracy >= 0.90


def test_every_part_exposes_prometheus_metrics(stack):
    client, _ = stack
    ask(client, "wat kost een paspoort")
    governance = client.get("/metrics").text
    assert 'ga_bot_answers_total{topic="reisdocument"}' in governance and "ga_queue_length" in governance
    actions = httpx.get(f"http://127.0.0.1:{PORTS['ACTIONS_PORT']}/metrics", timeout=10).text
    assert 'ga_action_runs_total{action="action_answer_from_knowledge_base",status="200"}' in actions


def test_robot_question_gets_an_honest_answer(stack):
    client, _ = stack
    for text in ("Ben je een robot?", "ben jij een mens", "praat ik met een computer"):
        message = ask(client, text)
        assert message["explanation"]["topic"] == "bot_vraag", text
        assert "geen mens" in message["text"]


def test_english_is_answered_in_english_with_context(stack):
    """issue 16: the real model, actions and knowledge base answer an English question in English, and an
    English follow-up in the same conversation uses the context like a Dutch one."""
    client, _ = stack
    created = client.post("/api/v1/conversations", json={"locale": "en"}).json()
    assert "computer program, not a person" in created["messages"][0]["text"]
    url = f"/api/v1/conversations/{created['conversation_id']}/messages"
    headers = {"Authorization": f"Bearer {created['token']}"}
    first = client.post(url, json={"text": "Hello, can you tell me how to get a parking permit?"}, headers=headers)
    [message] = [m for m in first.json()["messages"] if m.get("explanation")]
    x = message["explanation"]
    assert x["topic"] == "parkeren" and x["language"] == "en" and x["answer_language"] == "en"
    assert "parking permit" in message["text"] and "per year" in message["text"]
    # no topic of its own: answered within parking, with the costs sub-answer, in English
    follow_up = client.post(url, json={"text": "and how much does that cost?"}, headers=headers).json()["messages"][-1]
    assert follow_up["explanation"]["answer_id"] == "parkeren/vergunning_kosten", follow_up["explanation"]
    assert follow_up["explanation"]["language"] == "en" and follow_up["text"].startswith("A parking permit for residents")


def test_unsure_model_asks_then_button_answers(stack):
    client, _ = stack
    created = client.post("/api/v1/conversations", json={}).json()
    url = f"/api/v1/conversations/{created['conversation_id']}/messages"
    headers = {"Authorization": f"Bearer {created['token']}"}
    first = client.post(url, json={"text": "kosten"}, headers=headers).json()["messages"][0]
    # A bare aspect asks which topic (issue 14), whichever action sent the question: what counts is that it asks.
    if first["explanation"]["topic"] == "out_of_scope" and first["buttons"]:
        assert 2 <= len(first["buttons"]) <= 4
        topic_button = first["buttons"][0]
        second = client.post(url, json={"payload": topic_button["payload"]}, headers=headers).json()["messages"][0]
        assert second["explanation"]["topic"] == topic_button["payload"].lstrip("/")
        assert second["explanation"]["sources"]
    else:  # the model was sure enough: then it must have answered from a source
        assert first["explanation"]["sources"]


def test_two_misses_offer_a_person(stack):
    client, _ = stack
    created = client.post("/api/v1/conversations", json={}).json()
    url = f"/api/v1/conversations/{created['conversation_id']}/messages"
    headers = {"Authorization": f"Bearer {created['token']}"}
    client.post(url, json={"text": "xkcd qqq zzz"}, headers=headers)
    second = client.post(url, json={"text": "fjdksl wpqo"}, headers=headers).json()["messages"][0]
    assert second["explanation"]["escalate"] is True
    assert second["explanation"]["escalation_reason"] == "repeated_fallback"
    offer = client.get(f"/api/v1/conversations/{created['conversation_id']}", headers=headers).json()["messages"][-1]
    assert offer["role"] == "system" and "/accept_human" in [b["payload"] for b in offer["buttons"]]


class Chat:
    """One citizen's conversation through the API; `say` returns the explanations of the bot's replies."""

    def __init__(self, client: httpx.Client) -> None:
        created = client.post("/api/v1/conversations", json={}).json()
        self.client = client
        self.url = f"/api/v1/conversations/{created['conversation_id']}/messages"
        self.headers = {"Authorization": f"Bearer {created['token']}"}

    def say(self, text: str) -> list[dict]:
        reply = self.client.post(self.url, json={"text": text}, headers=self.headers)
        assert reply.status_code == 200, reply.text
        return [m["explanation"] for m in reply.json()["messages"] if m.get("explanation")]


def test_a_follow_up_is_answered_in_the_topic_of_the_conversation(stack):
    chat = Chat(stack[0])
    assert chat.say("ik wil een nieuw paspoort")[0]["topic"] == "reisdocument"
    [follow_up] = chat.say("wat kost dat?")
    assert follow_up["answer_id"] == "reisdocument/kosten" and follow_up["context_topic"] == "reisdocument"
    assert "paspoort" in follow_up["summary_nl"]


def test_a_correction_keeps_the_aspect_and_switches_the_topic(stack):
    chat = Chat(stack[0])
    assert chat.say("hoeveel kost een paspoort")[0]["answer_id"] == "reisdocument/kosten"
    assert chat.say("nee ik bedoel mijn rijbewijs")[0]["answer_id"] == "rijbewijs/kosten"


def test_a_topic_switch_in_the_middle_of_a_conversation(stack):
    chat = Chat(stack[0])
    chat.say("paspoort aanvragen")
    switched = chat.say("oh en iets anders wanneer wordt het papier opgehaald")
    assert switched[0]["topic"] == "afval" and switched[0]["topic_from_context"] is False


def test_several_questions_in_one_message_get_one_answer_each(stack):
    chat = Chat(stack[0])
    answers = chat.say("ik wil verhuizen en ook een nieuwe parkeervergunning")
    assert [x["topic"] for x in answers] == ["verhuizing", "parkeren"]
    assert len({x["decision_id"] for x in answers}) == 2


def test_a_missing_detail_is_said_honestly(stack):
    chat = Chat(stack[0])
    chat.say("ik wil een nieuwe id kaart")
    [honest] = chat.say("kan ik het laten bezorgen")
    assert honest["topic"] == "reisdocument" and honest["detail_missing"] is True and honest["answer_id"] is None


def test_the_context_ends_with_a_goodbye(stack):
    chat = Chat(stack[0])
    chat.say("ik wil een nieuw paspoort")
    chat.say("doei")
    [after] = chat.say("wat kost dat")
    assert after["topic"] != "reisdocument" and after["context_topic"] is None


def test_a_crisis_told_about_someone_else_is_a_crisis_even_in_a_conversation(stack):
    chat = Chat(stack[0])
    chat.say("ik wil bijstand aanvragen")
    [crisis] = chat.say("de buurvrouw schreeuwt om hulp en er wordt gegooid met spullen")
    assert crisis["topic"] == "crisis" and crisis["escalate"] is True and crisis["escalation_reason"] == "crisis"


def test_a_cost_follow_up_is_never_a_crisis(stack):
    chat = Chat(stack[0])
    chat.say("mijn container is kapot")
    [follow_up] = chat.say("kost dat iets")
    assert follow_up["topic"] == "afval" and follow_up["escalate"] is False


def test_the_multi_turn_set_through_the_api(stack):
    from tests.conversations.evaluate import format_report, run_set

    report = run_set(stack[0])
    print("\n== tests/conversations/multi_turn.yml\n" + format_report(report))
    figures = report.figures()
    (ROOT / "var" / "reports").mkdir(parents=True, exist_ok=True)
    (ROOT / "var" / "reports" / "conversations_eval.json").write_text(json.dumps(figures, indent=2))
    assert figures["follow_up_turns"] >= 100 and figures["conversations"] >= 40
    assert figures["follow_up_topic_accuracy"] >= FOLLOW_UP_TOPIC_TARGET
    assert figures["follow_up_answer_accuracy"] >= FOLLOW_UP_ANSWER_TARGET
    assert figures["follow_up_wrong_topic_share"] <= WRONG_TOPIC_CEILING
    safety = [t for t in report.turns if t.kind == "safety"]
    assert safety and all(t.escalated and t.reason == "crisis" for t in safety)


def staff_token(info, role: str, name: str) -> dict[str, str]:
    result = subprocess.run(
        [str(ROOT / ".venv-gov" / "bin" / "python"), "-m", "governance", "user", "add", "--name", name, "--role", role],
        env=info["env"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return {"Authorization": f"Bearer {result.stdout.strip().splitlines()[-1]}"}


def wait_for_queue_event(base: str, headers: dict[str, str], conversation_id: str, ready: threading.Event, seen: dict) -> None:
    """What the staff console does: follow the queue stream until the conversation shows up."""
    with (
        httpx.Client(base_url=base, timeout=30) as http,
        http.stream("GET", "/api/v1/escalations/stream", headers=headers) as stream,
    ):
        for line in stream.iter_lines():
            ready.set()
            if line.startswith("data: ") and conversation_id in line:
                seen["at"] = time.perf_counter()
                return


def test_citizen_and_agent_talk_through_the_running_stack(stack):
    client, info = stack
    agent = staff_token(info, "agent", "Eva End-to-end")
    delays = []
    for round_number in range(20):
        created = client.post("/api/v1/conversations", json={}).json()
        conversation_id = created["conversation_id"]
        citizen = {"Authorization": f"Bearer {created['token']}"}
        url = f"/api/v1/conversations/{conversation_id}"
        offer = client.post(url + "/messages", json={"text": "ik wil graag een medewerker spreken"}, headers=citizen).json()
        assert offer["messages"][0]["explanation"]["escalation_reason"] == "citizen_request"
        assert offer["messages"][-1]["buttons"][0]["payload"] == "/accept_human"

        ready, seen = threading.Event(), {}
        watcher = threading.Thread(target=wait_for_queue_event, args=(BASE, agent, conversation_id, ready, seen))
        watcher.start()
        assert ready.wait(10)
        yes_at = time.perf_counter()
        assert client.post(url + "/messages", json={"payload": "/accept_human"}, headers=citizen).json()["state"] == "waiting"
        watcher.join(15)
        assert "at" in seen, "the agent's queue never showed the conversation"
        delays.append(seen["at"] - yes_at)

        if round_number == 0:
            escalation = next(
                i["id"]
                for i in client.get("/api/v1/escalations", headers=agent).json()["items"]
                if i["conversation_id"] == conversation_id
            )
            assert client.post(f"/api/v1/escalations/{escalation}/claim", headers=agent).status_code == 200
            assert (
                client.post(url + "/messages", json={"text": "mijn paspoort is gestolen, wat nu"}, headers=citizen).json()[
                    "messages"
                ]
                == []
            )
            detail = client.get(f"/api/v1/escalations/{escalation}", headers=agent).json()
            assert detail["messages"][-1]["text"] == "mijn paspoort is gestolen, wat nu"
            assert any(m["explanation"] and m["explanation"]["topic"] == "medewerker" for m in detail["messages"])
            reply = client.post(
                f"/api/v1/escalations/{escalation}/messages", json={"text": "Doe aangifte bij de politie."}, headers=agent
            )
            assert reply.status_code == 201
            assert client.get(url, headers=citizen).json()["messages"][-1]["text"] == "Doe aangifte bij de politie."
            resolved = client.post(
                f"/api/v1/escalations/{escalation}/resolve", json={"outcome": "answered", "return_to_bot": True}, headers=agent
            )
            assert resolved.status_code == 200
            back = client.post(url + "/messages", json={"text": "wanneer is het gemeentehuis open"}, headers=citizen).json()
            assert back["state"] == "bot" and back["messages"][0]["explanation"]["topic"] == "openingstijden"
    delays.sort()
    print(
        f"\ntime from the citizen's yes to the agent's queue: median {delays[len(delays) // 2] * 1000:.0f} ms, "
        f"max {delays[-1] * 1000:.0f} ms over {len(delays)} handovers"
    )


PII_VALUES = {
    "bsn": "123456782",
    "bsn_spaced": "111 222 333",
    "iban": "NL91ABNA0417164300",
    "iban_lower": "nl44 rabo 0123 4567 89",
    "phone": "06-12345678",
    "email": "jan.jansen@example.nl",
    "postcode": "1234 AB 12",
    "name": "Fatima El Amrani",
    "plate": "GX-123-B",
    "dob": "12-03-1985",
}


def test_no_personal_value_reaches_a_database_tracker_or_log(stack):
    client, info = stack
    created = client.post("/api/v1/conversations", json={}).json()
    citizen = {"Authorization": f"Bearer {created['token']}"}
    url = f"/api/v1/conversations/{created['conversation_id']}"
    lines = [
        f"mijn bsn is {PII_VALUES['bsn']}, wat kost een paspoort",
        f"ik heet {PII_VALUES['name']} en woon op {PII_VALUES['postcode']}",
        f"stort het op {PII_VALUES['iban']} of {PII_VALUES['iban_lower']}",
        f"bel me op {PII_VALUES['phone']} of mail {PII_VALUES['email']}",
        f"parkeervergunning voor {PII_VALUES['plate']}, geboren {PII_VALUES['dob']}, bsn {PII_VALUES['bsn_spaced']}",
        "ik wil een medewerker spreken",
    ]
    for line in lines:
        reply = client.post(url + "/messages", json={"text": line}, headers=citizen)
        assert reply.status_code == 200, reply.text
    explanation = client.get(url, headers=citizen).json()["messages"]
    redacted = {kind for m in explanation if m["explanation"] for kind in m["explanation"]["pii_redacted"]}
    assert redacted >= {"bsn", "iban", "phone", "email", "address", "name", "licence_plate", "date_of_birth"}
    client.post(url + "/messages", json={"payload": "/accept_human"}, headers=citizen)
    agent = staff_token(info, "agent", "Privacy Tester")
    escalation = next(
        i["id"]
        for i in client.get("/api/v1/escalations", headers=agent).json()["items"]
        if i["conversation_id"] == created["conversation_id"]
    )
    client.post(f"/api/v1/escalations/{escalation}/claim", headers=agent)
    client.post(f"/api/v1/escalations/{escalation}/messages", json={"text": f"Is {PII_VALUES['phone']} juist?"}, headers=agent)
    time.sleep(1)  # let Rasa and the services flush their logs

    var = Path(info["env"]["GA_VAR_DIR"])
    files = [p for p in var.rglob("*") if p.is_file() and p.name != "stack.pids"]
    assert any(p.name.startswith("rasa-tracker.db") for p in files) and any(p.suffix == ".log" for p in files)
    leaks = []
    for path in files:
        content = path.read_bytes()
        for kind, value in PII_VALUES.items():
            for form in {value, value.replace(" ", ""), value.replace("-", "")}:
                if form.encode() in content:
                    leaks.append((kind, path.name))
    assert leaks == [], leaks


def test_action_server_down_is_told_with_an_offer_and_not_ready(stack):
    client, info = stack
    created = client.post("/api/v1/conversations", json={}).json()
    headers = {"Authorization": f"Bearer {created['token']}"}
    os.kill(info["pids"]["actions"], signal.SIGTERM)
    deadline = time.monotonic() + 30
    while client.get("/readyz").status_code == 200 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert client.get("/readyz").json()["checks"]["action_server"] == "unreachable"
    reply = client.post(
        f"/api/v1/conversations/{created['conversation_id']}/messages", json={"text": "wat kost een paspoort"}, headers=headers
    )
    assert reply.status_code == 200
    told = reply.json()["messages"][0]
    assert told["explanation"]["escalation_reason"] == "bot_unavailable" and "14 0123" in told["text"]


def test_rasa_down_offers_a_person_and_contact_details_and_keeps_the_message(stack):
    client, info = stack
    created = client.post("/api/v1/conversations", json={}).json()
    headers = {"Authorization": f"Bearer {created['token']}"}
    url = f"/api/v1/conversations/{created['conversation_id']}"
    os.kill(info["pids"]["rasa"], signal.SIGTERM)
    deadline = time.monotonic() + 30
    while client.get("/readyz").status_code == 200 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert client.get("/readyz").status_code == 503

    started = time.monotonic()
    down = client.post(url + "/messages", json={"text": "wanneer is het gemeentehuis open"}, headers=headers)
    assert down.status_code == 200
    told = down.json()["messages"][0]
    assert "14 0123" in told["text"] and told["explanation"]["escalation_reason"] == "bot_unavailable"
    assert time.monotonic() - started < 5  # told at once, not after a long wait
    assert any(b["payload"] == "/accept_human" for m in down.json()["messages"] for b in m["buttons"]) or any(
        m.get("form") == "callback" for m in down.json()["messages"]
    )  # a person now, or a call-back outside office hours
    crisis = client.post(url + "/messages", json={"text": "ik wil niet meer leven"}, headers=headers)
    assert crisis.status_code == 200 and "0800-0113" in crisis.json()["messages"][0]["text"]
    transcript = client.get(url, headers=headers).json()
    citizen = [m["text"] for m in transcript["messages"] if m["role"] == "citizen"]
    assert citizen == ["wanneer is het gemeentehuis open", "ik wil niet meer leven"]
