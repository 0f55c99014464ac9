// Entry of the import reader's thread (read-thread.ts). The reader is TypeScript and a thread
// does not get the calling thread's loader (not tsx's `register()` of the CLI and the server,
// nor `--import tsx`, nor vitest's transform): tsx's is registered here, then the reader loaded.
import { register } from 'tsx/esm/api';

register();
await import('./read-thread-worker.ts');
