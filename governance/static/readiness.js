// Readiness check: /api/v1/readiness as a table. Text only, never HTML.
"use strict";
(function () {
  const LABELS = { green: "Groen: in orde", amber: "Oranje: aandacht nodig", red: "Rood: niet in orde" };
  const page = window.GemeenteReviewPage;
  const $ = function (id) { return document.getElementById(id); };

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  async function load() {
    const data = await (await page.call("/readiness")).json();
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

  page.start("Je rol mag de gereedheidscheck niet zien.", load);
  [["dpia-link", "/register/dpia?format=html", "dpia-concept.html"], ["iama-link", "/register/iama?format=html", "iama-concept.html"],
   ["register-link", "/register/export", "algoritmeregister.json"]].forEach(function (item) {
    $(item[0]).addEventListener("click", function (event) {
      event.preventDefault();
      page.download(item[1], item[2]).catch(function (error) { $("summary").textContent = error.message; });
    });
  });

})();
