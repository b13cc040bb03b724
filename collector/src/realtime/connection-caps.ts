/**
 * How many realtime connections one credential and one client address may hold open: each is a
 * socket, its buffers, a query's answer every 2 s and a credential check every 30 s, so one
 * caller must not be able to hold thousands.
 */
import type { Principal } from '../http/authorize.ts';

export interface RealtimeCaps {
  /** Open connections per session, view token or site key. */
  perCredential: number;
  /** Open connections per client address (behind trusted proxies, the forwarded one). */
  perAddress: number;
}

/**
 * A person rarely keeps more than a few dashboard tabs open, a view token serves one embedded
 * page, and a site key belongs to a plugin's server, which hands browsers view tokens rather than
 * watching itself: 20 per credential leaves room for all of that. Many people can share one
 * address (an office, a carrier's NAT), each with a few tabs: 50 per address. Over a cap, the
 * dashboard's widget reads the same numbers over HTTP every 10 s instead.
 */
export const DEFAULT_CAPS: RealtimeCaps = { perCredential: 20, perAddress: 50 };

/** The credential a principal holds, as a key for counting: never a secret, which stays in the request. */
export function credentialOf(p: Principal): string {
  switch (p.kind) {
    case 'user':
      return `session:${p.session.idHash}`;
    case 'view-token':
      // Signed claims: two tokens with the same claims are the same token.
      return `view:${JSON.stringify(p.view)}`;
    case 'site-key':
      return `key:${p.key.id}`;
    default:
      return 'anonymous';
  }
}

/** Counts the open connections of each credential and address, in memory only. */
export class ConnectionCaps {
  readonly #caps: RealtimeCaps;
  readonly #byCredential = new Map<string, number>();
  readonly #byAddress = new Map<string, number>();

  constructor(caps: RealtimeCaps) {
    this.#caps = caps;
  }

  /** Takes a slot for a connection, or says which cap refuses it; `release` gives the slot back. */
  take(credential: string, address: string): { release: () => void } | { refused: 'credential' | 'address'; limit: number } {
    if ((this.#byCredential.get(credential) ?? 0) >= this.#caps.perCredential) return { refused: 'credential', limit: this.#caps.perCredential };
    if ((this.#byAddress.get(address) ?? 0) >= this.#caps.perAddress) return { refused: 'address', limit: this.#caps.perAddress };
    add(this.#byCredential, credential, 1);
    add(this.#byAddress, address, 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        add(this.#byCredential, credential, -1);
        add(this.#byAddress, address, -1);
      },
    };
  }
}

function add(counts: Map<string, number>, key: string, n: number): void {
  const total = (counts.get(key) ?? 0) + n;
  if (total > 0) counts.set(key, total);
  else counts.delete(key);
}
