// lib.mjs: what every browser test shares: TAP output, a temporary folder under the
// build tree, the whole service started through cgi-bin/launch.sh on a free port,
// Debian's Chromium launched with the flags a closed network needs, and the page checks
// (console errors, axe-core, horizontal scroll, tap targets, screenshots, test photos,
// dropping and pasting files).
import { chromium } from 'playwright-core';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const TOP = process.env.TOP || process.cwd();
export const BUILD = process.env.BUILD || 'build/rel';
const TMPROOT = process.env.TMPROOT || path.join(TOP, BUILD, 'tmp');
mkdirSync(TMPROOT, { recursive: true });
export const T = mkdtempSync(path.join(TMPROOT, 'browser.'));
let n = 0, failed = 0;

// One TAP line; info is printed when the assertion fails.
export function ok(cond, what, info) {
	n++;
	console.log(`${cond ? '' : 'not '}ok ${n} - ${what}`);
	if (!cond) {
		failed++;
		if (info !== undefined) console.log(`#   got ${JSON.stringify(info)}`);
	}
}

function freePort() {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
		s.on('error', reject);
	});
}

// The settings that put a program's data in the folder dir: BACKDROP_DATA_DIR, and under
// STORE=postgres the folder's own database (tests/store_lib.sh makes it).
export function dataEnv(dir) {
	const url = execFileSync('sh', ['-c', '. tests/store_lib.sh && store_url "$1"', 'sh', dir],
		{ cwd: TOP }).toString().trim();
	return url ? { BACKDROP_DATA_DIR: dir, BACKDROP_DATABASE_URL: url } : { BACKDROP_DATA_DIR: dir };
}

// Starts the service with its data in T/data; resolves to { child, base }.
export async function startServer(env = {}) {
	const port = await freePort();
	const child = spawn('sh', ['cgi-bin/launch.sh'], {
		cwd: TOP,
		env: { ...process.env, ...env, BUILD, PORT: String(port), ...dataEnv(path.join(T, 'data')) },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let out = '';
	await new Promise((resolve, reject) => {
		const on = (d) => { out += d; if (out.includes('Backdrop is up')) resolve(); };
		child.stdout.on('data', on);
		child.stderr.on('data', on);
		child.on('exit', () => reject(new Error('the service did not start: ' + out)));
	});
	child.removeAllListeners('exit');
	return { child, base: `http://127.0.0.1:${port}` };
}

// Stops a service from startServer (SIGTERM: the launcher cleans up) and waits.
export function stopServer(child) {
	return new Promise((resolve) => {
		if (!child || child.exitCode !== null) return resolve();
		child.on('exit', resolve);
		child.kill('SIGTERM');
	});
}

// Debian's Chromium, headless, with no background traffic; extra flags appended.
export function launchBrowser(extraArgs = []) {
	return chromium.launch({
		executablePath: '/usr/bin/chromium',
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update', '--disable-sync',
			...extraArgs],
	});
}

// Removes T (unless KEEP_TMP is set) and exits 1 if any assertion failed.
export function finish() {
	if (!process.env.KEEP_TMP) rmSync(T, { recursive: true, force: true });
	process.exit(failed ? 1 : 0);
}

// ---- What the page tests share ----

// Collects a page's script errors, console errors, failed loads ("STATUS /path") and
// requests ("METHOD /path") as they happen.
export function watch(page) {
	const w = { errors: [], failed: [], requests: [] };
	page.on('pageerror', (e) => w.errors.push(e.message));
	// Failed loads are listed by URL in w.failed (the browser also logs them).
	page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) w.errors.push(m.text()); });
	page.on('request', (r) => w.requests.push(r.method() + ' ' + new URL(r.url()).pathname));
	page.on('response', (r) => { if (r.status() >= 400) w.failed.push(r.status() + ' ' + r.request().method() + ' ' + new URL(r.url()).pathname); });
	return w;
}

// axe-core's rules (WCAG 2.x A and AA and best practices) on the page as it is now.
const axeSource = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'node_modules/axe-core/axe.min.js'), 'utf8');
export async function axeCheck(page, what) {
	await page.evaluate(axeSource);
	const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
	const v = r.violations.map((x) => ({ id: x.id, nodes: x.nodes.slice(0, 3).map((nd) => nd.target.join(' ')) }));
	ok(v.length === 0, `axe finds no violations: ${what}`, v);
}

// The page is no wider than the viewport.
export async function noHorizontalScroll(page, what) {
	const s = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, view: innerWidth,
		wide: [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > innerWidth + 1 && e.offsetParent !== null)
			.slice(0, 5).map((e) => e.tagName + '#' + e.id + '.' + e.className) }));
	ok(s.scroll <= s.view, `no horizontal scroll: ${what}`, s);
}

// Every visible control is at least 44 by 44 CSS px (a check box or radio button by
// its label; a link inside running text is exempt, as WCAG 2.5.8 allows).
export async function tapTargets(page, what) {
	const small = await page.evaluate(() => {
		const out = [];
		for (const el of document.querySelectorAll('a, button, select, input, summary, label')) {
			if (el.tagName === 'LABEL' && !el.querySelector('input[type=checkbox], input[type=radio]')) continue;
			if (el.tagName === 'INPUT' && (['checkbox', 'radio', 'hidden'].includes(el.type) || el.closest('label'))) continue;
			if (el.tagName === 'A' && el.closest('p:not(.acts):not(.links), li.undo .note, td')) continue;
			const r = el.getBoundingClientRect(), cs = getComputedStyle(el);
			if (!r.width || !r.height || cs.visibility === 'hidden' || el.closest('[hidden]') || el.classList.contains('vh') || cs.opacity === '0') continue;
			if (r.height < 43.5 || r.width < 43.5) out.push(`${el.tagName}#${el.id}.${el.className} ${Math.round(r.width)}x${Math.round(r.height)} "${el.textContent.trim().slice(0, 20)}"`);
		}
		return out;
	});
	ok(small.length === 0, `tap targets are at least 44 px: ${what}`, small);
}

// A full-page screenshot into the suite's output folder (kept after the test), and into
// SCREENSHOT_DIR when that is set.
export const SHOTS = path.join(TMPROOT, 'screenshots');
export async function shoot(page, name) {
	mkdirSync(SHOTS, { recursive: true });
	await page.screenshot({ path: path.join(SHOTS, name + '.png'), fullPage: true });
	if (process.env.SCREENSHOT_DIR)
		await page.screenshot({ path: path.join(process.env.SCREENSHOT_DIR, name + '.png'), fullPage: true });
}

// A photo-like test picture: an off-white backdrop, a blue disc with an orange block
// (the subject), w x h; noisy adds grain so the file is large (for upload progress).
export function makeImage(file, w, h, noisy = false, fmt = []) {
	const r = Math.round(Math.min(w, h) / 4), cx = Math.round(w / 2), cy = Math.round(h / 2);
	execFileSync('convert', ['-size', `${w}x${h}`, 'xc:#f5f5f0', '-fill', '#1d4ed8', '-draw', `circle ${cx} ${cy} ${cx} ${cy - r}`,
		'-fill', '#f59e0b', '-draw', `rectangle ${cx - r / 2} ${cy - r / 3} ${cx + r / 2} ${cy + r / 3}`,
		...(noisy ? ['-attenuate', '0.4', '+noise', 'Gaussian'] : []), ...fmt, file]);
	return file;
}

// The caller's records as the JSON listing gives them (the page's cookies).
export async function records(page) {
	const res = await page.request.get(new URL(page.url()).origin + '/?limit=1000', { headers: { Accept: 'application/json' } });
	return (await res.json()).records;
}

// Drops the file on the element at selector as a user dragging it from the desktop.
export async function dropFile(page, file, type, selector = 'body') {
	const b64 = readFileSync(file).toString('base64');
	await page.evaluate(({ b64, name, type, selector }) => {
		const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
		const dt = new DataTransfer();
		dt.items.add(new File([bytes], name, { type }));
		const el = document.querySelector(selector);
		for (const t of ['dragenter', 'dragover', 'drop'])
			el.dispatchEvent(new DragEvent(t, { dataTransfer: dt, bubbles: true, cancelable: true }));
	}, { b64, name: path.basename(file), type, selector });
}

// Pastes the file as an image on the clipboard would be (named as the browser names it).
export async function pasteFile(page, file, type, name) {
	const b64 = readFileSync(file).toString('base64');
	await page.evaluate(({ b64, name, type }) => {
		const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
		const dt = new DataTransfer();
		dt.items.add(new File([bytes], name, { type }));
		document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
	}, { b64, name, type });
}
