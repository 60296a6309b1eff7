# records_lib.sh: helpers shared by the records tests (source after tests/lib.sh).

# mpform OUT FIELD=VALUE | FIELD=@FILE ...: writes a multipart/form-data body to OUT
# with the boundary "bdtestXYZ" (MPCT is the matching Content-Type).
MPCT="multipart/form-data; boundary=bdtestXYZ"
mpform() {
	python3 - "$@" <<'PY'
import sys, os
out = sys.argv[1]; b = b'bdtestXYZ'; body = b''
for a in sys.argv[2:]:
    n, v = a.split('=', 1)
    if v.startswith('@'):
        body += b'--' + b + b'\r\nContent-Disposition: form-data; name="' + n.encode() + b'"; filename="' + os.path.basename(v[1:]).encode() + b'"\r\nContent-Type: application/octet-stream\r\n\r\n' + open(v[1:], 'rb').read() + b'\r\n'
    else:
        body += b'--' + b + b'\r\nContent-Disposition: form-data; name="' + n.encode() + b'"\r\n\r\n' + v.encode('utf-8', 'surrogateescape') + b'\r\n'
body += b'--' + b + b'--\r\n'
open(out, 'wb').write(body)
PY
}
# cookie_of HEADERS_FILE: the "name=value" of the Set-Cookie in a headers file.
cookie_of() { header Set-Cookie "$1" | sed 's/;.*//'; }
