"""The gateway's HTTP server drains unread request bodies so responses are never reset."""
import http.client
import json

from launch import http as http_server


def app(environ, start_response):
    start_response('200 OK', [('Content-Type', 'application/json')])
    return [json.dumps({'ok': True}).encode()]


def test_get_with_a_body_still_gets_its_response():
    server = http_server.HTTPServer(app, '127.0.0.1', 0)
    server.start()
    try:
        for _ in range(20):
            conn = http.client.HTTPConnection('127.0.0.1', server.port, timeout=10)
            conn.request('GET', '/', body=b'x' * 4000000)
            resp = conn.getresponse()
            assert resp.status == 200 and json.loads(resp.read()) == {'ok': True}
            conn.close()
    finally:
        server.stop()
