// The payload corpus in real pages: every report field, file name and message (reporter and
// staff) carries markup, event handlers, `javascript:` URLs, SVG, template syntax, very long
// unbroken text or right-to-left overrides. On every page where they appear (case page, case
// list, search, dashboard, tracking page, the public form re-shown with errors) the payloads
// must show as text, no script may run, no markup may be injected, and the page must not
// scroll sideways at 1280 px or at 390 px.
//
// node xss.mjs BASE_URL FIXTURE_FILE
//   FIXTURE_FILE (JSON): {"password", "now", "pso", "screenshots", "corpus", "file_names",
//                  "cases": [{"reference", "tracking", "single", "long", "files"}]}
import { readFileSync } from 'node:fs';
import {
  clearFailures, dumpPages, assertNoInjectedMarkup, assertNoOverflow, assertNoScriptRan, assertSafePage, check, clickAndWait, launch, log,
  screenshot, signIn, watchedPage,
} from './lib.mjs';

const [base, fixtureFile] = process.argv.slice(2);
const fx = JSON.parse(readFileSync(fixtureFile, 'utf8'));
const shots = fx.screenshots;

/** The text a person sees on the page (textarea contents are not part of it). */
const visibleText = (page) => page.evaluate(() => document.body.innerText);

async function assertShows(page, where, texts) {
  const text = await visibleText(page);
  for (const t of texts) {
    check(text.includes(t), `${where}: the text ${JSON.stringify(t.slice(0, 60))} is not shown as text`);
  }
}

/** Every bidi override in user text ends where the text ends (the element isolates it). */
async function assertBidiIsolated(page, where) {
  const leaks = await page.evaluate(() => {
    const found = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      if (!/[\u202A-\u202E\u2066-\u2068]/.test(node.data)) continue;
      const el = node.parentElement;
      const style = getComputedStyle(el);
      const isolated = ['isolate', 'isolate-override', 'plaintext'].includes(style.unicodeBidi);
      const alone = style.display !== 'inline' && el.childNodes.length === 1;
      // Staff Markdown: every paragraph is the author's own text, a block the override ends with.
      const markdown = el.closest('.md') !== null;
      if (!isolated && !alone && !markdown && !['TEXTAREA', 'OPTION', 'TITLE'].includes(el.tagName)) {
        found.push(el.outerHTML.slice(0, 100));
      }
    }
    return found;
  });
  check(leaks.length === 0, `${where}: a right-to-left override can reorder the text after it:\n  ${leaks.join('\n  ')}`);
}

async function assertAll(page, where) {
  await assertSafePage(page, where);
  await assertBidiIsolated(page, where);
}

clearFailures(shots, 'xss');
const browser = await launch();
try {
  // The detectors detect: a page that does run an injected script must fail every check.
  const probe = await watchedPage(await browser.newContext());
  await probe.setContent('<p>x</p><img src="data:," onerror="window.__pwned=\'probe\'">'
    + '<a href="javascript:void 0">y</a><p>' + 'W'.repeat(500) + '</p>');
  await probe.waitForFunction(() => window.__pwned === 'probe');
  const detectors = [
    ['script', assertNoScriptRan], ['markup', assertNoInjectedMarkup], ['overflow', assertNoOverflow],
  ];
  for (const [name, detector] of detectors) {
    let caught = false;
    try { await detector(probe, 'probe'); } catch { caught = true; }
    check(caught, `the ${name} detector missed what the probe page does`);
  }
  await probe.close();
  log('the detectors catch a page that runs an injected script and overflows');

  // --- The reporter's side: tracking pages and the public form. ---
  const reporter = await watchedPage(await browser.newContext());
  for (const c of fx.cases) {
    await reporter.goto(`${base}${c.tracking}`);
    await assertShows(reporter, `tracking ${c.reference}`, [c.single, c.long]);
    await assertAll(reporter, `tracking ${c.reference}`);
  }
  await screenshot(reporter, shots, 'xss-tracking');
  log(`${fx.cases.length} tracking pages: payloads shown as text, nothing ran, no overflow`);

  // The form comes back with every field as typed (an invalid e-mail keeps it from being sent).
  await reporter.goto(`${base}/report`);
  const fields = ['reporter.name', 'reporter.organization', 'reporter.job_title', 'product', 'model',
    'version', 'title', 'description', 'technical_details', 'reproduction_steps', 'disclosure_plans'];
  const typed = {};
  fields.forEach((f, i) => { typed[f] = fx.corpus[i % fx.corpus.length]; });
  for (const [f, v] of Object.entries(typed)) await reporter.locator(`[id="${f}"]`).fill(v);
  await reporter.locator('[id="reporter.email"]').fill(fx.corpus[1]);
  await clickAndWait(reporter, reporter.getByRole('button', { name: 'Send report' }));
  check(await reporter.locator('#errors').isVisible(), 'the form is re-shown with its errors');
  for (const [f, v] of Object.entries(typed)) {
    const kept = await reporter.locator(`[id="${f}"]`).inputValue();
    check(kept === v, `the form did not keep ${f}: ${JSON.stringify(kept.slice(0, 60))}`);
  }
  await assertAll(reporter, 'report form re-shown');
  await screenshot(reporter, shots, 'xss-report-form');
  // ... and once sent, the receipt, with an attachment whose name is a payload.
  await reporter.locator('[id="reporter.email"]').fill('mei@example.org');
  await reporter.getByLabel('Attachments').setInputFiles(fx.file_names.map((name) => ({
    name, mimeType: 'text/plain', buffer: Buffer.from('x'),
  })));
  await clickAndWait(reporter, reporter.getByRole('button', { name: 'Send report' }));
  check(await reporter.locator('.receipt').isVisible(), `no receipt: ${await visibleText(reporter)}`);
  await assertAll(reporter, 'receipt');
  await clickAndWait(reporter, reporter.locator('.receipt a'));
  await assertShows(reporter, 'tracking of the form report', [typed.title]);
  await assertAll(reporter, 'tracking of the form report');
  log('public form: every field kept as typed, receipt and tracking page safe');

  // --- Staff: dashboard, list, search, every case page. ---
  const pso = await watchedPage(await browser.newContext());
  await signIn(pso, base, { email: fx.pso, password: fx.password, now: fx.now });
  const singles = fx.cases.map((c) => c.single);
  await assertShows(pso, 'dashboard', singles);
  const board = await pso.locator('#board-h + div table').innerText();
  check(singles.every((s) => board.includes(s)), `the deadline board does not list every case: ${board.slice(0, 300)}`);
  await assertAll(pso, 'dashboard');
  await screenshot(pso, shots, 'xss-dashboard');
  await pso.goto(`${base}/cases`);
  await assertShows(pso, 'case list', singles);
  await assertAll(pso, 'case list');
  await screenshot(pso, shots, 'xss-cases');
  await pso.goto(`${base}/cases?q=${encodeURIComponent(fx.corpus[0].slice(0, 40))}`);
  await assertAll(pso, 'case search');
  for (const c of fx.cases) {
    await pso.goto(`${base}/cases/${c.reference}`);
    check(await pso.locator('.md strong', { hasText: 'bold' }).count() > 0, `${c.reference}: staff Markdown is rendered`);
    await assertShows(pso, `case ${c.reference}`, [c.single, c.long]);
    const files = await pso.locator('a[download]').allTextContents();
    // The report's file and the one sent with the reporter's message (names cut at 200 chars).
    check(files.length === 2 && c.files.every((f) => files.some((shown) => shown && f.startsWith(shown))),
      `${c.reference}: the attachments' names are not shown as text: ${JSON.stringify(files)}`);
    await assertAll(pso, `case ${c.reference}`);
    // One case page full of markup and right-to-left text, for people to look at.
    if (c.single.includes('\u202e')) await screenshot(pso, shots, 'xss-case');
  }
  log(`${fx.cases.length} case pages: payloads and file names shown as text, nothing ran, no overflow`);

  for (const p of [reporter, pso]) {
    if (p.seen.csp.length) log(`blocked by the CSP (not run) on ${p.url()}: ${p.seen.csp.join(' | ')}`);
  }
} catch (e) {
  await dumpPages(shots, 'xss');
  throw e;
} finally {
  await browser.close();
}
log('xss: ok');
