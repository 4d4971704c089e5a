#!/usr/bin/env python3
"""A stand-in for Prometheus that answers kiriwake's loss-matrix queries at once from saved
answers (bench/prom_client.sh): so `localize --prometheus` is timed without the server's own
query time, i.e. kiriwake's part of the end-to-end figure.

  prom_standin.py PORT SENT.json LOST.json NETWORK
"""
import http.server
import json
import socketserver
import sys
import urllib.parse

port, sent_path, lost_path, network = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
sent = open(sent_path, "rb").read()
lost = open(lost_path, "rb").read()
empty = b'{"status":"success","data":{"resultType":"vector","result":[]}}'


def vector(value):
    return json.dumps({"status": "success", "data": {"resultType": "vector", "result": [
        {"metric": {}, "value": [1795740691, str(value)]}]}}).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(url.query).get("query", [""])[0]
        if url.path.startswith("/api/v1/label/"):
            body = json.dumps({"status": "success", "data": [network]}).encode()
        elif q == "vector(time())":
            body = vector(1795740691)
        elif f'network="{network}"' not in q:
            body = empty  # the page of series without a network label
        elif "sent" in q:
            body = sent
        elif "lost" in q:
            body = lost
        else:
            body = empty
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


Server(("127.0.0.1", port), Handler).serve_forever()
