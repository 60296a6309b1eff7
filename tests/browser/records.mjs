// records.mjs: record names reach the page as text only: a name with markup, uploaded
// with and without JavaScript, is shown escaped in the card, the result, the alt texts
// and the control names, and the download is the file named after the record. (The
// flows themselves are in pages.mjs.) Starts its own service and prints TAP lines.
import { T, ok, startServer, stopServer, launchBrowser, finish, watch, makeImage, records } from './lib.mjs';
import path from 'node:path';

const NAME = 'Browser <b>one</b> & "two"';
const img = makeImage(path.join(T, 'photo.png'), 240, 180);

let server, browser;
try {
	server = await startServer();
	const { base } = server;
	browser = await launchBrowser();

	const ctx = await browser.newContext({ viewport: { width: 1100, height: 900 } });
	const page = await ctx.newPage();
	const w = watch(page);
	await page.goto(base + '/');
	await page.setInputFiles('#image', img);
	await page.fill('#name', NAME);
	await page.click('#go');
	await page.waitForSelector('#result:not([hidden])');
	ok((await page.textContent('#res-name')) === NAME, 'the result shows the name as text');
	ok((await page.textContent('#res-download')) === 'Download ' + NAME, 'the download button names it');
	await page.waitForSelector('li.record');
	ok((await page.textContent('li.record .name')) === NAME, 'the card shows the name as text, escaped');
	ok(await page.locator('li.record b, #result b').count() === 0, 'no markup from the name');
	const alts = await page.$$eval('li.record img', (ims) => ims.map((i) => i.alt));
	ok(alts.join('|') === `Original: ${NAME}|Result: ${NAME}`, 'the alt texts carry the name', alts);
	ok(await page.inputValue('li.record form.rename input[name=name]') === NAME, 'the rename field holds it');
	ok(w.errors.length === 0, 'no console errors', w.errors);
	await ctx.close();

	// Without JavaScript: the same escaping; the download is the named file.
	const njs = await browser.newContext({ javaScriptEnabled: false });
	const p2 = await njs.newPage();
	await p2.goto(base + '/');
	await p2.setInputFiles('#image', img);
	await p2.fill('#name', NAME);
	await Promise.all([p2.waitForNavigation(), p2.click('#go')]);
	ok((await p2.textContent('li.record .name')) === NAME && (await p2.textContent('#last .res-name')) === NAME,
		'without JavaScript the card and the result show the name as text');
	ok(await p2.locator('li.record b, #last b').count() === 0, 'no markup from the name');
	const rec = (await records(p2))[0];
	const href = await p2.getAttribute('li.record .acts a.primary', 'href');
	ok(href === `/image/${rec.id}/processed?download=1`, 'the card links the download', href);
	const dl = await p2.request.get(base + href);
	ok(dl.status() === 200 && /^attachment; filename="Browser_b_one_b_two\.png"/.test(dl.headers()['content-disposition']),
		'the download is the file named after the record', dl.headers()['content-disposition']);
	await njs.close();
} catch (e) {
	ok(false, 'the browser test ran to the end', String(e && e.stack || e));
} finally {
	if (browser) await browser.close();
	if (server) await stopServer(server.child);
}
finish();
