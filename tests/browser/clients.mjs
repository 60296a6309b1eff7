// clients.mjs: browser-side integrations from another origin in headless Chromium: a
// shop page on its own origin calls remove.bg's endpoints with fetch (POST
// /v1.0/removebg with X-Api-Key, which needs a CORS preflight; GET /v1.0/account; an
// error answer) and the Background Change API with axios (its browser build from
// tests/clients), as front ends built on it do. Prints TAP lines.
import { T, TOP, BUILD, ok, startServer, stopServer, launchBrowser, finish, dataEnv } from './lib.mjs';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const AXIOS = path.join(TOP, 'tests/clients/node_modules/axios/dist/axios.min.js');

// The other origin: a page and the axios bundle, nothing else.
function shopServer() {
	const page = '<!doctype html><html><head><meta charset="utf-8"><title>shop</title>' +
		'<script src="/axios.min.js"></script></head><body>shop</body></html>';
	const srv = http.createServer((req, res) => {
		if (req.url === '/axios.min.js') {
			res.writeHead(200, { 'Content-Type': 'application/javascript' });
			return res.end(readFileSync(AXIOS));
		}
		res.writeHead(200, { 'Content-Type': 'text/html' });
		res.end(page);
	});
	return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve(srv)));
}

const { child, base } = await startServer();
const shop = await shopServer();
const shopBase = `http://localhost:${shop.address().port}`;
const key = execFileSync(path.join(TOP, BUILD, 'backdrop'), ['key', 'add', 'browser'], {
	cwd: TOP, env: { ...process.env, ...dataEnv(path.join(T, 'data')) },
}).toString().trim();
const browser = await launchBrowser();
try {
	const page = await browser.newPage();
	await page.goto(shopBase + '/');
	ok(new URL(page.url()).origin !== new URL(base).origin, 'the shop page is on another origin');

	// A 60x40 PNG drawn in the page: red square on green.
	const result = await page.evaluate(async ({ base, key }) => {
		const c = document.createElement('canvas');
		c.width = 60; c.height = 40;
		const g = c.getContext('2d');
		g.fillStyle = '#20a040'; g.fillRect(0, 0, 60, 40);
		g.fillStyle = '#d02020'; g.fillRect(20, 10, 20, 20);
		const png = await new Promise((r) => c.toBlob(r, 'image/png'));
		const out = {};

		// remove.bg's browser integration: multipart with X-Api-Key (preflighted).
		const fd = new FormData();
		fd.append('image_file', png, 'shop.png');
		fd.append('size', 'auto');
		try {
			const r = await fetch(base + '/v1.0/removebg', { method: 'POST', headers: { 'X-Api-Key': key }, body: fd });
			const bmp = await createImageBitmap(await r.blob());
			const k = document.createElement('canvas');
			k.width = bmp.width; k.height = bmp.height;
			k.getContext('2d').drawImage(bmp, 0, 0);
			const px = (x, y) => Array.from(k.getContext('2d').getImageData(x, y, 1, 1).data);
			out.removebg = { status: r.status, type: r.headers.get('Content-Type'), credits: r.headers.get('X-Credits-Charged'),
				width: r.headers.get('X-Width'), maxWidth: r.headers.get('X-Max-Width'),
				corner: px(2, 2), middle: px(30, 20) };
		} catch (e) { out.removebg = { error: String(e) }; }

		try {
			const r = await fetch(base + '/v1.0/account', { headers: { 'X-Api-Key': key } });
			out.account = { status: r.status, body: await r.json() };
		} catch (e) { out.account = { error: String(e) }; }

		try {
			const r = await fetch(base + '/v1.0/removebg', { method: 'POST', headers: { 'X-Api-Key': 'bdk_nope' }, body: fd });
			out.error = { status: r.status, body: await r.json() };
		} catch (e) { out.error = { error: String(e) }; }

		// A Background Change front end on axios: its default Accept, the image back.
		const dataUrl = c.toDataURL('image/png');
		try {
			const r = await window.axios.post(base + '/api/change', { origin_img: dataUrl, bg_color: '#ffffff' },
				{ responseType: 'blob' });
			out.axiosImage = { status: r.status, type: r.headers['content-type'], size: r.data.size };
		} catch (e) { out.axiosImage = { error: String(e) }; }
		// And one that asks for JSON.
		try {
			const r = await window.axios.post(base + '/api/change', { origin_img: dataUrl },
				{ headers: { Accept: 'application/json' } });
			out.axiosJson = { status: r.status, width: r.data.data.width, b64: typeof r.data.data.result_b64 };
		} catch (e) { out.axiosJson = { error: String(e) }; }
		return out;
	}, { base, key });

	const rb = result.removebg;
	ok(rb.status === 200 && rb.type === 'image/png', 'fetch POST /v1.0/removebg from another origin gets the PNG', rb);
	ok(rb.credits === '1' && rb.width === '60' && rb.maxWidth === '60',
		'and can read the exposed X-Credits-Charged, X-Width and X-Max-Width', rb);
	ok(rb.corner && rb.corner[3] === 0, 'the cutout is transparent where the background was', rb.corner);
	ok(rb.middle && rb.middle[3] === 255 && rb.middle[0] > 150, 'and keeps the red subject', rb.middle);
	const acc = result.account;
	ok(acc.status === 200 && typeof acc.body?.data?.attributes?.credits?.total === 'number',
		'fetch GET /v1.0/account from another origin reads the credits', acc);
	ok(result.error.status === 403 && result.error.body?.errors?.[0]?.code === 'auth_failed',
		'an error answer is readable from another origin, in remove.bg\'s shape', result.error);
	const ai = result.axiosImage;
	ok(ai.status === 200 && /^image\/(png|jpeg)$/.test(ai.type) && ai.size > 0,
		'axios with its default Accept gets the image from /api/change', ai);
	const aj = result.axiosJson;
	ok(aj.status === 200 && aj.width === 60 && aj.b64 === 'string', 'axios asking for JSON gets JSON', aj);
} finally {
	await browser.close();
	shop.close();
	await stopServer(child);
}
finish();
