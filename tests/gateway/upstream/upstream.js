// The Node upstream of the gateway's end-to-end test (tests/gateway/gateway_e2e.py): a receiver
// as a customer would write it, verifying each forward with the standardwebhooks package.
//
//   node upstream.js SECRET_FILE            prints "listening on 127.0.0.1:PORT" when ready
// (HTTPS when TLS_CERT and TLS_KEY name PEM files; PORT picks the port, default any free one;
// KEEP_ALIVE_MS closes idle kept-alive connections after that long, Node's default being 5 s.)
//
// Every request but the control paths is verified with
// `new Webhook(secret).verify(body, headers, { jsonParse: false })`: verified ones are recorded
// and answered with the current status (204 unless set), the others answered 401 and recorded as
// refused. Control (the test's, never the gateway's):
//   GET  /__received     the record, as JSON
//   POST /__status/NNN   answer verified requests with NNN from now on ("hang": never answer;
//                        "slow": 204 after 1.5 s)
"use strict";

const fs = require("fs");
const http = require("http");
const https = require("https");
const { Webhook } = require("standardwebhooks");

const secret = fs.readFileSync(process.argv[2], "utf8").trim();
const webhook = new Webhook(secret);
const received = [];
let status = "204";

const handler = (req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    if (req.url === "/__received") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(received));
      return;
    }
    if (req.url.startsWith("/__status/")) {
      status = req.url.substring("/__status/".length);
      res.writeHead(204);
      res.end();
      return;
    }
    let verified = true;
    let problem = "";
    try {
      webhook.verify(body, req.headers, { jsonParse: false });
    } catch (e) {
      verified = false;
      problem = String(e.message || e);
    }
    received.push({
      method: req.method,
      url: req.url,
      verified,
      problem,
      id: req.headers["webhook-id"] || "",
      timestamp: req.headers["webhook-timestamp"] || "",
      signature: req.headers["webhook-signature"] || "",
      content_type: req.headers["content-type"] || "",
      idempotency_token: req.headers["kore-idempotency-token"] || "",
      date: req.headers["date"] || "",
      body_b64: body.toString("base64"),
      answered: verified ? status : "401",
    });
    if (!verified) {
      res.writeHead(401, { "content-type": "text/plain" });
      res.end("signature refused");
      return;
    }
    if (status === "hang") {
      return; // the gateway's timeout must end this
    }
    if (status === "slow") {
      setTimeout(() => {
        res.writeHead(204);
        res.end();
      }, 1500);
      return;
    }
    res.writeHead(Number(status));
    res.end();
  });
};
const server = process.env.TLS_CERT
  ? https.createServer({ cert: fs.readFileSync(process.env.TLS_CERT), key: fs.readFileSync(process.env.TLS_KEY) },
      handler)
  : http.createServer(handler);
if (process.env.KEEP_ALIVE_MS) {
  server.keepAliveTimeout = Number(process.env.KEEP_ALIVE_MS);
}

server.listen(Number(process.env.PORT || 0), "127.0.0.1", () => {
  process.stdout.write(`listening on 127.0.0.1:${server.address().port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
