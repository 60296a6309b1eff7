// lib.mjs: what every browser test shares: TAP output, a temporary folder under the
// build tree, the whole service started through cgi-bin/launch.sh on a free port, and
// Debian's Chromium launched with the flags a closed network needs.
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

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

// Starts the service with its data in T/data; resolves to { child, base }.
export async function startServer(env = {}) {
	const port = await freePort();
	const child = spawn('sh', ['cgi-bin/launch.sh'], {
		cwd: TOP,
		env: { ...process.env, ...env, BUILD, PORT: String(port), BACKDROP_DATA_DIR: path.join(T, 'data') },
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
