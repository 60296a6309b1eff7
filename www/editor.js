// editor.js: the editor of a record, in place of the result view. A live preview on a
// canvas built from the stored cutout (/image/ID/cutout): background (transparent, a
// colour, a picture, a picture's URL, the blurred original), canvas size, the subject's
// position (drag, or arrow keys) and scale, shadow, output format and size; and the
// refine brush (keep / remove strokes, eraser, undo, redo, keyboard), whose strokes go to
// the server as hint_strokes. Save re-renders the same record on the server (POST
// /update/ID); "Save as new" makes another. The preview mirrors the engine's
// composite.c: the same layer box, scale and position rules.
'use strict';

(function () {
	const Backdrop = window.Backdrop = window.Backdrop || {};
	const $ = (sel, root = document) => root.querySelector(sel);
	const PRESETS = {
		original: null, square: [1080, 1080], big: [3840, 3840], wide: [1920, 1080], portrait: [1080, 1350],
		market: [2000, 2000],
	};
	const SWATCHES = [['', 'Transparent'], ['#ffffff', 'White'], ['#000000', 'Black'], ['#f3f4f6', 'Light grey'],
		['#fde68a', 'Sand'], ['#fecaca', 'Pink'], ['#bfdbfe', 'Sky blue'], ['#bbf7d0', 'Mint'], ['#4338ca', 'Indigo'], ['#dc2626', 'Red']];
	const MAX_STROKES = 64, MAX_POINTS = 2048, PREVIEW_SIDE = 1600;

	const html = `
<div class="editor-head"><h2 id="ed-h" tabindex="-1">Edit</h2>
<div class="seg" role="group" aria-label="What to edit"><button type="button" class="btn sm" data-tab="background" aria-pressed="true">Background</button><button type="button" class="btn sm" data-tab="refine" aria-pressed="false">Refine the cutout</button></div>
<button type="button" class="btn ghost" id="ed-close">Close the editor</button></div>
<div class="ed-stage">
<div><div class="ed-view" id="ed-view"><canvas id="ed-canvas" class="checker" tabindex="0" role="img" aria-label="Preview. Drag the subject, or use the arrow keys, to move it."></canvas></div>
<p class="hint" id="ed-hint">Drag the subject to move it.</p></div>
<div class="ed-tools">
<div data-panel="background">
<fieldset><legend>Background</legend>
<div class="swatches" role="group" aria-label="Background colour" id="ed-swatches"></div>
<label class="check">Custom colour <input type="color" id="ed-color" value="#7c3aed"></label>
<label>Picture <input type="file" id="ed-bgfile" accept="image/*"></label>
<label>Picture from a URL <input type="url" id="ed-bgurl" placeholder="https://…" inputmode="url"></label>
<label class="check"><input type="checkbox" id="ed-blur-on"> Blurred original photo</label>
<label>Blur <output id="ed-blur-out">12 px</output><input type="range" id="ed-blur" min="1" max="100" value="12"></label>
</fieldset>
<fieldset><legend>Canvas</legend>
<label>Size <select id="ed-preset"><option value="original">as the photo</option><option value="square">square 1080 × 1080</option>
<option value="big">3840 × 3840</option><option value="wide">16:9, 1920 × 1080</option><option value="portrait">4:5, 1080 × 1350</option>
<option value="market">marketplace: white square 2000</option><option value="custom">custom size</option></select></label>
<div class="row2" id="ed-custom" hidden><label>Width <input type="number" id="ed-w" min="1" max="16384" value="1200"></label><label>Height <input type="number" id="ed-hh" min="1" max="16384" value="1200"></label></div>
<label>Subject size <output id="ed-scale-out">as is</output><input type="range" id="ed-scale" min="9" max="100" value="9" aria-valuetext="as is"></label>
<div class="ed-actions"><button type="button" class="btn sm" id="ed-center">Centre it</button><button type="button" class="btn sm" id="ed-origpos">As in the photo</button></div>
</fieldset>
<fieldset><legend>Shadow</legend>
<label class="check"><input type="checkbox" id="ed-shadow"> Drop shadow</label>
<label>Shadow opacity <output id="ed-shop-out">50%</output><input type="range" id="ed-shop" min="0" max="100" value="50"></label>
</fieldset>
<fieldset><legend>File</legend><div class="row2">
<label>Format <select id="ed-format"><option value="auto">automatic</option><option value="png">PNG</option><option value="webp">WebP</option><option value="jpg">JPEG</option><option value="avif">AVIF</option></select></label>
<label>Size <select id="ed-size"><option value="full">full</option><option value="4k">up to 10 MP</option><option value="hd">up to 4 MP</option><option value="medium">up to 1.5 MP</option><option value="preview">preview 0.25 MP</option></select></label>
</div></fieldset>
</div>
<div data-panel="refine" hidden>
<fieldset><legend>Brush</legend>
<div class="seg" role="group" aria-label="Brush"><button type="button" class="btn sm" data-brush="fg" aria-pressed="true">Keep</button><button type="button" class="btn sm" data-brush="bg" aria-pressed="false">Remove</button><button type="button" class="btn sm" data-brush="erase" aria-pressed="false">Eraser</button></div>
<label>Brush size <output id="ed-brush-out">24 px</output><input type="range" id="ed-brush" min="4" max="120" value="24"></label>
<div class="ed-actions"><button type="button" class="btn sm" id="ed-undo">Undo</button><button type="button" class="btn sm" id="ed-redo">Redo</button><button type="button" class="btn sm" id="ed-clear">Clear strokes</button></div>
<p class="hint">Paint over what to keep (green) or remove (red). Keyboard: arrow keys move the brush, Space starts and ends a stroke, K keep, R remove, E eraser, Ctrl+Z undo, Ctrl+Y redo.</p>
<button type="button" class="btn primary" id="ed-apply">Cut again with these strokes</button>
</fieldset>
</div>
<div class="ed-actions"><button type="button" class="btn primary big" id="ed-save">Save</button><button type="button" class="btn" id="ed-save-new">Save as new</button></div>
<p class="status" id="ed-status" role="status" aria-live="polite"></p>
</div></div>`;

	let sec = null, cv = null, ctx = null;
	let rec = null, cut = null, orig = null, bgImg = null, bbox = null, W = 0, H = 0, kSmall = 1;
	let st = null;          // the editor's state: what the next save sends
	let tab = 'background', brush = 'fg', redo = [], drawing = null, cursor = null, dragging = null;

	function build() {
		sec = document.createElement('section');
		sec.id = 'editor';
		sec.className = 'editor card';
		sec.setAttribute('aria-labelledby', 'ed-h');
		sec.hidden = true;
		sec.innerHTML = html;
		const anchor = $('#history');
		anchor.parentNode.insertBefore(sec, anchor);
		cv = $('#ed-canvas');
		ctx = cv.getContext('2d');
		const sw = $('#ed-swatches');
		for (const [c, label] of SWATCHES) {
			const b = document.createElement('button');
			b.type = 'button';
			b.className = 'swatch' + (c ? '' : ' transparent');
			b.dataset.color = c;
			b.setAttribute('aria-label', label);
			b.setAttribute('aria-pressed', 'false');
			if (c) b.style.backgroundColor = c;
			sw.append(b);
		}
		wire();
	}

	// ---- loading ----
	function loadImage(url) {
		return new Promise((resolve, reject) => {
			const im = new Image();
			im.onload = () => resolve(im);
			im.onerror = () => reject(new Error('not loaded'));
			im.src = url;
		});
	}

	// The cutout downscaled to at most PREVIEW_SIDE, and the box of its opaque pixels
	// in full-resolution pixels (img_alpha_bbox).
	function prepare(im) {
		kSmall = Math.min(1, PREVIEW_SIDE / Math.max(im.naturalWidth, im.naturalHeight));
		const c = document.createElement('canvas');
		c.width = Math.max(1, Math.round(im.naturalWidth * kSmall));
		c.height = Math.max(1, Math.round(im.naturalHeight * kSmall));
		const g = c.getContext('2d', { willReadFrequently: true });
		g.drawImage(im, 0, 0, c.width, c.height);
		const d = g.getImageData(0, 0, c.width, c.height).data;
		let x0 = c.width, y0 = c.height, x1 = -1, y1 = -1;
		for (let y = 0; y < c.height; y++)
			for (let x = 0; x < c.width; x++)
				if (d[(y * c.width + x) * 4 + 3]) {
					if (x < x0) x0 = x;
					if (x > x1) x1 = x;
					if (y < y0) y0 = y;
					if (y > y1) y1 = y;
				}
		W = im.naturalWidth;
		H = im.naturalHeight;
		bbox = x1 < 0 ? null : {
			x: Math.floor(x0 / kSmall), y: Math.floor(y0 / kSmall),
			w: Math.min(W, Math.ceil((x1 + 1) / kSmall)) - Math.floor(x0 / kSmall),
			h: Math.min(H, Math.ceil((y1 + 1) / kSmall)) - Math.floor(y0 / kSmall),
		};
		return c;
	}

	function stateFrom(o) {
		o = o || {};
		const s = {
			bg: 'transparent', color: '', blur: 12, bgUrl: '', bgFile: null,
			preset: 'original', cw: 0, ch: 0, pos: { kind: 'original', px: 50, py: 50 }, scale: 0,
			shadow: false, shadowOpacity: 50, format: o.format || 'auto', size: o.size || 'full',
			strokes: [],
		};
		if (o.bg_color && o.bg_color !== 'transparent') { s.bg = 'color'; s.color = o.bg_color; }
		if (rec && rec.urls && rec.urls.background) s.bg = 'stored';
		if (o.bg_blur) { s.bg = 'blur'; s.blur = Number(o.bg_blur) || 12; }
		if (o.canvas_size) {
			const m = /^(\d+)x(\d+)$/i.exec(o.canvas_size);
			if (m) {
				s.cw = Number(m[1]);
				s.ch = Number(m[2]);
				s.preset = Object.keys(PRESETS).find((k) => PRESETS[k] && PRESETS[k][0] === s.cw && PRESETS[k][1] === s.ch) || 'custom';
			}
		}
		if (o.position === 'center') s.pos = { kind: 'center', px: 50, py: 50 };
		else if (/%/.test(o.position || '')) {
			const p = o.position.match(/\d+/g).map(Number);
			s.pos = { kind: 'percent', px: p[0], py: p.length > 1 ? p[1] : p[0] };
		}
		if (/%$/.test(o.scale || '')) s.scale = parseInt(o.scale, 10);
		s.shadow = o.add_shadow === 'true' || o.add_shadow === true || o.add_shadow === '1';
		if (o.shadow_opacity) s.shadowOpacity = Number(o.shadow_opacity);
		let hs = o.hint_strokes;
		if (typeof hs === 'string') { try { hs = JSON.parse(hs); } catch (e) { hs = []; } }
		if (Array.isArray(hs)) s.strokes = hs.filter((k) => k && Array.isArray(k.points)).map((k) => ({
			label: k.label === 'bg' || k.label === 'background' ? 'bg' : 'fg', width: Number(k.width) || 10, points: k.points,
		}));
		return s;
	}

	async function open(id, which) {
		if (!sec) build();
		const status = $('#ed-status');
		Backdrop.say(status, 'Loading the editor…');
		let list;
		try {
			list = await Backdrop.call('/?limit=1000');
		} catch (e) {
			Backdrop.say(status, e.message, 'bad');
			return;
		}
		rec = (list.records || []).find((r) => r.id === id);
		if (!rec) { Backdrop.say(status, Backdrop.errorWords('not_found'), 'bad'); return; }
		let opts = rec.options;
		if (typeof opts === 'string') { try { opts = JSON.parse(opts); } catch (e) { opts = {}; } }
		st = stateFrom(opts);
		redo = [];
		$('#ed-h').textContent = 'Edit "' + rec.image_name + '"';
		const res = $('#result');
		if (res) res.hidden = true;
		sec.hidden = false;
		try {
			let im;
			try {
				im = await loadImage(Backdrop.fresh(rec.urls.cutout || '/image/' + id + '/cutout'));
			} catch (e) {
				if (opts && opts.mode && opts.mode !== 'remove') throw e;
				im = await loadImage(Backdrop.fresh(rec.urls.processed));   // a cutout made before the cutout was stored
			}
			cut = prepare(im);
		} catch (e) {
			Backdrop.say(status, 'This image has no stored cutout to edit (it was made with the colour filter, or before editing existed).', 'bad');
			return;
		}
		orig = null;
		loadImage(rec.urls.original).catch(() => loadImage(rec.urls.original_thumb || '')).then((im) => { orig = im; render(); }).catch(() => {});
		bgImg = null;
		if (rec.urls.background) loadImage(Backdrop.fresh(rec.urls.background)).then((im) => { bgImg = im; render(); }).catch(() => {});
		syncControls();
		setTab(which === 'refine' ? 'refine' : 'background');
		render();
		Backdrop.say(status, '');
		sec.scrollIntoView({ block: 'start', behavior: 'instant' });
		$('#ed-h').focus({ preventScroll: true });
	}
	Backdrop.edit = open;

	function close() {
		sec.hidden = true;
		const res = $('#result');
		if (res && rec && Backdrop.current && Backdrop.current.id === rec.id) res.hidden = false;
		const card = document.getElementById('rec-' + rec.id);
		const f = card && card.querySelector('summary');
		if (f) f.focus(); else $('#start').scrollIntoView();
	}

	// ---- geometry (composite.c) ----
	function canvasSize() {
		if (st.preset === 'original') return [W, H];
		if (st.preset === 'custom') return [st.cw || W, st.ch || H];
		return PRESETS[st.preset];
	}

	// The layer: source box in cutout pixels and its place on the canvas.
	function layer() {
		const [cw, ch] = canvasSize();
		const whole = !st.scale && st.pos.kind === 'original';
		const lr = whole || !bbox ? { x: 0, y: 0, w: W, h: H } : bbox;
		let lw = lr.w, lh = lr.h;
		if (st.scale && bbox) {
			const f = Math.min(cw * st.scale / 100 / lw, ch * st.scale / 100 / lh);
			lw = Math.max(1, Math.round(lw * f));
			lh = Math.max(1, Math.round(lh * f));
		}
		let x = 0, y = 0;
		if (st.pos.kind === 'center' || (st.pos.kind === 'original' && !whole)) {
			x = Math.trunc((cw - lw) / 2);
			y = Math.trunc((ch - lh) / 2);
		} else if (st.pos.kind === 'percent') {
			x = Math.trunc((cw - lw) * st.pos.px / 100);
			y = Math.trunc((ch - lh) * st.pos.py / 100);
		}
		return { src: lr, x, y, w: lw, h: lh, cw, ch };
	}

	function cover(img, cw, ch, k) {
		const iw = img.naturalWidth || img.width, ih = img.naturalHeight || img.height;
		const f = Math.max(cw / iw, ch / ih);
		const dw = iw * f, dh = ih * f;
		ctx.drawImage(img, ((cw - dw) / 2) * k, ((ch - dh) / 2) * k, dw * k, dh * k);
	}

	let queued = false;
	function render() {
		if (queued || !cut) return;
		queued = true;
		requestAnimationFrame(draw);
	}

	function draw() {
		queued = false;
		if (tab === 'refine') return drawRefine();
		const L = layer();
		const view = $('#ed-view');
		const maxW = Math.max(200, view.clientWidth || 600);
		const k = Math.min(maxW / L.cw, 1200 / L.ch, 1);
		cv.width = Math.max(1, Math.round(L.cw * k));
		cv.height = Math.max(1, Math.round(L.ch * k));
		ctx.clearRect(0, 0, cv.width, cv.height);
		const bg = st.preset === 'market' ? 'color' : st.bg;
		if (bg === 'color') {
			ctx.fillStyle = st.preset === 'market' ? '#ffffff' : st.color;
			ctx.fillRect(0, 0, cv.width, cv.height);
		} else if ((bg === 'image' || bg === 'stored') && bgImg) {
			cover(bgImg, L.cw, L.ch, k);
		} else if (bg === 'blur' && orig) {
			ctx.filter = 'blur(' + Math.max(1, st.blur * k / 2) + 'px)';
			cover(orig, L.cw, L.ch, k);
			ctx.filter = 'none';
		}
		const s = L.src;
		const args = [cut, s.x * kSmall, s.y * kSmall, s.w * kSmall, s.h * kSmall, L.x * k, L.y * k, L.w * k, L.h * k];
		if (st.shadow) {
			ctx.save();
			ctx.shadowColor = 'rgba(0,0,0,' + st.shadowOpacity / 100 + ')';
			ctx.shadowBlur = 12 * k;
			ctx.shadowOffsetX = 8 * k;
			ctx.shadowOffsetY = 8 * k;
			ctx.drawImage(...args);
			ctx.restore();
		}
		ctx.drawImage(...args);
		cv.dataset.scale = String(k);
	}

	// The refine view: the photo faded where the cutout drops it, and the strokes.
	function drawRefine() {
		const view = $('#ed-view');
		const maxW = Math.max(200, view.clientWidth || 600);
		const k = Math.min(maxW / W, 1200 / H, 1);
		cv.width = Math.max(1, Math.round(W * k));
		cv.height = Math.max(1, Math.round(H * k));
		ctx.clearRect(0, 0, cv.width, cv.height);
		if (orig) {
			ctx.globalAlpha = 0.3;
			ctx.drawImage(orig, 0, 0, cv.width, cv.height);
			ctx.globalAlpha = 1;
		}
		ctx.drawImage(cut, 0, 0, cv.width, cv.height);
		ctx.lineCap = ctx.lineJoin = 'round';
		for (const s of st.strokes.concat(drawing ? [drawing] : [])) {
			ctx.strokeStyle = ctx.fillStyle = s.label === 'fg' ? 'rgba(22,163,74,.6)' : 'rgba(220,38,38,.6)';
			ctx.lineWidth = s.width * k;
			ctx.beginPath();
			s.points.forEach(([x, y], i) => (i ? ctx.lineTo(x * k, y * k) : ctx.moveTo(x * k, y * k)));
			if (s.points.length === 1) ctx.lineTo(s.points[0][0] * k + 0.01, s.points[0][1] * k);
			ctx.stroke();
		}
		if (cursor) {
			ctx.strokeStyle = '#111827';
			ctx.lineWidth = 2;
			ctx.beginPath();
			ctx.arc(cursor[0] * k, cursor[1] * k, Math.max(3, brushPx() * k / 2), 0, Math.PI * 2);
			ctx.stroke();
		}
		cv.dataset.scale = String(k);
	}

	// ---- controls ----
	function syncControls() {
		for (const b of sec.querySelectorAll('.swatch'))
			b.setAttribute('aria-pressed', String((st.bg === 'transparent' && !b.dataset.color) ||
				(st.bg === 'color' && b.dataset.color.toLowerCase() === String(st.color).toLowerCase())));
		$('#ed-blur-on').checked = st.bg === 'blur';
		$('#ed-blur').value = st.blur;
		$('#ed-blur-out').textContent = st.blur + ' px';
		$('#ed-bgurl').value = st.bgUrl;
		$('#ed-preset').value = st.preset;
		$('#ed-custom').hidden = st.preset !== 'custom';
		if (st.preset === 'custom') { $('#ed-w').value = st.cw || W; $('#ed-hh').value = st.ch || H; }
		const sc = $('#ed-scale');
		sc.value = st.scale || 9;
		const words = st.scale ? st.scale + '%' : 'as is';
		$('#ed-scale-out').textContent = words;
		sc.setAttribute('aria-valuetext', words);
		$('#ed-shadow').checked = st.shadow;
		$('#ed-shop').value = st.shadowOpacity;
		$('#ed-shop-out').textContent = st.shadowOpacity + '%';
		$('#ed-format').value = st.format;
		$('#ed-size').value = st.size;
		$('#ed-brush-out').textContent = $('#ed-brush').value + ' px';
		$('#ed-undo').disabled = !st.strokes.length;
		$('#ed-redo').disabled = !redo.length;
		$('#ed-clear').disabled = !st.strokes.length;
		for (const b of sec.querySelectorAll('[data-brush]')) b.setAttribute('aria-pressed', String(b.dataset.brush === brush));
	}

	function setTab(t) {
		tab = t;
		for (const b of sec.querySelectorAll('[data-tab]')) b.setAttribute('aria-pressed', String(b.dataset.tab === t));
		for (const p of sec.querySelectorAll('[data-panel]')) p.hidden = p.dataset.panel !== t;
		cv.classList.toggle('painting', t === 'refine');
		cv.setAttribute('aria-label', t === 'refine'
			? 'The photo with its cutout. Paint strokes with the pointer, or move the brush with the arrow keys and press Space.'
			: 'Preview. Drag the subject, or use the arrow keys, to move it.');
		$('#ed-hint').textContent = t === 'refine' ? 'Green strokes keep, red strokes remove.' : 'Drag the subject to move it.';
		syncControls();
		render();
	}

	function change(fn) {
		fn();
		syncControls();
		render();
	}

	// Display pixels of a pointer event to canvas pixels (the output canvas, or the photo).
	function toCanvas(ev) {
		const r = cv.getBoundingClientRect(), k = Number(cv.dataset.scale) || 1;
		return [(ev.clientX - r.left) * (cv.width / r.width) / k, (ev.clientY - r.top) * (cv.height / r.height) / k];
	}

	function brushPx() {
		const k = Number(cv.dataset.scale) || 1;
		return Math.max(1, Math.min(2000, Math.round(Number($('#ed-brush').value) / k)));
	}

	function points() { return st.strokes.reduce((n, s) => n + s.points.length, 0); }

	function startStroke(p) {
		if (brush === 'erase') { erase(p); return; }
		if (st.strokes.length >= MAX_STROKES || points() >= MAX_POINTS) {
			Backdrop.say($('#ed-status'), 'That is as many strokes as one cut takes. Apply them, or undo some.', 'bad');
			return;
		}
		drawing = { label: brush, width: brushPx(), points: [p.map(Math.round)] };
	}

	function extendStroke(p) {
		if (!drawing) { if (brush === 'erase' && p) erase(p); return; }
		const last = drawing.points[drawing.points.length - 1];
		if (Math.hypot(p[0] - last[0], p[1] - last[1]) < Math.max(2, drawing.width / 4)) return;
		if (points() + drawing.points.length >= MAX_POINTS) return;
		drawing.points.push(p.map(Math.round));
	}

	function endStroke() {
		if (!drawing) return;
		st.strokes.push(drawing);
		drawing = null;
		redo = [];
		syncControls();
	}

	function erase(p) {
		const before = st.strokes.length;
		st.strokes = st.strokes.filter((s) => !s.points.some(([x, y]) => Math.hypot(x - p[0], y - p[1]) <= (s.width + brushPx()) / 2));
		if (st.strokes.length !== before) { redo = []; syncControls(); }
	}

	function wire() {
		$('#ed-close').addEventListener('click', close);
		sec.addEventListener('click', (ev) => {
			const t = ev.target.closest('[data-tab]');
			if (t) return setTab(t.dataset.tab);
			const b = ev.target.closest('[data-brush]');
			if (b) { brush = b.dataset.brush; syncControls(); return; }
			const s = ev.target.closest('.swatch');
			if (s) change(() => { st.bg = s.dataset.color ? 'color' : 'transparent'; st.color = s.dataset.color; });
		});
		$('#ed-color').addEventListener('input', (ev) => change(() => { st.bg = 'color'; st.color = ev.target.value; }));
		$('#ed-bgfile').addEventListener('change', async (ev) => {
			const f = ev.target.files[0];
			if (!f) return;
			st.bgFile = f;
			st.bgUrl = '';
			try { bgImg = await loadImage(URL.createObjectURL(f)); } catch (e) { bgImg = null; }
			change(() => { st.bg = 'image'; });
		});
		$('#ed-bgurl').addEventListener('change', (ev) => change(() => {
			st.bgUrl = ev.target.value.trim();
			st.bgFile = null;
			bgImg = null;
			st.bg = st.bgUrl ? 'url' : 'transparent';
			Backdrop.say($('#ed-status'), st.bgUrl ? 'The picture from this URL is put in when you save (the preview cannot load it).' : '');
		}));
		$('#ed-blur-on').addEventListener('change', (ev) => change(() => { st.bg = ev.target.checked ? 'blur' : 'transparent'; }));
		$('#ed-blur').addEventListener('input', (ev) => change(() => { st.bg = 'blur'; st.blur = Number(ev.target.value); }));
		$('#ed-preset').addEventListener('change', (ev) => change(() => {
			st.preset = ev.target.value;
			if (st.preset === 'custom') { st.cw = st.cw || W; st.ch = st.ch || H; }
			if (st.preset === 'market') { st.pos = { kind: 'center', px: 50, py: 50 }; st.scale = 85; st.format = 'jpg'; }
		}));
		for (const id of ['#ed-w', '#ed-hh'])
			$(id).addEventListener('input', () => change(() => {
				const w = Number($('#ed-w').value), h = Number($('#ed-hh').value);
				if (w >= 1 && w <= 16384 && h >= 1 && h <= 16384) { st.cw = Math.round(w); st.ch = Math.round(h); }
			}));
		$('#ed-scale').addEventListener('input', (ev) => change(() => {
			const v = Number(ev.target.value);
			st.scale = v < 10 ? 0 : v;
			if (st.scale && st.pos.kind === 'original') st.pos = { kind: 'center', px: 50, py: 50 };
		}));
		$('#ed-center').addEventListener('click', () => change(() => { st.pos = { kind: 'center', px: 50, py: 50 }; }));
		$('#ed-origpos').addEventListener('click', () => change(() => { st.pos = { kind: 'original', px: 50, py: 50 }; st.scale = 0; }));
		$('#ed-shadow').addEventListener('change', (ev) => change(() => { st.shadow = ev.target.checked; }));
		$('#ed-shop').addEventListener('input', (ev) => change(() => { st.shadow = true; st.shadowOpacity = Number(ev.target.value); }));
		$('#ed-format').addEventListener('change', (ev) => { st.format = ev.target.value; });
		$('#ed-size').addEventListener('change', (ev) => { st.size = ev.target.value; });
		$('#ed-brush').addEventListener('input', () => { syncControls(); render(); });
		$('#ed-undo').addEventListener('click', () => change(() => { if (st.strokes.length) redo.push(st.strokes.pop()); }));
		$('#ed-redo').addEventListener('click', () => change(() => { if (redo.length) st.strokes.push(redo.pop()); }));
		$('#ed-clear').addEventListener('click', () => change(() => { redo = st.strokes.reverse(); st.strokes = []; }));
		$('#ed-apply').addEventListener('click', () => save(false, true));
		$('#ed-save').addEventListener('click', () => save(false));
		$('#ed-save-new').addEventListener('click', () => save(true));
		window.addEventListener('resize', render);

		// Pointer: drag the subject, or paint.
		cv.addEventListener('pointerdown', (ev) => {
			if (!cut) return;
			cv.setPointerCapture(ev.pointerId);
			const p = toCanvas(ev);
			if (tab === 'refine') { startStroke(p); render(); return; }
			const L = layer();
			if (p[0] < L.x || p[1] < L.y || p[0] > L.x + L.w || p[1] > L.y + L.h) return;
			dragging = { dx: p[0] - L.x, dy: p[1] - L.y };
		});
		cv.addEventListener('pointermove', (ev) => {
			if (tab === 'refine') {
				cursor = toCanvas(ev);
				if (ev.buttons) extendStroke(cursor);
				render();
				return;
			}
			if (!dragging) return;
			const p = toCanvas(ev);
			moveTo(p[0] - dragging.dx, p[1] - dragging.dy);
		});
		const up = () => { dragging = null; if (drawing) { endStroke(); render(); } };
		cv.addEventListener('pointerup', up);
		cv.addEventListener('pointercancel', up);
		cv.addEventListener('pointerleave', () => { if (tab === 'refine' && !drawing) { cursor = null; render(); } });

		// Keyboard: arrows move the subject (or the brush), Space paints.
		cv.addEventListener('keydown', (ev) => {
			const step = ev.shiftKey ? 10 : 1;
			const d = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[ev.key];
			if (tab === 'background') {
				if (!d) return;
				ev.preventDefault();
				change(() => {
					const L = layer();
					const px = st.pos.kind === 'percent' ? st.pos.px : L.cw > L.w ? Math.round(L.x / (L.cw - L.w) * 100) : 50;
					const py = st.pos.kind === 'percent' ? st.pos.py : L.ch > L.h ? Math.round(L.y / (L.ch - L.h) * 100) : 50;
					st.pos = { kind: 'percent', px: clamp(px + d[0] * step), py: clamp(py + d[1] * step) };
				});
				return;
			}
			const key = ev.key.toLowerCase();
			if ((ev.ctrlKey || ev.metaKey) && key === 'z') { ev.preventDefault(); $('#ed-undo').click(); return; }
			if ((ev.ctrlKey || ev.metaKey) && key === 'y') { ev.preventDefault(); $('#ed-redo').click(); return; }
			if (key === 'k' || key === 'r' || key === 'e') { brush = { k: 'fg', r: 'bg', e: 'erase' }[key]; syncControls(); return; }
			if (!cursor) cursor = [W / 2, H / 2];
			if (d) {
				ev.preventDefault();
				const px = brushPx() / 2 * step;
				cursor = [Math.min(W - 1, Math.max(0, cursor[0] + d[0] * px)), Math.min(H - 1, Math.max(0, cursor[1] + d[1] * px))];
				extendStroke(cursor);
			} else if (ev.key === ' ') {
				ev.preventDefault();
				if (drawing) endStroke(); else startStroke(cursor);
				Backdrop.say($('#ed-status'), drawing ? 'Stroke started: move with the arrow keys, Space to end it.' : 'Stroke ended.');
			} else if (ev.key === 'Enter') {
				ev.preventDefault();
				endStroke();
				save(false, true);
			}
			render();
		});
	}

	const clamp = (v) => Math.max(0, Math.min(100, Math.round(v)));

	function moveTo(x, y) {
		change(() => {
			if (!st.scale && st.pos.kind === 'original') { /* the layer becomes the subject's box at its own size */ }
			const whole = !st.scale && st.pos.kind === 'original';
			st.pos.kind = 'percent';
			const L = layer();
			if (whole && bbox) { x += bbox.x; y += bbox.y; }
			st.pos = { kind: 'percent', px: L.cw > L.w ? clamp(x / (L.cw - L.w) * 100) : 50, py: L.ch > L.h ? clamp(y / (L.ch - L.h) * 100) : 50 };
		});
	}

	// The options of the state, in the engine's vocabulary. The server starts from the
	// record's stored options and replaces each one sent; an empty value resets one to
	// its default, so every option the editor shows is sent, set or empty.
	function formData(asNew) {
		const fd = new FormData();
		const set = (k, v) => fd.set(k, String(v));
		const market = st.preset === 'market';
		const bg = market ? 'color' : st.bg;
		set('mode', bg === 'transparent' ? 'remove' : 'change');
		set('bg_color', bg === 'color' ? (market ? '#ffffff' : st.color) : '');
		set('bg_blur', bg === 'blur' ? st.blur : '');
		if (bg === 'image' && st.bgFile) fd.set('bg_image_file', st.bgFile);
		else if (bg === 'url') set('bg_image_url', st.bgUrl);
		else if (bg !== 'stored') set('bg_image_url', '');   // no picture behind
		const [cw, ch] = canvasSize();
		set('canvas_size', st.preset !== 'original' ? cw + 'x' + ch : '');
		set('position', st.pos.kind === 'center' ? 'center' : st.pos.kind === 'percent' ? st.pos.px + '% ' + st.pos.py + '%' : '');
		set('scale', st.scale ? st.scale + '%' : '');
		set('add_shadow', st.shadow ? 'true' : 'false');
		set('shadow_opacity', st.shadow ? st.shadowOpacity : '');
		set('format', st.format !== 'auto' ? st.format : '');
		set('size', st.size !== 'full' ? st.size : '');
		set('hint_strokes', !st.strokes.length ? '' : JSON.stringify(st.strokes.map((k) => ({ points: k.points, width: k.width, label: k.label }))));
		if (asNew) {
			fd.set('save_as_new', '1');
			fd.set('name', (rec.image_name + ' (edited)').slice(0, 200));
		}
		return fd;
	}

	let saving = false;
	async function save(asNew, refine) {
		if (saving || !rec) return;
		const status = $('#ed-status');
		if (asNew) {
			const u = Backdrop.usage(0);
			if (u.used >= u.limit) { Backdrop.say(status, Backdrop.errorWords('user_limit'), 'bad'); return; }
		}
		saving = true;
		for (const b of sec.querySelectorAll('#ed-save, #ed-save-new, #ed-apply')) b.disabled = true;
		const t0 = performance.now();
		Backdrop.say(status, refine ? 'Cutting again with your strokes…' : 'Rendering at full size…');
		try {
			const out = await Backdrop.call('/update/' + encodeURIComponent(rec.id), { method: 'POST', body: formData(asNew) });
			const secs = ((performance.now() - t0) / 1000).toFixed(1);
			if (asNew) Backdrop.usage(+1);
			const saved = out && out.id ? out : rec;
			rec = saved;
			if (refine && !asNew) {
				const im = await loadImage(Backdrop.fresh(saved.urls && saved.urls.cutout ? saved.urls.cutout : '/image/' + rec.id + '/cutout'))
					.catch(() => loadImage(Backdrop.fresh(saved.urls.processed)));
				cut = prepare(im);
				render();
				Backdrop.say(status, 'Cut again in ' + secs + ' s and saved; the strokes are kept with the image.', 'ok');
				Backdrop.lastRefine = { ms: performance.now() - t0 };
			} else {
				Backdrop.say(status, (asNew ? 'Saved as a new image' : 'Saved') + ' in ' + secs + ' s.', 'ok');
				sec.hidden = true;
				if (Backdrop.showResult) await Backdrop.showResult(saved, null);
				const r = $('#result-h');
				if (r) Backdrop.say($('#upload-status'), '"' + saved.image_name + '" saved.', 'ok');
			}
			if (Backdrop.refreshCards) Backdrop.refreshCards();
		} catch (e) {
			Backdrop.say(status, e.message, 'bad');
		} finally {
			saving = false;
			for (const b of sec.querySelectorAll('#ed-save, #ed-save-new, #ed-apply')) b.disabled = false;
		}
	}
})();
