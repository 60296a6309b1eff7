/* html.h: the escaping functions, one per output context. Request-derived text reaches
 * HTML and URLs only through these; JSON goes through json-c; header values through
 * resp_header(). */
#ifndef BACKDROP_HTML_H
#define BACKDROP_HTML_H

#include "buf.h"

/* Appends s as HTML text content: & < > " ' become character references. */
enum err html_text(struct buf *b, const char *s);
/* Appends s for use inside a double-quoted attribute value: the same set as text plus
 * backtick and '=' (harmless, and it keeps unquoted mistakes safe). */
enum err html_attr(struct buf *b, const char *s);
/* Appends s percent-encoded for a URL path segment or query value (RFC 3986
 * unreserved characters are kept, every other byte becomes %XX). */
enum err html_url(struct buf *b, const char *s);

#endif
