// Drives the stock tus-js-client (Node) against clipcut for the Go tests.
// Usage: node tus_client.cjs '<json options>'
//   {requireFrom, file, endpoint | uploadUrl, chunkSize, headers, metadata,
//    abortAfterBytes}
// Prints one JSON line per event: progress, aborted, success, error.
const { createRequire } = require("node:module");
const fs = require("node:fs");

const opts = JSON.parse(process.argv[2]);
const tus = createRequire(opts.requireFrom)("tus-js-client");
const data = fs.readFileSync(opts.file);
const emit = (event, extra) => process.stdout.write(JSON.stringify({ event, ...extra }) + "\n");

let sentThisRun = 0;
let startOffset = null;
const upload = new tus.Upload(data, {
  endpoint: opts.endpoint,
  uploadUrl: opts.uploadUrl,
  chunkSize: opts.chunkSize || Infinity,
  headers: opts.headers || {},
  metadata: opts.metadata || {},
  retryDelays: [],
  storeFingerprintForResuming: false,
  onProgress(bytesSent, bytesTotal) {
    if (startOffset === null) startOffset = bytesSent;
  },
  onChunkComplete(chunkSize, bytesAccepted, bytesTotal) {
    sentThisRun += chunkSize;
    emit("progress", { bytesAccepted, bytesTotal });
    if (opts.abortAfterBytes && sentThisRun >= opts.abortAfterBytes && bytesAccepted < bytesTotal) {
      upload.abort().then(() => emit("aborted", { offset: bytesAccepted, url: upload.url }));
    }
  },
  onSuccess() {
    emit("success", { url: upload.url, sentThisRun });
  },
  onError(err) {
    emit("error", { message: String(err && err.message || err), status: err.originalResponse ? err.originalResponse.getStatus() : 0,
      body: err.originalResponse ? err.originalResponse.getBody() : "" });
  },
});
upload.start();
