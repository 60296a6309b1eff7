# provider_standin.py: a local stand-in for remote cutout providers (remove.bg's API
# and a rembg server), for test_provider. Listens on 127.0.0.1 on a free port, prints
# the port, and answers POST /PROTO/MODE/W/H (PROTO removebg|rembg; MODE ok, 500, slow,
# garbage, size) after checking the protocol (field name, X-Api-Key).
import http.server, struct, sys, time, zlib

def png(w, h):
    rows = b''.join(b'\x00' + b''.join(
        (b'\xff\x00\x00\xff' if x < w // 2 else b'\x00\x00\x00\x00') for x in range(w))
        for _ in range(h))
    def chunk(t, d):
        return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d))
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 6, 0, 0, 0))
            + chunk(b'IDAT', zlib.compress(rows)) + chunk(b'IEND', b''))

class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def answer(self, code, body, ctype='image/png'):
        self.send_response(code)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length', '0')))
        try:
            _, proto, mode, w, h = self.path.split('/')
            w, h = int(w), int(h)
        except ValueError:
            return self.answer(404, b'no', 'text/plain')
        if proto == 'removebg' and (self.headers.get('X-Api-Key') != 'k123'
                                    or b'name="image_file"' not in body):
            return self.answer(400, b'bad removebg request', 'text/plain')
        if proto == 'rembg' and b'name="file"' not in body:
            return self.answer(400, b'bad rembg request', 'text/plain')
        if mode == '500':
            return self.answer(500, b'oops', 'text/plain')
        if mode == 'slow':
            time.sleep(4)
        if mode == 'garbage':
            return self.answer(200, b'this is not a png at all')
        if mode == 'size':
            return self.answer(200, png(w + 1, h))
        return self.answer(200, png(w, h))

s = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
