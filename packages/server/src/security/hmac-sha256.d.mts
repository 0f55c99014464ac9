/** See hmac-sha256.mjs. */
export declare const hmacSha256Hex: (key: Buffer) => (plain: string) => string;
