/* fuzz_options.c: the one option vocabulary (img_opts_set, with the cutout's keys in
 * img_cutout_opt_set): roi, hint_strokes, crop_margin, colors, positions and the rest.
 * The first byte picks the key, the remaining bytes are the value. A value that is
 * accepted must leave the options in their documented ranges. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cutout.h"
#include "pipeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const aliases[] = { "strokes", "shadow", "no_such_key" };
	struct img_opts o;
	const char *key;
	char *val, why[256];
	uint32_t rgba;
	size_t nkeys = 0;
	int i;

	if (size < 1)
		return 0;
	while (img_opt_keys[nkeys])
		nkeys++;
	key = data[0] % (nkeys + 3) < nkeys ? img_opt_keys[data[0] % (nkeys + 3)] :
	      aliases[data[0] % (nkeys + 3) - nkeys];
	if (!(val = malloc(size)))
		return 0;
	memcpy(val, data + 1, size - 1);
	val[size - 1] = '\0';
	img_opts_init(&o);
	if (img_opts_set(&o, key, val, why, sizeof why) == ERR_OK) {
		for (i = 0; i < 4; i++)
			if (o.margin[i] < 0 || o.margin[i] > 500 || (o.margin_pct[i] && o.margin[i] > 50))
				abort();
		if (o.cut.npts < 0 || o.cut.npts > CUT_MAX_POINTS || o.cut.nstrokes < 0 ||
		    o.cut.nstrokes > CUT_MAX_STROKES)
			abort();
		for (i = 0; i < o.cut.nstrokes; i++)
			if (o.cut.strokes[i].width < 1 || o.cut.strokes[i].width > CUT_MAX_STROKE_WIDTH ||
			    o.cut.strokes[i].first + o.cut.strokes[i].npts > o.cut.npts)
				abort();
		if (o.pos_x_pct < 0 || o.pos_x_pct > 100 || o.pos_y_pct < 0 || o.pos_y_pct > 100 ||
		    o.canvas_w < 0 || o.canvas_h < 0)
			abort();
	} else if (!memchr(why, '\0', sizeof why)) {
		abort();
	}
	img_color_parse(val, &rgba);
	free(val);
	return 0;
}
