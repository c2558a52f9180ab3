// The daily workflow in a real browser, through the real pages and buttons:
// a reporter submits through /report (no JavaScript needed) and follows the tracking link;
// a PSO signs in with password + TOTP, triages, scores with the live CVSS calculator, grades,
// confirms, starts remediation, adds and completes tasks; QA signs the fixes off; the PSO
// releases. Screenshots of every main screen at desktop and phone width on the way.
//
// node workflow.mjs BASE_URL FIXTURE_FILE
//   FIXTURE_FILE (JSON): {"password", "now" (the app clock, seconds), "screenshots" (a directory),
//                  "pso", "qa", "admin" (e-mail addresses of seeded accounts without TOTP)}
import { readFileSync } from 'node:fs';
import {
  clearFailures, dumpPages, assertSafePage, check, clickAndWait, launch, log, screenshot, signIn, watchedPage,
} from './lib.mjs';

const [base, fixtureFile] = process.argv.slice(2);
const fx = JSON.parse(readFileSync(fixtureFile, 'utf8'));
const shots = fx.screenshots;

clearFailures(shots, 'workflow');
const browser = await launch();
try {
  // --- The reporter: the public policy, the form, the receipt, the tracking page. ---
  const reporter = await watchedPage(await browser.newContext({ javaScriptEnabled: false }));
  await reporter.goto(`${base}/`);
  await screenshot(reporter, shots, 'public-policy');
  await reporter.getByRole('link', { name: 'Use the reporting form' }).click();
  await reporter.waitForURL(`${base}/report`);
  await screenshot(reporter, shots, 'public-report-form');
  const title = 'Overcharge protection can be disabled over CAN';
  await reporter.getByLabel('Name', { exact: true }).fill('Mei Lin');
  await reporter.getByLabel('E-mail').fill('mei@example.org');
  await reporter.getByLabel('Product', { exact: true }).fill('VoltGuard BMS');
  await reporter.getByLabel('Software / firmware version').fill('3.1.4');
  await reporter.getByLabel('Summary (one line)').fill(title);
  await reporter.getByLabel('Description: what is wrong').fill(
    'A single unauthenticated CAN frame (ID 0x3F1) turns the overcharge cut-off off.');
  await reporter.getByLabel('Steps to reproduce').fill('1. Connect to the CAN bus.\n2. Send 0x3F1 with payload 00.');
  await reporter.getByLabel('Attachments').setInputFiles({
    name: 'capture.pcap', mimeType: 'application/vnd.tcpdump.pcap', buffer: Buffer.from('pcap bytes'),
  });
  await clickAndWait(reporter, reporter.getByRole('button', { name: 'Send report' }));
  check(await reporter.getByRole('heading', { name: /your report is received/ }).isVisible(),
    `no receipt after sending: ${reporter.url()}`);
  const reference = (await reporter.locator('.receipt strong').first().textContent()).trim();
  check(/^PSIRT-\d{4}-\d{4,}$/.test(reference), `receipt reference ${reference}`);
  const trackLink = reporter.locator('.receipt a');
  const trackText = (await trackLink.textContent()).trim();
  check(/^https:\/\/security\.example\.com\/track\/[A-Za-z0-9_-]{40,}$/.test(trackText),
    `the receipt shows the tracking link ${trackText}`);
  await assertSafePage(reporter, 'receipt');
  await screenshot(reporter, shots, 'public-receipt');
  await clickAndWait(reporter, trackLink);
  check(new URL(reporter.url()).pathname === new URL(trackText).pathname, 'the tracking link leads to the tracking page');
  check(await reporter.getByRole('heading', { name: `${reference}: ${title}` }).isVisible(), 'tracking page heading');
  await reporter.getByLabel('Message').fill('I can also send the firmware image if you need it.');
  await clickAndWait(reporter, reporter.getByRole('button', { name: 'Send message' }));
  check(await reporter.getByText('I can also send the firmware image').isVisible(), 'the message is in the conversation');
  const trackingUrl = reporter.url();
  log(`reporter: ${reference} received, tracking page works`);

  // --- The PSO signs in: password, TOTP enrolment, recovery codes. ---
  const psoContext = await browser.newContext();
  const pso = await watchedPage(psoContext);
  await pso.goto(`${base}/dashboard`);
  check(new URL(pso.url()).pathname === '/login', 'no session: the dashboard sends to the sign-in page');
  await screenshot(pso, shots, 'login');
  const psoSecret = await signIn(pso, base, { email: fx.pso, password: fx.password, now: fx.now });
  log('pso: signed in with password and a new TOTP factor');
  check(await pso.getByRole('heading', { name: 'Deadline board' }).isVisible(), 'dashboard');
  // Keyboard: the first stop is the skip link, shown when focused; it leads into the content.
  await pso.keyboard.press('Tab');
  const skip = pso.locator(':focus');
  check(await skip.textContent() === 'Skip to content' && await skip.isVisible()
    && (await skip.boundingBox()).x >= 0, 'the first Tab stop is a visible "Skip to content" link');
  await pso.keyboard.press('Enter');
  await pso.keyboard.press('Tab');
  check(await pso.evaluate(() => document.activeElement.closest('main') !== null),
    'after the skip link, Tab moves into the main content');
  await assertSafePage(pso, 'dashboard');
  await screenshot(pso, shots, 'dashboard');

  await pso.getByRole('navigation', { name: 'Staff' }).getByRole('link', { name: 'Cases' }).click();
  await pso.waitForURL(`${base}/cases`);
  const row = pso.locator('table.cases tr', { hasText: reference });
  check(await row.getByText(title).isVisible(), 'the new case is in the list');
  await assertSafePage(pso, 'case list');
  await screenshot(pso, shots, 'cases');
  await clickAndWait(pso, row.getByRole('link', { name: reference }));

  const phase = async () => (await pso.locator('#phase').textContent()).trim();
  const act = async (label) => {
    await clickAndWait(pso, pso.locator('form.action').getByRole('button', { name: label, exact: true }));
    check(new URL(pso.url()).pathname === `/cases/${reference}`, `${label}: landed on ${pso.url()}: ${await pso.locator('main').innerText()}`);
  };
  await act('acknowledge');
  await act('start triage');
  check(await phase() === 'triage', `phase after start triage: ${await phase()}`);

  // --- The live calculator: the score follows the picks (scored by the server's exact code). ---
  const calc = (version) => pso.locator('form.cvss', { has: pso.locator(`input[name=cvss][value="${version}"]`) });
  const live = async (version, vector, score, severity) => {
    const out = calc(version).locator('.cvss-live');
    await out.locator('.live-vector', { hasText: vector }).waitFor({ timeout: 5000 });
    const got = (await out.locator('.live-score').textContent()).trim();
    const sev = (await out.locator('.live-severity').textContent()).trim();
    check(got === score && sev === severity, `CVSS ${version} ${vector}: shows ${got} ${sev}, expected ${score} ${severity}`);
  };
  const v31 = calc('3.1');
  await live('3.1', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', '9.8', 'Critical');
  await v31.getByLabel('Availability (A)').selectOption('N');
  await live('3.1', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N', '9.1', 'Critical');
  await v31.getByLabel('Attack vector (AV)').selectOption('A');
  await v31.getByLabel('Privileges required (PR)').selectOption('L');
  await live('3.1', 'CVSS:3.1/AV:A/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:N', '7.3', 'High');
  await v31.getByLabel('Scope (S)').selectOption('C');
  await live('3.1', 'CVSS:3.1/AV:A/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:N', '8.7', 'High');
  const v40 = calc('4.0');
  await live('4.0', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H', '10.0', 'Critical');
  for (const m of ['Subsequent system confidentiality (SC)', 'Subsequent system integrity (SI)', 'Subsequent system availability (SA)']) {
    await v40.getByLabel(m).selectOption('N');
  }
  await live('4.0', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', '9.3', 'Critical');
  await v40.getByLabel('Attack vector (AV)').selectOption('A');
  await v40.getByLabel('Vulnerable system availability (VA)').selectOption('N');
  await live('4.0', 'CVSS:4.0/AV:A/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N', '8.6', 'High');
  await v31.getByLabel('Why these metrics (CVSS v3.1)').fill('adjacent CAN bus, low privileges');
  await clickAndWait(pso, v31.getByRole('button', { name: 'Score and save CVSS v3.1' }));
  check(await calc('3.1').locator('legend code.vector').textContent() === 'CVSS:3.1/AV:A/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:N'
    && await calc('3.1').locator('legend .score').textContent() === '8.7', 'the saved v3.1 vector and score');
  log('pso: the live calculator follows the picks (v3.1 and v4.0) and the v3.1 score is saved');

  // --- Triage answers, grade, affected version; confirm. ---
  for (const q of ['Does it apply to a supported product?', 'Can it be reproduced and verified?', 'Is it an exploitable security risk?']) {
    await pso.getByLabel(q).selectOption('yes');
  }
  await pso.getByLabel('Grade', { exact: true }).selectOption({ index: 1 });
  await pso.getByLabel('Why this grade').fill('remote over the CAN bus, no authentication');
  await pso.getByLabel('Affected version (product / version)').fill('VoltGuard BMS / 3.1.4');
  await clickAndWait(pso, pso.getByRole('button', { name: 'Save assessment' }));
  await act('confirm');
  check(await phase() === 'confirmed', `phase after confirm: ${await phase()}`);
  await act('start remediation');
  check(await phase() === 'remediation', `phase after start remediation: ${await phase()}`);

  // --- Tasks: add one, give QA need-to-know, do the work with evidence. ---
  await pso.getByLabel('Kind').selectOption('other');
  await pso.getByLabel('Title').fill('Tell the cell supplier');
  await clickAndWait(pso, pso.getByRole('button', { name: 'Add task' }));
  await pso.getByLabel('Give need-to-know to (e-mail)').fill(fx.qa);
  await clickAndWait(pso, pso.getByRole('button', { name: 'Grant' }));
  const open = pso.locator('li.task.open');
  const tasks = await open.count();
  check(tasks >= 5, `start remediation plus one added: ${tasks} open tasks`);
  while (await open.count() > 0) {
    const task = open.first();
    await task.getByLabel('Evidence').fill('done and attached to the build record');
    await clickAndWait(pso, task.getByRole('button', { name: 'Mark done' }));
  }
  check(await pso.locator('li.task.done').count() === tasks, 'every task is done');
  log(`pso: ${tasks} tasks done with evidence`);

  // --- QA signs off (never their own work). ---
  const qa = await watchedPage(await browser.newContext());
  await signIn(qa, base, { email: fx.qa, password: fx.password, now: fx.now, next: `/cases/${reference}` });
  const verify = qa.getByRole('button', { name: 'Verify (QA)' });
  while (await verify.count() > 0) {
    await clickAndWait(qa, verify.first());
    check(new URL(qa.url()).pathname === `/cases/${reference}`, `verify: ${await qa.locator('main').innerText()}`);
  }
  check(await qa.locator('li.task.verified').count() === tasks, 'QA verified every task');
  log('qa: signed in (TOTP) and verified every task');

  // --- The PSO releases; the case page after it. ---
  await pso.reload();
  await act('release');
  check(await phase() === 'release', `phase after release: ${await phase()}`);
  await assertSafePage(pso, 'case page');
  await screenshot(pso, shots, 'case');
  log('pso: released');

  await pso.getByRole('navigation', { name: 'Staff' }).getByRole('link', { name: 'Policies' }).click();
  await pso.waitForURL(`${base}/policies`);
  await assertSafePage(pso, 'policies');
  await screenshot(pso, shots, 'policies');

  // The reporter sees the status move on.
  await reporter.goto(trackingUrl);
  check((await reporter.locator('.status').textContent()).trim() !== 'received', 'the tracking page shows progress');
  await assertSafePage(reporter, 'tracking page');
  await screenshot(reporter, shots, 'public-tracking');

  // --- Signing in again asks for a code (the next 30-second step: a used code never works twice). ---
  await clickAndWait(pso, pso.getByRole('button', { name: 'Sign out', exact: true }));
  await signIn(pso, base, { email: fx.pso, password: fx.password, now: fx.now + 30, secret: psoSecret, next: '/cases' });
  log('pso: signed out and in again with a TOTP code');

  // --- The administrator's pages. ---
  const admin = await watchedPage(await browser.newContext());
  await signIn(admin, base, { email: fx.admin, password: fx.password, now: fx.now, next: '/admin/users' });
  check(await admin.getByRole('heading', { name: 'Staff and roles' }).isVisible(), 'admin users page');
  await assertSafePage(admin, 'admin users');
  await screenshot(admin, shots, 'admin-users');
  log('admin: users page');

  for (const p of [reporter, pso, qa, admin]) {
    if (p.seen.csp.length) log(`CSP reports on ${p.url()}: ${p.seen.csp.join(' | ')}`);
  }
} catch (e) {
  await dumpPages(shots, 'workflow');
  throw e;
} finally {
  await browser.close();
}
log('workflow: ok');
