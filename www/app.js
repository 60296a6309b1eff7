// app.js: inline rename and delete on the records page, with the original page's
// request shapes (PUT /update/ID {"record_id", "record_name"}; DELETE /remove/ID).
// Without JavaScript the same forms post and the server redirects back.
'use strict';

function flash(text, ok) {
	let p = document.querySelector('.flash');
	if (!p) {
		p = document.createElement('p');
		p.setAttribute('role', 'status');
		document.querySelector('main').prepend(p);
	}
	p.className = 'flash ' + (ok ? 'flash-ok' : 'flash-bad');
	p.textContent = text;
}

function usage(delta) {
	const u = document.querySelector('.usage');
	const m = u && u.textContent.match(/^(\d+) of (\d+)/);
	if (m) u.textContent = (Number(m[1]) + delta) + ' of ' + m[2] + ' used';
}

document.addEventListener('submit', async (ev) => {
	const form = ev.target;
	const li = form.closest('li.record');
	if (!li || !(form.classList.contains('rename') || form.classList.contains('remove')))
		return;
	ev.preventDefault();
	const id = li.dataset.id;
	const opts = { headers: { 'Accept': 'application/json' } };
	let url;
	if (form.classList.contains('rename')) {
		const name = form.elements.name.value.trim();
		url = '/update/' + encodeURIComponent(id);
		opts.method = 'PUT';
		opts.headers['Content-Type'] = 'application/json';
		opts.body = JSON.stringify({ record_id: id, record_name: name });
	} else {
		if (!window.confirm('Delete this image?'))
			return;
		url = '/remove/' + encodeURIComponent(id);
		opts.method = 'DELETE';
	}
	try {
		const res = await fetch(url, opts);
		const body = await res.json();
		if (!res.ok || body.message !== 'success')
			throw new Error(body.detail || body.message || 'Something went wrong');
		if (opts.method === 'PUT') {
			const name = JSON.parse(opts.body).record_name;
			li.querySelector('.name').textContent = name;
			form.elements.name.value = name;
			flash('Record renamed', true);
		} else {
			li.remove();
			usage(-1);
			flash('Record deleted', true);
		}
	} catch (err) {
		flash(err.message, false);
	}
});
