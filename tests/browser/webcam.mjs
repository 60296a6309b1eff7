// webcam.mjs: the webcam in the main flow, with Chromium's fake camera: the live
// preview, a snapshot, a colour filter on it (POST /api/filter), then "remove background"
// on the snapshot, which becomes a record like any upload; at 390 px too. axe-core and
// screenshots; no console errors.
import { ok, startServer, stopServer, launchBrowser, finish, watch, axeCheck, noHorizontalScroll, tapTargets, shoot,
	records } from './lib.mjs';

let server, browser;
try {
	server = await startServer();
	const { base } = server;
	browser = await launchBrowser(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream']);
	for (const [width, height] of [[1280, 900], [390, 844]]) {
		const ctx = await browser.newContext({ viewport: { width, height } });
		const page = await ctx.newPage();
		const w = watch(page);
		await page.goto(base + '/');
		await page.getByRole('button', { name: 'Use the webcam' }).click();
		await page.waitForFunction(() => { const v = document.querySelector('#cam-video'); return v.videoWidth > 0 && !v.paused; });
		const v = await page.$eval('#cam-video', (x) => ({ w: x.videoWidth, h: x.videoHeight }));
		ok(v.w > 0 && v.h > 0, `${width} px: the camera preview plays`, v);
		await page.getByRole('button', { name: 'Take snapshot' }).click();
		await page.waitForFunction(() => !document.querySelector('#cam-use').disabled);
		const shot = await page.$eval('#cam-shot', (c) => {
			const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
			let colour = 0;
			for (let i = 0; i < d.length; i += 4) if (d[i] !== d[i + 1] || d[i + 1] !== d[i + 2]) colour++;
			return { w: c.width, h: c.height, colour };
		});
		ok(shot.w === v.w && shot.h === v.h && shot.colour > 0, `${width} px: the snapshot holds the camera frame`, shot);
		const filtered = page.waitForResponse((r) => r.url().endsWith('/api/filter'));
		await page.selectOption('#cam-filter', 'grayscale');
		ok((await filtered).status() === 200, `${width} px: the filter is applied by the server`);
		await page.waitForFunction(() => /applied/.test(document.querySelector('#cam-status').textContent));
		const gray = await page.$eval('#cam-shot', (c) => {
			const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
			let colour = 0;
			for (let i = 0; i < d.length; i += 4) if (d[i] !== d[i + 1] || d[i + 1] !== d[i + 2]) colour++;
			return colour;
		});
		ok(gray === 0, `${width} px: the snapshot is now grayscale`, gray);
		await noHorizontalScroll(page, `${width} px: the webcam panel`);
		await tapTargets(page, `${width} px: the webcam panel`);
		await shoot(page, `webcam-${width}`);
		if (width === 1280) await axeCheck(page, 'the webcam panel');
		await page.getByRole('button', { name: 'Use this snapshot' }).click();
		await page.waitForSelector('#preview:not([hidden])');
		const chosen = await page.evaluate(() => ({ file: document.querySelector('#image').files[0].name, cam: document.querySelector('#cam-video').srcObject }));
		ok(/^webcam-.*\.png$/.test(chosen.file) && chosen.cam === null, `${width} px: the snapshot becomes the photo to send; the camera is released`, chosen);
		const posted = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/');
		await page.getByRole('button', { name: 'Remove background' }).click();
		ok((await posted).status() === 201, `${width} px: "Remove background" makes a record of the snapshot`);
		await page.waitForSelector('#result:not([hidden])');
		const recs = await records(page);
		ok(recs.length === 1 && /^webcam-/.test(recs[0].image_name) && recs[0].urls.cutout, `${width} px: saved with its cutout, named after the snapshot`, recs.map((r) => r.image_name));
		const dl = await page.request.get(base + await page.getAttribute('#res-download', 'href'));
		ok(dl.status() === 200 && /attachment/.test(dl.headers()['content-disposition'] || ''), `${width} px: the result downloads`);
		await shoot(page, `webcam-result-${width}`);
		ok(w.errors.length === 0 && w.failed.length === 0, `${width} px: no console errors or failed loads`, w);
		await ctx.close();
	}
} catch (e) {
	ok(false, 'the browser test ran to the end', String(e && e.stack || e));
} finally {
	if (browser) await browser.close();
	if (server) await stopServer(server.child);
}
finish();
