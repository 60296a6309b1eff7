# removebg_client.py: posts exactly as the official remove.bg Python client does
# (requests-style multipart image_file + size=auto, X-Api-Key), then reads X-Width etc.
# Usage: python3 removebg_client.py BASE KEY IMAGE OUT  -> prints "W H TYPE CREDITS"
import sys, urllib.request, uuid

base, key, image, out = sys.argv[1:5]
boundary = uuid.uuid4().hex
data = open(image, 'rb').read()
parts = []
parts.append(b'--' + boundary.encode() + b'\r\nContent-Disposition: form-data; name="size"\r\n\r\nauto\r\n')
parts.append(b'--' + boundary.encode() + b'\r\nContent-Disposition: form-data; name="image_file"; filename="' +
             image.rsplit('/', 1)[-1].encode() + b'"\r\n\r\n' + data + b'\r\n')
body = b''.join(parts) + b'--' + boundary.encode() + b'--\r\n'
req = urllib.request.Request(base + '/v1.0/removebg', data=body, method='POST', headers={
    'X-Api-Key': key, 'Content-Type': 'multipart/form-data; boundary=' + boundary,
    'User-Agent': 'python-requests/2.31.0', 'Accept': '*/*'})
with urllib.request.urlopen(req) as r:
    open(out, 'wb').write(r.read())
    print(r.headers['X-Width'], r.headers['X-Height'], r.headers['X-Type'], r.headers['X-Credits-Charged'])
