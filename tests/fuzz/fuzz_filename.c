/* fuzz_filename.c: the download-name path (page_filename) on any record name: the ASCII
 * name keeps only letters, digits, '-', '_' and '.', and the UTF-8 name for RFC 8187's
 * filename* is percent-encoded valid UTF-8 with no control, bidi or line-break
 * character in it. The first byte picks the kind, the output type and the room. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "page.h"
#include "str.h"

static int hexv(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 :
	       c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = { "image/png", "image/jpeg", "image/webp", "image/avif",
	                                     "text/html", "" };
	struct buf utf8 = { 0 };
	char *name, ascii[128], *dec = NULL;
	const unsigned char *p;
	unsigned long cp;
	size_t i, j = 0, room;
	int k;

	if (size < 1 || !(name = malloc(size)))
		return 0;
	memcpy(name, data + 1, size - 1);
	name[size - 1] = '\0';
	room = 1 + data[0] % sizeof ascii;
	if (page_filename(name, (enum rec_kind)(data[0] % REC__MAX), types[data[0] / REC__MAX % 6],
	                  ascii, room, &utf8))
		goto out;
	if (strlen(ascii) >= room || strspn(ascii, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                                    "0123456789-_.") != strlen(ascii))
		abort();
	/* RFC 8187 attr-char or %XX only; decoded, valid UTF-8 with nothing unsafe. */
	if (!(dec = malloc(utf8.len + 1)))
		goto out;
	for (i = 0; i < utf8.len; i++) {
		unsigned char c = (unsigned char)utf8.data[i];
		if (c == '%') {
			if (i + 2 >= utf8.len || hexv(utf8.data[i + 1]) < 0 || hexv(utf8.data[i + 2]) < 0)
				abort();
			dec[j++] = (char)(hexv(utf8.data[i + 1]) * 16 + hexv(utf8.data[i + 2]));
			i += 2;
		} else if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
		                  "!#$&+-.^_`|~", c) && c) {
			dec[j++] = (char)c;
		} else {
			abort();
		}
	}
	dec[j] = '\0';
	for (p = (const unsigned char *)dec; *p; p += k) {
		if ((k = str_utf8_decode(p, &cp)) <= 0)
			abort();
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || (cp >= 0x202a && cp <= 0x202e) ||
		    (cp >= 0x2066 && cp <= 0x2069) || cp == 0x061c || cp == 0x200e || cp == 0x200f || cp == 0x2028 || cp == 0x2029)
			abort();
	}
out:
	free(dec);
	buf_free(&utf8);
	free(name);
	return 0;
}
