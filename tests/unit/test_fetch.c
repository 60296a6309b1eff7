/* test_fetch.c: the fetch address policy over every refused range, the allow-list
 * parser, base64 and data: URL decoding bounds, and what a refused address tells the
 * client. Nothing here opens a connection: loopback URLs are refused by the check curl
 * calls before it creates a socket. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include "conf.h"
#include "fetch.h"
#include "tap.h"

/* 1 if the textual address is allowed under allow; *why gets the reason. */
static int allowed(const char *ip, const struct fetch_allow *allow, const char **why)
{
	struct sockaddr_in a4;
	struct sockaddr_in6 a6;

	*why = NULL;
	memset(&a4, 0, sizeof a4);
	memset(&a6, 0, sizeof a6);
	if (inet_pton(AF_INET, ip, &a4.sin_addr) == 1) {
		a4.sin_family = AF_INET;
		return fetch_addr_allowed((struct sockaddr *)&a4, allow, why);
	}
	if (inet_pton(AF_INET6, ip, &a6.sin6_addr) == 1) {
		a6.sin6_family = AF_INET6;
		return fetch_addr_allowed((struct sockaddr *)&a6, allow, why);
	}
	return -1;
}

static const struct {
	const char *ip;
	const char *why;  /* NULL: allowed */
} cases[] = {
	{ "127.0.0.1", "loopback" }, { "127.255.255.254", "loopback" }, { "127.1.2.3", "loopback" },
	{ "0.0.0.0", "this-network (0/8)" }, { "0.1.2.3", "this-network (0/8)" },
	{ "10.0.0.1", "private" }, { "10.255.255.255", "private" },
	{ "172.16.0.1", "private" }, { "172.31.255.255", "private" },
	{ "172.15.255.255", NULL }, { "172.32.0.0", NULL },
	{ "192.168.0.1", "private" }, { "192.168.255.255", "private" },
	{ "192.167.255.255", NULL }, { "192.169.0.0", NULL },
	{ "100.64.0.1", "shared CGNAT (100.64/10)" }, { "100.127.255.255", "shared CGNAT (100.64/10)" },
	{ "100.63.255.255", NULL }, { "100.128.0.0", NULL },
	{ "169.254.169.254", "link-local" }, { "169.254.0.1", "link-local" }, { "169.255.0.1", NULL },
	{ "192.0.0.1", "IETF protocol assignments (192.0.0/24)" },
	{ "192.0.2.1", "documentation" }, { "198.51.100.7", "documentation" },
	{ "203.0.113.9", "documentation" }, { "198.18.0.1", "benchmarking (198.18/15)" },
	{ "198.19.255.255", "benchmarking (198.18/15)" }, { "198.20.0.0", NULL },
	{ "192.88.99.1", "6to4 relay anycast" },
	{ "224.0.0.1", "multicast" }, { "239.255.255.250", "multicast" },
	{ "240.0.0.1", "reserved (240/4, broadcast)" }, { "255.255.255.255", "reserved (240/4, broadcast)" },
	{ "8.8.8.8", NULL }, { "1.1.1.1", NULL }, { "93.184.216.34", NULL }, { "223.255.255.255", NULL },
	{ "::1", "loopback" }, { "::", "unspecified" }, { "::7f00:1", "IPv4-compatible (deprecated)" },
	{ "fc00::1", "unique-local" }, { "fd12:3456::1", "unique-local" }, { "fbff::1", NULL },
	{ "fe80::1", "link-local" }, { "febf::1", "link-local" }, { "fec0::1", "site-local (deprecated)" },
	{ "ff02::1", "multicast" }, { "ff05::2", "multicast" },
	{ "2001:db8::1", "documentation" }, { "2001::1", "Teredo (2001::/32)" },
	{ "100::1", "discard-only (100::/64)" }, { "64:ff9b:1::1", "local-use NAT64 (64:ff9b:1::/48)" },
	{ "::ffff:127.0.0.1", "loopback" }, { "::ffff:10.1.2.3", "private" },
	{ "::ffff:169.254.169.254", "link-local" }, { "::ffff:8.8.8.8", NULL },
	{ "64:ff9b::7f00:1", "loopback" }, { "64:ff9b::a9fe:a9fe", "link-local" }, { "64:ff9b::808:808", NULL },
	{ "2002:7f00:1::1", "loopback" }, { "2002:c0a8:101::1", "private" }, { "2002:808:808::1", NULL },
	{ "2606:4700::1111", NULL }, { "2a00:1450:4001::1", NULL },
};

int main(void)
{
	struct fetch_allow al;
	const char *why;
	char *out;
	size_t n, i;
	char mime[32];

	/* The policy over every range, with no allow-list. */
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int got = allowed(cases[i].ip, NULL, &why);
		if (cases[i].why)
			ok(got == 0 && why && !strcmp(why, cases[i].why), "%s is refused as %s (got %s)",
			   cases[i].ip, cases[i].why, got ? "allowed" : why);
		else
			ok(got == 1, "%s is allowed", cases[i].ip);
	}
	{
		struct sockaddr sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_family = AF_UNIX;
		ok(!fetch_addr_allowed(&sa, NULL, &why), "a non-IP family is refused");
		ok(!fetch_addr_allowed(NULL, NULL, &why), "NULL is refused");
	}

	/* The allow-list. */
	ok(fetch_allow_parse("", &al) && al.n == 0, "empty allow-list parses to nothing");
	ok(fetch_allow_parse("127.0.0.1/32", &al) && al.n == 1 && al.net[0].bits == 32, "127.0.0.1/32 parses");
	ok(allowed("127.0.0.1", &al, &why) == 1, "127.0.0.1/32 opens 127.0.0.1");
	ok(allowed("::ffff:127.0.0.1", &al, &why) == 1, "127.0.0.1/32 opens ::ffff:127.0.0.1 (the embedded v4)");
	ok(allowed("127.0.0.2", &al, &why) == 0 && !strcmp(why, "loopback"), "127.0.0.1/32 keeps 127.0.0.2 refused");
	ok(allowed("::1", &al, &why) == 0, "127.0.0.1/32 keeps ::1 refused");
	ok(allowed("10.0.0.1", &al, &why) == 0, "127.0.0.1/32 keeps 10.0.0.1 refused");
	ok(fetch_allow_parse(" 10.0.0.0/8 , fd00::/8,::1 ", &al) && al.n == 3, "a list with spaces parses");
	ok(allowed("10.9.8.7", &al, &why) == 1, "10.0.0.0/8 opens 10.9.8.7");
	ok(allowed("fd00::5", &al, &why) == 1, "fd00::/8 opens fd00::5");
	ok(allowed("fd01::5", &al, &why) == 1 && allowed("fc00::5", &al, &why) == 0, "fd00::/8 keeps fc00::5 refused");
	ok(allowed("::1", &al, &why) == 1, "a bare ::1 is a host entry");
	ok(fetch_allow_parse("172.16.0.0/12", &al) && allowed("172.31.1.1", &al, &why) == 1 &&
	   allowed("172.32.1.1", &al, &why) == 1 && allowed("172.15.1.1", &al, &why) == 1,
	   "a /12 prefix matches across octets");
	ok(fetch_allow_parse("0.0.0.0/0", &al) && allowed("127.0.0.1", &al, &why) == 1, "0.0.0.0/0 opens all of IPv4");
	ok(!fetch_allow_parse("10.0.0.1/8", &al) && al.n == 0, "host bits set is refused");
	ok(!fetch_allow_parse("10.0.0.0/33", &al), "prefix 33 is refused");
	ok(!fetch_allow_parse("::/129", &al), "prefix 129 is refused");
	ok(!fetch_allow_parse("127.1/32", &al), "a short numeric form is refused");
	ok(!fetch_allow_parse("localhost", &al), "a name is refused");
	ok(!fetch_allow_parse("10.0.0.0/8,,", &al), "an empty item is refused");
	ok(!fetch_allow_parse("10.0.0.0/ 8", &al), "a space in the prefix is refused");
	ok(!fetch_allow_parse("1.0.0.0/8,2.0.0.0/8,3.0.0.0/8,4.0.0.0/8,5.0.0.0/8,6.0.0.0/8,7.0.0.0/8,"
	                      "8.0.0.0/8,9.0.0.0/8,10.0.0.0/8,11.0.0.0/8,12.0.0.0/8,13.0.0.0/8,"
	                      "14.0.0.0/8,15.0.0.0/8,16.0.0.0/8,17.0.0.0/8", &al), "17 networks are too many");

	/* base64. */
	ok(!fetch_b64_decode("aGVsbG8=", 8, 100, &out, &n) && n == 5 && !memcmp(out, "hello", 5), "base64 hello");
	free(out);
	ok(!fetch_b64_decode("aGVsbG8", 7, 100, &out, &n) && n == 5 && !memcmp(out, "hello", 5), "unpadded base64");
	free(out);
	ok(!fetch_b64_decode("aGVs\nbG8=", 9, 100, &out, &n) && n == 5, "white space is skipped");
	free(out);
	ok(!fetch_b64_decode("", 0, 100, &out, &n) && n == 0 && out, "empty base64 is empty");
	free(out);
	is_int(fetch_b64_decode("aGVsbG8=", 8, 4, &out, &n), ERR_TOO_LARGE, "a cap of 4 refuses 5 bytes");
	ok(out == NULL, "nothing is allocated past the cap");
	is_int(fetch_b64_decode("aGVsbG8=", 8, 5, &out, &n), ERR_OK, "a cap of 5 takes 5 bytes");
	free(out);
	is_int(fetch_b64_decode("aGV*bG8=", 8, 100, &out, &n), ERR_BAD_FIELD, "a bad character is refused");
	is_int(fetch_b64_decode("aGVsb", 5, 100, &out, &n), ERR_BAD_FIELD, "a length of 4k+1 is refused");
	is_int(fetch_b64_decode("aG=Vs", 5, 100, &out, &n), ERR_BAD_FIELD, "data after padding is refused");
	is_int(fetch_b64_decode("aGVsbG8===", 10, 100, &out, &n), ERR_BAD_FIELD, "three padding characters are refused");
	is_int(fetch_b64_decode("aGVsbA=", 7, 100, &out, &n), ERR_BAD_FIELD, "wrong padding is refused");
	{
		unsigned char bin[256];
		char *enc, *dec;
		size_t k, dl;
		int good = 1;

		for (k = 0; k < sizeof bin; k++)
			bin[k] = (unsigned char)(k * 7 + 3);
		for (k = 0; k <= sizeof bin; k += 37) {
			enc = fetch_b64_encode(bin, k);
			if (!enc || fetch_b64_decode(enc, strlen(enc), k, &dec, &dl) || dl != k || memcmp(dec, bin, k))
				good = 0;
			else
				free(dec);
			free(enc);
		}
		ok(good, "encode then decode round-trips every length mod 3");
	}
	{
		char *e = fetch_b64_encode("hi", 2);
		is_str(e, "aGk=", "encode pads");
		free(e);
	}

	/* data: URLs. */
	ok(!fetch_data_url("data:image/png;base64,aGVsbG8=", 30, 100, &out, &n, mime, sizeof mime) &&
	   n == 5 && !strcmp(mime, "image/png"), "a data: URL decodes with its type");
	free(out);
	ok(!fetch_data_url("DATA:Image/PNG;BASE64,aGk=", 26, 100, &out, &n, mime, sizeof mime) &&
	   n == 2 && !strcmp(mime, "image/png"), "data: URL scheme and base64 are case-insensitive");
	free(out);
	ok(!fetch_data_url("data:;base64,aGk=", 17, 100, &out, &n, mime, sizeof mime) && !strcmp(mime, ""),
	   "a data: URL without a type");
	free(out);
	ok(!fetch_data_url("data:image/jpeg;name=a.jpg;base64,aGk=", 38, 100, &out, &n, mime, sizeof mime) &&
	   !strcmp(mime, "image/jpeg"), "parameters are skipped");
	free(out);
	is_int(fetch_data_url("data:image/png,hello", 20, 100, &out, &n, mime, sizeof mime), ERR_BAD_FIELD,
	       "a data: URL without base64 is refused");
	is_int(fetch_data_url("data:image/png;base64", 21, 100, &out, &n, mime, sizeof mime), ERR_BAD_FIELD,
	       "a data: URL without a comma is refused");
	is_int(fetch_data_url("http://x/;base64,aGk=", 21, 100, &out, &n, mime, sizeof mime), ERR_BAD_FIELD,
	       "another scheme is not a data: URL");
	is_int(fetch_data_url("data:image/png;base64,aGVsbG8=", 30, 3, &out, &n, mime, sizeof mime), ERR_TOO_LARGE,
	       "a data: URL over the cap is refused");
	is_int(fetch_data_url("data:image/png;base64,aGVsbG8=", 12, 100, &out, &n, mime, sizeof mime), ERR_BAD_FIELD,
	       "the length bound is respected (truncated input)");
	{
		/* A header longer than 256 bytes is refused without scanning the data. */
		char big[600];
		memset(big, 'a', sizeof big);
		memcpy(big, "data:", 5);
		memcpy(big + 400, ";base64,aGk=", 12);
		is_int(fetch_data_url(big, 412, 100, &out, &n, mime, sizeof mime), ERR_BAD_FIELD, "a long header is refused");
	}
	{
		char why[200];
		is_int(fetch_source("file:///etc/passwd", 100, &out, &n, why, sizeof why), ERR_FETCH_BLOCKED, "file: is blocked");
		ok(strstr(why, "scheme") != NULL, "the reason names the scheme (%s)", why);
		is_int(fetch_source("gopher://127.0.0.1/", 100, &out, &n, why, sizeof why), ERR_FETCH_BLOCKED, "gopher: is blocked");
		is_int(fetch_source("not a url", 100, &out, &n, why, sizeof why), ERR_BAD_FIELD, "a non-URL is a bad field");
	}
	{
		/* A refused address: the client learns that the URL is not allowed, never the
		 * address it resolved to or the range it lies in (a DNS oracle otherwise). */
		static const char *const urls[] = {
			"http://127.0.0.1:9/x.png", "http://[::1]:9/x.png", "https://127.0.0.2:9/",
			"http://[::ffff:127.0.0.1]:9/", "http://0.0.0.0:9/",
		};
		char why[200], cwhy[256];
		struct fetch_result res;
		long status;

		setenv("BACKDROP_CONF", "/dev/null", 1);
		setenv("BACKDROP_ENV_FILE", "/dev/null", 1);
		setenv("BACKDROP_FETCH_ALLOW", "", 1);
		setenv("BACKDROP_FETCH_CONNECT_TIMEOUT", "2", 1);
		setenv("BACKDROP_FETCH_TIMEOUT", "2", 1);
		ok(conf_load(cwhy, sizeof cwhy) == ERR_OK, "the settings load (%s)", cwhy);
		for (i = 0; i < sizeof urls / sizeof urls[0]; i++) {
			is_int(fetch_get(urls[i], 100, &res, why, sizeof why), ERR_FETCH_BLOCKED, "GET %s is refused", urls[i]);
			is_str(why, "the URL is not allowed", "GET %s: the reason is only that the URL is not allowed", urls[i]);
			ok(!strstr(why, "127.") && !strstr(why, "::") && !strstr(why, "0.0.0.0") && !strstr(why, "loopback") &&
			   !strstr(why, "unspecified") && !strstr(why, "network"),
			   "GET %s: neither the address nor its range is named", urls[i]);
			fetch_result_free(&res);
		}
		is_int(fetch_post("http://[::1]:9/hook", "application/json", "{}", 2, NULL, &status, why, sizeof why),
		       ERR_FETCH_BLOCKED, "a POST to ::1 is refused");
		is_str(why, "the URL is not allowed", "the POST's reason names no address either");
		is_int(fetch_source("http://127.0.0.1:9/x.png", 100, &out, &n, why, sizeof why), ERR_FETCH_BLOCKED,
		       "fetch_source refuses the same way");
		is_str(why, "the URL is not allowed", "and tells the same");
	}
	tap_done();
}
