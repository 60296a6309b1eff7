// pages.mjs: the time from dropping a 12 MP photo on the start page to seeing its cutout,
// in headless Chromium against the service started as `make run` starts it: over
// loopback, and with the uplink throttled to 10 Mbit/s (Chrome DevTools Protocol
// Network.emulateNetworkConditions). Prints measurements, never a pass or fail.
import { T, startServer, stopServer, launchBrowser, makeImage, dropFile } from '../tests/browser/lib.mjs';
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';

const W = Number(process.env.BENCH_W || 4000), H = Number(process.env.BENCH_H || 3000);
const RUNS = Number(process.env.BENCH_PAGE_RUNS || 2);
const file = makeImage(path.join(T, 'photo.jpg'), W, H, true, ['-quality', '92']);
const mb = (statSync(file).size / 1048576).toFixed(1);
const conditions = [
	['loopback', null],
	['10 Mbit/s uplink', { offline: false, latency: 30, downloadThroughput: 40e6 / 8, uploadThroughput: 10e6 / 8 }],
];

const server = await startServer();
const browser = await launchBrowser();
try {
	// Warm-up: every upload worker loads the model at its first cutout (not timed); the
	// uploads at once each from its own address (nginx admits one anonymous image
	// request at a time per address).
	const small = makeImage(path.join(T, 'small.png'), 320, 240);
	await Promise.all([2, 3, 4].map((n) => new Promise((resolve) => spawn('curl', ['-s', '-o', '/dev/null',
		'--interface', `127.0.0.${n}`, '-H', 'Accept: application/json', '-F', `image=@${small}`, server.base + '/'],
		{ stdio: 'ignore' }).on('exit', resolve))));
	console.log(`page: drop a ${W}x${H} JPEG (${mb} MB) -> cutout shown, ${RUNS} runs each (seconds)`);
	for (const [label, net] of conditions) {
		const rows = [];
		for (let i = 0; i < RUNS; i++) {
			const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
			const page = await ctx.newPage();
			await page.goto(server.base + '/');
			if (net) {
				const cdp = await ctx.newCDPSession(page);
				await cdp.send('Network.enable');
				await cdp.send('Network.emulateNetworkConditions', net);
			}
			// The clock starts in the page when the photo lands on it; the user then presses
			// the button at once; it stops when the result image has loaded and is shown.
			await page.evaluate(() => document.addEventListener('drop', () => { window.__drop = performance.now(); }, { capture: true, once: true }));
			await dropFile(page, file, 'image/jpeg', 'body');
			const engine = page.waitForResponse((r) => r.request().method() === 'POST', { timeout: 0 }).then((r) => r.headers()['x-cutout-engine']);
			await page.click('#go');
			await page.waitForFunction(() => window.Backdrop.timing && window.Backdrop.timing.shown > 0, null, { timeout: 0, polling: 100 });
			const t = await page.evaluate(() => ({ drop: window.__drop, ...window.Backdrop.timing }));
			rows.push({ total: (t.shown - t.drop) / 1000, upload: (t.uploaded - t.start) / 1000, rest: (t.shown - t.uploaded) / 1000, engine: await engine });
			await ctx.close();
		}
		const med = (k) => rows.map((r) => r[k]).sort((a, b) => a - b)[Math.floor((rows.length - 1) / 2)].toFixed(1);
		console.log(`  ${label.padEnd(18)} drop->cutout ${med('total')} s  (upload ${med('upload')} s, processing and display ${med('rest')} s; engine ${rows[0].engine})`);
	}
} finally {
	await browser.close();
	await stopServer(server.child);
}
