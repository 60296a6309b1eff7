#!/bin/sh
# health as plain CGI: the answer, the methods, the failure modes, and refusing to
# start on a bad config.
. tests/lib.sh

cgi health GET /health
is "$CGI_STATUS" 200 "GET /health is 200"
is "$(json "$CGI_BODY" 'j["status"]')" Healthy "status is Healthy"
is "$(json "$CGI_BODY" 'j["checks"]["database"]')" ok "database check is ok"
is "$(json "$CGI_BODY" 'j["checks"]["data_dir"]')" ok "data folder check is ok"
like "$(json "$CGI_BODY" 'j["version"]')" '^[0-9]+\.[0-9]+\.[0-9]+$' "version is reported"
is "$(header Content-Type "$CGI_HEADERS")" application/json "Content-Type is JSON"
is "$(header X-Content-Type-Options "$CGI_HEADERS")" nosniff "nosniff is set"
is "$(db_sql "$T/data" "SELECT 1 FROM schema_migrations WHERE version = 1")" 1 "the database was created with its migrations"

# The model check: the suite runs with cutout_model = none (tests/run.sh).
is "$(json "$CGI_BODY" 'j["checks"]["model"]')" none "the model check says none with cutout_model none"
mkdir -p "$T/no-model"
cgi health GET /health -- BACKDROP_CUTOUT_MODEL=isnet-medium BACKDROP_MODEL_DIR="$T/no-model"
is "$CGI_STATUS" 200 "a missing model is still 200"
is "$(json "$CGI_BODY" 'j["status"]')" Degraded "but Degraded"
is "$(json "$CGI_BODY" 'j["checks"]["model"]')" unavailable "the model check says unavailable"
unlike "$(cat "$CGI_BODY")" "no-model|onnx|make deps" "the reason is not shown to the client"
like "$(cat "$T/cgi.err")" "unavailable.*isnet-medium.onnx is missing" "the reason is in the log"
if [ -f model/isnet-medium.onnx ]; then
	cgi health GET /health -- BACKDROP_CUTOUT_MODEL=isnet-medium
	is "$(json "$CGI_BODY" 'j["status"]') $(json "$CGI_BODY" 'j["checks"]["model"]')" "Healthy isnet-medium" \
		"with the model installed: Healthy, naming it (nothing loaded: the check is cheap)"
fi

cgi health HEAD /health
is "$CGI_STATUS" 200 "HEAD /health is 200"
is "$(wc -c < "$CGI_BODY" | tr -d ' ')" 0 "HEAD has no body"
like "$(header Content-Length "$CGI_HEADERS")" '^[1-9][0-9]*$' "HEAD keeps the Content-Length"

for m in POST PUT DELETE PATCH; do
	cgi health $m /health
	is "$CGI_STATUS" 405 "$m /health is 405"
done
is "$(header Allow "$CGI_HEADERS")" "GET, HEAD" "405 names the allowed methods"
is "$(json "$CGI_BODY" 'j["code"]')" method_not_allowed "405 has the error shape"

cgi health GET /no/such/path
is "$CGI_STATUS" 404 "unknown path is 404"
is "$(json "$CGI_BODY" 'j["code"]')" not_found "404 has the error shape"
cgi health GET '/health%00x'
is "$CGI_STATUS" 400 "a NUL in the path is 400"
cgi health GET '/health%zz'
is "$CGI_STATUS" 400 "a bad escape in the path is 400"

# An unusable data folder: 503 Unhealthy naming the check, nothing leaked.
touch "$T/not-a-dir"
BACKDROP_DATA_DIR="$T/not-a-dir" cgi health GET /health
is "$CGI_STATUS" 503 "unusable data folder is 503"
is "$(json "$CGI_BODY" 'j["status"]')" Unhealthy "status is Unhealthy"
is "$(json "$CGI_BODY" 'j["checks"]["data_dir"]')" not_writable "the failed check is named"
unlike "$(cat "$CGI_BODY")" "$T" "the path is not shown to the client"

# A corrupt database (on PostgreSQL, one that is not there): the database check fails.
mkdir -p "$T/bad"; echo "this is not sqlite" > "$T/bad/backdrop.db"
if [ "$STORE" = postgres ]; then
	BACKDROP_DATA_DIR="$T/bad" cgi health GET /health -- \
		BACKDROP_DATABASE_URL="postgresql:///no_such_database?host=$STORE_PGHOST&user=$STORE_PGUSER"
else
	BACKDROP_DATA_DIR="$T/bad" cgi health GET /health
fi
is "$CGI_STATUS" 503 "corrupt database is 503"
is "$(json "$CGI_BODY" 'j["checks"]["database"]')" store_unavailable "the database check is named"

# A bad config stops the program at start, naming the key and the line.
printf 'user_limit = 10\nfavourite_colour = blue\n' > "$T/bad.conf"
cgi health GET /health -- BACKDROP_CONF="$T/bad.conf"
is "$CGI_RC" 1 "an unknown key stops the program"
like "$(cat "$T/cgi.err")" "bad.conf:2: unknown key 'favourite_colour'" "the log names the line and key"
cgi health GET /health -- BACKDROP_MAX_PIXELS=lots
is "$CGI_RC" 1 "a malformed environment value stops the program"
like "$(cat "$T/cgi.err")" "BACKDROP_MAX_PIXELS" "the log names the variable"
