import { uuidv7 } from 'uuidv7';

/** App-generated, time-ordered ids (UUIDv7): portable to distributed engines, keyset-friendly. */
export const newId = (): string => uuidv7();
