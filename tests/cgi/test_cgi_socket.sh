#!/bin/sh
# Plain CGI behind a server that passes the request over a socket (Apache's mod_cgid):
# a program that answers before reading the body (a refused key, a bad path) must still
# read it, or closing its socket with bytes unread resets the connection and the server
# loses the answer. Runs the program on one end of a socket pair, as mod_cgid does.
. tests/lib.sh

convert -size 96x64 xc:white -fill '#d02020' -draw "circle 48,32 48,12" "$T/p.png"
# sock PROGRAM URI FILE: POSTs FILE as the multipart field image_file; prints the
# status line the server would read, or "reset" when the socket was reset.
sock() {
	with_data "$T/data" python3 - "$BIN/$1" "$2" "$3" <<'PY'
import os, socket, subprocess, sys
prog, uri, path = sys.argv[1:4]
part = open(path, 'rb').read()
body = (b'--XbX\r\nContent-Disposition: form-data; name="image_file"; filename="p.png"\r\n'
        b'Content-Type: image/png\r\n\r\n' + part + b'\r\n--XbX--\r\n')
ours, theirs = socket.socketpair()
ours.sendall(body)                # the server hands over the body, then waits for the answer
ours.shutdown(socket.SHUT_WR)
env = dict(os.environ, REQUEST_METHOD='POST', REQUEST_URI=uri, QUERY_STRING='',
           CONTENT_LENGTH=str(len(body)), CONTENT_TYPE='multipart/form-data; boundary=XbX',
           HTTP_HOST='localhost', SERVER_PROTOCOL='HTTP/1.1', GATEWAY_INTERFACE='CGI/1.1')
child = subprocess.Popen([prog], stdin=theirs, stdout=theirs, stderr=subprocess.DEVNULL, env=env)
theirs.close()
child.wait()
out = b''
try:
    while True:
        chunk = ours.recv(65536)
        if not chunk:
            break
        out += chunk
except ConnectionResetError:
    print('reset')
    sys.exit(0)
print(out.split(b'\r\n', 1)[0].decode('latin-1'))
PY
}
got=$(sock change /v1.0/removebg "$T/p.png")
like "$got" "^Status: 403" "a refused remove.bg request's answer survives an unread body"
got=$(sock change /nosuch "$T/p.png")
like "$got" "^Status: 404" "so does the router's own 404"
