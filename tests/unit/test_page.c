/* test_page.c: the download names of a Content-Disposition (page_filename): the ASCII
 * fallback and the RFC 8187 filename* never carry a control character or a bidi
 * override from the record name. */
#include <stdio.h>
#include <string.h>
#include "page.h"
#include "tap.h"

/* page_filename() of name for the processed PNG: ascii and the filename* value. */
static void names(const char *name, char *ascii, size_t n, char *utf8, size_t un)
{
	struct buf b = { 0 };

	*ascii = *utf8 = '\0';
	if (page_filename(name, REC_PROCESSED, "image/png", ascii, n, &b) == ERR_OK)
		snprintf(utf8, un, "%s", b.data ? b.data : "");
	buf_free(&b);
}

int main(void)
{
	static const struct {
		const char *name, *ascii, *utf8, *what;
	} cases[] = {
		{ "My photo", "My_photo.png", "My%20photo.png", "a plain name" },
		{ "caf\xc3\xa9", "caf.png", "caf%C3%A9.png", "UTF-8 is percent-encoded" },
		/* "invoice<RLO>gnp.exe" shows as "invoiceexe.png" once the override applies. */
		{ "invoice\xe2\x80\xaegnp.exe", "invoicegnp.exe.png", "invoicegnp.exe.png", "U+202E is dropped" },
		{ "a\xe2\x80\xad" "b\xe2\x81\xa7" "c\xe2\x80\x8f" "d\xd8\x9c", "abcd.png", "abcd.png",
		  "LRO, RLI, RLM and ALM are dropped" },
		{ "a\tb\nc\x7f" "d\xc2\x85", "abcd.png", "abcd.png", "C0, DEL and C1 controls are dropped" },
		{ "\xe2\x80\xae\xe2\x80\xae", "image.png", "image.png", "a name of overrides only becomes image" },
	};
	char ascii[128], utf8[512];
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		names(cases[i].name, ascii, sizeof ascii, utf8, sizeof utf8);
		is_str(ascii, cases[i].ascii, "%s: the ASCII filename", cases[i].what);
		is_str(utf8, cases[i].utf8, "%s: filename*", cases[i].what);
	}
	names("x\xe2\x80\xae" "fdp.exe", ascii, sizeof ascii, utf8, sizeof utf8);
	ok(!strstr(utf8, "%E2%80%AE") && !strstr(utf8, "%e2%80%ae"), "no encoded U+202E in filename* (%s)", utf8);
	names("x\xe2\x81\xa6" "y", ascii, sizeof ascii, utf8, sizeof utf8);
	ok(!strstr(utf8, "%E2%81%A6"), "no encoded U+2066 in filename* (%s)", utf8);
	names("x\x01y", ascii, sizeof ascii, utf8, sizeof utf8);
	ok(!strstr(utf8, "%01"), "no encoded control byte in filename* (%s)", utf8);
	tap_done();
}
