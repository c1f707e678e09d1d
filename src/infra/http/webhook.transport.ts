// Sends webhook requests. Targets are http(s) URLs whose every address is
// public: loopback, private, link-local, unique-local, CGNAT, multicast and
// unspecified addresses are refused (a webhook must not become a way into the
// server's own network) unless the operator allows private targets. The check
// runs when a webhook is created and again on every connection (in the DNS
// lookup the request itself uses), so a name that later resolves elsewhere
// cannot slip through.

import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { WebhookTransport } from '../../domain/ports.js';

const PUBLIC_RANGES = new Set(['unicast']);

/** Null when the address may receive webhooks, else why not. */
function refusedAddress(address: string): string | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.process(address);
  } catch {
    return `${address} is not an IP address`;
  }
  const range = parsed.range();
  return PUBLIC_RANGES.has(range) ? null : `${address} is a ${range} address`;
}

export interface WebhookTransportOptions {
  /** Allow private and loopback targets (MEMQL_WEBHOOKS_ALLOW_PRIVATE; tests, private networks). */
  allowPrivate: boolean;
  /** Limit of one request, in ms. */
  timeoutMs: number;
}

export class HttpWebhookTransport implements WebhookTransport {
  constructor(private readonly options: WebhookTransportOptions) {}

  async checkTarget(url: string): Promise<string | null> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return 'is not a URL';
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'must be an http:// or https:// URL';
    if (parsed.username || parsed.password) return 'must not carry credentials (sign with the secret instead)';
    if (this.options.allowPrivate) return null;
    const host = parsed.hostname.replace(/^\[|\]$/g, '');
    let addresses: string[];
    try {
      addresses = ipaddr.isValid(host)
        ? [host]
        : (
            await new Promise<LookupAddress[]>((resolve, reject) =>
              dnsLookup(host, { all: true }, (error, found) => (error ? reject(error) : resolve(found))),
            )
          ).map((entry) => entry.address);
    } catch (error) {
      return `${host} does not resolve (${(error as NodeJS.ErrnoException).code ?? 'lookup failed'})`;
    }
    for (const address of addresses) {
      const refused = refusedAddress(address);
      if (refused)
        return `${refused}: private and loopback targets are refused (MEMQL_WEBHOOKS_ALLOW_PRIVATE=true allows them)`;
    }
    return null;
  }

  post(url: string, body: string, headers: Record<string, string>): Promise<number> {
    const target = new URL(url);
    const client = target.protocol === 'https:' ? https : http;
    const lookup: LookupFunction | undefined = this.options.allowPrivate ? undefined : guardedLookup;
    return new Promise((resolve, reject) => {
      const request = client.request(
        target,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
          timeout: this.options.timeoutMs,
          lookup,
        },
        (response) => {
          response.resume(); // the answer's body is not used; drain it so the socket is freed
          response.on('end', () => resolve(response.statusCode ?? 0));
          response.on('error', reject);
        },
      );
      request.on('timeout', () => request.destroy(new Error(`no answer within ${this.options.timeoutMs} ms`)));
      request.on('error', reject);
      request.end(body);
    });
  }
}

/** dns.lookup that fails for refused addresses: the connection is never opened. */
const guardedLookup = ((hostname: string, options: LookupOptions, callback: Parameters<LookupFunction>[2]) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    for (const entry of addresses) {
      const refused = refusedAddress(entry.address);
      if (refused) return callback(new Error(`webhook target refused: ${refused}`), '', 0);
    }
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    const first = addresses[0]!;
    return callback(null, first.address, first.family);
  });
}) as LookupFunction;
