// Citizen chat widget. Every text from the server is inserted with textContent: never parsed as HTML.
"use strict";
(function () {
  const API = "/api/v1";
  const STORE = "gemeente-assistent.conversation";
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("question");
  const status = document.getElementById("status");
  const askHuman = document.getElementById("ask-human");
  let conversation = null;

  const WHO = { citizen: "Jij", assistant: "Digitale assistent", agent: "Medewerker", system: "Systeem" };

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function safeUrl(url) {
    try {
      const parsed = new URL(url, window.location.href);
      return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
    } catch (e) { return null; }
  }

  function render(message) {
    const item = el("div", "msg msg--" + message.role);
    item.appendChild(el("span", "msg__who", WHO[message.role] || ""));
    item.appendChild(el("span", "msg__text", message.text));
    const explanation = message.explanation;
    if (explanation && explanation.sources && explanation.sources.length) {
      const list = el("ul", "msg__sources");
      explanation.sources.forEach(function (source) {
        const href = safeUrl(source.url);
        if (!href) return;
        const li = el("li");
        const link = el("a", "", "Bron: " + source.title);
        link.href = href; link.target = "_blank"; link.rel = "noopener noreferrer";
        li.appendChild(link); list.appendChild(li);
      });
      item.appendChild(list);
    }
    if (explanation) {
      const details = el("details");
      details.appendChild(el("summary", "", "Waarom dit antwoord?"));
      details.appendChild(el("p", "", explanation.summary_nl));
      item.appendChild(details);
    }
    if (message.buttons && message.buttons.length) {
      const row = el("div", "msg__buttons");
      message.buttons.forEach(function (b) {
        const button = el("button", "chat__option", b.title);
        button.type = "button";
        button.addEventListener("click", function () { send({ payload: b.payload }, b.title); });
        row.appendChild(button);
      });
      item.appendChild(row);
    }
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  async function call(method, path, body) {
    const headers = { "Content-Type": "application/json" };
    if (conversation) headers.Authorization = "Bearer " + conversation.token;
    const response = await fetch(API + path, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined });
    const data = await response.json().catch(function () { return {}; });
    if (!response.ok) { const error = new Error(data.detail || "Er ging iets mis."); error.status = response.status; throw error; }
    return data;
  }

  async function start() {
    const saved = sessionStorage.getItem(STORE);
    if (saved) {
      try {
        conversation = JSON.parse(saved);
        const transcript = await call("GET", "/conversations/" + encodeURIComponent(conversation.id));
        transcript.messages.forEach(render);
        return;
      } catch (e) { conversation = null; sessionStorage.removeItem(STORE); }
    }
    const created = await call("POST", "/conversations", {});
    conversation = { id: created.conversation_id, token: created.token };
    sessionStorage.setItem(STORE, JSON.stringify(conversation));
    created.messages.forEach(render);
  }

  async function send(body, shownText) {
    status.textContent = "";
    render({ role: "citizen", text: shownText, buttons: [], explanation: null });
    setBusy(true);
    try {
      const reply = await call("POST", "/conversations/" + encodeURIComponent(conversation.id) + "/messages", body);
      reply.messages.forEach(render);
    } catch (error) {
      status.textContent = error.message;
    } finally {
      setBusy(false);
    }
  }

  function setBusy(busy) {
    form.querySelectorAll("button").forEach(function (b) { b.disabled = busy; });
    status.textContent = busy ? "Even geduld…" : status.textContent === "Even geduld…" ? "" : status.textContent;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) { status.textContent = "Typ eerst je vraag."; input.focus(); return; }
    input.value = "";
    send({ text: text }, text);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });
  askHuman.addEventListener("click", function () { send({ payload: "/medewerker" }, "Ik wil een medewerker spreken"); });

  start().catch(function (error) { status.textContent = error.message || "De assistent is nu niet bereikbaar."; });
})();
