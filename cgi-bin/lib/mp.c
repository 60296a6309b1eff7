/* mp.c: multipart/form-data parsing (RFC 7578, RFC 2046 section 5.1) and form_read(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "mp.h"
#include "str.h"

/* RFC 2046 bchars: DIGIT / ALPHA / "'" / "(" / ")" / "+" / "_" / "," / "-" / "." /
 * "/" / ":" / "=" / "?" / " ". */
static int bchar(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c && strchr("'()+_,-./:=? ", c));
}

/* RFC 2045 tspecials and controls end a token. */
static int tchar(int c)
{
	return c > 0x20 && c < 0x7f && !strchr("()<>@,;:\\\"/[]?=", c);
}

/*
 * Reads one "; name=value" parameter from *pp (header parameter syntax of RFC 2045 and
 * RFC 6266): the name into name[nn] (lowercased), the value (token or quoted-string,
 * with backslash escapes) into val[vn]. Returns 1 and advances *pp, 0 at the end of the
 * parameters, -1 on a syntax error or an overlong name or value.
 */
static int param(const char **pp, char *name, size_t nn, char *val, size_t vn)
{
	const char *p = *pp;
	size_t i = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return 0;
	if (*p++ != ';')
		return -1;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return 0;       /* a trailing ';' is tolerated */
	while (tchar((unsigned char)*p)) {
		if (i + 1 >= nn)
			return -1;
		name[i++] = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
		p++;
	}
	name[i] = '\0';
	while (*p == ' ' || *p == '\t')
		p++;
	if (!i || *p++ != '=')
		return -1;
	while (*p == ' ' || *p == '\t')
		p++;
	i = 0;
	if (*p == '"') {
		for (p++; *p != '"'; p++) {
			if (!*p)
				return -1;
			if (*p == '\\' && p[1])
				p++;
			if (i + 1 >= vn)
				return -1;
			val[i++] = *p;
		}
		p++;
	} else {
		while (tchar((unsigned char)*p)) {
			if (i + 1 >= vn)
				return -1;
			val[i++] = *p++;
		}
		if (!i)
			return -1;
	}
	val[i] = '\0';
	*pp = p;
	return 1;
}

enum err mp_boundary(const char *ct, char out[MP_BOUNDARY_MAX + 1])
{
	static const char type[] = "multipart/form-data";
	char name[32], val[MP_BOUNDARY_MAX + 2];
	const char *p;
	size_t n;
	int k, found = 0;

	if (!ct)
		return ERR_BAD_MULTIPART;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (strncasecmp(ct, type, sizeof type - 1))
		return ERR_BAD_MULTIPART;
	p = ct + sizeof type - 1;
	if (*p && *p != ';' && *p != ' ' && *p != '\t')
		return ERR_BAD_MULTIPART;
	while ((k = param(&p, name, sizeof name, val, sizeof val)) == 1) {
		if (strcmp(name, "boundary"))
			continue;
		if (found)
			return ERR_BAD_MULTIPART;  /* two boundaries: ambiguous */
		n = strlen(val);
		if (n < 1 || n > MP_BOUNDARY_MAX || val[n - 1] == ' ')
			return ERR_BAD_MULTIPART;
		for (size_t i = 0; i < n; i++)
			if (!bchar((unsigned char)val[i]))
				return ERR_BAD_MULTIPART;
		memcpy(out, val, n + 1);
		found = 1;
	}
	return k < 0 || !found ? ERR_BAD_MULTIPART : ERR_OK;
}

/* Finds needle[nl] in hay[hl]; returns a pointer or NULL. */
static const char *find(const char *hay, size_t hl, const char *needle, size_t nl)
{
	return memmem(hay, hl, needle, nl);
}

/* The part's headers we use, parsed from the header block [h, h+hl) (CRLF lines). */
struct part_head {
	char name[LIM_FIELD_NAME + 1];
	char filename[LIM_HEADER_BYTES];
	char type[256];
	int has_name, has_filename, has_type;
};

/* Parses "form-data; name=...; filename=..." (RFC 7578 section 4.2, RFC 6266). */
static enum err disposition(const char *v, struct part_head *ph)
{
	static const char fd[] = "form-data";
	char name[32];
	char *val = NULL;
	const char *p = v;
	enum err e = ERR_BAD_MULTIPART;
	int k;

	while (*p == ' ' || *p == '\t')
		p++;
	if (strncasecmp(p, fd, sizeof fd - 1) || (p[sizeof fd - 1] && !strchr("; \t", p[sizeof fd - 1])))
		return ERR_BAD_MULTIPART;
	p += sizeof fd - 1;
	if (!(val = malloc(LIM_HEADER_BYTES)))
		return ERR_NOMEM;
	while ((k = param(&p, name, sizeof name, val, LIM_HEADER_BYTES)) == 1) {
		if (!strcmp(name, "name")) {
			if (ph->has_name || !*val || strlen(val) > LIM_FIELD_NAME)
				goto out;
			strcpy(ph->name, val);
			ph->has_name = 1;
		} else if (!strcmp(name, "filename")) {
			if (ph->has_filename)
				goto out;
			snprintf(ph->filename, sizeof ph->filename, "%s", val);
			ph->has_filename = 1;
		}
		/* filename* and anything else: ignored (RFC 7578 section 4.2). */
	}
	if (k == 0 && ph->has_name)
		e = ERR_OK;
out:
	free(val);
	return e;
}

/* Parses the part header block: lines "Name: value" separated by CRLF. */
static enum err part_headers(const char *h, size_t hl, struct part_head *ph)
{
	char line[LIM_HEADER_BYTES + 1];
	const char *end = h + hl, *eol, *colon;
	size_t n;
	enum err e;
	int has_cd = 0;

	while (h < end) {
		eol = find(h, (size_t)(end - h), "\r\n", 2);
		if (!eol)
			eol = end;
		n = (size_t)(eol - h);
		if (n > LIM_HEADER_BYTES || memchr(h, '\0', n))
			return ERR_BAD_MULTIPART;
		memcpy(line, h, n);
		line[n] = '\0';
		h = eol == end ? end : eol + 2;
		if (!(colon = strchr(line, ':')) || colon == line)
			return ERR_BAD_MULTIPART;
		if ((size_t)(colon - line) == 19 && !strncasecmp(line, "Content-Disposition", 19)) {
			if (has_cd++)
				return ERR_BAD_MULTIPART;
			if ((e = disposition(colon + 1, ph)))
				return e;
		} else if ((size_t)(colon - line) == 12 && !strncasecmp(line, "Content-Type", 12)) {
			const char *v = colon + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			snprintf(ph->type, sizeof ph->type, "%s", v);
			ph->has_type = 1;
		}
	}
	return has_cd ? ERR_OK : ERR_BAD_MULTIPART;
}

/* Appends one field (copying value[vl]) to fs. */
static enum err add_field(struct fields *fs, const struct part_head *ph, const char *value, size_t vl)
{
	struct field *f;

	if (fs->n >= LIM_FIELDS)
		return ERR_BAD_MULTIPART;
	f = &fs->f[fs->n];
	memset(f, 0, sizeof *f);
	if (!(f->name = strdup(ph->name)) || !(f->value = malloc(vl + 1)) ||
	    (ph->has_filename && !(f->filename = strdup(ph->filename))) ||
	    (ph->has_type && !(f->type = strdup(ph->type)))) {
		free(f->name);
		free(f->value);
		free(f->filename);
		free(f->type);
		memset(f, 0, sizeof *f);
		return ERR_NOMEM;
	}
	memcpy(f->value, value, vl);
	f->value[vl] = '\0';
	f->len = vl;
	fs->n++;
	return ERR_OK;
}

enum err mp_parse(const char *body, size_t len, const char *boundary, struct fields *fs)
{
	char delim[MP_BOUNDARY_MAX + 5];
	const char *p, *end = body + len, *hend, *next;
	size_t dl, bl = boundary ? strlen(boundary) : 0;
	struct part_head *ph = NULL;
	enum err e = ERR_BAD_MULTIPART;
	int files = 0;

	if (bl < 1 || bl > MP_BOUNDARY_MAX)
		return ERR_BAD_MULTIPART;
	for (int i = 0; i < fs->n; i++)
		files += fs->f[i].filename != NULL;
	/* delim is CRLF "--" boundary; the first one may start the body without the CRLF. */
	dl = (size_t)snprintf(delim, sizeof delim, "\r\n--%s", boundary);
	if (len >= dl - 2 && !memcmp(body, delim + 2, dl - 2))
		p = body + dl - 2;
	else if ((p = find(body, len, delim, dl)))
		p += dl;
	else
		return ERR_BAD_MULTIPART;
	if (!(ph = malloc(sizeof *ph)))
		return ERR_NOMEM;
	for (;;) {
		/* After a delimiter: "--" closes; else optional LWSP (transport padding), CRLF. */
		if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
			e = ERR_OK;
			break;
		}
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
			goto out;
		p += 2;
		memset(ph, 0, sizeof *ph);
		/* Headers end at an empty line; a part without headers has none (and fails). */
		if (end - p >= 2 && p[0] == '\r' && p[1] == '\n') {
			hend = p;
		} else {
			size_t room = (size_t)(end - p);
			if (room > LIM_HEADER_BYTES + 4)
				room = LIM_HEADER_BYTES + 4;
			if (!(hend = find(p, room, "\r\n\r\n", 4)))
				goto out;
		}
		if ((e = part_headers(p, (size_t)(hend - p), ph)))
			goto out;
		e = ERR_BAD_MULTIPART;
		p = hend + (hend == p ? 2 : 4);
		if (!(next = find(p, (size_t)(end - p), delim, dl)))
			goto out;
		if (ph->has_filename ? ++files > LIM_PARTS : (size_t)(next - p) > fields_value_cap(ph->name))
			goto out;
		if ((e = add_field(fs, ph, p, (size_t)(next - p))))
			goto out;
		e = ERR_BAD_MULTIPART;
		p = next + dl;
	}
out:
	free(ph);
	return e;
}

enum err form_read(struct req *r, struct fields *out)
{
	const char *ct = req_header(r, "Content-Type"), *body;
	char boundary[MP_BOUNDARY_MAX + 1];
	size_t len;
	enum err e;

	if ((e = req_body(r, &body, &len)))
		return e;
	if ((!ct || !*ct) && len == 0)
		return ERR_OK;
	if (ct && str_prefix_ci(ct, "multipart/form-data")) {
		if (mp_boundary(ct, boundary))
			return req_fail(r, ERR_BAD_MULTIPART, "the Content-Type has no valid boundary");
		if ((e = mp_parse(body, len, boundary, out)))
			return e == ERR_NOMEM ? e : req_fail(r, e, "the multipart body is malformed or over a limit");
		return ERR_OK;
	}
	if (ct && str_prefix_ci(ct, "application/x-www-form-urlencoded")) {
		if (fields_parse_urlencoded(out, body, len))
			return req_fail(r, ERR_BAD_REQUEST, "the form body is malformed or over a limit");
		return ERR_OK;
	}
	return req_fail(r, ERR_BAD_REQUEST, "expected a multipart/form-data or urlencoded form");
}
