// docs.js: the API page: the examples name this server's own address, and each has a
// Copy button. Without JavaScript the examples read https://backdrop.example.
'use strict';

const base = location.origin;
for (const el of document.querySelectorAll('.snippet code, code.base'))
	el.textContent = el.textContent.replaceAll('https://backdrop.example', base);

const live = document.createElement('p');
live.className = 'vh';
live.setAttribute('role', 'status');
document.querySelector('main').append(live);

document.querySelectorAll('.snippet').forEach((box, i) => {
	const b = document.createElement('button');
	b.type = 'button';
	b.className = 'btn sm copy';
	let heading = box.previousElementSibling;
	while (heading && heading.tagName !== 'H2') heading = heading.previousElementSibling;
	// The visible word and a hidden rest make the name ("Copy example 7 (Delete)"), so
	// the name always starts with what the button shows, "Copy" or "Copied".
	const word = document.createTextNode('Copy');
	const rest = document.createElement('span');
	rest.className = 'vh';
	rest.textContent = ' example ' + (i + 1) + (heading ? ' (' + heading.textContent.replace(/:.*/, '') + ')' : '');
	b.append(word, rest);
	b.addEventListener('click', async () => {
		const text = box.querySelector('code').textContent;
		try {
			await navigator.clipboard.writeText(text);
		} catch (e) {
			const r = document.createRange();
			r.selectNodeContents(box.querySelector('code'));
			getSelection().removeAllRanges();
			getSelection().addRange(r);
			live.textContent = 'Selected: press Ctrl+C to copy.';
			return;
		}
		word.data = 'Copied';
		live.textContent = 'Copied to the clipboard.';
		setTimeout(() => { word.data = 'Copy'; }, 1500);
	});
	box.append(b);
});
