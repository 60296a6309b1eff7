/* lim.h: every hard limit of Backdrop in one place. Configurable caps have their
 * defaults here and their settings in conf/backdrop.conf; the rest are fixed. */
#ifndef BACKDROP_LIM_H
#define BACKDROP_LIM_H

/* Request shape (fixed). */
#define LIM_PATH_BYTES      2048        /* REQUEST_URI / path */
#define LIM_QUERY_BYTES     8192        /* QUERY_STRING */
#define LIM_HEADER_BYTES    8192        /* any one header value we read */
#define LIM_FIELDS          64          /* form / multipart / query fields per request */
#define LIM_FIELD_NAME      64          /* bytes in a field name */
#define LIM_FIELD_VALUE     65536       /* bytes in a non-file field value */
#define LIM_B64_VALUE       (48L << 20) /* ... named *_b64 (an image in base64, as remove.bg
                                           clients send image_file_b64); the body cap
                                           still bounds it */
#define LIM_PARTS           16          /* multipart parts carrying files */
#define LIM_JSON_DEPTH      16          /* nesting of a JSON body */
#define LIM_JSON_BYTES      (1 << 20)   /* a JSON body without embedded images */
#define LIM_RESP_HEADERS    32          /* response headers per response */
#define LIM_NAME_CHARS      200         /* record names, in characters */
#define LIM_BLUR_PIXELS     4000000L    /* a blur (background, shadow) works on at most
                                           this many pixels: larger ones are reduced */

/* Defaults of the configurable caps (see conf/backdrop.conf). */
#define LIM_UPLOAD_BYTES    (25L << 20) /* max_upload_bytes: request body, fetched URL */
#define LIM_MAX_WIDTH       16384       /* max_width */
#define LIM_MAX_HEIGHT      16384       /* max_height */
#define LIM_MAX_PIXELS      50000000L   /* max_pixels: 50 MP, as remove.bg */
#define LIM_FETCH_SECONDS   20          /* fetch_timeout */
#define LIM_FETCH_CONNECT   5           /* fetch_connect_timeout */
#define LIM_FETCH_REDIRECTS 5           /* fetch_max_redirects */

/*
 * Per-worker limits (lim.c), from conf. lim_worker_init(), once at start: an
 * address-space limit of worker_memory_mb (RLIMIT_AS; not under AddressSanitizer), so
 * that an allocation past it fails (ERR_NOMEM: 503 for that request, the worker goes
 * on), and a SIGXCPU handler that ends the worker with a log line. Returns 1, or 0 when
 * a limit could not be set (logged). lim_request_begin(), before each request: the
 * request may use worker_cpu_seconds of CPU time (RLIMIT_CPU past what the worker has
 * used); past that the worker ends, nginx answers 503 for that request alone and the
 * supervisor starts another worker. 0 in either setting: no limit.
 */
int lim_worker_init(void);
void lim_request_begin(void);

/*
 * Large requests yield the CPU (lim.c). Work on an image grows with its pixels: a
 * request that decodes an image of more than low_priority_pixels (conf; its photo or
 * a background) is lowered to the lowest CPU priority, every thread of its worker
 * (nice 19, and the worker's own scheduling group where the kernel groups by
 * session), so that an ordinary photo never waits for the CPU behind it; its network
 * pass takes its own turn (cut_net.c). lim_pixels() is told the size of each image the
 * request decodes, once it is probed and before any pixel is allocated (one image's
 * size, not a sum: a request decodes its result again for a thumbnail, which is no
 * larger work); lim_lowered() says whether the request now runs lowered;
 * lim_request_end(), after each request, gives the worker its priority back.
 * A worker lowers a request only when it may raise its priority again afterwards
 * (root with CAP_SYS_NICE, or RLIMIT_NICE of 20, systemd's LimitNICE=+0); else large
 * requests run as any other. lim_worker_session(), once at a FastCGI worker's start,
 * makes the worker a session of its own, so that its group is its alone.
 */
void lim_worker_session(void);
void lim_pixels(long pixels);
int lim_lowered(void);
void lim_request_end(void);

#endif
