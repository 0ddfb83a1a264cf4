// Staff sign-in shared by the staff console and the reviewer pages. Two ways in, as the service says at
// /auth/config: "oidc" (a person signs in at the municipality's provider; the session is an HttpOnly cookie
// and every change carries the session's CSRF token) or "token" (the local mode: a token from
// `python -m governance user add`, kept in sessionStorage for this tab only).
"use strict";
(function () {
  const STORE = "gemeente-assistent.staff-token";
  let token = sessionStorage.getItem(STORE);
  let csrf = null;

  function headers(extra) {
    const result = Object.assign({}, extra || {});
    if (token) result.Authorization = "Bearer " + token;
    else if (csrf) result["X-CSRF-Token"] = csrf;
    return result;
  }

  // prepare(next): shows the right sign-in; resolves "token" when a saved token should be tried, the
  // session when the browser is already signed in at the provider, or null.
  async function prepare(next) {
    let mode = "token";
    try { mode = (await (await fetch("/auth/config")).json()).mode; } catch (error) { /* local mode */ }
    if (mode === "oidc") {
      const link = document.getElementById("oidc-login");
      link.querySelector("a").href = "/auth/login?next=" + encodeURIComponent(next);
      link.hidden = false;
      document.getElementById("login-form").hidden = true;
      const hint = document.getElementById("token-hint");
      if (hint) hint.hidden = true;
      const response = await fetch("/api/v1/staff-sessions/current");
      if (!response.ok) return null;
      const session = await response.json();
      csrf = session.csrf_token;
      return session;
    }
    return token ? "token" : null;
  }

  function useToken(value) { token = value; }
  function remember() { if (token) sessionStorage.setItem(STORE, token); }
  function forget() { sessionStorage.removeItem(STORE); token = null; }

  async function signOut() {
    if (csrf && !token) {
      const response = await fetch("/auth/logout", { method: "POST", headers: headers() });
      const data = await response.json().catch(function () { return {}; });
      window.location.assign(data.redirect || window.location.pathname);
      return;
    }
    forget();
    window.location.reload();
  }

  window.GemeenteSignIn = { headers: headers, prepare: prepare, useToken: useToken, remember: remember, forget: forget, signOut: signOut };
})();
