/** Listens on a port or a Unix socket, with a message a person can act on when that fails. */
import type { Server } from 'node:http';

export function listen(server: Server, ...args: [number, string] | [string]): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (err: NodeJS.ErrnoException) => {
      const where = args.length === 2 ? `${args[1]}:${args[0]}` : args[0];
      if (err.code === 'EADDRINUSE') reject(new Error(`${where} is already in use: stop what listens there or choose another port (CAIRN_PORT)`, { cause: err }));
      else if (err.code === 'EACCES') reject(new Error(`not allowed to listen on ${where}: ports below 1024 need privileges`, { cause: err }));
      else reject(err);
    };
    server.once('error', fail);
    server.listen(...(args as [number, string]), () => {
      server.off('error', fail);
      resolve();
    });
  });
}
