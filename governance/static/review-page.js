// Shared by the reviewer pages (/governance, /governance/readiness): sign-in (sign-in.js: the provider's, or a
// token checked with POST /staff-sessions), and the page is shown only for the review permission.
"use strict";
(function () {
  const API = "/api/v1";
  const $ = function (id) { return document.getElementById(id); };
  const SIGN_IN = window.GemeenteSignIn;

  async function call(path, options) {
    const init = Object.assign({ method: "GET" }, options || {});
    init.headers = SIGN_IN.headers(init.headers);
    const response = await fetch(API + path, init);
    if (!response.ok) {
      const data = await response.json().catch(function () { return {}; });
      const error = new Error(data.detail || "Er ging iets mis."); error.status = response.status; throw error;
    }
    return response;
  }

  // start(denied, onReady): the login form, the saved token, and the board once signed in.
  function start(denied, onReady) {
    async function show(session) {
      session = session || await (await call("/staff-sessions", { method: "POST" })).json();
      if (session.permissions.indexOf("review") < 0) throw new Error(denied);
      $("who").textContent = session.account.name + " (" + session.account.role + ")";
      $("login").hidden = true;
      $("board").hidden = false;
      await onReady();
    }
    $("login-form").addEventListener("submit", function (event) {
      event.preventDefault();
      SIGN_IN.useToken($("token").value.trim());
      show().then(function () { SIGN_IN.remember(); $("token").value = ""; })
        .catch(function (error) { SIGN_IN.forget(); $("login-status").textContent = error.message; });
    });
    SIGN_IN.prepare(window.location.pathname)
      .then(function (signedIn) { if (signedIn) return show(signedIn === "token" ? undefined : signedIn); })
      .catch(function (error) { SIGN_IN.forget(); if (error && error.message) $("login-status").textContent = error.message; });
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
