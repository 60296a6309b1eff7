/* test_provider.c: the remote cutout providers against a local stand-in server
 * (tests/unit/provider_standin.py on 127.0.0.1): success for both protocols, and a
 * fallback to the local cutout on 500, timeout, garbage and a wrong-size answer. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tap.h"
#include "provider.h"

static pid_t server;

/* Starts the stand-in; returns its port or 0. */
static int start(void)
{
	int fd[2], port = 0;
	char buf[32] = { 0 }, path[4096];
	const char *top = getenv("TOP");
	FILE *f;

	snprintf(path, sizeof path, "%s/tests/unit/provider_standin.py", top ? top : ".");
	if (pipe(fd))
		return 0;
	server = fork();
	if (server == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		execlp("python3", "python3", path, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	f = fdopen(fd[0], "r");
	if (f && fgets(buf, sizeof buf, f))
		port = atoi(buf);
	if (f)
		fclose(f);
	return port;
}

int main(void)
{
	struct provider_conf pc;
	struct img_cutout_opts o;
	struct img src = { 0 }, out = { 0 };
	struct img_rect bb;
	char url[256], why[256];
	void *png;
	int len = 0, port, flags, used, x, y;
	enum err e;
	static const char *modes[] = { "500", "garbage", "size", "slow" };
	size_t i;

	memset(&o, 0, sizeof o);
	o.no_cache = 1;
	src.gd = gdImageCreateTrueColor(40, 30);
	for (y = 0; y < 30; y++)
		for (x = 0; x < 40; x++)
			src.gd->tpixels[y][x] = (x - 20) * (x - 20) + (y - 15) * (y - 15) < 64 ? 0xc02020 : 0xf0f0f0;
	png = gdImagePngPtr(src.gd, &len);
	port = start();
	ok(port > 0, "stand-in provider listening on 127.0.0.1:%d", port);

	memset(&pc, 0, sizeof pc);
	pc.kind = PROVIDER_REMOVEBG;
	pc.key = "k123";
	pc.timeout = 2;
	pc.fallback = 1;
	pc.url = url;
	snprintf(url, sizeof url, "http://127.0.0.1:%d/removebg/ok/40/30", port);
	e = provider_cutout(&pc, png, (size_t)len, &src, &o, &out, &bb, &flags, &used, why, sizeof why);
	ok(!e && used, "remove.bg protocol: the remote answer is used");
	ok(!e && out.alpha && out.alpha[5 * 40 + 5] == 255 && out.alpha[5 * 40 + 35] == 0,
	   "remote matte decoded");
	img_free(&out);
	pc.key = "wrong";
	e = provider_cutout(&pc, png, (size_t)len, &src, &o, &out, &bb, &flags, &used, why, sizeof why);
	ok(!e && !used && out.alpha[15 * 40 + 20] == 255, "wrong key: 400, local fallback");
	img_free(&out);
	pc.key = "k123";

	pc.kind = PROVIDER_REMBG;
	snprintf(url, sizeof url, "http://127.0.0.1:%d/rembg/ok/40/30", port);
	e = provider_cutout(&pc, png, (size_t)len, &src, &o, &out, &bb, &flags, &used, why, sizeof why);
	ok(!e && used && out.alpha[5 * 40 + 5] == 255, "rembg protocol: the remote answer is used");
	img_free(&out);

	for (i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		snprintf(url, sizeof url, "http://127.0.0.1:%d/rembg/%s/40/30", port, modes[i]);
		pc.fallback = 1;
		e = provider_cutout(&pc, png, (size_t)len, &src, &o, &out, &bb, &flags, &used, why, sizeof why);
		ok(!e && !used && out.alpha && out.alpha[15 * 40 + 20] == 255 && out.alpha[2 * 40 + 2] == 0,
		   "%s: falls back to a sound local cutout", modes[i]);
		img_free(&out);
		pc.fallback = 0;
		e = provider_cutout(&pc, png, (size_t)len, &src, &o, &out, &bb, &flags, &used, why, sizeof why);
		ok(e == ERR_UPSTREAM && !out.gd, "%s without fallback: ERR_UPSTREAM (%s)", modes[i], why);
		img_free(&out);
	}
	pc.kind = PROVIDER_LOCAL;
	e = provider_cutout(&pc, png, (size_t)len, &src, &o, &out, &bb, &flags, &used, why, sizeof why);
	ok(!e && !used && out.alpha[15 * 40 + 20] == 255, "local provider");
	img_free(&out);

	if (server > 0) {
		kill(server, SIGTERM);
		waitpid(server, NULL, 0);
	}
	gdFree(png);
	img_free(&src);
	tap_done();
}
