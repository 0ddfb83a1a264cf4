// Citizen chat widget. Embed on any page with one tag:
//   <script src="https://<service>/static/widget.js" defer></script>
// Optional: data-api (API base, default <service>/api/v1), data-open="true" (open at first visit).
// It loads its own styles (NL Design System tokens and components, built at install) and its texts from
// the server (data/texts.yml). Every text from the server is inserted with textContent, never as HTML.
"use strict";
(function () {
  const script = document.currentScript;
  const BASE = new URL(script.src, window.location.href).origin;
  const API = script.dataset.api || BASE + "/api/v1";
  const STORE = "gemeente-assistent.conversation";
  const OPEN_STORE = "gemeente-assistent.open";
  const LANG_STORE = "gemeente-assistent.language";
  const LANGUAGES = ["nl", "en"];       // the languages the assistant answers in (issue 16)
  const pageLanguage = (document.documentElement.lang || "nl").slice(0, 2).toLowerCase();
  let language = sessionStorage.getItem(LANG_STORE) || (pageLanguage === "en" ? "en" : "nl");

  let T = {};                     // texts from /widget/texts
  let conversation = null;        // {id, token}
  let stream = null;
  let lastSeq = 0;
  const shown = new Set();        // message ids on screen (the reply and the stream both deliver them)
  const echoes = [];              // the citizen's own words, shown at once, waiting for their id

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function button(text, kind, className) {
    const b = el("button", "utrecht-button utrecht-button--" + (kind || "secondary-action") + (className ? " " + className : ""), text);
    b.type = "button";
    return b;
  }
  function fill(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (_, key) { return values[key] !== undefined ? values[key] : ""; });
  }
  function safeUrl(url) {
    try {
      const parsed = new URL(url, window.location.href);
      return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
    } catch (e) { return null; }
  }
  function addStyle(href) {
    const link = document.createElement("link");
    link.rel = "stylesheet"; link.href = href;
    document.head.appendChild(link);
  }
  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      if (window.GemeenteSSE) { resolve(); return; }
      const s = document.createElement("script");
      s.src = src; s.onload = resolve; s.onerror = reject;
      document.head.appendChild(s);
    });
  }

  // --- the frame: a launcher button and a non-modal dialog --------------------------------------------
  addStyle(BASE + "/static/vendor/nlds.css");
  addStyle(BASE + "/static/widget.css");
  const root = el("div", "ga-theme ga-widget");
  const launcher = button("", "primary-action", "ga-launcher");
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "ga-panel");
  const panel = el("section", "ga-panel");
  panel.id = "ga-panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-labelledby", "ga-title");
  panel.hidden = true;
  const header = el("div", "ga-panel__header");
  const title = el("h2", "utrecht-heading-2 ga-title");
  title.id = "ga-title";
  const close = button("×", "subtle", "ga-close");
  // The language choice: a button that names the other language in that language ("English").
  const languageButton = button("", "subtle", "ga-language");
  const notice = el("p", "utrecht-paragraph ga-notice");
  const noticeText = el("span");
  const howLink = el("a", "utrecht-link ga-how");
  howLink.href = BASE + "/hoe-werkt-het";
  notice.appendChild(noticeText); notice.appendChild(document.createTextNode(" ")); notice.appendChild(howLink);
  header.appendChild(title); header.appendChild(languageButton); header.appendChild(close);
  const log = el("div", "ga-log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-relevant", "additions");
  log.tabIndex = 0;
  const typing = el("p", "ga-typing");
  typing.setAttribute("aria-hidden", "true");
  typing.hidden = true;
  const status = el("p", "utrecht-paragraph ga-status");
  status.setAttribute("role", "status");
  const form = el("form", "ga-composer");
  form.noValidate = true;
  const label = el("label", "utrecht-form-label ga-label");
  label.htmlFor = "ga-question";
  const hint = el("p", "utrecht-paragraph ga-hint");
  hint.id = "ga-question-hint";
  const row = el("div", "ga-row");
  const input = el("textarea", "utrecht-textarea ga-input");
  input.id = "ga-question"; input.rows = 2; input.maxLength = 2000; input.autocomplete = "off";
  input.setAttribute("aria-describedby", "ga-question-hint");
  const send = el("button", "utrecht-button utrecht-button--primary-action ga-send");
  send.type = "submit";
  row.appendChild(input); row.appendChild(send);
  form.appendChild(label); form.appendChild(hint); form.appendChild(row);
  const actions = el("div", "ga-actions");
  const askHuman = button("", "secondary-action");
  const download = button("", "secondary-action");
  const erase = button("", "secondary-action");
  actions.appendChild(askHuman); actions.appendChild(download); actions.appendChild(erase);
  const confirmBox = el("div", "ga-confirm");
  confirmBox.setAttribute("role", "group");
  confirmBox.hidden = true;
  const confirmText = el("p", "utrecht-paragraph");
  confirmText.id = "ga-confirm-text";
  confirmBox.setAttribute("aria-labelledby", "ga-confirm-text");
  const eraseYes = button("", "primary-action");
  const eraseNo = button("", "secondary-action");
  confirmBox.appendChild(confirmText); confirmBox.appendChild(eraseYes); confirmBox.appendChild(eraseNo);
  [header, notice, log, typing, status, form, actions, confirmBox].forEach(function (n) { panel.appendChild(n); });
  root.appendChild(panel); root.appendChild(launcher);
  (document.body || document.documentElement).appendChild(root);

  function applyTexts() {
    root.lang = language;
    languageButton.textContent = T.language_switch;
    languageButton.lang = T.language_switch_lang;
    languageButton.setAttribute("aria-label", T.language_label + ": " + T.language_switch);
    launcher.textContent = T.launcher;
    title.textContent = T.title;
    close.setAttribute("aria-label", T.close);
    noticeText.textContent = T.notice;
    howLink.textContent = T.how_it_works;
    howLink.href = BASE + "/hoe-werkt-het" + (language === "en" ? "?lang=en" : "");
    log.setAttribute("aria-label", T.log_label);
    typing.textContent = T.typing;
    label.textContent = T.question_label;
    hint.textContent = T.question_hint;
    send.textContent = T.send;
    askHuman.textContent = T.ask_human;
    download.textContent = T.download;
    erase.textContent = T.erase;
    confirmText.textContent = T.erase_confirm;
    eraseYes.textContent = T.erase_yes;
    eraseNo.textContent = T.erase_no;
  }

  // --- messages ---------------------------------------------------------------------------------------
  function who(role) { return T["who_" + role] || ""; }

  const RTL_LANGUAGES = ["ar", "fa", "he", "ur"];

  function render(message) {
    if (message.id) {
      if (shown.has(message.id)) return;
      shown.add(message.id);
      if (message.seq > lastSeq) lastSeq = message.seq;
      if (message.role === "citizen" && echoes.length) { echoes.shift(); return; }
    }
    const item = el("div", "ga-msg ga-msg--" + message.role);
    item.appendChild(el("span", "ga-msg__who", who(message.role)));
    const text = el("p", "utrecht-paragraph ga-msg__text", message.text);
    const x = message.explanation;
    // An answer in another language (a fixed notice in Arabic, Turkish, …) carries that language, so screen
    // readers pronounce it right and right-to-left script runs right to left; the citizen's own words too.
    if (x && x.language && x.language !== language) {
      text.lang = x.language;
      text.dir = RTL_LANGUAGES.indexOf(x.language) >= 0 ? "rtl" : "ltr";
    } else if (message.role === "citizen") {
      text.dir = "auto";
    }
    // the conversation moved to the other language the assistant speaks: the widget follows
    if (x && x.language && x.language !== language && LANGUAGES.indexOf(x.language) >= 0) {
      text.removeAttribute("lang");
      switchLanguage(x.language);
    }
    item.appendChild(text);
    if (x && x.sources && x.sources.length) {
      const list = el("ul", "ga-msg__sources");
      x.sources.forEach(function (source) {
        const href = safeUrl(source.url);
        if (!href) return;
        const li = el("li");
        const link = el("a", "utrecht-link", T.source + " " + source.title);
        link.href = href; link.target = "_blank"; link.rel = "noopener noreferrer";
        li.appendChild(link); list.appendChild(li);
      });
      item.appendChild(list);
    }
    if (x) {
      const details = el("details", "ga-why");
      details.appendChild(el("summary", "ga-why__label", T.why));
      details.appendChild(el("p", "utrecht-paragraph", x.summary_nl));
      item.appendChild(details);
      if (message.id) item.appendChild(feedbackRow(message.id));
    }
    if (message.buttons && message.buttons.length) {
      const buttons = el("div", "ga-msg__buttons");
      message.buttons.forEach(function (b) {
        const option = button(b.title, "secondary-action", "ga-option");
        option.addEventListener("click", function () { sendMessage({ payload: b.payload }, b.title); });
        buttons.appendChild(option);
      });
      item.appendChild(buttons);
    }
    if (message.form === "callback") item.appendChild(callbackForm());
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  function feedbackRow(messageId) {
    const rowEl = el("div", "ga-fb");
    rowEl.appendChild(el("span", "ga-fb__label", T.feedback_question));
    const note = el("span", "ga-fb__status");
    note.setAttribute("role", "status");
    async function rate(rating, comment) {
      try {
        await call("POST", "/conversations/" + encodeURIComponent(conversation.id) + "/feedback",
          { message_id: messageId, rating: rating, comment: comment || "" });
        note.textContent = T.feedback_thanks;
      } catch (error) { note.textContent = error.message; }
    }
    const up = button(T.feedback_yes, "secondary-action", "ga-fb__button");
    up.setAttribute("aria-label", T.feedback_up);
    const down = button(T.feedback_no, "secondary-action", "ga-fb__button");
    down.setAttribute("aria-label", T.feedback_down);
    up.addEventListener("click", function () { rate("up"); });
    down.addEventListener("click", function () {
      rate("down");
      if (rowEl.querySelector("form")) return;
      const f = el("form", "ga-fb__form");
      const id = "ga-fb-" + messageId;
      const lab = el("label", "utrecht-form-label", T.feedback_comment);
      lab.htmlFor = id;
      const text = el("textarea", "utrecht-textarea");
      text.id = id; text.rows = 2; text.maxLength = 1000;
      const submit = el("button", "utrecht-button utrecht-button--secondary-action", T.send);
      submit.type = "submit";
      f.appendChild(lab); f.appendChild(text); f.appendChild(submit);
      f.addEventListener("submit", function (event) { event.preventDefault(); rate("down", text.value.trim()); f.remove(); down.focus(); });
      rowEl.appendChild(f);
      text.focus();
    });
    rowEl.appendChild(up); rowEl.appendChild(down); rowEl.appendChild(note);
    return rowEl;
  }

  function field(f, name, text, type, required) {
    const id = "ga-cb-" + name + "-" + Math.random().toString(36).slice(2, 8);
    const wrap = el("div", "ga-cb__field");
    const lab = el("label", "utrecht-form-label", text + (required ? "" : " " + T.optional));
    lab.htmlFor = id;
    const control = type === "textarea" ? el("textarea", "utrecht-textarea") : el("input", type === "checkbox" ? "utrecht-checkbox" : "utrecht-textbox");
    if (type !== "textarea") control.type = type;
    control.id = id; control.name = name; control.required = !!required;
    if (type === "tel") control.autocomplete = "tel";
    if (type === "email") control.autocomplete = "email";
    if (name === "name") control.autocomplete = "name";
    if (type === "checkbox") { wrap.className = "ga-cb__check"; wrap.appendChild(control); wrap.appendChild(lab); }
    else { wrap.appendChild(lab); wrap.appendChild(control); }
    f.appendChild(wrap);
    return control;
  }

  // Outside office hours: name, phone or e-mail, the question and consent; sent only to the municipality.
  function callbackForm() {
    const f = el("form", "ga-cb");
    f.noValidate = true;
    f.appendChild(el("p", "utrecht-paragraph ga-cb__title", T.callback_title));
    const name = field(f, "name", T.callback_name, "text", true);
    const phone = field(f, "phone", T.callback_phone, "tel", false);
    const email = field(f, "email", T.callback_email, "email", false);
    const question = field(f, "question", T.callback_question, "textarea", true);
    const consent = field(f, "consent", T.callback_consent, "checkbox", true);
    const submit = el("button", "utrecht-button utrecht-button--primary-action", T.callback_send);
    submit.type = "submit";
    f.appendChild(submit);
    const note = el("p", "utrecht-paragraph ga-cb__status");
    note.setAttribute("role", "status");
    f.appendChild(note);
    f.addEventListener("submit", async function (event) {
      event.preventDefault();
      note.textContent = "";
      try {
        const reply = await call("POST", "/conversations/" + encodeURIComponent(conversation.id) + "/callback", {
          name: name.value.trim(), phone: phone.value.trim() || null, email: email.value.trim() || null,
          question: question.value.trim(), consent: consent.checked,
        });
        f.replaceWith(el("p", "utrecht-paragraph ga-cb__done", T.callback_sent));
        reply.messages.forEach(render);
      } catch (error) { note.textContent = error.message; }
    });
    return f;
  }

  // --- handover states and the live stream ---------------------------------------------------------------
  let handoverNote = false;
  let retries = 0;
  function showState(state) {
    if (state.state === "waiting" && state.queue_position) {
      const minutes = Math.max(1, Math.ceil((state.expected_wait_seconds || 0) / 60));
      status.textContent = fill(T.waiting, { position: state.queue_position, minutes: minutes });
      handoverNote = true;
    } else if (state.state === "human") {
      status.textContent = T.with_agent; handoverNote = true;
    } else if (state.state === "closed") {
      status.textContent = T.closed; handoverNote = true;
    } else if (state.state === "bot" && handoverNote) {
      status.textContent = ""; handoverNote = false;
    }
  }

  async function listen() {
    if (stream) return;
    try { await loadScript(BASE + "/static/sse.js"); } catch (e) { return; }
    if (stream || !conversation) return;
    stream = window.GemeenteSSE.open(
      API + "/conversations/" + encodeURIComponent(conversation.id) + "/stream",
      { Authorization: "Bearer " + conversation.token },
      function (name, data) { if (name === "message") render(data); else if (name === "state") showState(data); },
      function (state) {
        // one reconnect is routine (the server may end a long stream); a second one in a row is a real drop
        retries = state === "retrying" ? retries + 1 : 0;
        if (retries >= 2 || (state === "retrying" && navigator.onLine === false)) { status.textContent = T.offline; root.dataset.offline = "true"; }
        else if (state === "open" && root.dataset.offline) { delete root.dataset.offline; status.textContent = T.online; }
      }
    );
    stream.setLastId(lastSeq);
  }
  function stopListening() { if (stream) { stream.close(); stream = null; } }

  // --- talking to the service ----------------------------------------------------------------------------
  function newKey() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }
  let unsent = null;  // {text, key} of a question the network swallowed: sent again with the same key

  async function call(method, path, body, raw, extraHeaders) {
    const headers = Object.assign({}, extraHeaders || {});
    if (body) headers["Content-Type"] = "application/json";
    if (conversation) headers.Authorization = "Bearer " + conversation.token;
    let response;
    try {
      response = await fetch(API + path, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined });
    } catch (e) {
      const error = new Error(T.offline || "De verbinding is weg."); error.offline = true; throw error;
    }
    if (raw && response.ok) return response;
    if (response.status === 204) return {};
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
      } catch (error) {
        if (error.offline) throw error;  // keep the conversation: it resumes when the network is back
        conversation = null; sessionStorage.removeItem(STORE);
      }
    }
    const created = await call("POST", "/conversations", { locale: language });
    conversation = { id: created.conversation_id, token: created.token };
    sessionStorage.setItem(STORE, JSON.stringify(conversation));
    created.messages.forEach(render);
    listen();
  }

  async function sendMessage(body, shownText) {
    if (!conversation) { try { await start(); } catch (error) { status.textContent = error.message; return; } }
    handoverNote = false;
    status.textContent = "";
    render({ role: "citizen", text: shownText, buttons: [], explanation: null });
    echoes.push(shownText);
    setBusy(true);
    // the same key when the same question is sent again after a drop: the service never doubles it
    const key = unsent && body.text && unsent.text === body.text ? unsent.key : newKey();
    unsent = null;
    try {
      const reply = await call("POST", "/conversations/" + encodeURIComponent(conversation.id) + "/messages", body,
        false, { "Idempotency-Key": key });
      reply.messages.forEach(render);
      showState(reply);
    } catch (error) {
      status.textContent = error.message;
      if (error.status !== 503) echoes.pop();   // refused or never sent: the stream will not echo it
      if (error.offline && body.text) { input.value = body.text; unsent = { text: body.text, key: key }; }  // nothing typed is lost
      if (error.status === 409 && /afgesloten/.test(error.message)) { forget(); }
    } finally {
      setBusy(false);
    }
  }

  function setBusy(busy) {
    send.disabled = busy;
    typing.hidden = !busy;
    root.dataset.busy = busy ? "true" : "";
    if (busy) status.textContent = T.typing;
    else if (status.textContent === T.typing) status.textContent = "";
  }

  function forget() {
    stopListening();
    sessionStorage.removeItem(STORE);
    conversation = null; lastSeq = 0; shown.clear(); echoes.length = 0;
  }

  // --- open, close, keyboard --------------------------------------------------------------------------
  let started = false;
  function open() {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    launcher.hidden = true;
    sessionStorage.setItem(OPEN_STORE, "1");
    input.focus();
    if (!started) {
      started = true;
      start().catch(function (error) { started = false; status.textContent = error.offline ? T.offline : fill(T.unreachable, {}); });
    }
  }
  function shut() {
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    sessionStorage.removeItem(OPEN_STORE);
    launcher.focus();
  }

  launcher.addEventListener("click", open);
  close.addEventListener("click", shut);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      if (!confirmBox.hidden) { confirmBox.hidden = true; erase.focus(); } else { shut(); }
      event.preventDefault();
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) { status.textContent = T.empty; input.focus(); return; }
    input.value = "";
    sendMessage({ text: text }, text);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });
  askHuman.addEventListener("click", function () { sendMessage({ payload: "/medewerker" }, T.ask_human_text); });
  download.addEventListener("click", async function () {
    if (!conversation) return;
    try {
      const response = await call("GET", "/conversations/" + encodeURIComponent(conversation.id) + "/export?format=text", null, true);
      const blob = await response.blob();
      const link = el("a");
      link.href = URL.createObjectURL(blob);
      link.download = "gesprek-digitale-assistent.txt";
      document.body.appendChild(link); link.click(); link.remove();
    } catch (error) { status.textContent = error.message; }
  });
  erase.addEventListener("click", function () { confirmBox.hidden = false; eraseNo.focus(); });
  eraseNo.addEventListener("click", function () { confirmBox.hidden = true; erase.focus(); });
  eraseYes.addEventListener("click", async function () {
    if (!conversation) { confirmBox.hidden = true; return; }
    try {
      await call("DELETE", "/conversations/" + encodeURIComponent(conversation.id));
      forget();
      log.replaceChildren();
      confirmBox.hidden = true;
      status.textContent = T.erased;
      input.focus();
      await start();
    } catch (error) { status.textContent = error.message; }
  });
  window.addEventListener("online", function () {
    if (root.dataset.offline) { delete root.dataset.offline; status.textContent = T.online; }
    if (started && !conversation) start().catch(function () {});
  });

  // --- language -------------------------------------------------------------------------------------
  function loadTexts(lang) {
    return fetch(API + "/widget/texts?lang=" + encodeURIComponent(lang))
      .then(function (r) { if (!r.ok) throw new Error(); return r.json(); })
      .then(function (texts) {
        T = texts; language = lang; sessionStorage.setItem(LANG_STORE, lang);
        applyTexts();
        // labels already on screen (the "why" summaries) follow the new language
        log.querySelectorAll(".ga-why__label").forEach(function (s) { s.textContent = T.why; });
      });
  }
  function switchLanguage(lang) {
    if (lang === language || LANGUAGES.indexOf(lang) < 0) return Promise.resolve();
    language = lang;
    return loadTexts(lang).catch(function () {});
  }
  languageButton.addEventListener("click", async function () {
    const target = T.language_switch_lang;
    await switchLanguage(target);
    // Nothing asked yet: begin again in the chosen language, so the opening text is in it too.
    const typed = log.querySelector(".ga-msg--citizen");
    if (conversation && !typed) {
      forget(); log.replaceChildren();
      try { await start(); } catch (error) { status.textContent = error.message; }
    }
    languageButton.focus();
  });

  // --- go ---------------------------------------------------------------------------------------------
  loadTexts(language)
    .then(function () {
      root.dataset.ready = "true";
      if (sessionStorage.getItem(OPEN_STORE) || script.dataset.open === "true") open();
    })
    .catch(function () {
      launcher.textContent = "Chat niet beschikbaar";
      launcher.disabled = true;
    });
})();
