/* page.h: what the records programs show: the HTML page, a record as JSON, flash
 * messages, and safe download file names. */
#ifndef BACKDROP_PAGE_H
#define BACKDROP_PAGE_H

#include <stddef.h>
#include <json-c/json.h>
#include "buf.h"
#include "records.h"
#include "req.h"

/* The fixed message of a flash code ("ok", "failed", "limit", "error", "renamed", "saved",
 * "removed", and the plain words of each upload error: "not_image", "unsupported",
 * "corrupt", "too_large" and "too_many_pixels" (naming the limit), "fetch", "invalid",
 * "busy"), or NULL for any other text: client text is never echoed. */
const char *page_flash(const char *code);
/* The flash code for the outcome e of an upload or re-render: ok, limit, one code per
 * image error (see page_flash), or error. */
const char *page_upload_flash(enum err e);
/* Composes 303 to "/?flash=CODE" (code must be one page_flash knows). */
enum err page_redirect(struct req *r, const char *code);
/* The same to "/?flash=CODE#rec-ID", the card of record id (validated), or as
 * page_redirect when id is NULL. */
enum err page_redirect_rec(struct req *r, const char *code, const char *id);

/* A record as the JSON API shows it (id, image_name, created_on, width, height,
 * version, sizes, urls, options: the processing options as an object, hint_strokes
 * included). urls and sizes name original, processed, thumb and original_thumb always,
 * cutout and background when the record has them; the URLs of the images a re-render
 * changes end in ?v=VERSION. Returns a new object (caller puts it) or NULL
 * without memory. */
struct json_object *page_record_json(const struct record *rec);

/* Appends the whole HTML page to b: the upload form, the flash message of flash_code
 * (ignored unless page_flash knows it), "used of limit", the records and the Source
 * link (the source_url setting). Every string reaches the page through html_text /
 * html_attr / html_url. */
enum err page_render(struct buf *b, const char *flash_code, const struct record *recs, int n,
                     long used, long limit);

/* The security headers of every page the programs render (a CSP allowing only our own
 * scripts, styles and images, no framing). */
enum err page_headers(struct req *r);
/* Appends the page asking to confirm deleting rec (no JavaScript needed): its
 * thumbnails, a POST form to /remove/ID and a way back. */
enum err page_confirm_remove(struct buf *b, const struct record *rec);

/*
 * The file names of a Content-Disposition for the record name, image kind and MIME
 * type: ascii[n] gets a safe ASCII name (letters, digits, '-', '_', '.'; anything
 * else becomes '_'; "image" when nothing is left) with the kind's suffix and the
 * type's extension; utf8 gets the same name in UTF-8, percent-encoded for RFC 8187's
 * filename*=UTF-8''... (buffer emptied first).
 */
enum err page_filename(const char *name, enum rec_kind kind, const char *type,
                       char *ascii, size_t n, struct buf *utf8);

#endif
