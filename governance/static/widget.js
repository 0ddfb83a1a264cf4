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
  let stream = null;
  const shown = new Set();        // message ids already on screen (replies and the stream both deliver them)
  const echoes = [];              // the citizen's own words, shown at once, waiting for their id
  let lastSeq = 0;

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
    if (message.id) {
      if (shown.has(message.id)) return;
      shown.add(message.id);
      if (message.seq > lastSeq) lastSeq = message.seq;
      // this tab already showed its own words; the stream delivers them in the same order
      if (message.role === "citizen" && echoes.length) { echoes.shift(); return; }
    }
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
      if (message.id) item.appendChild(feedbackRow(message.id));
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
    if (message.form === "callback") item.appendChild(callbackForm());
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  // "Was dit antwoord nuttig?": thumbs up or down, and on down an optional comment.
  function feedbackRow(messageId) {
    const row = el("div", "fb");
    row.appendChild(el("span", "fb__label", "Was dit antwoord nuttig?"));
    const note = el("span", "fb__status");
    note.setAttribute("role", "status");
    async function rate(rating, comment) {
      try {
        await call("POST", "/conversations/" + encodeURIComponent(conversation.id) + "/feedback",
          { message_id: messageId, rating: rating, comment: comment || "" });
        note.textContent = "Dank je wel voor je reactie.";
      } catch (error) { note.textContent = error.message; }
    }
    const up = el("button", "fb__button", "👍");
    up.type = "button"; up.setAttribute("aria-label", "Ja, dit antwoord was nuttig");
    const down = el("button", "fb__button", "👎");
    down.type = "button"; down.setAttribute("aria-label", "Nee, dit antwoord was niet nuttig");
    up.addEventListener("click", function () { rate("up"); });
    down.addEventListener("click", function () {
      rate("down");
      if (row.querySelector("form")) return;
      const form = el("form", "fb__form");
      const id = "fb-" + messageId;
      const label = el("label", "", "Wat kan beter? (niet verplicht, geen persoonlijke gegevens)");
      label.htmlFor = id;
      const text = el("textarea");
      text.id = id; text.rows = 2; text.maxLength = 1000;
      const send = el("button", "", "Verstuur");
      send.type = "submit";
      form.appendChild(label); form.appendChild(text); form.appendChild(send);
      form.addEventListener("submit", function (event) { event.preventDefault(); rate("down", text.value.trim()); form.remove(); });
      row.appendChild(form);
      text.focus();
    });
    row.appendChild(up); row.appendChild(down); row.appendChild(note);
    return row;
  }

  function field(form, name, label, type, required) {
    const id = "cb-" + name + "-" + Math.random().toString(36).slice(2, 8);
    const wrap = el("div", "cb__field");
    const lab = el("label", "", label + (required ? "" : " (niet verplicht)"));
    lab.htmlFor = id;
    const input = type === "textarea" ? el("textarea") : el("input");
    if (type !== "textarea") input.type = type;
    input.id = id; input.name = name; input.required = !!required;
    if (type === "checkbox") { wrap.className = "cb__check"; wrap.appendChild(input); wrap.appendChild(lab); }
    else { wrap.appendChild(lab); wrap.appendChild(input); }
    form.appendChild(wrap);
    return input;
  }

  // Outside office hours: name, phone or e-mail, the question, and consent. Sent only to the municipality.
  function callbackForm() {
    const form = el("form", "cb");
    form.noValidate = true;
    form.appendChild(el("p", "cb__title", "Terugbelverzoek"));
    const name = field(form, "name", "Je naam", "text", true);
    const phone = field(form, "phone", "Telefoonnummer", "tel", false);
    const email = field(form, "email", "E-mailadres", "email", false);
    const question = field(form, "question", "Je vraag in het kort", "textarea", true);
    const consent = field(form, "consent", "Ik geef toestemming dat de gemeente mij hierover belt of mailt.", "checkbox", true);
    const submit = el("button", "", "Verstuur verzoek");
    submit.type = "submit";
    form.appendChild(submit);
    const note = el("p", "cb__status");
    note.setAttribute("role", "status");
    form.appendChild(note);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      note.textContent = "";
      try {
        const reply = await call("POST", "/conversations/" + encodeURIComponent(conversation.id) + "/callback", {
          name: name.value.trim(), phone: phone.value.trim() || null, email: email.value.trim() || null,
          question: question.value.trim(), consent: consent.checked,
        });
        form.replaceWith(el("p", "cb__done", "Je verzoek is verstuurd."));
        reply.messages.forEach(render);
      } catch (error) { note.textContent = error.message; }
    });
    return form;
  }

  function showState(state) {
    if (state.state === "waiting" && state.queue_position) {
      const minutes = Math.max(1, Math.ceil((state.expected_wait_seconds || 0) / 60));
      status.textContent = "Je wacht op een medewerker. Je bent nummer " + state.queue_position +
        " in de rij. Wachttijd: ongeveer " + minutes + (minutes === 1 ? " minuut." : " minuten.");
    } else if (state.state === "human") {
      status.textContent = "Een medewerker helpt je nu.";
    } else if (state.state === "closed") {
      status.textContent = "Dit gesprek is afgesloten.";
    } else if (status.textContent.indexOf("medewerker") >= 0 || status.textContent.indexOf("rij") >= 0) {
      status.textContent = "";
    }
  }

  function listen() {
    if (stream || !window.GemeenteSSE) return;
    stream = window.GemeenteSSE.open(
      API + "/conversations/" + encodeURIComponent(conversation.id) + "/stream",
      { Authorization: "Bearer " + conversation.token },
      function (name, data) { if (name === "message") render(data); else if (name === "state") showState(data); },
      null
    );
    stream.setLastId(lastSeq);
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
        showState(transcript);
        listen();
        return;
      } catch (e) { conversation = null; sessionStorage.removeItem(STORE); }
    }
    const created = await call("POST", "/conversations", {});
    conversation = { id: created.conversation_id, token: created.token };
    sessionStorage.setItem(STORE, JSON.stringify(conversation));
    created.messages.forEach(render);
    listen();
  }

  async function send(body, shownText) {
    status.textContent = "";
    render({ role: "citizen", text: shownText, buttons: [], explanation: null });
    echoes.push(shownText);
    setBusy(true);
    try {
      const reply = await call("POST", "/conversations/" + encodeURIComponent(conversation.id) + "/messages", body);
      reply.messages.forEach(render);
    } catch (error) {
      status.textContent = error.message;
      if (error.status !== 503) echoes.pop();  // refused, so never stored: the stream will not echo it back
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
