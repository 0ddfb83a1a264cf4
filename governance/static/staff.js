// Staff console. Every citizen, agent and bot text is inserted with textContent: never parsed as HTML.
"use strict";
(function () {
  const API = "/api/v1";
  const REASONS = {
    citizen_request: "Vroeg om een medewerker", crisis: "Crisis", repeated_fallback: "Bot begreep het niet",
    sensitive_topic: "Persoonlijke situatie", low_confidence: "Bot twijfelde", kill_switch: "Noodstop aan",
    bot_unavailable: "Bot was niet bereikbaar",
  };
  const STATES = { waiting: "Wacht", human: "In gesprek", closed: "Afgerond" };
  const WHO = { citizen: "Inwoner", assistant: "Digitale assistent", agent: "Medewerker", system: "Systeem" };
  const $ = function (id) { return document.getElementById(id); };

  const SIGN_IN = window.GemeenteSignIn;
  let me = null;
  let queueStream = null;
  let detailStream = null;
  let current = null;          // the escalation on screen
  let items = [];
  const known = new Set();     // escalation ids seen, for the "new" cue
  let firstQueue = true;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  async function call(method, path, body) {
    const response = await fetch(API + path, {
      method: method,
      headers: SIGN_IN.headers({ "Content-Type": "application/json" }),
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = await response.json().catch(function () { return {}; });
    if (!response.ok) { const error = new Error(data.detail || "Er ging iets mis."); error.status = response.status; throw error; }
    return data;
  }

  function minutesSince(iso) {
    const seconds = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);
    const minutes = Math.floor(seconds / 60);
    return minutes < 1 ? "minder dan een minuut" : minutes === 1 ? "1 minuut" : minutes + " minuten";
  }

  // --- sign-in -----------------------------------------------------------------------------------------
  // session: given when the browser signed in at the provider; otherwise the token is checked (and audited).
  async function signIn(session) {
    session = session || await call("POST", "/staff-sessions");
    me = session;
    $("who").textContent = session.account.name + " (" + session.account.role + ")";
    $("logout").hidden = false;
    $("login").hidden = true;
    $("console").hidden = false;
    showSwitch(session.kill_switch);
    $("admin").hidden = session.permissions.indexOf("switch.write") < 0;
    if (session.permissions.indexOf("queue") >= 0) watchQueue();
    else $("stream-status").textContent = "Je rol heeft geen toegang tot de wachtrij.";
    loadGuide().catch(function (error) { $("guide-status").textContent = error.message; });
  }

  // --- staff guide (AI literacy): read, then confirm; a changed guide asks again ---------------------------
  let guideVersion = null;
  function showGuideText(markdown) {
    const box = $("guide-text");
    box.replaceChildren();
    let list = null;
    let paragraph = null;
    markdown.split("\n").forEach(function (line) {
      if (line.indexOf("- ") === 0) {
        paragraph = null;
        if (!list) { list = el("ul"); box.appendChild(list); }
        list.appendChild(el("li", "", line.slice(2)));
        return;
      }
      if (line.indexOf("  ") === 0 && list && list.lastChild) { list.lastChild.textContent += " " + line.trim(); return; }
      list = null;
      if (line.indexOf("## ") === 0) { paragraph = null; box.appendChild(el("h4", "", line.slice(3))); }
      else if (line.indexOf("# ") === 0) { paragraph = null; box.appendChild(el("h3", "", line.slice(2))); }
      else if (!line.trim()) paragraph = null;
      else if (paragraph) paragraph.textContent += " " + line.trim();
      else { paragraph = el("p", "", line.trim()); box.appendChild(paragraph); }
    });
  }
  function showGuideState(guide) {
    guideVersion = guide.version;
    $("guide").hidden = false;
    $("guide-ack").hidden = guide.read;
    $("guide-summary").textContent = guide.read
      ? "Handleiding voor medewerkers (gelezen op " + new Date(guide.acknowledged_at).toLocaleDateString("nl-NL") + ")"
      : "Handleiding voor medewerkers: lees en bevestig dit eerst";
    if (!guide.read) $("guide").open = true;
  }
  async function loadGuide() {
    const guide = await call("GET", "/staff/guide");
    showGuideText(guide.text);
    showGuideState(guide);
  }
  $("guide-ack").addEventListener("click", async function () {
    try {
      showGuideState(await call("POST", "/staff/guide/acknowledgement", { version: guideVersion }));
      $("guide-status").textContent = "Bedankt. Dit is vastgelegd.";
    } catch (error) {
      $("guide-status").textContent = error.message;
      loadGuide().catch(function () {});
    }
  });

  $("login-form").addEventListener("submit", async function (event) {
    event.preventDefault();
    SIGN_IN.useToken($("token").value.trim());
    $("login-status").textContent = "";
    try {
      await signIn();
      SIGN_IN.remember();
      $("token").value = "";
    } catch (error) {
      $("login-status").textContent = error.status === 401 ? "Dit token klopt niet of is ingetrokken." : error.message;
      SIGN_IN.forget();
    }
  });

  $("logout").addEventListener("click", function () { SIGN_IN.signOut(); });

  // --- queue -------------------------------------------------------------------------------------------
  function watchQueue() {
    queueStream = window.GemeenteSSE.open(API + "/escalations/stream", SIGN_IN.headers(),
      function (name, data) { if (name === "queue") showQueue(data.items); },
      function (state) {
        $("stream-status").textContent = state === "open" ? "Live verbonden." : state === "denied" ? "Geen toegang." : "Verbinding kwijt, opnieuw verbinden…";
      });
  }

  function cue() {
    document.title = "(" + items.filter(function (i) { return i.state === "waiting"; }).length + ") Medewerkersconsole";
    try {
      const audio = new (window.AudioContext || window.webkitAudioContext)();
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      gain.gain.value = 0.05;
      tone.frequency.value = 880;
      tone.connect(gain); gain.connect(audio.destination);
      tone.start(); tone.stop(audio.currentTime + 0.15);
    } catch (e) { /* no sound available: the visual cue remains */ }
  }

  function showQueue(list) {
    items = list;
    let fresh = false;
    const ul = $("queue");
    ul.replaceChildren();
    list.forEach(function (item) {
      const isNew = !known.has(item.id);
      known.add(item.id);
      if (isNew && !firstQueue && item.state === "waiting") fresh = true;
      const li = el("li", "queue__item" + (item.reason === "crisis" ? " queue__item--crisis" : "") + (isNew && !firstQueue ? " queue__item--new" : ""));
      const button = el("button");
      button.type = "button";
      button.dataset.id = item.id;
      button.dataset.since = item.waiting_since;
      if (current && current.id === item.id) button.setAttribute("aria-current", "true");
      button.appendChild(el("span", "queue__line queue__reason", (REASONS[item.reason] || item.reason) + (item.kind === "callback" ? " · terugbelverzoek" : "")));
      button.appendChild(el("span", "queue__line", STATES[item.state] + (item.assignee ? " · " + item.assignee.name : "")));
      button.appendChild(el("span", "queue__line queue__wait", "Wacht " + minutesSince(item.waiting_since)));
      button.addEventListener("click", function () { open(item.id); });
      li.appendChild(button);
      ul.appendChild(li);
    });
    $("queue-count").textContent = String(list.length);
    if (fresh) cue();
    firstQueue = false;
    if (current && !list.some(function (i) { return i.id === current.id; })) refreshDetail();
  }

  setInterval(function () {
    document.querySelectorAll(".queue__item button").forEach(function (b) {
      const item = items.find(function (i) { return i.id === b.dataset.id; });
      if (item && item.state === "waiting") b.querySelector(".queue__wait").textContent = "Wacht " + minutesSince(item.waiting_since);
    });
  }, 15000);

  // --- one conversation --------------------------------------------------------------------------------
  async function open(id) {
    $("detail-status").textContent = "";
    try {
      current = await call("GET", "/escalations/" + encodeURIComponent(id));
    } catch (error) { $("detail-status").textContent = error.message; return; }
    renderDetail();
    document.querySelectorAll(".queue__item button").forEach(function (b) { b.setAttribute("aria-current", String(b.dataset.id === id)); });
    $("detail-title").focus();
    if (detailStream) detailStream.close();
    if (current.conversation_id) {
      detailStream = window.GemeenteSSE.open(API + "/escalations/" + encodeURIComponent(id) + "/stream", SIGN_IN.headers(),
        function (name) { if (name === "message" || name === "state") refreshDetailSoon(); }, null);
      detailStream.setLastId(lastSeq());
    }
  }

  function lastSeq() { return current.messages.length ? current.messages[current.messages.length - 1].seq : 0; }

  let refreshTimer = null;
  function refreshDetailSoon() { clearTimeout(refreshTimer); refreshTimer = setTimeout(refreshDetail, 150); }
  async function refreshDetail() {
    if (!current) return;
    try { current = await call("GET", "/escalations/" + encodeURIComponent(current.id)); renderDetail(); } catch (e) { /* keep what is shown */ }
  }

  function explanationOf(message) {
    const x = message.explanation;
    if (!x) return null;
    const box = el("div", "why" + (x.escalate ? " why--escalate" : ""));
    const confidence = x.confidence === null || x.confidence === undefined ? "–" : Math.round(x.confidence * 100) + "%";
    box.appendChild(el("div", "", "Onderwerp: " + x.topic + " · zekerheid " + confidence + " · actie " + x.action));
    // Issue 14: whether the topic came from the conversation, and which sub-answer the bot gave.
    if (x.topic_from_context) box.appendChild(el("div", "why__context", "Onderwerp uit het gesprek: de burger noemde geen nieuw onderwerp"));
    if (x.answer_id || x.aspect) box.appendChild(el("div", "", "Antwoord: " + (x.answer_id || "–") + (x.aspect ? " · vraag over: " + x.aspect : "")));
    if (x.detail_missing) box.appendChild(el("div", "why__missing", "Dit detail staat niet in de kennisbank: de burger kreeg de pagina en het telefoonnummer"));
    if (x.escalate) box.appendChild(el("div", "", "Waarom naar een medewerker: " + (REASONS[x.escalation_reason] || x.escalation_reason)));
    (x.sources || []).forEach(function (s) { box.appendChild(el("div", "", "Bron: " + s.title + " (" + s.url + ")")); });
    box.appendChild(el("div", "", x.summary_nl));
    return box;
  }

  function renderDetail() {
    const x = current;
    $("detail-empty").hidden = true;
    $("detail").hidden = false;
    const meta = $("detail-meta");
    meta.replaceChildren();
    [["Status", STATES[x.state]], ["Reden", REASONS[x.reason] || x.reason], ["Onderwerp", x.topic || "–"],
     ["Wacht sinds", new Date(x.waiting_since).toLocaleString("nl-NL")], ["Medewerker", x.assignee ? x.assignee.name : "–"]]
      .forEach(function (pair) { meta.appendChild(el("dt", "", pair[0])); meta.appendChild(el("dd", "", pair[1])); });
    const mine = x.assignee && me && x.assignee.id === me.account.id;
    $("claim").disabled = x.state !== "waiting";
    $("transfer").disabled = !mine || x.state !== "human";
    $("reply-form").hidden = !(mine && x.state === "human" && x.kind === "chat");
    $("resolve-form").hidden = !(mine && x.state === "human");
    const cb = $("callback");
    cb.hidden = !x.callback;
    cb.replaceChildren();
    if (x.callback) {
      [["Naam", x.callback.name], ["Telefoon", x.callback.phone || "–"], ["E-mail", x.callback.email || "–"], ["Vraag", x.callback.question]]
        .forEach(function (pair) { cb.appendChild(el("p", "", pair[0] + ": " + pair[1])); });
    }
    const list = $("transcript");
    list.replaceChildren();
    x.messages.forEach(function (m) {
      const li = el("li", "role-" + m.role);
      li.appendChild(el("span", "who", (m.author ? m.author.name : WHO[m.role]) + " · " + new Date(m.created_at).toLocaleTimeString("nl-NL")));
      li.appendChild(el("span", "", m.text));
      const why = explanationOf(m);
      if (why) li.appendChild(why);
      list.appendChild(li);
    });
    list.scrollTop = list.scrollHeight;
    const notes = $("notes");
    notes.replaceChildren();
    x.notes.forEach(function (n) { notes.appendChild(el("li", "", n.author.name + ": " + n.text)); });
  }

  async function act(path, body, after) {
    $("detail-status").textContent = "";
    try { await call("POST", "/escalations/" + encodeURIComponent(current.id) + path, body); if (after) after(); await refreshDetail(); }
    catch (error) { $("detail-status").textContent = error.message; await refreshDetail(); }
  }

  $("claim").addEventListener("click", function () { act("/claim", null, function () { setTimeout(function () { $("reply").focus(); }, 200); }); });
  $("transfer").addEventListener("click", function () { act("/transfer"); });
  $("reply-form").addEventListener("submit", function (event) {
    event.preventDefault();
    const text = $("reply").value.trim();
    if (!text) return;
    act("/messages", { text: text }, function () { $("reply").value = ""; });
  });
  $("note-form").addEventListener("submit", function (event) {
    event.preventDefault();
    const text = $("note").value.trim();
    if (!text) return;
    act("/notes", { text: text }, function () { $("note").value = ""; });
  });
  $("resolve-form").addEventListener("submit", function (event) {
    event.preventDefault();
    act("/resolve", { outcome: $("outcome").value, return_to_bot: $("return-to-bot").checked });
  });
  $("reply").addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); $("reply-form").requestSubmit(); }
  });

  // --- kill switch -------------------------------------------------------------------------------------
  function showSwitch(state) {
    const banner = $("killswitch-banner");
    banner.hidden = !state.enabled;
    banner.textContent = state.enabled ? "Noodstop staat aan: de digitale assistent beantwoordt niets zelf. Reden: " + state.reason : "";
    $("switch-state").textContent = state.enabled ? "De assistent staat uit." : "De assistent staat aan.";
    $("switch-button").textContent = state.enabled ? "Zet de assistent weer aan" : "Zet de assistent uit";
    $("switch-button").dataset.enable = String(!state.enabled);
  }

  $("switch-form").addEventListener("submit", async function (event) {
    event.preventDefault();
    const reason = $("switch-reason").value.trim();
    $("switch-status").textContent = "";
    if (reason.length < 3) { $("switch-status").textContent = "Geef een reden op."; $("switch-reason").focus(); return; }
    try {
      const state = await fetch(API + "/admin/kill-switch", {
        method: "PUT",
        headers: SIGN_IN.headers({ "Content-Type": "application/json" }),
        body: JSON.stringify({ enabled: $("switch-button").dataset.enable === "true", reason: reason }),
      }).then(function (r) { return r.json().then(function (d) { if (!r.ok) throw new Error(d.detail); return d; }); });
      showSwitch(state);
      $("switch-reason").value = "";
    } catch (error) { $("switch-status").textContent = error.message || "Er ging iets mis."; }
  });

  setInterval(async function () {
    if (!me) return;
    try { showSwitch(await call("GET", "/admin/kill-switch")); } catch (e) { /* shown at the next success */ }
  }, 20000);

  SIGN_IN.prepare("/staff")
    .then(function (signedIn) { if (signedIn) return signIn(signedIn === "token" ? undefined : signedIn); })
    .catch(function () { SIGN_IN.forget(); });
})();
