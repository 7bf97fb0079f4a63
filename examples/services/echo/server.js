// echo: answers every HTTP request with its path and body.
const http = require("node:http");

const port = Number(process.env.PAASTA_PORT || 8888);
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(`${req.method} ${req.url}\n${Buffer.concat(chunks).toString()}`);
  });
});
// Loopback unless told otherwise: the Dockerfile sets LISTEN_HOST=0.0.0.0, as a container's published port
// (itself on the host's 127.0.0.1) reaches the container's own interface, not its loopback.
server.listen(port, process.env.LISTEN_HOST || "127.0.0.1", () => console.log(`echo listening on ${port}`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
