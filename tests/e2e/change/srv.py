# srv.py: a loopback stand-in for other sites (tests/lib.sh remote_start): serves files,
# redirects, and receives webhooks (recording them). Usage: python3 srv.py DIR PORTFILE
#   GET  /files/NAME        the file DIR/NAME
#   GET  /redir?to=URL      302 to URL
#   POST /hook/NAME         records the request in DIR/hooks/NAME.N; answers 500 while
#                           DIR/fail.NAME holds a positive count (decremented), sleeps
#                           60 s on the first call when DIR/hang.NAME exists, else 200.
import http.server, json, os, socketserver, sys, time, urllib.parse

root, portfile = sys.argv[1], sys.argv[2]

class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        if u.path == '/redir':
            to = urllib.parse.parse_qs(u.query)['to'][0]
            self.send_response(302); self.send_header('Location', to); self.send_header('Content-Length', '0'); self.end_headers()
            return
        if u.path.startswith('/files/'):
            p = os.path.join(root, os.path.basename(u.path))
            if os.path.isfile(p):
                data = open(p, 'rb').read()
                self.send_response(200); self.send_header('Content-Length', str(len(data))); self.end_headers()
                self.wfile.write(data)
                return
        self.send_response(404); self.send_header('Content-Length', '0'); self.end_headers()

    def do_POST(self):
        name = os.path.basename(self.path)
        n = int(self.headers.get('Content-Length', '0'))
        body = self.rfile.read(n)
        d = os.path.join(root, 'hooks'); os.makedirs(d, exist_ok=True)
        k = len([f for f in os.listdir(d) if f.startswith(name + '.')])
        rec = {'headers': {k2.lower(): v for k2, v in self.headers.items()}, 'body': body.decode('utf-8', 'replace')}
        with open(os.path.join(d, '%s.%d' % (name, k)), 'w') as f:
            json.dump(rec, f)
        hang = os.path.join(root, 'hang.' + name)
        if os.path.exists(hang):
            os.remove(hang)
            time.sleep(60)
        fail = os.path.join(root, 'fail.' + name)
        code = 200
        if os.path.exists(fail):
            c = int(open(fail).read() or '0')
            if c > 0:
                open(fail, 'w').write(str(c - 1)); code = 500
        self.send_response(code); self.send_header('Content-Length', '2'); self.end_headers()
        self.wfile.write(b'ok')

class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

s = S(('127.0.0.1', 0), H)
open(portfile + '.tmp', 'w').write(str(s.server_address[1]))
os.rename(portfile + '.tmp', portfile)
s.serve_forever()
