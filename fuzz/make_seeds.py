#!/usr/bin/env python3
"""Writes the hand-made seeds of fuzz/corpus/<target>/ (seed-*.bin). Each seed reaches a path a
random start would take long to find: a signed body, length-extension glue, deep JSON, an IPv6
authority, a duplicate header. Inputs a fuzzer once failed on are kept beside them as
regression-* files and are never regenerated. Run from the repository root:
    python3 fuzz/make_seeds.py
"""
import hashlib
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def write(target, name, data):
    directory = os.path.join(ROOT, target)
    os.makedirs(directory, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("latin-1")
    with open(os.path.join(directory, "seed-" + name + ".bin"), "wb") as f:
        f.write(data)


def glue(message_length):
    """SHA-256 padding of a message of that many bytes."""
    zeros = (55 - message_length) % 64
    return b"\x80" + b"\x00" * zeros + struct.pack(">Q", 8 * message_length)


# verify: flags, chunk size - 1, header mode (0 absent, 1 empty, 2 body prefix, 3 signed), body.
URL = b"https://testendpoint.com/kore"
PREFIX = len(b"secret12345") + len(b"POST") + len(URL)
write("verify", "json-signed", b"\x04\x06\x03" + b'{"event": "sim.activated", "iccid": "8901260882310000001"}')
write("verify", "form-signed", b"\x00\x02\x03" + b"SimSid=HS123&Status=active&Iccid=8901")
write("verify", "minified-pending", b"\x01\x00\x03" + b'{ "a" : [1, 2.5e3, -0, true, null, "x\\u00e9"] }')
write("verify", "header-from-body", b"\x02\x10\x02" + hashlib.sha256(b"x").hexdigest().encode() + b"tail")
write("verify", "empty-header", b"\x03\x00\x01" + b"{}")
write("verify", "absent-header", b"\x00\x00\x00" + b"a=1")
write("verify", "glue", b"\x04\x05\x03" + b"a=1" + glue(PREFIX + 3) + b"&admin=true")
write("verify", "glue-other-secret",
      b"\x00\x40\x03" + b"a=1" + glue(len(b"a35974bdf1c769b8bb") + 4 + len(URL) + 3) + b"&x")
write("verify", "deep-json", b"\x04\x07\x03" + b"[" * 40 + b" " + b"]" * 40)
write("verify", "over-limit", b"\x02\xff\x03" + b"x" * 400)

# json_minifier: chunk selector, then the text.
write("json_minifier", "object", b"\x03" + b'{ "a" : 1, "b" : [ true , false , null ] }')
write("json_minifier", "numbers", b"\x05" + b"[ -0 , 0.5 , 1e10 , -2.5E-3 , 7E777 ]")
write("json_minifier", "escapes", b"\x02" + b'[ "\\"\\\\\\/\\b\\f\\n\\r\\t" , "\\u0041\\uD83D\\uDE00" ]')
write("json_minifier", "lone-surrogate", b"\x01" + b'"~\\uDCCC"')
write("json_minifier", "deep", b"\x07" + b"[" * 512 + b" " + b"]" * 512)
write("json_minifier", "too-deep", b"\x07" + b"[" * 513 + b"]" * 513)
write("json_minifier", "bad", b"\x00" + b"[1 0]")
write("json_minifier", "scalar", b"\x04" + b"  \t\r\n 12 \n")
# Compact events as KORE sends them: numbers and literals that straddle the 64-byte blocks.
write("json_minifier", "events", b"\x06" + b'[{"id":"EZ0a06249ca3a4e2e6","type":"com.kore.sms.delivered",'
      b'"data":{"network":"Vodafone UK","segments":2,"cost":0.0042}},{"id":"EZb420353b65b128cb",'
      b'"data":{"rssi":-74,"roaming":false,"seq":12345678,"lat":51.74524,"n":null,"ok":true}}]')

# signature_header: the header value.
digest = hashlib.sha256(b"seed").hexdigest()
write("signature_header", "hex", digest)
write("signature_header", "hex-upper-ows", " \t" + digest.upper() + " ")
write("signature_header", "base64", "ZGlnZXN0LW9mLTIwLWJ5dGVzIQ==")
write("signature_header", "base64-20", "AAECAwQFBgcICQoLDA0ODxAREhM=")
write("signature_header", "hex-63", digest[:63])

# url_rules: method, registered URL, request target, body.
write("url_rules", "plain", "POST\nhttps://hooks.example/kore\n/kore\n{}")
write("url_rules", "query", "POST\nhttps://hooks.example/kore?tenant=1#frag\n/kore?x=1\na=1")
write("url_rules", "get", "GET\nHTTP://Hooks.Example:8443/k?\n/k?#\n")
write("url_rules", "path-only", "POST\n/kore/callback\n/kore/callback?a\nx")
write("url_rules", "bad-method", "PO ST\nhttps://x\n?\n")
write("url_rules", "fragment-first", "M-SEARCH\nhttps://x#?a=1\n/#?a=1\nbody")
write("url_rules", "registered-query", "POST\nhttps://hooks.example/kore?tenant=7#f\n/kore?tenant=7\n{}")
write("url_rules", "added-query", "POST\nhttps://hooks.example/kore\n/kore?Status=inactive\na=1")
write("url_rules", "get-query", "GET\nhttps://hooks.example/kore?a=1\n/kore?a=%31\n")

# twilio_form: token selector, form body, NUL, header value.
write("twilio_form", "form", b"\x00Body=hello&To=%2B18005550100&From=+1555\x00AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
write("twilio_form", "empty-pairs", b"\x01&&a&=&b=%41%4a%4A&\x00")
write("twilio_form", "broken-escape", b"\x02a=%4\x00RSTUVWXYZabcdefghijklmn+/=")
write("twilio_form", "percent-end", b"\x00a=%\x00")
write("twilio_form", "plus-and-nul", b"\x01a+b=c%00d\x00====")

# twilio_url: the URL.
for name, url in [
    ("userinfo", "https://user:pw@x.example/cb"),
    ("userinfo-port", "https://user:pw@x.example:8443/cb?a=1#f"),
    ("ipv6", "https://[2001:db8::1]/cb"),
    ("ipv6-port", "http://[::1]:8080/cb?x"),
    ("ipv6-zone", "https://u:p@[fe80::1%25eth0]:443?x"),
    ("empty-port", "https://x.example:/cb"),
    ("two-at", "https://a@b@x.example/cb"),
    ("backslash", "https://x.example\\@y.example/cb"),
    ("default-port", "https://mycompany.com:443/myapp.php?foo=1&bar=2"),
    ("other-scheme", "wss://x.example:9/cb"),
    ("body-hash", "https://x.example/cb?a=1&bodySHA256=0a1b&bodySHA256=ff#bodySHA256=1"),
    ("body-hash-no-value", "https://x.example/cb?bodySHA256&bodySHA256="),
]:
    write("twilio_url", name, url)

# adapter_request: flags, request line, headers, empty line, body.
write("adapter_request", "signed", b"\x04POST /kore\nHost: hooks.example\nContent-Length: 2\n\n{}")
write("adapter_request", "duplicate",
      b"\x00POST /kore\nkore-signature: " + digest.encode() + b"\nKORE-Signature: x\n\nbody")
write("adapter_request", "get-query", b"\x00GET /kore?sim=1\nkore-signature:\n\n")
write("adapter_request", "too-long", b"\x01POST /k\nContent-Length:  9999999999999999999 \n\nx")
write("adapter_request", "forwarded",
      b"\x06POST /kore?x#y\nHost: internal:8080\nX-Forwarded-Host: a.example, hooks.example\n"
      b"X-Forwarded-Proto: http, https\n\n{\"a\": 1}")
write("adapter_request", "untrusted",
      b"\x0cPOST /kore\nHost: [::1]:8443\nX-Forwarded-Host: evil.example\n\na=1")
write("adapter_request", "bad-host", b"\x04POST /kore\nHost: evil.example/@x\n\n")
write("adapter_request", "registered-query", b"\x44POST /kore?tenant=7\nHost: hooks.example\n\n{}")
write("adapter_request", "added-query-opted-out", b"\xc5POST /kore?Status=inactive\nkore-signature: x\n\na=1")
write("adapter_request", "overlong-signature", b"\x00POST /kore\nkore-signature: " + b"0" * 300 + b"\n\nx")

# request_parser: a raw request as captured.
write("request_parser", "post",
      "POST /kore?x=1 HTTP/1.1\r\nHost: hooks.example\r\nkore-signature: " + digest +
      "\r\nContent-Length: 2\r\n\r\n{}")
write("request_parser", "chunked",
      "POST /kore HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n")
write("request_parser", "bare-lf", "GET /kore?a HTTP/1.0\nHost: h\n\n")
write("request_parser", "conflict",
      "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab")
write("request_parser", "folding", "POST / HTTP/1.1\r\nX: a\r\n b\r\n\r\n")
write("request_parser", "trailer-signature",
      "POST /kore HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n"
      "kore-signature: " + digest + "\r\n\r\n")
write("request_parser", "header-and-trailer-signature",
      "POST /kore HTTP/1.1\r\nHost: h\r\nkore-signature: " + digest +
      "\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\nkore-signature: " + digest + "\r\nX-T: 1\r\n\r\n")
