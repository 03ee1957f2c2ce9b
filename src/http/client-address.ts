// The client's address for per-client limits, honouring TRUST_PROXY the way express's "trust proxy" does
// (same library: proxy-addr): false → the socket's peer, true → the left-most X-Forwarded-For, a number →
// that many hops, a string → trusted subnets.
import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

export function clientAddressResolver(trustProxy: boolean | number | string): (req: IncomingMessage) => string {
  const trust =
    trustProxy === false
      ? () => false
      : trustProxy === true
        ? () => true
        : typeof trustProxy === 'number'
          ? (_addr: string, i: number) => i < trustProxy
          : proxyaddr.compile(trustProxy.split(',').map((s) => s.trim()));
  return (req) => (trustProxy === false ? req.socket.remoteAddress ?? 'unknown' : proxyaddr(req, trust));
}
