// Shared by the browser tests (run by crates/psirt/tests/browser.rs): Playwright from
// .ci/node_modules driving Debian's chromium, RFC 6238 codes, sign-in, screenshots, and the
// checks every page gets (no script ran, no injected markup, no horizontal overflow).
import { createHmac } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(new URL('../../../../.ci/package.json', import.meta.url));
const { chromium } = require('playwright-core');

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

/** One headless Chromium per script; nothing reaches the network but the app on loopback. */
export function launch() {
  return chromium.launch({
    executablePath: process.env.PSIRT_CHROMIUM || '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

export function check(ok, message) {
  if (!ok) throw new Error(message);
}

export function log(message) {
  console.log(`[${new Date().toISOString().slice(11, 23)}] ${message}`);
}

/** RFC 6238 (HMAC-SHA1, 6 digits, 30 s) for a base32 secret at `unixSeconds`. */
export function totp(secret, unixSeconds) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '').toUpperCase()) {
    const v = alphabet.indexOf(c);
    check(v >= 0, `not base32: ${secret}`);
    bits += v.toString(2).padStart(5, '0');
  }
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unixSeconds / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const at = mac[mac.length - 1] & 0x0f;
  const code = (mac.readUInt32BE(at) & 0x7fffffff) % 1_000_000;
  return code.toString().padStart(6, '0');
}

/** Every page opened through `watchedPage`, for `dumpPages` when a script fails. */
const opened = [];

/** Removes what an earlier failed run of `script` left in `dir`. */
export function clearFailures(dir, script) {
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) {
    if (f.startsWith(`FAILED-${script}-`)) rmSync(join(dir, f));
  }
}

/** After a failure: each open page's address and text, and a screenshot `FAILED-script-n.png`. */
export async function dumpPages(dir, script) {
  mkdirSync(dir, { recursive: true });
  for (const [i, page] of opened.entries()) {
    if (page.isClosed()) continue;
    const text = await page.evaluate(() => document.body && document.body.innerText).catch((e) => String(e));
    console.error(`--- page ${i}: ${page.url()}\n${String(text).slice(0, 3000)}`);
    await page.screenshot({ path: join(dir, `FAILED-${script}-${i}.png`), fullPage: true }).catch(() => {});
  }
}

/**
 * A page that records everything that would mean a script ran: dialogs (alert/confirm/prompt),
 * uncaught errors, and CSP reports on the console (those mean the browser blocked an attempt).
 */
export async function watchedPage(context) {
  const page = await context.newPage();
  opened.push(page);
  page.seen = { dialogs: [], errors: [], csp: [] };
  page.on('dialog', async (d) => {
    page.seen.dialogs.push(`${d.type()}: ${d.message()}`);
    await d.dismiss();
  });
  page.on('pageerror', (e) => page.seen.errors.push(String(e)));
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) page.seen.csp.push(m.text());
  });
  return page;
}

/** Fails when anything on `page` so far shows that a script of an attacker ran. */
export async function assertNoScriptRan(page, where) {
  const pwned = await page.evaluate(() => window.__pwned);
  check(pwned === undefined, `${where}: an injected script ran (window.__pwned = ${pwned})`);
  check(page.seen.dialogs.length === 0, `${where}: a dialog opened: ${page.seen.dialogs.join('; ')}`);
  check(page.seen.errors.length === 0, `${where}: script errors: ${page.seen.errors.join('; ')}`);
}

/**
 * Fails on markup that could run script, whether or not the CSP would have stopped it:
 * script elements other than the binary's own, inline event handlers, `javascript:` URLs,
 * frames and plug-ins.
 */
export async function assertNoInjectedMarkup(page, where) {
  const found = await page.evaluate(() => {
    const bad = [];
    for (const el of document.querySelectorAll('*')) {
      const tag = el.tagName.toLowerCase();
      if (tag === 'script' && !/^\/static\/[a-z]+\.js$/.test(el.getAttribute('src') || '')) {
        bad.push(el.outerHTML.slice(0, 120));
      }
      if (['iframe', 'frame', 'object', 'embed', 'base', 'meta'].includes(tag)
          && !(tag === 'meta' && el.closest('head'))) {
        bad.push(el.outerHTML.slice(0, 120));
      }
      for (const a of el.attributes) {
        const value = a.value.replace(/[\s\u0000-\u001f]/g, '').toLowerCase();
        if (a.name.startsWith('on') || (/^(href|src|action|formaction|xlink:href)$/.test(a.name)
            && value.startsWith('javascript:'))) {
          bad.push(`${tag} ${a.name}="${a.value.slice(0, 80)}"`);
        }
      }
    }
    return bad;
  });
  check(found.length === 0, `${where}: injected markup in the page:\n  ${found.join('\n  ')}`);
}

/** Fails when the page scrolls sideways (long text must wrap) at the current width. */
export async function assertNoOverflow(page, where) {
  const { scroll, inner, culprits } = await page.evaluate(() => {
    const inner = window.innerWidth;
    const culprits = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode() && culprits.length < 8) {
      const node = walker.currentNode;
      if (!node.data.trim() || node.parentElement.closest('.table, .sr, .skip')) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const r = range.getBoundingClientRect();
      if (r.right > inner + 1) {
        const el = node.parentElement;
        culprits.push(`${el.tagName.toLowerCase()}.${el.className} "${node.data.slice(0, 30)}" right=${Math.round(r.right)}`);
      }
    }
    return { scroll: document.documentElement.scrollWidth, inner, culprits };
  });
  check(scroll <= inner, `${where}: the page is ${scroll}px wide in a ${inner}px window: ${culprits.join(', ')}`);
}

/** Fails when a visible form control has no accessible name (a label or an aria-label). */
export async function assertLabelled(page, where) {
  const unnamed = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
    .filter((el) => el.type !== 'hidden' && !(el.labels && el.labels.length)
      && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
    .map((el) => el.outerHTML.slice(0, 100)));
  check(unnamed.length === 0, `${where}: form controls without a label:\n  ${unnamed.join('\n  ')}`);
}

/** All the checks, at desktop and at phone width. */
export async function assertSafePage(page, where) {
  await assertNoScriptRan(page, where);
  await assertNoInjectedMarkup(page, where);
  await assertLabelled(page, where);
  for (const size of [DESKTOP, PHONE]) {
    await page.setViewportSize(size);
    await assertNoOverflow(page, `${where} at ${size.width}px`);
  }
  await page.setViewportSize(DESKTOP);
}

/** Full-page screenshots at desktop and phone width: `{dir}/{name}-desktop.png`, `-phone.png`. */
export async function screenshot(page, dir, name) {
  mkdirSync(dir, { recursive: true });
  for (const [label, size] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    await page.setViewportSize(size);
    await page.screenshot({ path: join(dir, `${name}-${label}.png`), fullPage: true });
  }
  await page.setViewportSize(DESKTOP);
}

/** Clicks and waits for the navigation the click starts (a form post or a link). */
export async function clickAndWait(page, locator) {
  await Promise.all([page.waitForNavigation(), locator.click()]);
}

/**
 * Signs in with e-mail and password, then the second factor: enrols TOTP when the account has
 * none yet (reading the key shown under the QR code) or enters a code for `secret`. Codes are
 * for the app's clock, `now` (seconds), which the test controls. Returns the TOTP secret.
 */
export async function signIn(page, base, { email, password, now, secret, next = '/dashboard' }) {
  await page.goto(`${base}/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await clickAndWait(page, page.getByRole('button', { name: 'Sign in' }));
  const path = new URL(page.url()).pathname;
  if (path === '/account/totp') {
    secret = (await page.locator('#totp-secret').textContent()).trim();
    await page.getByLabel('Code from the app').fill(totp(secret, now));
    await clickAndWait(page, page.getByRole('button', { name: 'Turn on two-factor sign-in' }));
    const codes = await page.locator('#recovery-codes li').count();
    check(codes === 10, `${email}: ${codes} recovery codes shown, expected 10`);
    await clickAndWait(page, page.getByRole('link', { name: 'Continue' }));
  } else {
    check(path === '/login/totp', `${email}: after the password came ${page.url()}`);
    check(secret, `${email}: a code is asked but no secret is known`);
    await page.getByLabel('6-digit code, or a recovery code').fill(totp(secret, now));
    await clickAndWait(page, page.getByRole('button', { name: 'Continue' }));
  }
  const landed = new URL(page.url());
  check(landed.pathname + landed.search === next, `${email}: signed in at ${page.url()}, expected ${next}`);
  return secret;
}
