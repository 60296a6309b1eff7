// drive.js: runs the published remove.bg clients from npm, unmodified, against Backdrop
// and prints one JSON line per call for tests/e2e/test_clients.sh to check.
//
// Usage: node drive.js BASE KEY IMAGE OUTDIR FILES_BASE
//   BASE        Backdrop's base URL (http://127.0.0.1:PORT)
//   KEY         an API key
//   IMAGE       a local image file
//   OUTDIR      where results are written (one file per call, named after the call)
//   FILES_BASE  a local server that serves IMAGE and a background as o.png and t.png
//
// The `remove.bg` and `removebg-wrapper` packages hard-code https://api.remove.bg. Their
// files are not touched: in this process only, the HTTP library each one calls (unirest,
// request) is wrapped so that a URL on api.remove.bg goes to BASE instead, which is what
// "changing only the base URL" means for a client that does not let one set it.
'use strict';
const fs = require('fs');
const path = require('path');
const unirest = require('unirest');
const request = require('request');

const [BASE, KEY, IMAGE, OUT, FILES] = process.argv.slice(2);
const REMOTE = 'https://api.remove.bg';
const local = (url) => (url.startsWith(REMOTE) ? BASE + url.slice(REMOTE.length) : url);

// The redirection, in this process only.
const unirestPost = unirest.post;
unirest.post = (url, ...rest) => unirestPost.call(unirest, local(url), ...rest);
const requestPost = request.post;
let wrapperDone = null;
request.post = (opts, cb) => requestPost.call(request, { ...opts, url: local(opts.url) }, (err, res, body) => {
	cb(err, res, body);
	if (wrapperDone) wrapperDone({ err: err ? String(err) : null, status: res && res.statusCode });
});

const removebg = require('remove.bg');
const wrapper = require('removebg-wrapper');

function print(name, o) {
	console.log(JSON.stringify({ name, ...o }));
}

// One call of the remove.bg client: resolves with its result object (the image is
// written to OUTDIR/name.png by the client itself) or its rejection (the errors).
async function rb(name, fn, options) {
	const outputFile = path.join(OUT, name + '.png');
	try {
		const r = await fn({ apiKey: KEY, outputFile, ...options });
		print(name, { ok: true, file: outputFile, width: Number(r.resultWidth), height: Number(r.resultHeight),
			type: r.detectedType, credits: r.creditsCharged, rateLimit: r.rateLimit, b64: r.base64img.length });
	} catch (errors) {
		print(name, { ok: false, errors });
	}
}

// remove.bg's own Node sample (axios + form-data), as published, but for its URL.
function axiosSample(name, inputPath) {
	const axios = require('axios');
	const FormData = require('form-data');
	const formData = new FormData();
	formData.append('size', 'auto');
	formData.append('image_file', fs.createReadStream(inputPath), path.basename(inputPath));
	return axios({
		method: 'post',
		url: BASE + '/v1.0/removebg',
		data: formData,
		responseType: 'arraybuffer',
		headers: { ...formData.getHeaders(), 'X-Api-Key': KEY },
		encoding: null,
	}).then((response) => {
		if (response.status != 200) return print(name, { ok: false, status: response.status });
		const file = path.join(OUT, 'no-bg.png');
		fs.writeFileSync(file, response.data);
		print(name, { ok: true, file, status: response.status, type: response.headers['content-type'] });
	}).catch((error) => print(name, { ok: false, error: String(error) }));
}

async function main() {
	const b64 = fs.readFileSync(IMAGE).toString('base64');
	await rb('file', removebg.removeBackgroundFromImageFile, { path: IMAGE, size: 'regular', type: 'auto' });
	await rb('url', removebg.removeBackgroundFromImageUrl, { url: FILES + '/o.png', size: 'preview', type: 'product' });
	await rb('base64', removebg.removeBackgroundFromImageBase64, { base64img: b64, size: 'full' });
	await rb('size_auto', removebg.removeBackgroundFromImageBase64, { base64img: b64, size: 'auto' });
	await rb('type_person', removebg.removeBackgroundFromImageBase64, { base64img: b64, type: 'person' });
	await rb('crop', removebg.removeBackgroundFromImageBase64, { base64img: b64, size: 'full', crop: true });
	await rb('crop_margin', removebg.removeBackgroundFromImageBase64,
		{ base64img: b64, size: 'full', crop: true, crop_margin: '10px' });
	await rb('scale', removebg.removeBackgroundFromImageBase64,
		{ base64img: b64, size: 'full', scale: '50%', position: 'center' });
	await rb('position', removebg.removeBackgroundFromImageBase64,
		{ base64img: b64, size: 'full', scale: '50%', position: '0% 0%' });
	await rb('bg_color', removebg.removeBackgroundFromImageBase64, { base64img: b64, size: 'full', bg_color: 'ffffff' });
	await rb('bg_image_url', removebg.removeBackgroundFromImageBase64,
		{ base64img: b64, size: 'full', bg_image_url: FILES + '/t.png' });
	await rb('channels', removebg.removeBackgroundFromImageBase64, { base64img: b64, size: 'full', channels: 'alpha' });
	await rb('roi', removebg.removeBackgroundFromImageBase64, { base64img: b64, size: 'full', roi: '0% 0% 50% 100%' });
	await rb('add_shadow', removebg.removeBackgroundFromImageBase64, { base64img: b64, size: 'full', add_shadow: true });
	await rb('file_options', removebg.removeBackgroundFromImageFile,
		{ path: IMAGE, size: 'full', bg_color: 'ffffff', crop: true, crop_margin: '5px', scale: '80%',
		  position: 'center', roi: '0% 0% 100% 100%', channels: 'rgba', add_shadow: false, bg_image_url: '' });
	// The error path: remove.bg's error list, as the client hands it on.
	await rb('bad_key', (o) => removebg.removeBackgroundFromImageBase64({ ...o, apiKey: 'bdk_nope' }), { base64img: b64 });
	await rb('bad_color', removebg.removeBackgroundFromImageBase64, { base64img: b64, bg_color: 'notacolor' });
	await rb('bad_url', removebg.removeBackgroundFromImageUrl, { url: FILES + '/none.png' });

	// removebg-wrapper writes output.png (file) and output-2.png (URL) into the current
	// folder; its functions return before the request ends, so the wrapped request.post
	// tells when it has.
	process.chdir(OUT);
	for (const [name, call] of [['wrapper_file', () => wrapper.rbFromImageFile(IMAGE, KEY)],
		['wrapper_url', () => wrapper.rbFromImageUrl(FILES + '/o.png', KEY)]]) {
		const done = new Promise((resolve) => { wrapperDone = resolve; });
		await call();
		const r = await done;
		print(name, { ok: !r.err && r.status === 200, status: r.status,
			file: path.join(OUT, name === 'wrapper_file' ? 'output.png' : 'output-2.png') });
	}
	await axiosSample('axios_sample', IMAGE);
}

main();
