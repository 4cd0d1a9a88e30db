// The servers' answer to GET /heap, the load generator's reading of memory after a full collection, as
// `jcmd GC.run` + `GC.heap_info` gives it for a JVM. Needs `node --expose-gc`.
export function heapAfterGc(res) {
  if (typeof global.gc !== 'function') {
    res.writeHead(501, { 'content-type': 'text/plain' }).end('start node with --expose-gc\n');
    return;
  }
  global.gc();
  const m = process.memoryUsage();
  // V8's heap plus the memory of C++ objects bound to it (socket buffers among them).
  res.writeHead(200, { 'content-type': 'application/json' })
    .end(JSON.stringify({ usedBytes: m.heapUsed + m.external, spaces: 'V8 heap + external' }));
}

// /ready once listening, /heap as above, 404 for anything else.
export function control(req, res) {
  if (req.url === '/ready') {
    res.writeHead(200).end();
  } else if (req.url === '/heap') {
    heapAfterGc(res);
  } else {
    res.writeHead(404).end();
  }
}
