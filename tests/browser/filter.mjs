// filter.mjs: the color filter page in headless Chromium: a picked PNG and a fake
// webcam snapshot go through POST /api/filter and come back drawn on the result canvas
// with the right pixels; camera refusal and server errors show in the status line.
// Starts its own service through cgi-bin/launch.sh and prints TAP lines.
import { T, ok, startServer, stopServer, launchBrowser, finish } from './lib.mjs';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';


// A w x h 8-bit RGB PNG of one color, with no color chunks (so no color management).
function solidPng(w, h, [r, g, b]) {
	const crcTable = Array.from({ length: 256 }, (_, k) => {
		let c = k;
		for (let i = 0; i < 8; i++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		return c >>> 0;
	});
	const crc = (buf) => {
		let c = 0xffffffff;
		for (const byte of buf) c = crcTable[(c ^ byte) & 255] ^ (c >>> 8);
		return (c ^ 0xffffffff) >>> 0;
	};
	const chunk = (type, data) => {
		const len = Buffer.alloc(4), sum = Buffer.alloc(4), td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
		len.writeUInt32BE(data.length);
		sum.writeUInt32BE(crc(td));
		return Buffer.concat([len, td, sum]);
	};
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(w, 0);
	ihdr.writeUInt32BE(h, 4);
	ihdr.set([8, 2, 0, 0, 0], 8);
	const raw = Buffer.alloc((w * 3 + 1) * h);
	for (let y = 0; y < h; y++)
		for (let x = 0; x < w; x++)
			raw.set([r, g, b], y * (w * 3 + 1) + 1 + x * 3);
	return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr),
		chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

// What a canvas holds: size, the center pixel, channel maxima, red-only and gray counts.
function canvasStats(page, sel) {
	return page.$eval(sel, (c) => {
		const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
		const s = { w: c.width, h: c.height, maxR: 0, maxG: 0, maxB: 0, lit: 0, notGray: 0, center: null };
		for (let i = 0; i < d.length; i += 4) {
			s.maxR = Math.max(s.maxR, d[i]);
			s.maxG = Math.max(s.maxG, d[i + 1]);
			s.maxB = Math.max(s.maxB, d[i + 2]);
			if (d[i] || d[i + 1] || d[i + 2]) s.lit++;
			if (d[i] !== d[i + 1] || d[i + 1] !== d[i + 2]) s.notGray++;
		}
		const k = ((c.height >> 1) * c.width + (c.width >> 1)) * 4;
		s.center = Array.from(d.slice(k, k + 4));
		return s;
	});
}

// Chooses value in the filter select, submits, and waits until the page has drawn the
// result or shown the error. Returns the request and the response.
async function apply(page, value) {
	await page.getByLabel(/^Filter/).selectOption(value);
	const req = page.waitForRequest((r) => r.url().endsWith('/api/filter'));
	const res = page.waitForResponse((r) => r.url().endsWith('/api/filter'));
	await page.getByRole('button', { name: 'Apply filter' }).click();
	const out = { req: await req, res: await res };
	await page.waitForSelector('#status:not(.flash-info)');
	return out;
}

const status = async (page) => ({
	text: (await page.textContent('#status')).trim(),
	cls: await page.getAttribute('#status', 'class'),
});

// The pixel (200, 100, 50) through each filter, by the formulas in the engine's filter.c.
const expected = {
	none: [200, 100, 50], red: [200, 0, 0], green: [0, 100, 0], blue: [0, 0, 50],
	no_red: [0, 100, 50], no_green: [200, 0, 50], no_blue: [200, 100, 0],
	grayscale: [124, 124, 124], sepia: [164, 146, 114], invert: [55, 155, 205],
};

const img = path.join(T, 'solid.png');
writeFileSync(img, solidPng(64, 48, [200, 100, 50]));

let server, browser;
try {
	server = await startServer();
	const { base } = server;
	browser = await launchBrowser(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream']);

	const ctx = await browser.newContext({ viewport: { width: 1100, height: 900 } });
	const page = await ctx.newPage();
	const errors = [], failedLoads = [];
	page.on('pageerror', (e) => errors.push(e.message));
	// Failed loads are judged by URL below (the browser's own /favicon.ico probe is a 404).
	page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text()); });
	page.on('response', (res) => { if (res.status() >= 400 && !res.url().endsWith('/favicon.ico')) failedLoads.push(res.status() + ' ' + new URL(res.url()).pathname); });

	// From the main page to the filter page and its shape.
	await page.goto(base + '/');
	await Promise.all([page.waitForNavigation(), page.click('header a[href="/filter.html"]')]);
	ok(page.url() === base + '/filter.html', 'the main page links to /filter.html', page.url());
	ok(await page.title() === 'Backdrop — color filter', 'the page is titled "Backdrop — color filter"', await page.title());
	ok(await page.locator('a[href="/"]').count() === 1, 'the page links back to /');
	const csp = (await page.request.get(base + '/filter.html')).headers()['content-security-policy'] || '';
	ok(csp.includes("default-src 'self'") && !csp.includes('unsafe-inline'), 'served under the strict CSP', csp);
	const inline = await page.evaluate(() => ({
		scripts: document.querySelectorAll('script:not([src])').length,
		handlers: [...document.querySelectorAll('*')].filter((el) => [...el.attributes].some((a) => a.name.startsWith('on'))).length,
		styles: document.querySelectorAll('[style], style').length,
	}));
	ok(inline.scripts === 0 && inline.handlers === 0 && inline.styles === 0, 'no inline scripts, handlers or styles', inline);
	const values = await page.$$eval('#filter option', (os) => os.map((o) => o.value).sort());
	ok(JSON.stringify(values) === JSON.stringify(Object.keys(expected).sort()), 'the select offers every filter the server accepts', values);
	ok(await page.getByLabel(/^Or pick an image file/).count() === 1 && await page.getByLabel(/^Filter/).count() === 1,
		'the file input and the select have labels');
	ok(await page.getByRole('button', { name: 'Apply filter' }).isDisabled(), 'nothing to apply before there is a picture');

	// A picked file: red, grayscale, then every filter against the engine's formulas.
	await page.getByLabel(/^Or pick an image file/).setInputFiles(img);
	await page.waitForSelector('#snapshot:not([hidden])');
	const snap = await canvasStats(page, '#snapshot');
	ok(snap.w === 64 && snap.h === 48 && snap.center.join() === '200,100,50,255', 'the picked file is drawn on the snapshot canvas', snap);
	let { req, res } = await apply(page, 'red');
	const sent = req.postDataJSON();
	ok(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/.test(sent.image) && sent.filter === 'red',
		'the snapshot goes as a PNG data URL with the chosen filter', { filter: sent.filter, image: sent.image.slice(0, 40) });
	ok(res.status() === 200, 'the server accepts it', res.status());
	let out = await canvasStats(page, '#result');
	ok(out.w === 64 && out.h === 48 && out.center.join() === '200,0,0,255', '"red" keeps only red: the result pixel is (200,0,0)', out);
	ok(out.maxG === 0 && out.maxB === 0 && out.lit === 64 * 48, 'every result pixel is red only', out);
	ok((await status(page)).cls.includes('flash-ok'), 'the status line says it worked', await status(page));
	ok(await page.getAttribute('#download', 'href') === (await res.json()).image, 'the download link holds the returned data URL');
	await apply(page, 'grayscale');
	out = await canvasStats(page, '#result');
	ok(out.center[0] === out.center[1] && out.center[1] === out.center[2] && out.notGray === 0,
		'"grayscale" gives R == G == B everywhere', out);
	ok(out.center.join() === '124,124,124,255', 'with the engine\'s luma (124 for 200,100,50)', out.center);
	for (const [name, rgb] of Object.entries(expected)) {
		({ req, res } = await apply(page, name));
		out = await canvasStats(page, '#result');
		ok(res.status() === 200 && req.postDataJSON().filter === name && out.center.join() === [...rgb, 255].join(),
			`"${name}" gives (${rgb.join(',')})`, { status: res.status(), center: out.center });
	}
	await page.screenshot({ path: path.join(T, 'filter-file.png'), fullPage: true });
	ok(errors.length === 0 && failedLoads.length === 0, 'no console errors and no failed loads so far', { errors, failedLoads });

	// Server errors: the JSON error body from the server, and a bare 502.
	await page.$eval('#filter option[value=sepia]', (o) => { o.value = 'purple'; });
	({ res } = await apply(page, 'purple'));
	let st = await status(page);
	ok(res.status() === 400 && st.cls.includes('flash-bad'), 'an invalid filter is refused and shown as an error', { status: res.status(), st });
	ok(st.text.includes('A field has an invalid value.') && st.text.includes('filter: expected none, red') && st.text.includes('400 invalid_field'),
		'the status line shows the message, detail, status and code', st.text);
	out = await canvasStats(page, '#result');
	ok(out.center.join() === '55,155,205,255', 'the last good result stays', out.center);
	ok(await page.getByRole('button', { name: 'Apply filter' }).isEnabled(), 'the button is usable again');
	await page.route('**/api/filter', (route) => route.fulfill({ status: 502, contentType: 'text/html', body: '<h1>Bad Gateway</h1>' }));
	({ res } = await apply(page, 'red'));
	st = await status(page);
	ok(st.cls.includes('flash-bad') && st.text.startsWith('The server answered 502'), 'a non-JSON error shows its status', st);
	await page.unroute('**/api/filter');

	// The fake webcam: start, snapshot, "red", stop.
	await page.getByRole('button', { name: 'Start camera' }).click();
	await page.waitForSelector('#camera-snap:not([disabled])');
	const vid = await page.$eval('#video', (v) => ({ w: v.videoWidth, h: v.videoHeight, paused: v.paused, hidden: v.hidden }));
	ok(vid.w > 0 && vid.h > 0 && !vid.paused && !vid.hidden, 'the camera preview plays', vid);
	await page.getByRole('button', { name: 'Take snapshot' }).click();
	const cam = await canvasStats(page, '#snapshot');
	ok(cam.w === vid.w && cam.h === vid.h && cam.lit > 0 && (cam.maxG > 0 || cam.maxB > 0),
		'the snapshot holds the camera frame, with green or blue in it', cam);
	({ req, res } = await apply(page, 'red'));
	out = await canvasStats(page, '#result');
	ok(res.status() === 200 && out.w === cam.w && out.h === cam.h, 'the camera snapshot is filtered', { status: res.status(), w: out.w, h: out.h });
	ok(out.lit > 0 && out.maxR > 0, 'the result canvas is not empty', out);
	ok(out.maxG === 0 && out.maxB === 0, 'and has only the red channel', out);
	await page.screenshot({ path: path.join(T, 'filter-page.png'), fullPage: true });
	if (process.env.SCREENSHOT_DIR)
		await page.screenshot({ path: path.join(process.env.SCREENSHOT_DIR, 'filter-page.png'), fullPage: true });
	console.log(`# screenshot: ${path.join(T, 'filter-page.png')}`);
	await page.getByRole('button', { name: 'Stop camera' }).click();
	const stopped = await page.$eval('#video', (v) => ({ src: v.srcObject, hidden: v.hidden }));
	ok(stopped.src === null && stopped.hidden, 'stopping the camera releases it', stopped);
	ok(errors.length === 0 && JSON.stringify(failedLoads) === JSON.stringify(['400 /api/filter', '502 /api/filter']),
		'no console errors; the only failed loads are the refused filter and the stubbed 502', { errors, failedLoads });
	await ctx.close();

	// A refused or missing camera says so plainly; the file input still works.
	for (const [name, want] of [['NotAllowedError', 'Camera permission was refused'], ['NotFoundError', 'No camera was found']]) {
		const c2 = await browser.newContext();
		await c2.addInitScript((nm) => {
			navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('refused in the test', nm));
		}, name);
		const p2 = await c2.newPage();
		await p2.goto(base + '/filter.html');
		await p2.getByRole('button', { name: 'Start camera' }).click();
		await p2.waitForSelector('#status.flash-bad');
		st = await status(p2);
		ok(st.text.startsWith(want) && /pick an image file/i.test(st.text), `${name}: "${want}"`, st);
		ok(await p2.getByRole('button', { name: 'Start camera' }).isEnabled() &&
			await p2.getByRole('button', { name: 'Take snapshot' }).isDisabled(), `${name}: the camera can be tried again`);
		await c2.close();
	}
} catch (e) {
	ok(false, 'the browser test ran to the end', String(e && e.stack || e));
} finally {
	if (browser) await browser.close();
	if (server) await stopServer(server.child);
}
finish();
