// editor.mjs: the editor of a record in headless Chromium: a colour background, a square
// canvas and a dragged position in the live preview, saved into the same record at full
// resolution with the pixels the preview promised (the corner's colour, the subject
// where it was dragged, the exact size); "Save as new"; re-editing starts from the saved
// choices. The refine brush: a "remove" stroke painted over the subject cuts it away
// there, the strokes are stored with the record and come back when editing again, and the
// keyboard alternative paints too. At 390 px no horizontal scroll. axe-core, screenshots.
import { T, ok, startServer, stopServer, launchBrowser, finish, watch, axeCheck, noHorizontalScroll, tapTargets,
	shoot, makeImage, records } from './lib.mjs';
import path from 'node:path';

// Uploads file through the page and waits for the result view.
async function upload(page, file, name) {
	await page.setInputFiles('#image', file);
	await page.fill('#name', name);
	await page.click('#go');
	await page.waitForSelector('#result:not([hidden])');
	await page.waitForFunction(() => document.querySelector('#after').complete);
}

// The RGBA of image url's pixels at the points, and its size, decoded by the browser.
function pixels(page, url, pts) {
	return page.evaluate(async ({ url, pts }) => {
		const b = await (await fetch(url, { cache: 'no-store' })).blob();
		const bm = await createImageBitmap(b);
		const c = new OffscreenCanvas(bm.width, bm.height), g = c.getContext('2d');
		g.drawImage(bm, 0, 0);
		return { w: bm.width, h: bm.height, type: b.type, px: pts.map(([x, y]) => Array.from(g.getImageData(x, y, 1, 1).data)) };
	}, { url, pts });
}

// The point of the editor canvas at output-canvas (or photo) coordinates x, y, in page px.
function onCanvas(page, x, y) {
	return page.$eval('#ed-canvas', (c, [x, y]) => {
		const r = c.getBoundingClientRect(), k = Number(c.dataset.scale);
		return [r.left + x * k * r.width / c.width, r.top + y * k * r.height / c.height];
	}, [x, y]);
}

const near = (a, b, tol) => a.every((v, i) => Math.abs(v - b[i]) <= tol);
const RED = [220, 38, 38, 255], ORANGE = [245, 158, 11, 255];

const photo = makeImage(path.join(T, 'llama.png'), 640, 480);
let server, browser;
try {
	server = await startServer();
	const { base } = server;
	browser = await launchBrowser();
	const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
	const page = await ctx.newPage();
	const w = watch(page);
	await page.goto(base + '/');
	await upload(page, photo, 'Llama');
	const rec = (await records(page))[0];
	ok(rec && rec.urls.cutout, 'the record has a stored cutout', rec && rec.urls);

	// Open the editor from the result: it takes the result's place.
	await page.click('#res-edit');
	await page.waitForSelector('#editor:not([hidden])');
	await page.waitForFunction(() => document.querySelector('#ed-canvas').width > 1);
	ok(await page.isHidden('#result'), 'the editor takes the result\'s place');
	const edTop = await page.$eval('#editor', (e) => e.getBoundingClientRect().top);
	ok(edTop >= -1 && edTop < 300, 'and is in view', edTop);
	await axeCheck(page, 'the editor');

	// Background red, square 1080 canvas, then drag the subject towards the bottom right.
	await page.getByRole('button', { name: 'Red', exact: true }).click();
	await page.selectOption('#ed-preset', 'square');
	await page.selectOption('#ed-format', 'png');
	await page.waitForTimeout(100);   // one animation frame for the preview
	let pv = await page.$eval('#ed-canvas', (c) => ({ w: c.width, h: c.height, corner: Array.from(c.getContext('2d').getImageData(1, 1, 1, 1).data) }));
	ok(pv.w === pv.h && near(pv.corner, RED, 2), 'the preview turns square with a red background, at once', pv);
	ok(w.requests.filter((r) => r.startsWith('POST')).length === 1, 'with no request to the server for it (only the upload)', w.requests.filter((r) => r.startsWith('POST')));
	// The subject is the photo's disc (centre 320, 240 at the photo's place on the canvas).
	const [sx, sy] = await onCanvas(page, 320, 240);
	const [tx, ty] = await onCanvas(page, 900, 880);
	await page.mouse.move(sx, sy);
	await page.mouse.down();
	await page.mouse.move((sx + tx) / 2, (sy + ty) / 2, { steps: 4 });
	await page.mouse.move(tx, ty, { steps: 4 });
	await page.mouse.up();
	await page.waitForTimeout(100);
	await shoot(page, 'editor-desktop');
	const pos = await page.evaluate(() => document.querySelector('#ed-canvas').toDataURL().length);
	ok(pos > 0, 'the preview redraws while dragging');

	const saved = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/update/'));
	await page.click('#ed-save');
	const res = await saved;
	const body = await res.json();
	ok(res.status() === 200 && body.id === rec.id, 'Save posts to /update/ID and keeps the same record', { status: res.status(), body });
	await page.waitForSelector('#result:not([hidden])');
	const o = body.options || {};
	ok(o.bg_color === '#dc2626' && o.canvas_size === '1080x1080' && /^\d+% \d+%$/.test(o.position || ''), 'the record keeps the choices', o);
	const recs = await records(page);
	ok(recs.length === 1 && recs[0].width === 1080 && recs[0].height === 1080, 'still one record, now 1080 x 1080', recs.map((r) => [r.width, r.height]));

	// The saved image's pixels: exact size, red corner, the subject where it was dragged.
	// The layer is the subject's box (the disc: 240 x 240 from 200, 120), placed at
	// (1080 - 240) * X% (composite.c); its centre has the orange block.
	const [px, py] = o.position.match(/\d+/g).map(Number);
	const cx = Math.trunc((1080 - 240) * px / 100) + 120, cy = Math.trunc((1080 - 240) * py / 100) + 120;
	const img = await pixels(page, `/image/${rec.id}/processed?v=${Date.now()}`, [[0, 0], [1079, 1079], [cx, cy], [320, 240]]);
	ok(img.w === 1080 && img.h === 1080, 'the saved image is exactly 1080 x 1080', img);
	ok(near(img.px[0], RED, 1) && near(img.px[1], RED, 1), 'its corners are the chosen red', img.px.slice(0, 2));
	ok(px > 60 && py > 60 && near(img.px[2], ORANGE, 40), 'the subject is where it was dragged (its centre is the orange block)', { px, py, at: img.px[2] });
	ok(near(img.px[3], RED, 1), 'and no longer where it was', img.px[3]);
	const shown = await page.$eval('#after', (i) => i.src);
	ok(/\?v=/.test(shown), 'the result view shows the new version', shown);

	// Save as new: a second record; re-editing starts from the saved choices.
	await page.click('#res-edit');
	await page.waitForSelector('#editor:not([hidden])');
	await page.waitForFunction(() => document.querySelector('#ed-canvas').width > 1);
	const again = await page.evaluate(() => ({
		preset: document.querySelector('#ed-preset').value,
		red: document.querySelector('.swatch[aria-label=Red]').getAttribute('aria-pressed'),
		format: document.querySelector('#ed-format').value,
	}));
	ok(again.preset === 'square' && again.red === 'true' && again.format === 'png', 're-editing starts from the saved choices', again);
	await page.getByRole('button', { name: 'Black', exact: true }).click();
	const asNew = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/update/'));
	await page.click('#ed-save-new');
	const nb = await (await asNew).json();
	ok(nb.id && nb.id !== rec.id && (await records(page)).length === 2, '"Save as new" makes a second record', nb.id);
	const one = (await records(page)).find((r) => r.id === rec.id);
	ok(one.options.bg_color === '#dc2626', 'and leaves the first as it was', one.options);

	// ---- The refine brush ----
	await page.goto(base + '/');
	await upload(page, photo, 'Refine me');
	const r2 = (await records(page)).find((r) => r.image_name === 'Refine me');
	const before = await pixels(page, r2.urls.cutout, [[320, 240], [40, 40]]);
	ok(before.px[0][3] === 255 && before.px[1][3] === 0, 'the cutout keeps the disc and drops the backdrop', before.px);
	await page.click('#res-refine');
	await page.waitForSelector('#editor:not([hidden]) [data-panel=refine]:not([hidden])');
	await page.waitForFunction(() => document.querySelector('#ed-canvas').width > 1);
	await page.getByRole('button', { name: 'Remove', exact: true }).click();
	await page.$eval('#ed-brush', (b) => { b.value = 60; b.dispatchEvent(new Event('input')); });
	// A stroke across the orange block (270..370 x 200..280 of the photo).
	const [ax, ay] = await onCanvas(page, 260, 240);
	const [bx, by] = await onCanvas(page, 380, 240);
	await page.mouse.move(ax, ay);
	await page.mouse.down();
	await page.mouse.move(bx, by, { steps: 8 });
	await page.mouse.up();
	ok(await page.isEnabled('#ed-undo'), 'a painted stroke can be undone');
	await page.click('#ed-undo');
	ok(await page.isDisabled('#ed-undo') && await page.isEnabled('#ed-redo'), 'undo takes it back, redo is offered');
	await page.click('#ed-redo');
	await shoot(page, 'refine-desktop');
	const t0 = Date.now();
	const cutAgain = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/update/'));
	await page.click('#ed-apply');
	const rr = await cutAgain;
	const sent = rr.request().postData() || '';
	ok(rr.status() === 200 && /name="hint_strokes"/.test(sent) && /"label":"bg"/.test(sent), 'the strokes go to the server as hint_strokes', rr.status());
	await page.waitForFunction(() => /Cut again/.test(document.querySelector('#ed-status').textContent));
	console.log(`# measure: refine stroke on a 640x480 photo, click to updated preview: ${Date.now() - t0} ms`);
	const after = await pixels(page, `${r2.urls.cutout}?v=${Date.now()}`, [[320, 240], [40, 40], [320, 150]]);
	ok(after.px[0][3] === 0, 'the cutout is cut away where the stroke was painted', after.px);
	ok(after.px[2][3] === 255, 'and kept elsewhere on the subject', after.px);
	const pvAfter = await page.$eval('#ed-canvas', (c) => {
		const k = Number(c.dataset.scale);
		return Array.from(c.getContext('2d').getImageData(Math.round(320 * k), Math.round(150 * k), 1, 1).data);
	});
	ok(pvAfter[3] === 255, 'the preview shows the new cutout');
	const stored = (await records(page)).find((r) => r.id === r2.id);
	ok(/"label":\s*"bg"/.test(stored.options.hint_strokes || ''), 'the strokes are stored with the record', stored.options);

	// Editing again starts from the stored strokes; the keyboard paints too.
	await page.click('#ed-close');
	await page.reload();
	await page.click(`#rec-${r2.id} details.edit > summary`);
	await page.waitForSelector('#editor:not([hidden])');
	await page.waitForFunction(() => document.querySelector('#ed-canvas').width > 1);
	await page.getByRole('button', { name: 'Refine the cutout', exact: true }).click();
	ok(await page.isEnabled('#ed-undo'), 're-editing starts from the stored strokes (they can be undone)');
	await page.focus('#ed-canvas');
	await page.keyboard.press('k');
	await page.keyboard.press('Space');
	await page.keyboard.press('ArrowRight');
	await page.keyboard.press('ArrowRight');
	await page.keyboard.press('Space');
	ok(/Stroke ended/.test(await page.textContent('#ed-status')), 'the keyboard paints a stroke (K, Space, arrows, Space)', await page.textContent('#ed-status'));
	const count = await page.evaluate(() => document.querySelector('#ed-undo').disabled);
	ok(count === false, 'which can be undone');
	await axeCheck(page, 'the refine brush');

	// The editor at 390 px.
	await page.setViewportSize({ width: 390, height: 844 });
	await page.getByRole('button', { name: 'Background', exact: true }).click();
	await page.waitForTimeout(100);
	await noHorizontalScroll(page, '390 px: the editor');
	await tapTargets(page, '390 px: the editor');
	await page.locator('#editor').scrollIntoViewIfNeeded();
	await shoot(page, 'editor-phone-390');
	ok(w.errors.length === 0, 'no console errors', w.errors);
	ok(w.failed.length === 0, 'no failed loads', w.failed);
	await ctx.close();

	// Without JavaScript: the card's edit form re-renders the same record.
	const njs = await browser.newContext({ javaScriptEnabled: false });
	const n = await njs.newPage();
	await n.goto(base + '/');
	await n.setInputFiles('#image', photo);
	await Promise.all([n.waitForNavigation(), n.click('#go')]);
	const nr = (await records(n))[0];
	await n.click('li.record details.edit > summary');
	await n.selectOption('li.record form.quick-edit select[name=bg_color]', 'white');
	await n.selectOption('li.record form.quick-edit select[name=canvas_size]', '1080x1080');
	await n.selectOption('li.record form.quick-edit select[name=format]', 'png');
	await Promise.all([n.waitForNavigation(), n.click('li.record form.quick-edit button:not([name])')]);
	const nr2 = await records(n);
	ok(nr2.length === 1 && nr2[0].id === nr.id && nr2[0].width === 1080, 'without JavaScript the edit form updates the same record', nr2.map((r) => [r.id === nr.id, r.width]));
	const np = await n.request.get(`${base}/image/${nr.id}/processed`);
	ok(np.status() === 200, 'and its image is served');
	await njs.close();
} catch (e) {
	ok(false, 'the browser test ran to the end', String(e && e.stack || e));
} finally {
	if (browser) await browser.close();
	if (server) await stopServer(server.child);
}
finish();
