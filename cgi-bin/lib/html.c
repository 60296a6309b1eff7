/* html.c: escaping for HTML text, HTML attributes and URL parts. */
#include <string.h>
#include "html.h"

static enum err esc(struct buf *b, const char *s, const char *set)
{
	enum err e = ERR_OK;
	const char *p;

	for (; *s && !e; s = p) {
		p = s + strcspn(s, set);
		if (p > s)
			e = buf_add(b, s, (size_t)(p - s));
		if (!*p || e)
			break;
		switch (*p) {
		case '&': e = buf_adds(b, "&amp;"); break;
		case '<': e = buf_adds(b, "&lt;"); break;
		case '>': e = buf_adds(b, "&gt;"); break;
		case '"': e = buf_adds(b, "&quot;"); break;
		case '\'': e = buf_adds(b, "&#39;"); break;
		case '`': e = buf_adds(b, "&#96;"); break;
		case '=': e = buf_adds(b, "&#61;"); break;
		}
		p++;
	}
	return e;
}

enum err html_text(struct buf *b, const char *s)
{
	return esc(b, s, "&<>\"'");
}

enum err html_attr(struct buf *b, const char *s)
{
	return esc(b, s, "&<>\"'`=");
}

enum err html_url(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	enum err e = ERR_OK;
	char pct[3] = "%";

	for (; *s && !e; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("-._~", c)) {
			e = buf_add(b, s, 1);
		} else {
			pct[1] = hex[c >> 4];
			pct[2] = hex[c & 15];
			e = buf_add(b, pct, 3);
		}
	}
	return e;
}
