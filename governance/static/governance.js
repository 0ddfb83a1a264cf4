// Governance dashboard: figures from /api/v1/statistics and the decision log. Text only, never HTML.
"use strict";
(function () {
  const page = window.GemeenteReviewPage;
  const $ = function (id) { return document.getElementById(id); };

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function pct(value) { return value === null || value === undefined ? "–" : Math.round(value * 100) + "%"; }

  async function call(path, asText) {
    const response = await page.call(path);
    return asText ? response.blob() : response.json();
  }

  function bars(container, rows) {  // rows: [label, value, shown]
    container.replaceChildren();
    const max = Math.max(1, ...rows.map(function (r) { return r[1] || 0; }));
    rows.forEach(function (r) {
      const row = el("div", "bar");
      row.appendChild(el("span", "", r[0]));
      const track = el("span", "bar__track");
      const fill = el("span", "bar__fill");
      fill.style.width = Math.round(100 * (r[1] || 0) / max) + "%";
      track.appendChild(fill);
      row.appendChild(track);
      row.appendChild(el("span", "", r[2]));
      container.appendChild(row);
    });
    if (!rows.length) container.appendChild(el("p", "hint", "Nog geen gegevens."));
  }

  async function loadStatistics() {
    const s = await call("/statistics?days=" + encodeURIComponent($("days").value));
    const totals = $("totals");
    totals.replaceChildren();
    [["Gesprekken", s.totals.conversations], ["Beurten", s.totals.turns], ["Naar een medewerker", s.totals.handovers],
     ["Zonder medewerker geholpen", pct(s.totals.containment)],
     ["Duim omhoog / omlaag", (s.feedback.up || 0) + " / " + (s.feedback.down || 0)]]
      .forEach(function (p) { totals.appendChild(el("dt", "", p[0])); totals.appendChild(el("dd", "", String(p[1]))); });
    bars($("days-chart"), s.days.filter(function (d) { return d.conversations || d.turns; }).map(function (d) {
      return [d.date, d.conversations, d.conversations + " gesprekken, " + pct(d.containment)];
    }));
    bars($("topics-chart"), s.topics.slice(0, 15).map(function (t) { return [t.topic, t.turns, String(t.turns)]; }));
    const reasons = Object.keys(s.handovers_by_reason).map(function (k) { return [k, s.handovers_by_reason[k], String(s.handovers_by_reason[k])]; });
    bars($("reasons-chart"), reasons);
    const languages = Object.keys(s.turns_by_language || {}).map(function (k) { return [k, s.turns_by_language[k], String(s.turns_by_language[k])]; });
    bars($("languages-chart"), languages);
    bars($("confidence-chart"), s.confidence_histogram.map(function (b) { return [pct(b.from) + "–" + pct(b.to), b.count, String(b.count)]; }));
    const body = $("worst").querySelector("tbody");
    body.replaceChildren();
    s.worst_topics.forEach(function (t) {
      const tr = el("tr");
      [t.topic, t.turns, pct(t.average_confidence), pct(t.fallback_share), pct(t.dislike_share)].forEach(function (v) { tr.appendChild(el("td", "", String(v))); });
      body.appendChild(tr);
    });
  }

  function filterQuery() {
    const params = new URLSearchParams({ limit: "200" });
    if ($("f-topic").value.trim()) params.set("topic", $("f-topic").value.trim());
    if ($("f-conversation").value.trim()) params.set("conversationId", $("f-conversation").value.trim());
    if ($("f-escalate").value) params.set("escalate", $("f-escalate").value);
    return params;
  }

  async function loadLog() {
    const data = await call("/decisions?" + filterQuery().toString());
    const body = $("log").querySelector("tbody");
    body.replaceChildren();
    data.items.forEach(function (d) {
      const tr = el("tr");
      [new Date(d.timestamp).toLocaleString("nl-NL"), d.topic, pct(d.confidence), d.action,
       d.escalate ? (d.escalation_reason || "ja") : "nee", d.input_text_redacted].forEach(function (v) { tr.appendChild(el("td", "", String(v))); });
      const cell = el("td");
      if (d.conversation_id) {
        const link = el("button", "secondary", "Toon gesprek");
        link.type = "button";
        link.addEventListener("click", function () { $("f-conversation").value = d.conversation_id; loadLog(); });
        cell.appendChild(link);
      } else { cell.textContent = "gewist"; }
      tr.appendChild(cell);
      body.appendChild(tr);
    });
  }

  async function refresh() {
    $("status").textContent = "Laden…";
    try { await loadStatistics(); await loadLog(); $("status").textContent = "Bijgewerkt om " + new Date().toLocaleTimeString("nl-NL") + "."; }
    catch (error) { $("status").textContent = error.message; }
  }

  page.start("Je rol mag het dashboard niet zien.", refresh);
  $("period").addEventListener("submit", function (event) { event.preventDefault(); refresh(); });
  $("filters").addEventListener("submit", function (event) { event.preventDefault(); loadLog().catch(function (e) { $("status").textContent = e.message; }); });
  $("csv").addEventListener("click", async function () {
    try {
      const params = filterQuery(); params.set("format", "csv"); params.set("limit", "10000");
      const blob = await call("/decisions?" + params.toString(), true);
      const link = el("a");
      link.href = URL.createObjectURL(blob);
      link.download = "beslissingen.csv";
      document.body.appendChild(link); link.click(); link.remove();
    } catch (error) { $("status").textContent = error.message; }
  });

})();
