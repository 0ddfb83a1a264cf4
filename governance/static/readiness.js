// Readiness check: /api/v1/readiness as a table. Text only, never HTML.
"use strict";
(function () {
  const API = "/api/v1";
  const STORE = "gemeente-assistent.staff-token";
  const LABELS = { green: "Groen: in orde", amber: "Oranje: aandacht nodig", red: "Rood: niet in orde" };
  const $ = function (id) { return document.getElementById(id); };
  let token = sessionStorage.getItem(STORE);

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  async function call(path, method) {
    const response = await fetch(API + path, { method: method || "GET", headers: { Authorization: "Bearer " + token } });
    if (!response.ok) {
      const data = await response.json().catch(function () { return {}; });
      throw new Error(data.detail || "Er ging iets mis.");
    }
    return response;
  }

  async function download(path, name) {
    const blob = await (await call(path)).blob();
    const link = el("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    document.body.appendChild(link); link.click(); link.remove();
  }

  async function load() {
    const data = await (await call("/readiness")).json();
    const s = data.summary;
    $("summary").textContent = s.green + " groen, " + s.amber + " oranje, " + s.red + " rood (gecontroleerd " +
      new Date(data.checked_at).toLocaleString("nl-NL") + ").";
    const list = $("checks");
    list.replaceChildren();
    data.checks.forEach(function (c) {
      const item = el("li", "check check--" + c.status);
      item.appendChild(el("h3", "check__title", c.title));
      item.appendChild(el("p", "status status--" + c.status, LABELS[c.status]));
      const facts = el("dl", "meta");
      [["Stap", c.step + ". " + c.step_title], ["Bewijs", c.evidence], ["Wat te doen", c.next_step || "–"],
       ["Vereiste (Algoritmekader)", c.requirement]].forEach(function (pair) {
        facts.appendChild(el("dt", "", pair[0]));
        facts.appendChild(el("dd", "", pair[1]));
      });
      item.appendChild(facts);
      list.appendChild(item);
    });
  }

  async function show() {
    const session = await (await call("/staff-sessions", "POST")).json();
    if (session.permissions.indexOf("review") < 0) throw new Error("Je rol mag de gereedheidscheck niet zien.");
    $("who").textContent = session.account.name + " (" + session.account.role + ")";
    $("login").hidden = true;
    $("board").hidden = false;
    await load();
  }

  $("login-form").addEventListener("submit", function (event) {
    event.preventDefault();
    token = $("token").value.trim();
    show().then(function () { sessionStorage.setItem(STORE, token); $("token").value = ""; })
      .catch(function (error) { $("login-status").textContent = error.message; });
  });
  [["dpia-link", "/register/dpia?format=html", "dpia-concept.html"], ["iama-link", "/register/iama?format=html", "iama-concept.html"],
   ["register-link", "/register/export", "algoritmeregister.json"]].forEach(function (item) {
    $(item[0]).addEventListener("click", function (event) {
      event.preventDefault();
      download(item[1], item[2]).catch(function (error) { $("summary").textContent = error.message; });
    });
  });

  if (token) show().catch(function () { sessionStorage.removeItem(STORE); token = null; });
})();
