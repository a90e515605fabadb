// Preloaded (node -r) into the Node-based emulators: they listen on every
// interface by default and have no option to narrow it, and nothing offline may
// be reachable from outside this machine. Forces every listen() onto 127.0.0.1.
'use strict';
const net = require('node:net');
const originalListen = net.Server.prototype.listen;
net.Server.prototype.listen = function listen(...args) {
  if (typeof args[0] === 'object' && args[0] !== null && !Array.isArray(args[0])) {
    args[0] = { ...args[0], host: '127.0.0.1' };
  } else if (typeof args[0] === 'number' || typeof args[0] === 'string') {
    const port = args[0];
    const rest = args.slice(1).filter((arg) => typeof arg === 'function' || typeof arg === 'number');
    const callback = rest.find((arg) => typeof arg === 'function');
    return originalListen.call(this, { port: Number(port), host: '127.0.0.1' }, callback);
  }
  return originalListen.apply(this, args);
};
