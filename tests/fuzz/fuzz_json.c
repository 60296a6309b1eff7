/* fuzz_json.c: the JSON request parser (render_json_parse: depth and size limits,
 * objects only) and the option mapping of every member (render_opt_json). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "conf.h"
#include "render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int loaded;
	struct json_object *o = NULL;
	struct img_opts opts;
	char why[256];

	if (!loaded) {
		conf_load(why, sizeof why);
		loaded = 1;
	}
	if (render_json_parse((const char *)data, size, &o, why, sizeof why))
		return 0;
	if (!json_object_is_type(o, json_type_object))
		abort();
	img_opts_init(&opts);
	json_object_object_foreach(o, key, val)
		render_opt_json(&opts, key, val, why, sizeof why);
	json_object_put(o);
	return 0;
}
