// filter.js: the color filter page: a webcam snapshot or a picked file goes to
// POST /api/filter as a data URL ({"image", "filter"}); the data URL that comes back
// is drawn on the result canvas. Errors from the JSON error body go to the status line.
'use strict';

// Larger pictures are scaled down before sending: the result is for the screen.
const MAX_SIDE = 2048;

const $ = (id) => document.getElementById(id);
const video = $('video'), snapshot = $('snapshot'), result = $('result');
const startBtn = $('camera-start'), snapBtn = $('camera-snap'), stopBtn = $('camera-stop');
const fileInput = $('file'), select = $('filter'), applyBtn = $('apply');
const statusLine = $('status'), download = $('download');
let stream = null;
let busy = false;

// Shows text in the status line; kind is info, ok or bad.
function say(text, kind) {
	statusLine.className = 'flash flash-' + kind;
	statusLine.textContent = text;
}

// Shows a canvas or video in place of its placeholder (or the placeholder again).
function show(el, on) {
	el.hidden = !on;
	$(el.id + '-empty').hidden = on;
}

function cameraMessage(err) {
	switch (err && err.name) {
	case 'NotAllowedError':
	case 'SecurityError':
		return 'Camera permission was refused. Allow the camera for this site, or pick an image file instead.';
	case 'NotFoundError':
	case 'OverconstrainedError':
		return 'No camera was found. Pick an image file instead.';
	case 'NotReadableError':
	case 'AbortError':
		return 'The camera is busy or could not start. Close other programs using it, or pick an image file instead.';
	default:
		return 'The camera could not start' + (err && err.message ? ' (' + err.message + ')' : '') +
			'. Pick an image file instead.';
	}
}

function stopCamera() {
	if (stream)
		stream.getTracks().forEach((t) => t.stop());
	stream = null;
	video.pause();
	video.srcObject = null;
	show(video, false);
	startBtn.disabled = false;
	snapBtn.disabled = stopBtn.disabled = true;
}

async function startCamera() {
	if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
		say('This browser offers no camera here (cameras need HTTPS). Pick an image file instead.', 'bad');
		return;
	}
	startBtn.disabled = true;
	say('Starting the camera…', 'info');
	try {
		stream = await navigator.mediaDevices.getUserMedia({
			video: { width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false,
		});
		video.srcObject = stream;
		await video.play();
	} catch (err) {
		stopCamera();
		say(cameraMessage(err), 'bad');
		return;
	}
	show(video, true);
	snapBtn.disabled = stopBtn.disabled = false;
	say('Camera on. Take a snapshot when ready.', 'info');
}

// Draws src (video, image or bitmap of w x h) on the snapshot canvas, scaled to fit
// MAX_SIDE, and makes it the picture to filter.
function setSnapshot(src, w, h) {
	const scale = Math.min(1, MAX_SIDE / Math.max(w, h));
	snapshot.width = Math.max(1, Math.round(w * scale));
	snapshot.height = Math.max(1, Math.round(h * scale));
	snapshot.getContext('2d').drawImage(src, 0, 0, snapshot.width, snapshot.height);
	show(snapshot, true);
	applyBtn.disabled = busy;
	say('Picture ready (' + snapshot.width + ' × ' + snapshot.height + ' px). Choose a filter and apply it.', 'info');
}

function takeSnapshot() {
	if (!video.videoWidth || !video.videoHeight) {
		say('The camera has no picture yet; try again in a moment.', 'bad');
		return;
	}
	setSnapshot(video, video.videoWidth, video.videoHeight);
}

async function pickFile() {
	const file = fileInput.files && fileInput.files[0];
	if (!file)
		return;
	let bmp;
	try {
		bmp = await createImageBitmap(file);
	} catch (err) {
		say('“' + file.name + '” is not a picture this browser can read.', 'bad');
		return;
	}
	setSnapshot(bmp, bmp.width, bmp.height);
	bmp.close();
}

// The message for a failed answer: the JSON error body's message and detail when there
// is one, else the HTTP status.
function errorText(res, body) {
	if (body && typeof body.message === 'string') {
		let s = body.message;
		if (typeof body.detail === 'string' && body.detail)
			s += ' ' + body.detail;
		return s + ' (' + (body.status || res.status) + (body.code ? ' ' + body.code : '') + ')';
	}
	return 'The server answered ' + res.status + (res.statusText ? ' ' + res.statusText : '') + '.';
}

async function applyFilter(ev) {
	ev.preventDefault();
	if (busy || snapshot.hidden)
		return;
	const name = select.value;
	busy = true;
	applyBtn.disabled = true;
	result.setAttribute('aria-busy', 'true');
	say('Applying “' + name + '”…', 'info');
	try {
		let res;
		try {
			res = await fetch('/api/filter', {
				method: 'POST',
				headers: { 'Content-Type': 'application/json', 'Accept': 'application/json' },
				body: JSON.stringify({ image: snapshot.toDataURL('image/png'), filter: name }),
			});
		} catch (err) {
			throw new Error('The server could not be reached. Check the connection and try again.');
		}
		let body = null;
		try {
			body = await res.json();
		} catch (err) {
			body = null;
		}
		if (!res.ok || !body || typeof body.image !== 'string' || !body.image.startsWith('data:image/'))
			throw new Error(res.ok ? 'The server sent no image.' : errorText(res, body));
		const img = new Image();
		img.src = body.image;
		try {
			await img.decode();
		} catch (err) {
			throw new Error('The returned image could not be shown.');
		}
		result.width = img.naturalWidth;
		result.height = img.naturalHeight;
		const ctx = result.getContext('2d');
		ctx.clearRect(0, 0, result.width, result.height);
		ctx.drawImage(img, 0, 0);
		show(result, true);
		download.href = body.image;
		download.download = 'filtered-' + name + '.png';
		download.hidden = false;
		say('Filter “' + name + '” applied (' + result.width + ' × ' + result.height + ' px).', 'ok');
	} catch (err) {
		say(err.message, 'bad');
	} finally {
		busy = false;
		applyBtn.disabled = snapshot.hidden;
		result.removeAttribute('aria-busy');
	}
}

startBtn.addEventListener('click', startCamera);
snapBtn.addEventListener('click', takeSnapshot);
stopBtn.addEventListener('click', () => { stopCamera(); say('Camera off.', 'info'); });
fileInput.addEventListener('change', pickFile);
$('filter-form').addEventListener('submit', applyFilter);
// The file form has nothing to submit.
fileInput.form.addEventListener('submit', (ev) => ev.preventDefault());
window.addEventListener('pagehide', stopCamera);
