// pages.mjs: the start and history page in headless Chromium, as a new user meets it at
// desktop and phone widths: a photo dropped and pasted, the upload's progress then the
// processing time, the result large and in view with its download, errors in plain
// words next to the drop zone, history cards (small thumbnails, inline rename, delete
// with confirmation and undo, "N of LIMIT used" checked before sending), the same flows
// without JavaScript, no horizontal scroll at 390 and 360 px, tap targets, axe-core,
// and no console errors. Screenshots of each state go to the test's folder (and to
// SCREENSHOT_DIR when set). Starts its own service through cgi-bin/launch.sh.
import { T, ok, startServer, stopServer, launchBrowser, finish, watch, axeCheck, noHorizontalScroll, tapTargets, shoot,
	makeImage, records, dropFile, pasteFile } from './lib.mjs';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const LIMIT = 4;
const photo = makeImage(path.join(T, 'llama.png'), 640, 480);
const notImage = path.join(T, 'holiday.png');
writeFileSync(notImage, 'these are my holiday notes, not a picture\n');

let server, browser;
try {
	server = await startServer({ BACKDROP_USER_LIMIT: String(LIMIT) });
	const { base } = server;
	browser = await launchBrowser();

	// ---- Desktop, with JavaScript ----
	const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
	const page = await ctx.newPage();
	const w = watch(page);
	await page.goto(base + '/');
	await shoot(page, 'start-desktop');
	await axeCheck(page, 'the start page (empty history)');
	const live = await page.$$eval('[aria-live], [role=status], [role=alert]', (els) => els.filter((e) => e.textContent.trim()).map((e) => e.id || e.className));
	ok(live.length === 0, 'live regions start empty (announced when updated, not preloaded)', live);
	ok((await page.textContent('#usage')).trim() === `0 of ${LIMIT} used`, '"0 of LIMIT used" is shown', await page.textContent('#usage'));

	// Drop a file anywhere on the page.
	await dropFile(page, photo, 'image/png', 'footer');
	await page.waitForSelector('#preview:not([hidden])');
	let st = await page.evaluate(() => ({
		file: document.querySelector('#image').files[0] && document.querySelector('#image').files[0].name,
		name: document.querySelector('#name').value,
		preview: document.querySelector('#preview-img').src.startsWith('blob:'),
	}));
	ok(st.file === 'llama.png' && st.preview, 'a file dropped on the page becomes the chosen photo with a preview', st);
	ok(st.name === 'llama', 'the name defaults to the file name', st);
	await page.waitForFunction(() => document.querySelector('#preview-img').complete);
	await shoot(page, 'chosen-desktop');

	// Paste one from the clipboard.
	await pasteFile(page, photo, 'image/png', 'image.png');
	await page.waitForFunction(() => document.querySelector('#image').files[0].name.startsWith('pasted-image'));
	st = await page.evaluate(() => ({ name: document.querySelector('#name').value, label: document.querySelector('#preview-name').textContent }));
	ok(st.name === 'pasted-image' && st.label.startsWith('pasted-image.png'), 'a pasted image becomes the chosen photo, named "pasted-image"', st);

	// Errors in plain words, next to the drop zone: a file that is not an image.
	await page.setInputFiles('#image', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
	let err = (await page.textContent('#image-error')).trim();
	ok(/"notes\.txt" is not an image/.test(err), 'a text file is refused before sending, in plain words', err);
	ok(w.requests.filter((r) => r.startsWith('POST ')).length === 0, 'nothing was sent');
	// A file named like an image that is not one: the server says so, the page in words.
	await page.setInputFiles('#image', notImage);
	await page.click('#go');
	await page.waitForFunction(() => document.querySelector('#image-error').textContent.trim() !== '');
	err = (await page.textContent('#image-error')).trim();
	ok(/is not an image|not an image we can read/.test(err) && !/\{|"code"/.test(err), 'a fake image is refused by the server and shown in plain words', err);
	const near = await page.evaluate(() => {
		const e = document.querySelector('#image-error').getBoundingClientRect(), d = document.querySelector('#drop').getBoundingClientRect();
		return { gap: e.top - d.bottom, inView: e.top >= 0 && e.bottom <= innerHeight };
	});
	ok(near.gap >= 0 && near.gap < 120 && near.inView, 'the error sits just below the drop zone, in view', near);
	await shoot(page, 'error-desktop');
	ok(await page.isEnabled('#go'), 'the button is usable again');

	// Upload with visible progress (the uplink throttled so progress events happen),
	// then the processing state, then the result large and in view.
	const big = makeImage(path.join(T, 'big.png'), 1600, 1200, true);
	await page.setInputFiles('#image', big);
	await page.fill('#name', 'Llama on the hill');
	await page.evaluate(() => {
		window.__seen = [];
		new MutationObserver(() => window.__seen.push(document.querySelector('#progress-text').textContent))
			.observe(document.querySelector('#progress-text'), { childList: true, characterData: true, subtree: true });
	});
	const cdp = await ctx.newCDPSession(page);
	await cdp.send('Network.enable');
	await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 4e6 / 8 });
	const posted = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/');
	await page.click('#go');
	ok(await page.isDisabled('#go'), 'the button is disabled while busy');
	const res = await posted;
	await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
	await page.waitForSelector('#result:not([hidden])');
	await page.waitForFunction(() => document.querySelector('#after').complete && document.querySelector('#after').naturalWidth > 0);
	const seen = await page.evaluate(() => window.__seen);
	const pcts = seen.map((s) => /^Uploading (\d+)%/.exec(s)).filter(Boolean).map((m) => Number(m[1]));
	ok(pcts.some((p) => p > 0 && p < 100), 'upload progress is shown as a percentage between 0 and 100', seen.slice(0, 8));
	ok(seen.some((s) => /^Processing… \d+ s$/.test(s)), 'then the processing state with elapsed seconds', seen.slice(-4));
	ok(res.status() === 201, 'the upload made a record', res.status());
	const view = await page.evaluate(() => {
		const r = document.querySelector('#compare').getBoundingClientRect();
		return { top: r.top, bottom: r.bottom, width: r.width, vh: innerHeight, vw: innerWidth };
	});
	ok(view.top >= 0 && view.top < view.vh / 3 && view.bottom <= view.vh + 1, 'the result is in the viewport', view);
	ok(view.width >= 500, 'and large (at least 500 px wide on a desktop)', view);
	const bgStyle = await page.$eval('#compare', (e) => getComputedStyle(e).backgroundImage);
	ok(bgStyle.includes('linear-gradient'), 'on a checkerboard');
	const rec = (await records(page))[0];
	const dl = await page.$eval('#res-download', (a) => ({ href: a.getAttribute('href'), text: a.textContent, y: a.getBoundingClientRect().top }));
	ok(new RegExp(`^/image/${rec.id}/processed\\?(v=[0-9a-f]+&)?download=1$`).test(dl.href) && dl.text === 'Download Llama on the hill',
		'the download beside it is named after the image', dl);
	const got = await page.request.get(base + dl.href);
	ok(got.status() === 200 && /^attachment; filename="Llama_on_the_hill\.png"/.test(got.headers()['content-disposition']), 'and gives the named file',
		got.headers()['content-disposition']);
	ok(dl.y >= 0 && dl.y < view.vh, 'the download button is in view too', dl);
	ok(/is ready/.test(await page.textContent('#upload-status')), 'the status line announces the result', await page.textContent('#upload-status'));
	await page.$eval('#split', (s) => { s.value = 20; s.dispatchEvent(new Event('input')); });
	ok(await page.$eval('#before-clip', (e) => e.style.clipPath) === 'inset(0px 80% 0px 0px)', 'the before/after slider moves the split');
	await shoot(page, 'result-desktop');
	await axeCheck(page, 'the result view');

	// History: small thumbnails, never the full original.
	await page.waitForSelector(`#rec-${rec.id}`);
	const imgs = await page.$$eval('#cards img', (ims) => ims.map((i) => i.getAttribute('src')));
	ok(imgs.length === 2 && imgs.some((s) => s.endsWith('/original_thumb')) && !imgs.some((s) => /\/original$/.test(s)),
		'the card shows original_thumb and thumb, never the full original', imgs);
	const thumbs = await page.$$eval('#cards img', (ims) => Promise.all(ims.map((i) => i.decode().then(() => i.naturalWidth, () => 0))));
	ok(thumbs.every((x) => x > 0 && x <= 512), 'both thumbnails load and are small', thumbs);
	ok((await page.textContent('#usage')).trim() === `1 of ${LIMIT} used`, 'the count went up', await page.textContent('#usage'));

	// Inline rename: the confirmation next to the card.
	const card = `#rec-${rec.id}`;
	await page.fill(`${card} form.rename input[name=name]`, 'Llama on white');
	await page.click(`${card} form.rename button`);
	await page.waitForFunction((c) => document.querySelector(c + ' .note').textContent.includes('Renamed'), card);
	ok((await page.textContent(`${card} .note`)).trim() === 'Renamed to "Llama on white".', 'the rename is confirmed inside the card');
	ok((await page.textContent(`${card} .name`)) === 'Llama on white' && (await records(page))[0].image_name === 'Llama on white', 'and the server has it');
	const names = await page.$$eval(`${card} a, ${card} button, ${card} summary`, (els) => els.map((e) => e.textContent.trim()));
	ok(names.includes('Download Llama on white') && names.includes('Delete Llama on white'), 'the card\'s controls have distinguishable names', names);

	// Delete: confirm in the card, undo, then delete for good.
	await page.click(`${card} a[data-remove]`);
	ok((await page.textContent(`${card} .note`)).startsWith('Delete "Llama on white"?'), 'delete asks first, inside the card');
	await shoot(page, 'delete-confirm-desktop');
	await page.getByRole('button', { name: 'Yes, delete' }).click();
	ok(await page.isHidden(card) && /deleted/.test(await page.textContent('li.undo')), 'the card goes, with an Undo in its place');
	ok(await page.evaluate(() => document.activeElement.textContent) === 'Undo', 'focus is on Undo');
	await page.getByRole('button', { name: 'Undo' }).click();
	ok(await page.isVisible(card) && (await records(page)).length === 1, 'Undo brings it back; nothing was deleted on the server');
	await page.click(`${card} a[data-remove]`);
	const del = page.waitForRequest((r) => r.method() === 'DELETE');
	await page.getByRole('button', { name: 'Yes, delete' }).click();
	ok((await del).url().endsWith('/remove/' + rec.id), 'without Undo, DELETE /remove/ID is sent after a few seconds');
	await page.waitForFunction((id) => !document.getElementById('rec-' + id), rec.id);
	ok((await records(page)).length === 0 && (await page.textContent('#usage')).trim() === `0 of ${LIMIT} used`, 'the record is gone and the count went down');

	// "N of LIMIT used" checked before the upload starts.
	for (let i = 0; i < LIMIT; i++) {
		await page.setInputFiles('#image', photo);
		const r = page.waitForResponse((x) => x.request().method() === 'POST');
		await page.click('#go');
		await r;
		await page.waitForFunction(() => !document.querySelector('#go').disabled);
	}
	await page.waitForFunction((n) => document.querySelectorAll('#cards li.record').length === n, LIMIT);
	const before = w.requests.length;
	await page.setInputFiles('#image', photo);
	await page.waitForFunction(() => document.querySelector('#image-error').textContent.trim() !== '');
	err = (await page.textContent('#image-error')).trim();
	ok(/history is full \(4 of 4 used\)/.test(err) && await page.locator('#image-error a[href="#history"]').count() === 1,
		'a full history is said before sending, with a way to the history', err);
	await page.click('#go');
	ok(w.requests.slice(before).filter((r) => r.startsWith('POST')).length === 0, 'and nothing is sent');
	await page.reload();
	await shoot(page, 'history-desktop');
	await axeCheck(page, 'the page with a full history');
	ok(w.errors.length === 0, 'no console errors (desktop)', w.errors);
	const unexpected = w.failed.filter((f) => !/ \/$/.test(f));
	ok(unexpected.length === 0, 'no failed loads but the refused upload', w.failed);
	await ctx.close();

	// ---- Phones: 390 and 360 px ----
	for (const width of [390, 360]) {
		const pc = await browser.newContext({ viewport: { width, height: 800 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
		const p = await pc.newPage();
		const pw = watch(p);
		await p.goto(base + '/');
		await noHorizontalScroll(p, `${width} px: the start page`);
		await tapTargets(p, `${width} px: the start page`);
		await shoot(p, `start-phone-${width}`);
		await p.setInputFiles('#image', photo);
		await noHorizontalScroll(p, `${width} px: a photo chosen`);
		await shoot(p, `chosen-phone-${width}`);
		await p.click('#go');
		await p.waitForSelector('#result:not([hidden])');
		await p.waitForFunction(() => document.querySelector('#after').complete);
		const v = await p.evaluate(() => {
			const r = document.querySelector('#compare').getBoundingClientRect();
			return { top: r.top, bottom: r.bottom, width: r.width, vh: innerHeight };
		});
		ok(v.top >= 0 && v.top < v.vh / 2 && v.width >= width - 40, `${width} px: the result is in view and spans the screen`, v);
		await noHorizontalScroll(p, `${width} px: the result`);
		await tapTargets(p, `${width} px: the result`);
		await shoot(p, `result-phone-${width}`);
		if (width === 390) await axeCheck(p, '390 px: the result');
		await p.reload();
		await noHorizontalScroll(p, `${width} px: the history`);
		await tapTargets(p, `${width} px: the history`);
		await p.locator('#history').scrollIntoViewIfNeeded();
		await shoot(p, `history-phone-${width}`);
		ok(pw.errors.length === 0, `${width} px: no console errors`, pw.errors);
		await pc.close();
	}

	// ---- Without JavaScript ----
	const njs = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 800 } });
	const n = await njs.newPage();
	await n.goto(base + '/');
	for (const rr of await records(n, true)) await n.request.delete(base + '/remove/' + rr.id, { headers: { Origin: base } });
	await n.goto(base + '/');
	await n.setInputFiles('#image', photo);
	await Promise.all([n.waitForNavigation(), n.click('#go')]);
	ok(n.url() === base + '/?flash=ok', 'without JavaScript, an upload with no name lands on /?flash=ok', n.url());
	ok(await n.locator('#last img').count() === 1 && /Download/.test(await n.textContent('#last .btn.primary')),
		'the result is shown large with its download', await n.textContent('main').catch(() => ''));
	ok((await n.textContent('li.record .name')) === 'llama', 'the record is named after the file', await n.textContent('li.record .name').catch(() => ''));
	await noHorizontalScroll(n, 'no JavaScript, 390 px: the result');
	await shoot(n, 'nojs-result-phone');
	await n.fill('li.record form.rename input[name=name]', 'Renamed by form');
	await Promise.all([n.waitForNavigation(), n.click('li.record form.rename button')]);
	ok(n.url() === base + '/?flash=renamed' && (await n.textContent('li.record .name')) === 'Renamed by form', 'the rename form redirects back with the new name', n.url());
	ok(await n.locator('#history .flash').count() === 1, 'the rename notice is shown at the list');
	await Promise.all([n.waitForNavigation(), n.click('li.record a[data-remove]')]);
	ok(/\/remove\/[0-9a-f]{32}$/.test(n.url()), 'Delete opens a confirmation page', n.url());
	await shoot(n, 'nojs-delete-confirm');
	await Promise.all([n.waitForNavigation(), n.click('form[action^="/remove/"] button[type=submit]')]);
	ok(n.url() === base + '/?flash=removed' && await n.locator('li.record').count() === 0, 'confirming deletes and redirects back', n.url());
	await njs.close();
} catch (e) {
	ok(false, 'the browser test ran to the end', String(e && e.stack || e));
} finally {
	if (browser) await browser.close();
	if (server) await stopServer(server.child);
}
finish();
