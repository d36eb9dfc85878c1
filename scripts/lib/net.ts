// A TCP port nobody is listening on right now, so parallel stacks and tests never collide.
// Chosen below the kernel's ephemeral range (32768–60999 here): a port the kernel handed out for
// listen(0) could, by the time the stack binds it seconds later, be the local port of some client
// connection, and the bind fails with EADDRINUSE. Ports below the range are never given to clients.
import { createServer } from "node:net";

const LOW = 20000;
const HIGH = 32767;

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW + 1));
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port between ${LOW} and ${HIGH}`);
}
