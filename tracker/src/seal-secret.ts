// tsconfig.build.json loads no ambient types (the browser entries must not lean on Node's); this
// server-only module of @cairn/tracker/integration asks for them.
/// <reference types="node" />
/**
 * Secrets at rest for an app server (re-exported by `@cairn/tracker/integration`): AES-256-GCM
 * with a random IV per record and associated data that binds a record to its owner (a shop, an
 * authorization), so a sealed secret copied onto another record does not open.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** A sealed secret as apps store it in their JSON files; the shape is stored data: keep it. */
export interface Sealed {
  v: 1;
  iv: string;
  tag: string;
  data: string;
}

/** Encrypts `plaintext` with the 32-byte `key`, binding `associatedData` (not stored) to it. */
export function sealSecret(key: Uint8Array, plaintext: string, associatedData: string): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(associatedData));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { v: 1, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

/** Decrypts what `sealSecret` made; throws if the key, the associated data or the bytes differ. */
export function openSecret(key: Uint8Array, sealed: Sealed, associatedData: string): string {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
  decipher.setAAD(Buffer.from(associatedData));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
}
