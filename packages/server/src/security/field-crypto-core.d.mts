/** See field-crypto-core.mjs. */
import type { KeyObject } from 'node:crypto';

export declare const encryptAesGcm: (key: Buffer | KeyObject, plain: string) => string;
export declare const G1: Buffer;
export declare const encryptSm4Cbc: (
  key: Buffer | KeyObject,
  macKey: Buffer | KeyObject,
  plain: string,
) => string;
export declare const hmacSha256Hex: (key: Buffer) => (plain: string) => string;
