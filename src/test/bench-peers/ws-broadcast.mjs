// The idiomatic `ws` broadcast server: every text message a socket sends on /ws is sent once to every
// other open socket. No protocol: being connected is being subscribed. One Node process, one thread,
// like the single event loop of the servers it is compared with. GET /ready answers 200 once listening;
// GET /heap runs a full collection and returns the memory in use (start node with --expose-gc).
//
//   node --expose-gc ws-broadcast.mjs [port]
import http from 'node:http';
import { WebSocketServer, WebSocket } from 'ws';
import { control } from './memory.mjs';

const port = Number(process.argv[2] ?? 18091);
const server = http.createServer(control);
const wss = new WebSocketServer({ server, path: '/ws', perMessageDeflate: false });

wss.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => {
    for (const other of wss.clients) {
      if (other !== socket && other.readyState === WebSocket.OPEN) {
        other.send(data, { binary: isBinary });
      }
    }
  });
  socket.on('error', () => socket.terminate());
});

server.listen(port, '127.0.0.1', () => console.log(`ws broadcast server listening on ${port}`));
