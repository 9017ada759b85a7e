// The renderer's API (window.s3lync), built over any transport: Electron's ipcRenderer in the
// preload, a WebSocket in the e2e harness. No Electron, Node or DOM globals here beyond `File`
// (only as a type), so both hosts can use it as is.
import {
  eventChannels,
  invokeChannels,
  wireEvent,
  wireInvoke,
  type EventChannel,
  type InvokeChannel,
  type S3lyncApi,
} from '../shared/ipc';

/** How the API reaches main: wire channel names in, raw payloads (envelopes for invoke) out. */
export interface Transport {
  invoke(wire: string, payload: unknown): Promise<unknown>;
  /** Subscribes to a wire event; the listener receives the payload only. Returns an unsubscribe. */
  on(wire: string, listener: (payload: unknown) => void): () => void;
}

const invokeSet: ReadonlySet<string> = new Set<string>(invokeChannels);
const eventSet: ReadonlySet<string> = new Set<string>(eventChannels);

function describe(value: unknown): string {
  return typeof value === 'string' ? `"${value.slice(0, 100)}"` : typeof value;
}

/** Turns main's envelope into the value, or throws an Error named after main's error class. */
export function unwrapEnvelope(channel: string, envelope: unknown): unknown {
  if (typeof envelope !== 'object' || envelope === null || typeof (envelope as { ok?: unknown }).ok !== 'boolean') {
    const err = new Error(`The app sent a malformed response to ${channel}.`);
    err.name = 'ProtocolError';
    throw err;
  }
  const env = envelope as { ok: boolean; value?: unknown; error?: unknown; message?: unknown };
  if (env.ok) return env.value;
  const err = new Error(typeof env.message === 'string' && env.message ? env.message : `${channel} failed.`);
  err.name = typeof env.error === 'string' && env.error ? env.error : 'Error';
  throw err;
}

export function createApi(transport: Transport, pathForFile: (f: File) => string): S3lyncApi {
  const api: S3lyncApi = {
    invoke(channel, request) {
      if (typeof channel !== 'string' || !invokeSet.has(channel)) {
        const err = new Error(`Unknown channel ${describe(channel)}.`);
        err.name = 'UnknownChannel';
        return Promise.reject(err);
      }
      return Promise.resolve()
        .then(() => transport.invoke(wireInvoke(channel as InvokeChannel), request))
        .then((envelope) => unwrapEnvelope(channel, envelope)) as never;
    },
    on(event, listener) {
      if (typeof event !== 'string' || !eventSet.has(event)) {
        const err = new Error(`Unknown event ${describe(event)}.`);
        err.name = 'UnknownChannel';
        throw err;
      }
      if (typeof listener !== 'function') throw new TypeError(`The listener for ${event} must be a function.`);
      const off = transport.on(wireEvent(event as EventChannel), (payload) => listener(payload as never));
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        off();
      };
    },
    pathForFile(file) {
      return pathForFile(file);
    },
  };
  return Object.freeze(api);
}
