// The preload exposes the typed IPC API on window.s3lync (see src/shared/ipc.ts).
import type { S3lyncApi } from '../shared/ipc';

declare global {
  interface Window {
    /** Provided by the preload. Undefined only when the page runs outside the app. */
    s3lync: S3lyncApi;
  }
}

export {};
