# smoke_lib.sh: the smoke flows every deployment must pass (source after tests/lib.sh):
# health, the page, uploads by a browser form with a cookie and by an API key, the list,
# an image, rename, delete, the Background Change API and /v1.0/removebg.
# smoke BASE KEY: runs them against BASE (http://host:port, no trailing slash) with the
# API key KEY; each assertion is one TAP line.
smoke() {
	_b=$1; _k=$2; _j="$T/smoke.jar"
	rm -f "$_j"
	convert -size 96x64 xc:white -fill '#d02020' -draw "circle 48,32 48,12" "$T/smoke.png"
	convert -size 96x64 gradient:'#3060c0'-'#80a0e0' "$T/smoke-bg.jpg"
	# s URL [curl args]: status code; headers in $T/sh, body in $T/sb.
	s() { _u=$1; shift; curl -s -D "$T/sh" -o "$T/sb" -w '%{http_code}' "$@" "$_u"; }

	is "$(s "$_b/health")" 200 "GET /health is 200"
	is "$(json "$T/sb" 'j["status"]')" Healthy "and Healthy"
	is "$(s "$_b/")" 200 "GET / is the page"
	like "$(header Content-Type "$T/sh")" '^text/html' "as HTML"
	like "$(cat "$T/sb")" '<form[^>]*enctype="multipart/form-data"' "with the upload form"

	# A browser form, as a first visit (no cookie yet): 303 back to the page, whose GET
	# (followed here as a browser does) gives the identity cookie and the record.
	is "$(s "$_b/" -L -c "$_j" -b "$_j" -F image=@"$T/smoke.png" -F name='form upload')" 200 \
		"a browser form upload lands on the page"
	like "$(grep -i '^HTTP/' "$T/sh" | head -n 1)" ' 303' "through a 303"
	like "$(cat "$_j")" 'backdrop_uid' "with the identity cookie"
	is "$(s "$_b/" -b "$_j" -H 'Accept: application/json')" 200 "the list as JSON is 200"
	is "$(json "$T/sb" 'j["count"]')" 1 "the form's record is listed for the cookie"
	is "$(s "$_b/" -b "$_j" -H 'Accept: application/json' -F image=@"$T/smoke.png" -F name='api upload' \
		-F mode=change -F bg_color=white)" 201 "an upload as JSON with the cookie is 201"
	_id=$(json "$T/sb" 'j["id"]')
	s "$_b/" -b "$_j" -H 'Accept: application/json' > /dev/null
	is "$(json "$T/sb" 'j["count"]')" 2 "both records are listed"
	is "$(s "$_b/image/$_id/processed" -b "$_j")" 200 "the processed image is served to its owner"
	like "$(header Content-Type "$T/sh")" '^image/(png|jpeg)$' "with its type"
	is "$(header X-Content-Type-Options "$T/sh")" nosniff "and nosniff"
	is "$(s "$_b/image/$_id/processed")" 404 "but not to anyone else"
	is "$(s "$_b/update/$_id" -b "$_j" -X PUT -H "Origin: $_b" -H 'Content-Type: application/json' \
		-d '{"record_name": "renamed"}')" 200 "rename is 200"
	is "$(json "$T/sb" 'j["message"]')" success "with success"
	s "$_b/" -b "$_j" -H 'Accept: application/json' > /dev/null
	like "$(json "$T/sb" '[r["image_name"] for r in j["records"]]')" renamed "the new name is listed"
	is "$(s "$_b/remove/$_id" -b "$_j" -X DELETE -H "Origin: $_b")" 200 "delete is 200"
	s "$_b/" -b "$_j" -H 'Accept: application/json' > /dev/null
	is "$(json "$T/sb" 'j["count"]')" 1 "one record is left"

	# A script with an API key.
	s "$_b/" -H "X-Api-Key: $_k" > /dev/null
	_had=$(json "$T/sb" 'j["count"]')
	is "$(s "$_b/" -H "X-Api-Key: $_k" -F image=@"$T/smoke.png" -F name='key upload')" 201 \
		"an upload with an API key is 201"
	is "$(s "$_b/" -H "X-Api-Key: $_k")" 200 "the key lists its records"
	is "$(json "$T/sb" 'j["count"]')" "$((${_had:-0} + 1))" "with the new one"

	# The Background Change API and the remove.bg-compatible endpoint.
	printf '{"canvas_size": "160x120", "template_url": "data:image/jpeg;base64,%s", "origin_img": "data:image/png;base64,%s", "overlay_template_x": 10, "overlay_template_y": 10}' \
		"$(base64 -w0 "$T/smoke-bg.jpg")" "$(base64 -w0 "$T/smoke.png")" > "$T/smoke.json"
	is "$(s "$_b/api/change" -H 'Content-Type: application/json' --data-binary @"$T/smoke.json")" 200 \
		"POST /api/change is 200"
	is "$(identify -format '%wx%h' "$T/sb" 2>/dev/null)" 160x120 "the canvas has its size"
	is "$(s "$_b/v1.0/removebg" -H "X-Api-Key: $_k" -F image_file=@"$T/smoke.png" -F size=auto)" 200 \
		"POST /v1.0/removebg with the key is 200"
	is "$(header Content-Type "$T/sh")" image/png "a PNG cutout"
	is "$(s "$_b/v1.0/removebg" -F image_file=@"$T/smoke.png")" 403 "without a key it is refused"
}
