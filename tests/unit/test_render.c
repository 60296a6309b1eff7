/* test_render.c: JSON numbers into options (render_opt_json): whole numbers pass to the
 * vocabulary, fractions are refused, and doubles outside long long's range (1e300,
 * -1e300, inf, nan: json-c parses NaN, Infinity and 1e400 too) are refused before any
 * conversion, which would be undefined behaviour. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "conf.h"
#include "render.h"
#include "tap.h"

/* render_opt_json() of key with the JSON value text (parsed as {"v": TEXT}); why[n]
 * gets the reason. ERR_BAD_JSON when the text does not parse. */
static enum err from_text(const char *key, const char *text, char *why, size_t n)
{
	struct json_object *o = NULL, *v;
	struct img_opts opts;
	char body[128];
	enum err e;

	snprintf(body, sizeof body, "{\"v\": %s}", text);
	*why = '\0';
	if ((e = render_json_parse(body, strlen(body), &o, why, n)))
		return e;
	img_opts_init(&opts);
	json_object_object_get_ex(o, "v", &v);
	e = render_opt_json(&opts, key, v, why, n);
	json_object_put(o);
	return e;
}

/* The same with a double built directly (JSON text cannot spell inf or nan). */
static enum err from_double(const char *key, double d, char *why, size_t n)
{
	struct json_object *v = json_object_new_double(d);
	struct img_opts opts;
	enum err e;

	*why = '\0';
	img_opts_init(&opts);
	e = render_opt_json(&opts, key, v, why, n);
	json_object_put(v);
	return e;
}

int main(void)
{
	static const char *const big[] = { "1e300", "-1e300", "1.5e19", "-9.3e18", "9223372036854775808.0" };
	static const double odd[] = { INFINITY, -INFINITY, NAN, 1e300, -1e300, 9223372036854775808.0 };
	static const char *const nonfinite[] = { "1e400", "-1e400", "NaN", "Infinity", "-Infinity" };
	char why[200];
	size_t i;

	setenv("BACKDROP_CONF", "/dev/null", 1);
	setenv("BACKDROP_ENV_FILE", "/dev/null", 1);
	ok(conf_load(why, sizeof why) == ERR_OK, "the settings load (%s)", why);

	is_int(from_text("overlay_template_x", "5", why, sizeof why), ERR_OK, "an integer passes");
	is_int(from_text("overlay_template_x", "5.0", why, sizeof why), ERR_OK, "a whole double passes");
	is_int(from_text("overlay_template_x", "-7.0", why, sizeof why), ERR_OK, "a negative whole double passes");
	is_int(from_text("overlay_template_x", "5.5", why, sizeof why), ERR_BAD_FIELD, "a fraction is refused");
	ok(strstr(why, "whole number") != NULL, "its reason asks for a whole number (%s)", why);

	for (i = 0; i < sizeof big / sizeof big[0]; i++) {
		is_int(from_text("overlay_template_x", big[i], why, sizeof why), ERR_BAD_FIELD,
		       "%s is refused as invalid_field", big[i]);
		ok(!strncmp(why, "overlay_template_x: ", 20) && strstr(why, "out of range"),
		   "%s: the reason names the field and the range (%s)", big[i], why);
	}
	for (i = 0; i < sizeof odd / sizeof odd[0]; i++) {
		is_int(from_double("overlay_template_x", odd[i], why, sizeof why), ERR_BAD_FIELD,
		       "the double %g is refused as invalid_field", odd[i]);
		ok(strstr(why, "out of range") != NULL, "the double %g: the reason names the range (%s)", odd[i], why);
	}
	/* -2^63 converts exactly: the range check lets it through to the vocabulary's own
	 * bounds, which refuse it with their own reason. */
	is_int(from_double("overlay_template_x", -9223372036854775808.0, why, sizeof why), ERR_BAD_FIELD,
	       "-2^63 reaches the option's own bounds");
	ok(strstr(why, "out of range") == NULL, "and is judged by them, not by the conversion check (%s)", why);
	/* json-c takes these even in strict mode (1e400 becomes inf): refused all the same. */
	for (i = 0; i < sizeof nonfinite / sizeof nonfinite[0]; i++) {
		is_int(from_text("overlay_template_x", nonfinite[i], why, sizeof why), ERR_BAD_FIELD,
		       "%s is refused as invalid_field", nonfinite[i]);
		ok(strstr(why, "out of range") != NULL, "%s: the reason names the range (%s)", nonfinite[i], why);
	}
	tap_done();
}
