// Browser scenarios for the citizen widget in Debian's Chromium (playwright-core, no browser download),
// with axe-core on every state. Run by tests/browser/test_widget_browser.py, which starts the service:
//   node widget.mjs <scenario>   env: BASE_URL, AGENT_TOKEN, ARTEFACTS, CHROMIUM
// Prints one JSON line {scenario, axe: [{state, violations}], checks: [...]}; exits 1 with a message on a failed check.
import { readFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const BASE = process.env.BASE_URL;
const ARTEFACTS = process.env.ARTEFACTS;
const AGENT = { Authorization: `Bearer ${process.env.AGENT_TOKEN}`, "Content-Type": "application/json" };
const scenario = process.argv[2];
const result = { scenario, axe: [], checks: [], screenshots: [] };

function check(condition, message) {
  if (!condition) throw new Error(`${scenario}: ${message}`);
  result.checks.push(message);
}

async function axe(page, state) {
  // evaluated through the DevTools protocol: the page's CSP (no inline script) rightly blocks a script tag
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(AXE);
  const outcome = await page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) }));
  });
  result.axe.push({ state, violations: outcome });
}

async function shot(page, state) {
  mkdirSync(ARTEFACTS, { recursive: true });
  const width = page.viewportSize().width;
  const path = `${ARTEFACTS}/${scenario}-${state}-${width}.png`;
  await page.screenshot({ path, fullPage: false });
  result.screenshots.push(path);
}

async function bothWidths(page, state) {
  await axe(page, `${state}@${page.viewportSize().width}`);
  await shot(page, state);
  const original = page.viewportSize();
  await page.setViewportSize({ width: 320, height: 640 });
  await page.waitForTimeout(100);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `${state}: no horizontal scrolling at 320 px (overflow ${overflow})`);
  await axe(page, `${state}@320`);
  await shot(page, state);
  await page.setViewportSize(original);
}

const log = (page) => page.locator(".ga-log");
const messages = (page, role) => page.locator(`.ga-log .ga-msg--${role}`);

async function openByKeyboard(page) {
  for (let i = 0; i < 15; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate(() => document.activeElement && document.activeElement.classList.contains("ga-launcher"))) break;
  }
  check(await page.evaluate(() => document.activeElement.classList.contains("ga-launcher")), "the launcher is reachable with Tab");
  await page.keyboard.press("Enter");
  await page.locator(".ga-panel").waitFor({ state: "visible" });
  check(await page.evaluate(() => document.activeElement.id === "ga-question"), "opening moves focus to the question field");
  await messages(page, "assistant").first().waitFor();
}

async function ask(page, text) {
  const before = await messages(page, "assistant").count();
  await page.keyboard.type(text);
  await page.keyboard.press("Enter");
  await page.waitForFunction((n) => document.querySelectorAll(".ga-log .ga-msg--assistant").length > n, before);
}

async function api(method, path, body) {
  const response = await fetch(`${BASE}/api/v1${path}`, { method, headers: AGENT, body: body ? JSON.stringify(body) : undefined });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(data)}`);
  return data;
}

async function signedIn(page, path, token, ready) {
  await page.goto(BASE + "/hoe-werkt-het");  // a page that reads no token, so nothing races the one set here
  await page.evaluate((t) => { sessionStorage.clear(); sessionStorage.setItem("gemeente-assistent.staff-token", t); }, token);
  await page.goto(BASE + path);
  await page.locator(ready).waitFor();
}

const scenarios = {
  // The staff console, the governance pages and the citizen information page use the same components.
  async pages(page) {
    await page.goto(BASE + "/hoe-werkt-het");
    await bothWidths(page, "how-it-works");
    await page.goto(BASE + "/staff");
    await axe(page, "staff-login");
    await signedIn(page, "/staff", process.env.AGENT_TOKEN, "#console:not([hidden])");
    await page.locator("#guide-text h3").waitFor();
    await bothWidths(page, "staff-console");
    await signedIn(page, "/governance", process.env.REVIEWER_TOKEN, "#board:not([hidden])");
    await bothWidths(page, "governance");
    await signedIn(page, "/governance/readiness", process.env.REVIEWER_TOKEN, "#checks li >> nth=0");
    await bothWidths(page, "readiness");
  },

  async keyboard(page) {
    await page.goto(BASE + "/");
    await page.locator(".ga-widget[data-ready=true]").waitFor({ state: "attached" });
    await bothWidths(page, "closed");
    await openByKeyboard(page);
    const welcome = await messages(page, "assistant").first().innerText();
    check(/computerprogramma/.test(welcome), "the first message says it is a computer program");
    check((await log(page).getAttribute("role")) === "log" && (await log(page).getAttribute("aria-live")) === "polite", "messages are in a polite live log");
    await ask(page, "wat kost een paspoort");
    check(/paspoort/i.test(await messages(page, "assistant").last().innerText()), "the answer appears");
    // keyboard to "Waarom dit antwoord?" and open it
    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press("Shift+Tab");
      reached = await page.evaluate(() => document.activeElement && document.activeElement.tagName === "SUMMARY"
        && document.activeElement.closest(".ga-msg") === [...document.querySelectorAll(".ga-log .ga-msg--assistant")].pop());
    }
    check(reached, "'Waarom dit antwoord?' is reachable by keyboard");
    await page.keyboard.press("Enter");
    check(await page.evaluate(() => document.activeElement.parentElement.open), "Enter opens the explanation");
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    check(outline !== "none", "the focused control has a visible outline");
    await bothWidths(page, "answer-explained");
    // thumbs up by keyboard
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    const label = await page.evaluate(() => document.activeElement.getAttribute("aria-label"));
    check(/hielp/.test(label || ""), "the feedback buttons have a spoken label");
    await page.keyboard.press("Enter");
    await page.locator(".ga-fb__status", { hasText: "Dank je wel" }).first().waitFor();
    await page.keyboard.press("Escape");
    await page.locator(".ga-panel").waitFor({ state: "hidden" });
    check(await page.evaluate(() => document.activeElement.classList.contains("ga-launcher")), "Escape closes and focus returns to the launcher");
  },

  async reload(page) {
    await page.goto(BASE + "/");
    await page.locator(".ga-launcher").click();
    await messages(page, "assistant").first().waitFor();
    await page.locator("#ga-question").fill("wat kost een paspoort");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.querySelectorAll(".ga-log .ga-msg--assistant").length >= 2);
    const before = await log(page).innerText();
    const id = await page.evaluate(() => JSON.parse(sessionStorage.getItem("gemeente-assistent.conversation")).id);
    await page.reload();
    await page.locator(".ga-panel").waitFor({ state: "visible" });
    await page.waitForFunction(() => document.querySelectorAll(".ga-log .ga-msg--assistant").length >= 2);
    const after = await log(page).innerText();
    const sameId = await page.evaluate(() => JSON.parse(sessionStorage.getItem("gemeente-assistent.conversation")).id);
    check(sameId === id, "the same conversation continues after a reload");
    check(after === before, "the transcript is the same after a reload");
    // a network drop while sending: the typed text is not lost
    await page.context().setOffline(true);
    await page.locator("#ga-question").fill("waar is het gemeentehuis");
    await page.keyboard.press("Enter");
    await page.locator(".ga-status", { hasText: "verbinding" }).waitFor();
    check((await page.locator("#ga-question").inputValue()) === "waar is het gemeentehuis", "offline: the question stays in the field");
    await page.context().setOffline(false);
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.querySelectorAll(".ga-log .ga-msg--assistant").length >= 3);
    check(true, "back online the question is answered");
    await bothWidths(page, "resumed");
    // download and erase (privacy rights)
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Gesprek downloaden" }).click()]);
    check(/\.txt$/.test(download.suggestedFilename()), "the conversation downloads as a text file");
    await page.getByRole("button", { name: "Gesprek wissen" }).click();
    await axe(page, "erase-confirm");
    await page.getByRole("button", { name: "Ja, wis het gesprek" }).click();
    await page.locator(".ga-status", { hasText: "gewist" }).waitFor();
    const gone = await fetch(`${BASE}/api/v1/conversations/${id}`, { headers: { Authorization: "Bearer x" } });
    check(gone.status === 404, "the erased conversation is gone from the server");
    await messages(page, "assistant").first().waitFor();
    check((await messages(page, "citizen").count()) === 0, "after erasing, a fresh conversation starts");
  },

  async handover(page) {
    await page.goto(BASE + "/");
    await page.locator(".ga-launcher").click();
    await messages(page, "assistant").first().waitFor();
    await page.getByRole("button", { name: "Ik wil een medewerker spreken" }).click();
    await page.getByRole("button", { name: "Ja, verbind me door" }).waitFor();
    await bothWidths(page, "consent");
    await page.getByRole("button", { name: "Ja, verbind me door" }).click();
    await page.locator(".ga-status", { hasText: "nummer 1" }).waitFor();
    check(/Wachttijd ongeveer \d+ minuten/.test(await page.locator(".ga-status").innerText()), "queue position and expected wait are shown");
    await bothWidths(page, "waiting");
    const queue = await api("GET", "/escalations?state=waiting");
    const escalation = queue.items[0].id;
    await api("POST", `/escalations/${escalation}/claim`);
    await page.locator(".ga-msg--system", { hasText: "leest nu mee" }).waitFor();
    await api("POST", `/escalations/${escalation}/messages`, { text: "Goedemiddag, ik ben Anna. Waarmee kan ik helpen?" });
    await page.locator(".ga-msg--agent", { hasText: "ik ben Anna" }).waitFor();
    check(true, "the agent's reply arrives over the live stream");
    check(/medewerker helpt je nu/.test(await page.locator(".ga-status").innerText()), "the widget says a person is helping");
    await bothWidths(page, "with-agent");
    await api("POST", `/escalations/${escalation}/resolve`, { outcome: "answered", return_to_bot: true });
    await page.locator(".ga-msg--system").last().waitFor();
    await page.waitForFunction(() => document.querySelectorAll(".ga-log .ga-msg--system").length >= 3);
    check(true, "the agent leaving is shown");
  },

  async callback(page) {
    await page.goto(BASE + "/");
    await page.locator(".ga-launcher").click();
    await messages(page, "assistant").first().waitFor();
    await page.getByRole("button", { name: "Ik wil een medewerker spreken" }).click();
    // outside office hours nobody can be queued: the call-back form comes at once
    await page.locator(".ga-cb").waitFor();
    await bothWidths(page, "callback-form");
    await page.getByLabel("Je naam").fill("Test Inwoner");
    await page.getByLabel("Telefoonnummer (niet verplicht)").fill("0612345678");
    await page.getByLabel("Je vraag in het kort").fill("Vraag over mijn paspoort");
    await page.getByLabel("Ik geef toestemming").check();
    await page.getByRole("button", { name: "Verstuur verzoek" }).click();
    await page.locator(".ga-cb__done").waitFor();
    check(true, "outside office hours the call-back form is sent");
  },

  // Issue 16: an Arabic question gets the fixed Arabic message, marked as Arabic and right to left.
  async arabic(page) {
    await page.goto(BASE + "/");
    await page.locator(".ga-launcher").click();
    await messages(page, "assistant").first().waitFor();
    await page.locator("#ga-question").fill("مرحبا، أريد أن أسجل عنواني الجديد");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.querySelectorAll(".ga-log .ga-msg--assistant").length >= 2);
    const answer = await page.evaluate(() => {
      const texts = document.querySelectorAll(".ga-log .ga-msg--assistant .ga-msg__text");
      const last = texts[texts.length - 1];
      const citizen = document.querySelector(".ga-log .ga-msg--citizen .ga-msg__text");
      return {
        lang: last.lang, dir: last.dir, direction: getComputedStyle(last).direction, text: last.textContent,
        citizenDirection: citizen ? getComputedStyle(citizen).direction : null,
      };
    });
    check(answer.lang === "ar" && answer.dir === "rtl" && answer.direction === "rtl", "the Arabic message runs right to left");
    check(answer.text.includes("112") && answer.text.includes("0800-2000"), "the Arabic message gives the crisis numbers");
    check(answer.citizenDirection === "rtl", "the citizen's Arabic question runs right to left too");
    await bothWidths(page, "arabic");
  },
  // Issue 16: the language choice switches the widget and the conversation to English.
  async english(page) {
    await page.goto(BASE + "/");
    await page.locator(".ga-launcher").click();
    await messages(page, "assistant").first().waitFor();
    const choice = page.locator(".ga-language");
    check((await choice.textContent()) === "English" && (await choice.getAttribute("lang")) === "en", "the language choice names English in English");
    await choice.click();
    await page.waitForFunction(() => document.querySelector(".ga-widget").lang === "en");
    await page.waitForFunction(() => /computer program, not a person/.test(document.querySelector(".ga-log").innerText));
    const header = await page.evaluate(() => ({
      title: document.querySelector(".ga-title").textContent,
      label: document.querySelector(".ga-label").textContent,
      choice: document.querySelector(".ga-language").textContent,
      messages: document.querySelectorAll(".ga-log .ga-msg").length,
      how: document.querySelector(".ga-how").getAttribute("href"),
    }));
    check(header.how.endsWith("/hoe-werkt-het?lang=en"), "'How does the digital assistant work?' opens the English page");
    check(header.title.startsWith("Digital assistant of") && header.label === "Your question", "the widget's own texts are English");
    check(header.choice === "Nederlands" && header.messages === 1, "a new conversation opened in English, with the way back to Dutch");
    await page.locator("#ga-question").fill("how much does a passport cost");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.querySelectorAll(".ga-log .ga-msg--assistant").length >= 2);
    const answer = await page.evaluate(() => {
      const items = document.querySelectorAll(".ga-log .ga-msg--assistant");
      const last = items[items.length - 1];
      return { text: last.querySelector(".ga-msg__text").textContent, why: last.querySelector(".ga-why summary").textContent,
               lang: last.querySelector(".ga-msg__text").getAttribute("lang") };
    });
    check(answer.text.startsWith("A passport costs") && answer.why === "Why this answer?", "the English answer and 'Why this answer?'");
    check(answer.lang === null, "an English answer in an English widget needs no lang of its own");
    await page.locator(".ga-why summary").last().click();
    await bothWidths(page, "english");
  },
  async xss(page) {
    await page.goto(BASE + "/");
    await page.locator(".ga-launcher").click();
    await messages(page, "assistant").first().waitFor();
    const attack = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';
    await page.locator("#ga-question").fill(attack);
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.querySelectorAll(".ga-log .ga-msg--assistant").length >= 2);
    const state = await page.evaluate(() => ({
      xss: window.__xss,
      images: document.querySelectorAll(".ga-log img").length,
      scripts: document.querySelectorAll(".ga-log script").length,
      links: [...document.querySelectorAll(".ga-log a")].map((a) => a.getAttribute("href")),
      text: document.querySelector(".ga-log").innerText,
    }));
    check(state.xss === undefined && state.images === 0 && state.scripts === 0, "HTML in messages never runs or renders");
    check(state.text.includes("<script>"), "the bot's HTML is shown as plain text");
    check(state.links.every((href) => /^https?:/.test(href)), "a javascript: source link is dropped");
    await axe(page, "xss");
  },

  // Issue 17: a person signs in at the municipality's provider (its own login and consent pages), claims an
  // escalation in the console with the session cookie and CSRF token, and signs out there too.
  async oidc(page) {
    const ISSUER = process.env.ISSUER;
    await page.goto(BASE + "/staff");
    await page.locator("#oidc-login:not([hidden])").waitFor();
    check(await page.locator("#login-form").isHidden(), "the token form is hidden when people sign in at the provider");
    await axe(page, "staff-sign-in-oidc");
    await page.locator("#oidc-login a").click();
    await page.waitForURL((url) => url.href.startsWith(ISSUER));
    await page.locator('input[name="login"]').fill("anna");
    await page.locator('input[name="password"]').fill("welkom");
    await page.locator('button[type="submit"]').click();
    await page.waitForURL((url) => url.href.startsWith(BASE) || !url.href.includes("/login"));
    if (page.url().startsWith(ISSUER)) await page.locator('button[type="submit"]').click();  // the consent page
    await page.waitForURL(BASE + "/staff");
    await page.locator("#console:not([hidden])").waitFor();
    check((await page.locator("#who").textContent()).includes("Anna Agent"), "signed in as the person the provider named");
    check(await page.evaluate(() => document.cookie === ""), "the session cookie is out of reach of scripts (HttpOnly)");
    await page.locator("#queue button").first().click();
    await page.locator("#claim:not([disabled])").click();
    await page.locator("#claim[disabled]").waitFor();
    const claimed = await page.evaluate(async () => (await (await fetch("/api/v1/escalations?state=human")).json()).items);
    check(claimed.length === 1 && claimed[0].assignee && claimed[0].assignee.name === "Anna Agent", "the escalation is claimed by the signed-in person");
    await axe(page, "staff-console-oidc");
    await page.locator("#logout").click();
    await page.waitForURL((url) => url.href.startsWith(ISSUER));
    await page.locator('button[type="submit"]').first().click();  // the provider asks to confirm the sign-out
    await page.waitForURL((url) => url.href.startsWith(BASE + "/staff"));
    await page.locator("#oidc-login:not([hidden])").waitFor();
    const after = await page.evaluate(async () => (await fetch("/api/v1/staff-sessions/current")).status);
    check(after === 401, "after signing out the session no longer works");
  },
};

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox"] });
const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true, reducedMotion: "reduce" });
const page = await context.newPage();
const external = [];
const own = (url) => url.startsWith(BASE) || url.startsWith("data:") || url.startsWith("blob:") || (process.env.ISSUER && url.startsWith(process.env.ISSUER));
// The test provider's own pages ask for a web font; that is the provider's business, not ours (and offline here).
const fromProvider = (request) => Boolean(process.env.ISSUER) && request.frame().url().startsWith(process.env.ISSUER);
page.on("request", (request) => { if (!own(request.url()) && !fromProvider(request)) external.push(request.url()); });
if (process.env.ISSUER) await page.route(/fonts\.googleapis\.com/, (route) => route.abort());
const consoleErrors = [];
page.on("console", (message) => { if (message.type() === "error" && !/Failed to load resource|ERR_INTERNET_DISCONNECTED/.test(message.text())) consoleErrors.push(message.text()); });
let failure = null;
try {
  await scenarios[scenario](page);
  check(external.length === 0, `no third-party requests (${external.join(", ")})`);
  check(consoleErrors.length === 0, `no errors in the console (${consoleErrors.join(" | ")})`);
} catch (error) {
  failure = error;
  try { await shot(page, "failure"); } catch (e) { /* the page may be gone */ }
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
if (failure) { console.error(failure.stack || String(failure)); process.exit(1); }
