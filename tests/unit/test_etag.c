/* test_etag.c: If-None-Match against our ETag (req_etag_match, RFC 9110 section
 * 13.1.2): "*", any item of a list, weak or strong (the comparison is weak); never a
 * prefix, a longer tag, or a tag inside another. */
#include "req.h"
#include "tap.h"

int main(void)
{
	const char *tag = "\"0123abcd\"";

	ok(req_etag_match("\"0123abcd\"", tag), "the tag itself matches");
	ok(req_etag_match("*", tag), "* matches");
	ok(req_etag_match(" * ", tag), "* with spaces matches");
	ok(req_etag_match("W/\"0123abcd\"", tag), "the weak form matches (weak comparison)");
	ok(req_etag_match("\"x\", \"0123abcd\"", tag), "the second item of a list matches");
	ok(req_etag_match("\"x\",W/\"0123abcd\" , \"y\"", tag), "a weak item inside a list matches");
	ok(req_etag_match("\"x\",\t\"0123abcd\"\t", tag), "tabs around an item");
	ok(!req_etag_match("\"0123abc\"", tag), "a shorter tag does not match");
	ok(!req_etag_match("\"0123abcd\"x", tag), "a longer tag does not match");
	ok(!req_etag_match("\"0123abcd", tag), "an unterminated tag does not match");
	ok(!req_etag_match("0123abcd", tag), "the tag without quotes does not match");
	ok(!req_etag_match("\"y\" \"0123abcd\"", tag), "a tag after another without a comma does not match");
	ok(!req_etag_match("", tag), "an empty header does not match");
	ok(!req_etag_match(", ,", tag), "a list of nothing does not match");
	ok(!req_etag_match("W/", tag), "W/ alone does not match");
	ok(!req_etag_match("\"\"", ""), "an empty tag never matches");
	tap_done();
}
