/* test_mp.c: the multipart/form-data parser and boundary rules (mp.c). */
#include <stdlib.h>
#include <string.h>
#include "mp.h"
#include "tap.h"

static struct fields fs;

/* Parses body with boundary b into fs (emptied first). */
static enum err parse(const char *b, const char *body, size_t n)
{
	fields_free(&fs);
	return mp_parse(body, n, b, &fs);
}
#define P(b, s) parse(b, s, sizeof s - 1)

int main(void)
{
	char b[MP_BOUNDARY_MAX + 1], big[200];
	const struct field *f;
	char *body;
	size_t n;
	int i;

	is_int(mp_boundary("multipart/form-data; boundary=abc", b), ERR_OK, "plain boundary");
	is_str(b, "abc", "boundary value");
	is_int(mp_boundary("Multipart/Form-Data ; charset=x;Boundary=\"a b'()+_,-./:=?\"", b), ERR_OK, "quoted boundary, any case");
	is_str(b, "a b'()+_,-./:=?", "quoted boundary value");
	is_int(mp_boundary("multipart/form-data; boundary=\"ab \"", b), ERR_BAD_MULTIPART, "trailing space refused");
	is_int(mp_boundary("multipart/form-data; boundary=\"a\\\"b\"", b), ERR_BAD_MULTIPART, "non-bchar refused");
	is_int(mp_boundary("multipart/form-data", b), ERR_BAD_MULTIPART, "missing boundary refused");
	is_int(mp_boundary("multipart/form-data; boundary=", b), ERR_BAD_MULTIPART, "empty boundary refused");
	is_int(mp_boundary("multipart/mixed; boundary=abc", b), ERR_BAD_MULTIPART, "other multipart type refused");
	is_int(mp_boundary("multipart/form-data; boundary=a; boundary=b", b), ERR_BAD_MULTIPART, "two boundaries refused");
	memset(big, 'x', 71);
	strcpy(big + 71, "");
	{
		char ct[256];
		snprintf(ct, sizeof ct, "multipart/form-data; boundary=%.70s", big);
		is_int(mp_boundary(ct, b), ERR_OK, "70-character boundary accepted");
		snprintf(ct, sizeof ct, "multipart/form-data; boundary=%.71s", big);
		is_int(mp_boundary(ct, b), ERR_BAD_MULTIPART, "71-character boundary refused");
	}

	is_int(P("XyZ", "--XyZ\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nhello\r\n"
	         "--XyZ\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n"
	         "Content-Type: image/png\r\n\r\nA\0B\r\n--XyZ--\r\n"), ERR_OK, "two parts parse");
	is_int(fs.n, 2, "two fields");
	f = fields_get(&fs, "name");
	ok(f && !strcmp(f->value, "hello") && !f->filename, "text field value, no filename");
	f = fields_get(&fs, "image");
	ok(f && f->len == 3 && !memcmp(f->value, "A\0B", 3), "file value keeps NUL bytes");
	ok(f && f->filename && !strcmp(f->filename, "a.png"), "filename recorded");
	ok(f && f->type && !strcmp(f->type, "image/png"), "part type recorded");

	is_int(P("q", "preamble\r\n--q  \r\ncontent-disposition: form-data; name=x\r\n\r\n\r\n--q--epilogue"), ERR_OK,
	       "preamble, padding, token name, empty value");
	ok(fs.n == 1 && fields_get(&fs, "x") && fields_get(&fs, "x")->len == 0, "empty value parsed");
	is_int(P("q", "--q\r\nContent-Disposition: form-data; name=\"a\\\"b\"\r\n\r\nv\r\n--q--"), ERR_OK, "escaped quote in name");
	ok(fields_get(&fs, "a\"b") != NULL, "escaped name decoded");
	is_int(P("q", "--q\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--q\r\n"), ERR_BAD_MULTIPART, "no close delimiter");
	is_int(P("q", "--q\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv"), ERR_BAD_MULTIPART, "truncated part");
	is_int(P("q", "--q\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nv\r\n--q--"), ERR_BAD_MULTIPART, "not form-data");
	is_int(P("q", "--q\r\nContent-Disposition: form-data\r\n\r\nv\r\n--q--"), ERR_BAD_MULTIPART, "no name");
	is_int(P("q", "--q\r\nContent-Type: text/plain\r\n\r\nv\r\n--q--"), ERR_BAD_MULTIPART, "no disposition");
	is_int(P("q", "--q\r\n\r\nv\r\n--q--"), ERR_BAD_MULTIPART, "no headers");
	is_int(P("q", "--q\r\nContent-Disposition: form-data; name=\"a\r\n\r\nv\r\n--q--"), ERR_BAD_MULTIPART, "unterminated quote");
	is_int(P("q", "--q\r\nContent-Disposition: form-data; name=\"a\"; name=\"b\"\r\n\r\nv\r\n--q--"), ERR_BAD_MULTIPART, "two names");
	is_int(P("q", "nothing here"), ERR_BAD_MULTIPART, "no delimiter at all");
	is_int(P("q", "--qq\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--q--"), ERR_BAD_MULTIPART,
	       "a longer boundary is not ours");

	/* Limits. */
	n = 0;
	body = malloc(1 << 20);
	for (i = 0; i < LIM_FIELDS + 1; i++)
		n += (size_t)sprintf(body + n, "--z\r\nContent-Disposition: form-data; name=\"f%d\"\r\n\r\nv\r\n", i);
	n += (size_t)sprintf(body + n, "--z--");
	is_int(parse("z", body, n), ERR_BAD_MULTIPART, "more than LIM_FIELDS fields refused");
	n = 0;
	for (i = 0; i < LIM_PARTS + 1; i++)
		n += (size_t)sprintf(body + n, "--z\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x\"\r\n\r\nv\r\n");
	n += (size_t)sprintf(body + n, "--z--");
	is_int(parse("z", body, n), ERR_BAD_MULTIPART, "more than LIM_PARTS files refused");
	n = (size_t)sprintf(body, "--z\r\nContent-Disposition: form-data; name=\"%0*d\"\r\n\r\nv\r\n--z--", LIM_FIELD_NAME + 1, 0);
	is_int(parse("z", body, n), ERR_BAD_MULTIPART, "a name over LIM_FIELD_NAME refused");
	n = (size_t)sprintf(body, "--z\r\nContent-Disposition: form-data; name=\"v\"\r\n\r\n");
	memset(body + n, 'a', LIM_FIELD_VALUE + 1);
	n += LIM_FIELD_VALUE + 1;
	n += (size_t)sprintf(body + n, "\r\n--z--");
	is_int(parse("z", body, n), ERR_BAD_MULTIPART, "a text value over LIM_FIELD_VALUE refused");
	memcpy(body + 39, "; filename=\"big\"\r\n\r\n", 20);
	n = (size_t)sprintf(body, "--z\r\nContent-Disposition: form-data; name=\"v\"; filename=\"big\"\r\n\r\n");
	memset(body + n, 'a', LIM_FIELD_VALUE + 1);
	n += LIM_FIELD_VALUE + 1;
	n += (size_t)sprintf(body + n, "\r\n--z--");
	is_int(parse("z", body, n), ERR_OK, "a file may be larger than LIM_FIELD_VALUE");
	is_int((long)fields_get(&fs, "v")->len, LIM_FIELD_VALUE + 1, "the whole file is kept");
	free(body);
	fields_free(&fs);
	tap_done();
}
