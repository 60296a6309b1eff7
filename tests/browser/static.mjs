// static.mjs: the static pages in headless Chromium: the API page (every endpoint with
// a curl example naming this server, each with a working Copy button), the favicon,
// the webcam and filter page, nginx's own error pages, the delete confirmation without
// JavaScript, and www/embed-example.html served from a second site: its cross-site form
// post lands the visitor on their own records with the new result next to the earlier
// ones. axe-core on each page, no horizontal scroll at 390 px, screenshots.
import { T, ok, startServer, stopServer, launchBrowser, finish, watch, axeCheck, noHorizontalScroll, tapTargets,
	shoot, makeImage, records } from './lib.mjs';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const photo = makeImage(path.join(T, 'shoe.png'), 320, 240);
let server, browser, other;
try {
	server = await startServer({ BACKDROP_MAX_UPLOAD_BYTES: '1048576' });
	const { base } = server;
	browser = await launchBrowser();
	const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
	await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
	const page = await ctx.newPage();
	const w = watch(page);

	// The API page.
	await page.goto(base + '/docs');
	ok(await page.title() === 'Backdrop — API', 'GET /docs is the API page', await page.title());
	const codes = await page.$$eval('.snippet code', (cs) => cs.map((c) => c.textContent));
	const all = codes.join('\n');
	for (const ep of ['POST /', 'GET /', '/image/ID/', '/update/ID', '-X DELETE', '/remove/ID', '/v1.0/removebg', '/v1.0/account',
		'/api/remove', '/api/webhook', '/api/jobs/', '/api/filter', '/health', 'backdrop key add']) {
		const needle = ep.replace(/^(POST|GET) /, '');
		ok(all.includes(needle), `the API page has a curl example for ${ep}`);
	}
	ok(codes.filter((c) => c.startsWith('curl')).every((c) => c.includes(base)) && !all.includes('backdrop.example'),
		'the examples name this server', codes.slice(0, 2));
	ok(await page.locator('#removebg').count() === 1 && /changing only the base URL/.test(await page.textContent('#removebg + p')),
		'remove.bg compatibility is explained');
	ok(await page.locator('#rembg').count() === 1 && await page.locator('#keys').count() === 1, 'rembg compatibility and getting a key are there');
	const copies = await page.locator('.snippet .copy').count();
	ok(copies === codes.length, 'every example has a Copy button', { copies, examples: codes.length });
	await page.locator('#remove + .snippet .copy, #remove ~ .snippet .copy').first().click();
	const clip = await page.evaluate(() => navigator.clipboard.readText());
	ok(clip === `curl -s -X DELETE -H "X-Api-Key: $KEY" ${base}/remove/ID   # {"message": "success"}`, 'Copy puts the example on the clipboard', clip);
	await shoot(page, 'docs-desktop');
	await axeCheck(page, 'the API page');
	const fav = await page.request.get(base + '/favicon.svg');
	ok(fav.status() === 200 && fav.headers()['content-type'] === 'image/svg+xml', 'the favicon is served');
	ok(await page.$eval('link[rel=icon]', (l) => l.getAttribute('href')) === '/favicon.svg', 'and linked');

	// The webcam and filter page, and nginx's error pages.
	await page.goto(base + '/filter.html');
	await axeCheck(page, 'the webcam and filter page');
	await shoot(page, 'filter-desktop');
	// nginx's own 413 on the page routes is a page in plain words, with the limit (the
	// service here takes 1 MB): a plain form post of a larger file, as without JavaScript.
	const big = makeImage(path.join(T, 'big.png'), 1200, 900, true);
	await page.evaluate(() => {
		const f = document.createElement('form');
		f.method = 'post';
		f.action = '/';
		f.enctype = 'multipart/form-data';
		f.id = 'plain';
		const i = document.createElement('input');
		i.type = 'file';
		i.name = 'image';
		f.append(i);
		document.body.append(f);
	});
	await page.setInputFiles('#plain input', big);
	const [tooLarge] = await Promise.all([page.waitForNavigation(), page.$eval('#plain', (f) => f.submit())]);
	ok(tooLarge.status() === 413 && /too large/i.test(await page.textContent('h1')) && /1(\.0)? MB/.test(await page.textContent('main')),
		'a too large upload gets the 413 page in plain words, with the limit', [tooLarge.status(), await page.textContent('main')]);
	await axeCheck(page, 'the 413 page');
	await shoot(page, 'error-413-desktop');
	w.errors.length = 0;   // the browser logs the 413 itself
	ok(w.errors.length === 0, 'no console errors on the static pages', w.errors);

	// At 390 px.
	await page.setViewportSize({ width: 390, height: 844 });
	for (const [url, name] of [['/docs', 'docs'], ['/filter.html', 'filter']]) {
		await page.goto(base + url);
		await noHorizontalScroll(page, `390 px: ${url}`);
		await tapTargets(page, `390 px: ${url}`);
		await shoot(page, `${name}-phone-390`);
	}

	// The delete confirmation, the page a Delete link opens without JavaScript.
	await page.goto(base + '/');
	await page.setInputFiles('#image', photo);
	await page.click('#go');
	await page.waitForSelector('#result:not([hidden])');
	const id = (await records(page))[0].id;
	await page.goto(`${base}/remove/${id}`);
	ok(await page.locator(`form[action="/remove/${id}"] button[type=submit]`).count() === 1, 'GET /remove/ID asks to confirm');
	await axeCheck(page, 'the delete confirmation');
	await noHorizontalScroll(page, '390 px: the delete confirmation');
	await tapTargets(page, '390 px: the delete confirmation');
	await shoot(page, 'confirm-phone-390');

	// The embed example from a second site: localhost is another site than 127.0.0.1,
	// so the form's cross-site POST carries no SameSite=Lax cookie.
	const html = readFileSync('www/embed-example.html', 'utf8').replace('https://backdrop.example/', base + '/');
	other = http.createServer((req, res) => { res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }); res.end(html); });
	await new Promise((resolve) => other.listen(0, '127.0.0.1', resolve));
	const site = `http://localhost:${other.address().port}/`;
	const vis = await browser.newContext({ viewport: { width: 1280, height: 900 } });
	const v = await vis.newPage();
	const vw = watch(v);
	await v.goto(base + '/');
	await v.setInputFiles('#image', photo);
	await v.fill('#name', 'Made on Backdrop');
	await v.click('#go');
	await v.waitForSelector('#result:not([hidden])');
	const cookie = (await vis.cookies(base)).map((c) => c.name + '=' + c.value).join(';');
	await v.goto(site);
	await axeCheck(v, 'the embed example');
	await shoot(v, 'embed-example');
	await v.setInputFiles('input[name=image]', photo);
	await v.fill('input[name=name]', 'Made elsewhere');
	await Promise.all([v.waitForURL(base + '/?flash=ok'), v.click('button[type=submit]')]);
	ok(v.url() === base + '/?flash=ok', 'the second site\'s form lands the visitor on Backdrop with the success notice', v.url());
	const names = await v.$$eval('li.record .name', (hs) => hs.map((h) => h.textContent));
	ok(names.length === 2 && names.includes('Made elsewhere') && names.includes('Made on Backdrop'),
		'with the new result next to their earlier image (their own records)', names);
	ok((await vis.cookies(base)).map((c) => c.name + '=' + c.value).join(';') === cookie, 'the visitor\'s identity cookie is unchanged', cookie);
	ok(await v.locator('#last img').count() === 1 && (await records(v))[0].image_name === 'Made elsewhere', 'the new result is shown large');
	await shoot(v, 'embed-landed');
	ok(vw.errors.length === 0, 'no console errors', vw.errors);
	await vis.close();
} catch (e) {
	ok(false, 'the browser test ran to the end', String(e && e.stack || e));
} finally {
	if (other) other.close();
	if (browser) await browser.close();
	if (server) await stopServer(server.child);
}
finish();
