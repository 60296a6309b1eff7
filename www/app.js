// app.js: the start and history page. Choosing a photo (picker, camera, drop anywhere,
// paste, webcam snapshot), checks before sending, the upload with its progress and the
// processing time, the result with a before/after slider, and the history cards (inline
// rename, delete with undo). Without JavaScript the same forms post and the server
// redirects back; this only improves them.
'use strict';

const $ = (sel, root = document) => root.querySelector(sel);
const form = $('#upload');
const Backdrop = window.Backdrop = window.Backdrop || {};

// Sizes and counts in words.
const mb = (n) => (n / 1048576).toFixed(n < 10485760 ? 1 : 0) + ' MB';
const mp = (n) => Math.round(n / 1e6) + ' MP';
const plural = (n, one, many) => n + ' ' + (n === 1 ? one : many);

// The server's error codes (err.c) in plain words; limits come from the page.
function errorWords(code, detail, status) {
	const lim = form ? form.dataset : {};
	switch (code) {
	case 'not_an_image': return 'This file is not an image. Choose a photo (JPEG, PNG, WebP, HEIC, AVIF, GIF, BMP or TIFF).';
	case 'unsupported_image': return 'This file is not an image we can read. Use a JPEG, PNG, WebP, HEIC, AVIF, GIF, BMP or TIFF photo.';
	case 'corrupt_image': return 'This image file is damaged or incomplete. Try exporting it again.';
	case 'too_large': return 'This file is too large: the limit is ' + mb(Number(lim.maxBytes || 0)) + '.';
	case 'resolution_too_high': return 'This photo has too many pixels: the limit is ' + mp(Number(lim.maxPixels || 0)) + '. Make it smaller and try again.';
	case 'user_limit': return 'Your history is full (' + (lim.limit || '') + ' images). Delete an image to make room.';
	case 'rate_limited': case 'rate_limit_exceeded': return 'Too many requests at once. Wait a moment and try again.';
	case 'store_busy': case 'unavailable': case 'upstream_failed': return 'The server is busy right now. Try again in a minute.';
	case 'fetch_failed': return 'That URL could not be downloaded. Check that it opens in your browser and points at an image.';
	case 'url_blocked': return 'That URL is not allowed (only public http and https addresses).';
	case 'forbidden': return 'The request was refused. Reload the page and try again.';
	case 'not_found': return 'This image no longer exists. Reload the page.';
	}
	if (status === 413) return errorWords('too_large');
	if (status === 502 || status === 503 || status === 504) return errorWords('unavailable');
	if (detail) return 'Something is wrong with the request: ' + detail + '.';
	return 'Something went wrong (' + (status || 'no answer') + '). Try again.';
}
Backdrop.errorWords = errorWords;

// The JSON error of a response, or a shape made from its status.
async function readError(res) {
	try {
		const b = await res.json();
		return { code: b.code, detail: b.detail || b.message, status: res.status };
	} catch (e) {
		return { code: '', detail: '', status: res.status };
	}
}
Backdrop.readError = readError;

// A JSON request to our own origin; throws Error(words) on failure.
async function call(url, opts = {}) {
	opts.headers = Object.assign({ Accept: 'application/json' }, opts.headers || {});
	let res;
	try {
		res = await fetch(url, opts);
	} catch (e) {
		throw new Error('The server could not be reached. Check your connection and try again.');
	}
	if (!res.ok) {
		const er = await readError(res);
		throw new Error(errorWords(er.code, er.detail, er.status));
	}
	return res.status === 204 ? null : res.json();
}
Backdrop.call = call;

// An image URL that is not served from the cache after the record changed: the
// server's versioned URL as it is, else with a fresh ?v=.
const fresh = (url) => (/[?&]v=/.test(url) ? url : url + (url.includes('?') ? '&' : '?') + 'v=' + Date.now());
Backdrop.fresh = fresh;

// Sets a message: an element's text and state class, announced by its live region.
function say(el, text, kind) {
	if (!el) return;
	el.textContent = text;
	el.classList.toggle('bad', kind === 'bad');
	el.classList.toggle('ok', kind === 'ok');
}
Backdrop.say = say;

document.documentElement.classList.add('js');
document.querySelectorAll('.js-only').forEach((el) => { el.hidden = false; });

// ---- Usage of the limit ----
function usage(delta) {
	if (!form) return { used: 0, limit: Infinity };
	const used = Number(form.dataset.used) + (delta || 0), limit = Number(form.dataset.limit);
	form.dataset.used = String(used);
	const box = $('#usage');
	if (box) {
		box.textContent = used + ' of ' + limit + ' used';
		box.classList.toggle('full', used >= limit);
	}
	return { used, limit };
}
Backdrop.usage = usage;

// ---- Choosing a photo ----
const input = $('#image'), nameField = $('#name'), urlField = $('#image_url');
const imageError = $('#image-error'), status = $('#upload-status');
let chosen = null, chosenUrl = null, chosenPixels = 0;

function fileError(text, withHistoryLink) {
	imageError.textContent = text;
	if (withHistoryLink) {
		const a = document.createElement('a');
		a.href = '#history';
		a.textContent = 'Go to your images';
		imageError.append(' ', a);
	}
}

function looksLikeImage(file) {
	return /^image\//.test(file.type) || /\.(heic|heif|avif|jpe?g|png|webp|gif|bmp|tiff?)$/i.test(file.name);
}

// The checks the server would make, before any byte is sent. Returns words or ''.
function precheck(file) {
	const { used, limit } = usage(0);
	if (used >= limit) return ['Your history is full (' + used + ' of ' + limit + ' used). Delete an image to make room for a new one.', true];
	if (file && !looksLikeImage(file)) return ['"' + file.name + '" is not an image. Choose a photo (JPEG, PNG, WebP, HEIC, AVIF, GIF, BMP or TIFF).'];
	if (file && file.size > Number(form.dataset.maxBytes)) return ['"' + file.name + '" is ' + mb(file.size) + ': the limit is ' + mb(Number(form.dataset.maxBytes)) + '.'];
	if (file && chosenPixels > Number(form.dataset.maxPixels)) return ['This photo has ' + mp(chosenPixels) + ': the limit is ' + mp(Number(form.dataset.maxPixels)) + '.'];
	return [''];
}

// Takes file as the photo to send: the form's own file input holds it (so a plain
// submit would send it too), a preview shows it, the name defaults to the file name.
function choose(file) {
	if (!form || !file) return;
	if (input.files[0] !== file) {
		const dt = new DataTransfer();
		dt.items.add(file);
		input.files = dt.files;
	}
	chosen = file;
	chosenPixels = 0;
	urlField.value = '';
	const base = file.name.replace(/\.[A-Za-z0-9]{1,5}$/, '') || 'image';
	if (!nameField.value || nameField.dataset.auto === '1') {
		nameField.value = base.slice(0, 200);
		nameField.dataset.auto = '1';
	}
	chosenUrl = URL.createObjectURL(file);
	const img = $('#preview-img');
	$('#preview').hidden = false;
	$('#preview-name').textContent = file.name + ' · ' + mb(file.size);
	img.hidden = false;
	img.onload = () => {
		chosenPixels = img.naturalWidth * img.naturalHeight;
		$('#preview-name').textContent = file.name + ' · ' + img.naturalWidth + ' × ' + img.naturalHeight + ' · ' + mb(file.size);
		const [w, l] = precheck(file);
		fileError(w, l);
	};
	img.onerror = () => { img.hidden = true; };   // HEIC: the browser cannot show it; the server reads it
	img.src = chosenUrl;
	const [words, link] = precheck(file);
	fileError(words, link);
	say(status, words ? '' : 'Ready: ' + file.name + '. Press "' + goLabel() + '".');
}
Backdrop.choose = choose;

function goLabel() {
	const m = form.elements.mode.value;
	return m === 'change' ? 'Replace background' : m === 'filter' ? 'Apply filter' : 'Remove background';
}

if (form) {
	nameField.addEventListener('input', () => { nameField.dataset.auto = '0'; });
	input.addEventListener('change', () => { if (input.files[0]) choose(input.files[0]); });
	$('#camera').addEventListener('change', (ev) => { if (ev.target.files[0]) choose(ev.target.files[0]); });
	urlField.addEventListener('input', () => { if (urlField.value) fileError(''); });
	form.addEventListener('change', (ev) => {
		if (ev.target.name === 'mode') $('#go').textContent = goLabel();
	});
	// Drop anywhere on the page.
	let depth = 0;
	const hasFiles = (ev) => ev.dataTransfer && [...ev.dataTransfer.types].includes('Files');
	document.addEventListener('dragenter', (ev) => { if (hasFiles(ev)) { depth++; document.body.classList.add('dragging'); } });
	document.addEventListener('dragleave', () => { if (--depth <= 0) { depth = 0; document.body.classList.remove('dragging'); } });
	document.addEventListener('dragover', (ev) => { if (hasFiles(ev)) ev.preventDefault(); });
	document.addEventListener('drop', (ev) => {
		depth = 0;
		document.body.classList.remove('dragging');
		if (!hasFiles(ev)) return;
		ev.preventDefault();
		const f = ev.dataTransfer.files[0];
		if (f) { choose(f); $('#start').scrollIntoView({ block: 'start' }); }
	});
	// Paste an image (or an image URL) anywhere but in a text field.
	document.addEventListener('paste', (ev) => {
		const t = ev.target;
		if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA') && t.type !== 'file') return;
		const items = [...(ev.clipboardData ? ev.clipboardData.items : [])];
		const it = items.find((i) => i.kind === 'file');
		if (it) {
			ev.preventDefault();
			const f = it.getAsFile();
			const ext = (f.type.split('/')[1] || 'png').replace('jpeg', 'jpg');
			choose(f.name && f.name !== 'image.png' ? f : new File([f], 'pasted-image.' + ext, { type: f.type }));
			return;
		}
		const text = ev.clipboardData && ev.clipboardData.getData('text');
		if (text && /^https?:\/\/\S+$/.test(text.trim())) {
			urlField.value = text.trim();
			fileError('');
		}
	});
	form.addEventListener('submit', upload);
}

// After a result: the start is empty again, ready for the next photo.
function resetStart() {
	input.value = '';
	urlField.value = '';
	nameField.value = '';
	nameField.dataset.auto = '1';
	chosen = null;
	$('#preview').hidden = true;
}

// ---- Sending, progress and processing ----
let busy = false;

function setBusy(on) {
	busy = on;
	const go = $('#go');
	go.disabled = on;
	go.setAttribute('aria-busy', on ? 'true' : 'false');
	$('#progress').hidden = !on;
}

function upload(ev) {
	ev.preventDefault();
	if (busy) return;
	const file = input.files[0], url = urlField.value.trim();
	if (!file && !url) {
		fileError('Choose a photo first: drop it here, paste it, pick a file or enter an image URL.');
		$('.pick').focus();
		return;
	}
	const [words, link] = precheck(file);
	if (words) { fileError(words, link); return; }
	fileError('');
	const fd = new FormData(form);
	if (!file) fd.delete('image');
	if (url) fd.set('image_url', url); else fd.delete('image_url');
	if (!fd.get('name')) fd.set('name', file ? file.name.replace(/\.[A-Za-z0-9]{1,5}$/, '') || 'image' : (url.split('/').pop().replace(/\.[A-Za-z0-9]{1,5}$/, '') || 'image').slice(0, 200));
	for (const k of ['bg_color', 'filter']) if (!fd.get(k)) fd.delete(k);
	const bgf = fd.get('bg_image_file');
	if (bgf && !bgf.size) fd.delete('bg_image_file');

	const xhr = new XMLHttpRequest();
	const bar = $('#bar'), text = $('#progress-text');
	const t0 = performance.now();
	const timing = Backdrop.timing = { start: t0, uploaded: 0, shown: 0 };
	let timer = 0;
	setBusy(true);
	bar.value = 0;
	bar.removeAttribute('aria-valuetext');
	text.textContent = 'Uploading…';
	say(status, 'Uploading ' + (file ? file.name : 'the image') + '…');
	xhr.upload.onprogress = (e) => {
		if (!e.lengthComputable) return;
		const pct = Math.round(e.loaded / e.total * 100);
		bar.value = pct;
		text.textContent = 'Uploading ' + pct + '% · ' + mb(e.loaded) + ' of ' + mb(e.total);
	};
	const processing = () => {
		if (timer) return;
		timing.uploaded = performance.now();
		bar.removeAttribute('value');   // indeterminate while the server works
		const t1 = performance.now();
		const tick = () => { text.textContent = 'Processing… ' + Math.floor((performance.now() - t1) / 1000) + ' s'; };
		tick();
		timer = setInterval(tick, 1000);
		say(status, 'Uploaded. Removing the background…');
	};
	xhr.upload.onload = processing;
	xhr.onload = async () => {
		clearInterval(timer);
		setBusy(false);
		let body = null;
		try { body = JSON.parse(xhr.responseText); } catch (e) { /* an error page */ }
		if (xhr.status === 201 && body && body.id) {
			usage(+1);
			resetStart();
			await showResult(body, file ? chosenUrl : null);
			timing.shown = performance.now();
			say(status, '"' + body.image_name + '" is ready (' + ((performance.now() - t0) / 1000).toFixed(1) + ' s).', 'ok');
			refreshCards();
			return;
		}
		const words = errorWords(body && body.code, body && (body.detail || body.message), xhr.status);
		fileError(words, body && body.code === 'user_limit');
		say(status, '');
	};
	xhr.onerror = () => {
		clearInterval(timer);
		setBusy(false);
		fileError('The upload did not reach the server. Check your connection and try again.');
		say(status, '');
	};
	xhr.open('POST', '/');
	xhr.setRequestHeader('Accept', 'application/json');
	xhr.send(fd);
}

// ---- The result ----
let current = null;

// Shows record rec large and in view; before is a URL of the original (the local file
// when there is one) for the slider.
async function showResult(rec, before) {
	current = Backdrop.current = rec;
	const sec = $('#result'), after = $('#after'), bef = $('#before'), box = $('#compare');
	sec.hidden = false;
	box.classList.add('fit');
	const w = rec.width || 1, h = rec.height || 1;
	box.style.aspectRatio = w + ' / ' + h;
	box.style.width = 'min(100%, calc(70vh * ' + (w / h).toFixed(4) + '))';
	after.alt = 'Result: ' + rec.image_name;
	bef.alt = 'Original: ' + rec.image_name;
	const loaded = new Promise((resolve) => { after.onload = after.onerror = resolve; });
	after.src = fresh(rec.urls.processed);
	bef.src = before || rec.urls.original;
	$('#split').value = 50;
	split();
	$('#res-name').textContent = rec.image_name;
	$('#res-size').textContent = w + ' × ' + h + ' px';
	const dl = $('#res-download');
	dl.href = rec.urls.processed + (rec.urls.processed.includes('?') ? '&' : '?') + 'download=1';
	dl.textContent = 'Download ' + rec.image_name;
	$('#res-refine').hidden = !(rec.urls && rec.urls.cutout) && rec.options && rec.options.mode === 'filter';
	await loaded;
	sec.scrollIntoView({ block: 'start', behavior: 'instant' });
	$('#result-h').focus({ preventScroll: true });
}
Backdrop.showResult = showResult;

function split() {
	const v = Number($('#split').value);
	$('#before-clip').style.clipPath = 'inset(0 ' + (100 - v) + '% 0 0)';
}
if ($('#split')) {
	$('#split').addEventListener('input', split);
	$('#res-edit').addEventListener('click', () => Backdrop.edit && Backdrop.edit(current.id, 'background'));
	$('#res-refine').addEventListener('click', () => Backdrop.edit && Backdrop.edit(current.id, 'refine'));
	$('#res-again').addEventListener('click', (ev) => {
		ev.preventDefault();
		$('#start').scrollIntoView({ block: 'start' });
		$('.pick').focus({ preventScroll: true });
	});
}

// ---- History ----
// Replaces the cards with the server's rendering of them (the one HTML source).
async function refreshCards() {
	try {
		const res = await fetch('/', { headers: { Accept: 'text/html' }, cache: 'no-store' });
		const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
		const fresh = doc.getElementById('cards'), cards = $('#cards');
		if (!fresh || !cards) return;
		cards.replaceChildren(...[...fresh.children].map((n) => document.importNode(n, true)));
		const empty = $('#empty');
		if (empty) empty.hidden = cards.children.length > 0;
		const u = doc.getElementById('upload');
		if (u) { form.dataset.used = u.dataset.used; usage(0); }
	} catch (e) { /* the list stays as it was */ }
}
Backdrop.refreshCards = refreshCards;

function note(li, text, kind) {
	const n = $('.note', li);
	n.replaceChildren();
	say(n, text, kind);
	return n;
}

document.addEventListener('submit', async (ev) => {
	const f = ev.target;
	const li = f.closest('li.record');
	if (!li || !f.classList.contains('rename')) return;
	ev.preventDefault();
	const name = f.elements.name.value.trim();
	if (!name) { note(li, 'Give the image a name.', 'bad'); return; }
	const btn = $('button', f);
	btn.disabled = true;
	try {
		await call('/update/' + encodeURIComponent(li.dataset.id), {
			method: 'PUT', headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ record_id: li.dataset.id, record_name: name }),
		});
		const old = li.dataset.name;
		$('.name', li).textContent = name;
		for (const el of li.querySelectorAll('.vh')) el.textContent = el.textContent.replace(old, name);
		for (const im of li.querySelectorAll('img')) im.alt = im.alt.replace(old, name);
		li.dataset.name = name;
		f.elements.name.value = name;
		note(li, 'Renamed to "' + name + '".', 'ok');
	} catch (err) {
		note(li, err.message, 'bad');
	} finally {
		btn.disabled = false;
	}
});

// Delete: a confirmation in the card, then the card goes with an Undo for a few
// seconds; the DELETE is sent when that time is up (or at once when the page closes).
const UNDO_MS = 6000;
const pending = new Map();

function sendDelete(id) {
	const p = pending.get(id);
	if (!p) return Promise.resolve();
	clearTimeout(p.timer);
	pending.delete(id);
	return call('/remove/' + encodeURIComponent(id), { method: 'DELETE', keepalive: true })
		.then(() => { p.li.remove(); p.toast.remove(); usage(-1); if (!$('#cards').children.length) $('#empty') && ($('#empty').hidden = false); })
		.catch((err) => { p.li.hidden = false; p.toast.remove(); note(p.li, err.message, 'bad'); });
}
window.addEventListener('pagehide', () => { for (const id of [...pending.keys()]) sendDelete(id); });

document.addEventListener('click', (ev) => {
	const a = ev.target.closest('a[data-remove]');
	if (a) {
		ev.preventDefault();
		const li = a.closest('li.record');
		const n = note(li, 'Delete "' + li.dataset.name + '"? ', 'bad');
		const yes = document.createElement('button');
		yes.type = 'button';
		yes.className = 'btn danger sm';
		yes.textContent = 'Yes, delete';
		const no = document.createElement('button');
		no.type = 'button';
		no.className = 'btn sm';
		no.textContent = 'Keep it';
		n.append(yes, no);
		yes.focus();
		no.addEventListener('click', () => { n.replaceChildren(); n.textContent = ''; a.focus(); });
		yes.addEventListener('click', () => removeWithUndo(li));
		return;
	}
	const s = ev.target.closest('details.edit > summary');
	if (s && Backdrop.edit) {
		ev.preventDefault();
		Backdrop.edit(s.closest('li.record').dataset.id, 'background');
	}
});

function removeWithUndo(li) {
	const id = li.dataset.id, next = li.nextElementSibling || li.previousElementSibling;
	note(li, '');
	li.hidden = true;
	const toast = document.createElement('li');
	toast.className = 'card record undo';
	const p = document.createElement('p');
	p.className = 'note';
	p.setAttribute('role', 'status');
	const undo = document.createElement('button');
	undo.type = 'button';
	undo.className = 'btn sm';
	undo.textContent = 'Undo';
	toast.append(p);
	li.after(toast);
	p.textContent = '"' + li.dataset.name + '" deleted. ';
	p.append(undo);
	undo.focus();
	pending.set(id, { li, toast, timer: setTimeout(() => {
		sendDelete(id).then(() => {
			const f = next && !next.hidden && next.querySelector('a, button');
			if (f && document.activeElement === document.body) f.focus();
		});
	}, UNDO_MS) });
	undo.addEventListener('click', () => {
		const q = pending.get(id);
		if (!q) return;
		clearTimeout(q.timer);
		pending.delete(id);
		toast.remove();
		li.hidden = false;
		note(li, 'Kept "' + li.dataset.name + '".', 'ok');
		$('a[data-remove]', li).focus();
	});
}
Backdrop.flushDeletes = () => Promise.all([...pending.keys()].map(sendDelete));

// ---- The webcam in the start ----
let stream = null;
const camStatus = $('#cam-status');

async function camOpen() {
	const sec = $('#webcam');
	sec.hidden = false;
	say(camStatus, 'Starting the camera…');
	try {
		stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
		const v = $('#cam-video');
		v.srcObject = stream;
		await v.play();
		say(camStatus, 'The camera is on. Take a snapshot when you are ready.');
		$('#cam-snap').focus();
	} catch (e) {
		say(camStatus, e && e.name === 'NotAllowedError' ? 'Camera permission was refused. You can still choose a photo file.'
			: 'No camera was found. You can still choose a photo file.', 'bad');
	}
	sec.scrollIntoView({ block: 'start' });
}

function camClose() {
	if (stream) stream.getTracks().forEach((t) => t.stop());
	stream = null;
	$('#cam-video').srcObject = null;
	$('#webcam').hidden = true;
	$('#webcam-open').focus();
}

let shotRaw = null;   // the unfiltered snapshot, as a PNG data URL

async function camFilter() {
	const c = $('#cam-shot'), f = $('#cam-filter').value;
	if (!shotRaw) return;
	if (f === 'none') { await drawUrl(c, shotRaw); return; }
	say(camStatus, 'Applying the filter…');
	try {
		const out = await call('/api/filter', { method: 'POST', headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ image: shotRaw, filter: f }) });
		await drawUrl(c, out.image);
		say(camStatus, 'Filter "' + $('#cam-filter').selectedOptions[0].textContent + '" applied.', 'ok');
	} catch (e) {
		say(camStatus, e.message, 'bad');
	}
}

function drawUrl(c, url) {
	return new Promise((resolve, reject) => {
		const im = new Image();
		im.onload = () => { c.width = im.naturalWidth; c.height = im.naturalHeight; c.getContext('2d').drawImage(im, 0, 0); resolve(); };
		im.onerror = reject;
		im.src = url;
	});
}

if ($('#webcam-open')) {
	if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) $('#webcam-open').hidden = true;
	$('#webcam-open').addEventListener('click', camOpen);
	$('#cam-close').addEventListener('click', camClose);
	$('#cam-snap').addEventListener('click', async () => {
		const v = $('#cam-video');
		if (!v.videoWidth) return;
		const c = document.createElement('canvas');
		c.width = v.videoWidth;
		c.height = v.videoHeight;
		c.getContext('2d').drawImage(v, 0, 0);
		shotRaw = c.toDataURL('image/png');
		await camFilter();
		$('#cam-use').disabled = false;
		say(camStatus, 'Snapshot taken (' + c.width + ' × ' + c.height + '). Pick a filter or use it.', 'ok');
	});
	$('#cam-filter').addEventListener('change', camFilter);
	$('#cam-use').addEventListener('click', () => {
		$('#cam-shot').toBlob((blob) => {
			const stamp = new Date().toISOString().slice(0, 19).replace(/[T:]/g, '-');
			choose(new File([blob], 'webcam-' + stamp + '.png', { type: 'image/png' }));
			camClose();
			$('#start').scrollIntoView({ block: 'start' });
			$('#go').focus({ preventScroll: true });
		}, 'image/png');
	});
}
