// Sign-in shared by the reviewer pages (/governance, /governance/readiness): the staff token is kept in
// sessionStorage, checked with POST /staff-sessions, and the page is shown only for the review permission.
"use strict";
(function () {
  const API = "/api/v1";
  const STORE = "gemeente-assistent.staff-token";
  const $ = function (id) { return document.getElementById(id); };
  let token = sessionStorage.getItem(STORE);

  async function call(path, options) {
    const init = Object.assign({ method: "GET" }, options || {});
    init.headers = Object.assign({ Authorization: "Bearer " + token }, init.headers || {});
    const response = await fetch(API + path, init);
    if (!response.ok) {
      const data = await response.json().catch(function () { return {}; });
      const error = new Error(data.detail || "Er ging iets mis."); error.status = response.status; throw error;
    }
    return response;
  }

  // start(denied, onReady): the login form, the saved token, and the board once signed in.
  function start(denied, onReady) {
    async function show() {
      const session = await (await call("/staff-sessions", { method: "POST" })).json();
      if (session.permissions.indexOf("review") < 0) throw new Error(denied);
      $("who").textContent = session.account.name + " (" + session.account.role + ")";
      $("login").hidden = true;
      $("board").hidden = false;
      await onReady();
    }
    $("login-form").addEventListener("submit", function (event) {
      event.preventDefault();
      token = $("token").value.trim();
      show().then(function () { sessionStorage.setItem(STORE, token); $("token").value = ""; })
        .catch(function (error) { $("login-status").textContent = error.message; });
    });
    if (token) show().catch(function () { sessionStorage.removeItem(STORE); token = null; });
  }

  async function download(path, name) {
    const blob = await (await call(path)).blob();
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    document.body.appendChild(link); link.click(); link.remove();
  }

  window.GemeenteReviewPage = { call: call, start: start, download: download };
})();
