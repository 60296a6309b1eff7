// records.mjs: the records page in headless Chromium: upload, see the result, rename
// and delete, with JavaScript (inline, fetch PUT/DELETE) and without (plain forms).
// Starts its own service through cgi-bin/launch.sh and prints TAP lines.
import { T, ok, startServer, stopServer, launchBrowser, finish } from './lib.mjs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

async function records(page) {
	return page.evaluate(async () => {
		const r = await fetch('/', { headers: { Accept: 'application/json' } });
		return (await r.json()).records;
	});
}

async function upload(page, base, name, file) {
	await page.goto(base + '/');
	await page.setInputFiles('input[name=image]', file);
	await page.fill('form[enctype] input[name=name]', name);
	await Promise.all([page.waitForNavigation(), page.click('form[enctype] button[type=submit]')]);
}

const img = path.join(T, 'photo.png');
execFileSync('convert', ['-size', '240x180', 'xc:#f5f5f0', '-fill', '#1d4ed8',
	'-draw', 'circle 120 90 120 30', '-fill', '#f59e0b', '-draw', 'rectangle 95 70 145 110', img]);

let server, browser;
try {
	server = await startServer();
	const { base } = server;
	browser = await launchBrowser();

	// With JavaScript: upload, inline rename, inline delete.
	const ctx = await browser.newContext({ viewport: { width: 1100, height: 900 } });
	const page = await ctx.newPage();
	const errors = [];
	page.on('pageerror', (e) => errors.push(e.message));
	// Failed loads are judged by URL below (the browser's own /favicon.ico probe is a 404).
	page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text()); });
	page.on('response', (res) => { if (res.status() >= 400 && !res.url().endsWith('/favicon.ico')) errors.push(res.status() + ' ' + res.url()); });
	await upload(page, base, 'Browser <b>one</b>', img);
	ok(page.url() === base + '/?flash=ok', 'the upload lands on /?flash=ok', page.url());
	ok((await page.textContent('.flash')).trim() === 'Image generated successfully', 'the success flash is shown');
	ok(await page.locator('li.record').count() === 1, 'one record is listed');
	ok((await page.textContent('li.record .name')) === 'Browser <b>one</b>', 'the name is shown as text, escaped');
	ok(await page.locator('li.record .name b').count() === 0, 'no markup from the name');
	const loaded = await page.$$eval('li.record img', (ims) => ims.map((i) => i.complete && i.naturalWidth > 0));
	ok(loaded.length === 2 && loaded.every(Boolean), 'original and result images load', loaded);
	ok((await page.textContent('.usage')).trim() === '1 of 10 used', 'usage of the limit is shown');
	const bg = await page.$eval('a.checker', (a) => getComputedStyle(a).backgroundImage);
	ok(bg.includes('linear-gradient'), 'the result sits on a checkerboard');

	await page.screenshot({ path: path.join(T, 'records-page.png'), fullPage: true });
	if (process.env.SCREENSHOT_DIR)
		await page.screenshot({ path: path.join(process.env.SCREENSHOT_DIR, 'records-page.png'), fullPage: true });
	console.log(`# screenshot: ${path.join(T, 'records-page.png')}`);

	const before = page.url();
	await page.fill('li.record form.rename input[name=name]', '  Renamed inline  ');
	const put = page.waitForRequest((r) => r.method() === 'PUT');
	await page.click('li.record form.rename button');
	const req = await put;
	const sent = JSON.parse(req.postData());
	ok(req.url().endsWith('/update/' + sent.record_id) && sent.record_name === 'Renamed inline',
		'rename sends PUT /update/ID {"record_id", "record_name"}', sent);
	await page.waitForFunction(() => document.querySelector('li.record .name').textContent === 'Renamed inline');
	ok(page.url() === before, 'the rename happened in place (no navigation)');
	ok((await records(page))[0].image_name === 'Renamed inline', 'the server has the new name');

	page.on('dialog', (d) => d.accept());
	const del = page.waitForRequest((r) => r.method() === 'DELETE');
	await page.click('li.record form.remove button');
	ok((await del).url().includes('/remove/'), 'delete sends DELETE /remove/ID');
	await page.waitForFunction(() => document.querySelectorAll('li.record').length === 0);
	ok((await records(page)).length === 0, 'the record is gone on the server');
	ok((await page.textContent('.flash')).trim() === 'Record deleted', 'a flash says so');
	ok(errors.length === 0, 'no script errors and no failed loads', errors);
	await ctx.close();

	// Without JavaScript: the same through plain forms and redirects.
	const njs = await browser.newContext({ javaScriptEnabled: false });
	const p2 = await njs.newPage();
	await upload(p2, base, 'No script', img);
	ok(p2.url() === base + '/?flash=ok', 'without JavaScript the upload lands on /?flash=ok', p2.url());
	ok((await p2.textContent('.flash')).trim() === 'Image generated successfully', 'the success flash is shown');
	ok((await p2.textContent('li.record .name')) === 'No script', 'the new record is listed');
	await p2.fill('li.record form.rename input[name=name]', 'Renamed by form');
	await Promise.all([p2.waitForNavigation(), p2.click('li.record form.rename button')]);
	ok(p2.url() === base + '/?flash=renamed', 'the rename form redirects back', p2.url());
	ok((await p2.textContent('li.record .name')) === 'Renamed by form', 'the name changed');
	const href = await p2.getAttribute('li.record .links a', 'href');
	const dl = await p2.request.get(base + href);
	ok(dl.status() === 200 && /^attachment; filename="Renamed_by_form\.png"/.test(dl.headers()['content-disposition']),
		'the download link gives the named file', dl.headers()['content-disposition']);
	await Promise.all([p2.waitForNavigation(), p2.click('li.record form.remove button')]);
	ok(p2.url() === base + '/?flash=removed', 'the delete form redirects back', p2.url());
	ok(await p2.locator('li.record').count() === 0, 'the record is gone');
	ok(await p2.locator('.empty').count() === 1, 'the empty list says so');
	await njs.close();
} catch (e) {
	ok(false, 'the browser test ran to the end', String(e && e.stack || e));
} finally {
	if (browser) await browser.close();
	if (server) await stopServer(server.child);
}
finish();
