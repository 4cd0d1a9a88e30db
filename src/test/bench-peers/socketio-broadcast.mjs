// The idiomatic Socket.IO broadcast server: an event `pub` from one socket is emitted to every other
// socket with `socket.broadcast.emit`, which encodes the packet once for all of them. WebSocket transport
// only (no long-polling first), no compression, like the other servers under test. GET /ready answers
// 200 once listening; GET /heap runs a full collection and returns the memory in use (start node with
// --expose-gc).
//
//   node --expose-gc socketio-broadcast.mjs [port]
import http from 'node:http';
import { Server } from 'socket.io';
import { control } from './memory.mjs';

const port = Number(process.argv[2] ?? 18092);
const server = http.createServer(control);
const io = new Server(server, {
  transports: ['websocket'],
  perMessageDeflate: false,
  httpCompression: false,
  serveClient: false,
});

io.on('connection', (socket) => {
  socket.on('pub', (payload) => socket.broadcast.emit('pub', payload));
});

server.listen(port, '127.0.0.1', () => console.log(`socket.io broadcast server listening on ${port}`));
