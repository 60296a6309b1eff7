/* test_str.c: strict number parsing, ids, escaping, urlencoded fields. */
#include <stdlib.h>
#include <string.h>
#include "html.h"
#include "req.h"
#include "str.h"
#include "tap.h"

static const char *esc(enum err (*fn)(struct buf *, const char *), const char *s)
{
	static struct buf b;

	buf_free(&b);
	fn(&b, s);
	return b.data ? b.data : "";
}

int main(void)
{
	long v = -1;
	double d = 0;
	char id[33], s[32];
	struct fields fs = { 0 };

	ok(str_to_long("42", 0, 100, &v) && v == 42, "42 parses");
	ok(str_to_long("-5", -10, 10, &v) && v == -5, "negative parses");
	ok(!str_to_long("", 0, 100, &v), "empty string is refused");
	ok(!str_to_long(" 4", 0, 100, &v), "leading space is refused");
	ok(!str_to_long("4 ", 0, 100, &v), "trailing space is refused");
	ok(!str_to_long("4x", 0, 100, &v), "trailing junk is refused");
	ok(!str_to_long("101", 0, 100, &v), "above max is refused");
	ok(!str_to_long("99999999999999999999", 0, 100, &v), "overflow is refused");
	ok(!str_to_long("0x10", 0, 100, &v), "hex is refused");
	ok(!str_to_long(NULL, 0, 100, &v), "NULL is refused");
	ok(str_to_long_n("123abc", 3, 0, 1000, &v) && v == 123, "length-bounded parse");
	ok(str_to_double("2.5", 0, 10, &d) && d == 2.5, "2.5 parses");
	ok(!str_to_double("nan", 0, 10, &d), "nan is refused");
	ok(!str_to_double("1e999", 0, 1e300, &d), "infinity is refused");

	{
		int b = -1;
		ok(str_to_bool("TRUE", &b) && b == 1, "TRUE is true");
		ok(str_to_bool("off", &b) && b == 0, "off is false");
		ok(!str_to_bool("maybe", &b) && !str_to_bool("", &b) && !str_to_bool("truex", &b), "anything else is refused");
	}
	ok(str_random_id(id) && str_is_id(id), "random id has the id shape");
	ok(!str_is_id("0123456789abcdef0123456789ABCDEF"), "upper case is not an id");
	ok(!str_is_id("0123456789abcdef"), "short is not an id");
	ok(!str_is_id("0123456789abcdef0123456789abcdef0"), "long is not an id");
	ok(str_equal_ct("abc", "abc", 3) && !str_equal_ct("abc", "abd", 3), "constant-time compare");
	strcpy(s, "  padded \t\n");
	is_str(str_trim(s), "padded", "trim");

	is_str(esc(html_text, "<script>alert('x')</script> & \"q\""),
	       "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;", "html text escaping");
	is_str(esc(html_attr, "a\" onmouseover=`x`"), "a&quot; onmouseover&#61;&#96;x&#96;", "html attribute escaping");
	is_str(esc(html_url, "a b/c?d=é"), "a%20b%2Fc%3Fd%3D%C3%A9", "url part escaping");

	is_int(fields_parse_urlencoded(&fs, "a=1&b=x+y%21&c=&d", 17), ERR_OK, "urlencoded parses");
	is_int(fs.n, 4, "four fields");
	is_str(fields_get(&fs, "b")->value, "x y!", "plus and percent decode");
	is_str(fields_get(&fs, "c")->value, "", "empty value");
	is_str(fields_get(&fs, "d")->value, "", "name without '='");
	fields_free(&fs);
	ok(fields_parse_urlencoded(&fs, "a=%zz", 5) == ERR_BAD_REQUEST, "bad escape is refused");
	fields_free(&fs);
	ok(fields_parse_urlencoded(&fs, "a=%4", 4) == ERR_BAD_REQUEST, "short escape is refused");
	fields_free(&fs);
	ok(fields_parse_urlencoded(&fs, "a%00b=1", 7) == ERR_BAD_REQUEST, "NUL in a name is refused");
	fields_free(&fs);
	{
		char many[LIM_FIELDS * 4 + 8] = "";
		int i;
		for (i = 0; i <= LIM_FIELDS; i++)
			strcat(many, "a=1&");
		ok(fields_parse_urlencoded(&fs, many, strlen(many)) == ERR_BAD_REQUEST, "more than LIM_FIELDS fields is refused");
		fields_free(&fs);
	}
	{
		/* Ordinary fields stop at LIM_FIELD_VALUE; base64 image fields may be larger. */
		size_t n = LIM_FIELD_VALUE + 100;
		char *body = malloc(n + 32);
		memcpy(body, "note=", 5);
		memset(body + 5, 'A', n);
		is_int(fields_parse_urlencoded(&fs, body, n + 5), ERR_BAD_REQUEST, "a long ordinary field is refused");
		fields_free(&fs);
		memcpy(body, "a_b64=", 6);
		memset(body + 6, 'A', n);
		is_int(fields_parse_urlencoded(&fs, body, n + 6), ERR_OK, "a long *_b64 field is accepted");
		ok(fs.n == 1 && fs.f[0].len == n, "with all its bytes");
		fields_free(&fs);
		free(body);
	}
	{
		/* str_strip_unsafe: what may not reach a download's file name. */
		static const struct {
			const char *in, *want, *what;
		} cases[] = {
			{ "photo.png", "photo.png", "plain ASCII is kept" },
			{ "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80",
			  "other UTF-8 (2, 3 and 4 bytes) is kept" },
			{ "a\xe2\x80\xaegnp.exe", "agnp.exe", "U+202E RIGHT-TO-LEFT OVERRIDE is dropped" },
			{ "\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad" "x", "x", "U+202A..U+202D are dropped" },
			{ "\xe2\x81\xa6" "a\xe2\x81\xa7" "b\xe2\x81\xa8" "c\xe2\x81\xa9", "abc", "the isolates U+2066..U+2069 are dropped" },
			{ "\xe2\x80\x8e" "x\xe2\x80\x8f\xd8\x9c", "x", "LRM, RLM and ALM are dropped" },
			{ "a\tb\nc\rd\x01\x1f\x7f", "abcd", "C0 controls and DEL are dropped" },
			{ "a\xc2\x85" "b\xc2\x9b" "c", "abc", "C1 controls (NEL, CSI) are dropped" },
			{ "a\xe2\x80\xa8" "b\xe2\x80\xa9" "c", "abc", "line and paragraph separators are dropped" },
			{ "a\xe2\x80\x8d" "b", "a\xe2\x80\x8d" "b", "a zero width joiner (emoji sequences) is kept" },
			{ "a\xff" "b\xc0\xaf" "c\xed\xa0\x80" "d\xe2\x80", "abcd", "invalid UTF-8 bytes are dropped" },
			{ "", "", "empty stays empty" },
		};
		size_t k;

		for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
			char *got = str_strip_unsafe(cases[k].in);
			is_str(got, cases[k].want, "str_strip_unsafe: %s", cases[k].what);
			free(got);
		}
	}
	tap_done();
}
