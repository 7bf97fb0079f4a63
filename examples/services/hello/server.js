// hello: a tiny HTTP service. GET /status answers with the deployed git SHA (and the HTTP status written in
// ./STATUS_CODE, 200 when the file is absent: commit a 500 there to watch a bounce get stuck).
// GET /echo/… calls the echo service through its mesh proxy port (ECHO_URL, e.g. http://127.0.0.1:20002):
// a client only ever knows that stable address, whichever echo tasks run behind it.
const http = require("node:http");
const fs = require("node:fs");

const port = Number(process.env.PAASTA_PORT || 8888);
let code = 200;
try {
  code = Number(fs.readFileSync("STATUS_CODE", "utf8").trim()) || 200;
} catch {}
const sha = process.env.PAASTA_GIT_SHA || "unknown";

const echo = process.env.ECHO_URL;

const server = http.createServer((req, res) => {
  if (echo && req.url.startsWith("/echo")) {
    fetch(`${echo}${req.url.slice("/echo".length) || "/"}`, { signal: AbortSignal.timeout(2000) })
      .then(async (r) => {
        res.writeHead(r.status, { "content-type": "text/plain" });
        res.end(`hello ${sha} asked echo through ${echo}:\n${await r.text()}`);
      })
      .catch((e) => {
        res.writeHead(502, { "content-type": "text/plain" });
        res.end(`echo unreachable through ${echo}: ${e.message}\n`);
      });
    return;
  }
  if (req.url === "/status") {
    res.writeHead(code, { "content-type": "application/json" });
    res.end(JSON.stringify({ service: "hello", git_sha: sha, status: code }));
    return;
  }
  res.writeHead(200, { "content-type": "text/plain" });
  res.end(`${process.env.GREETING || "hello"} from ${sha}\n`);
});
// Loopback unless told otherwise: the Dockerfile sets LISTEN_HOST=0.0.0.0, as a container's published port
// (itself on the host's 127.0.0.1) reaches the container's own interface, not its loopback.
server.listen(port, process.env.LISTEN_HOST || "127.0.0.1", () => console.log(`hello ${sha} listening on ${port}`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
