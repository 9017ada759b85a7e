// What the services need from the outside (the Electron shell in the app, fakes in tests), and
// the shape of the IPC router they provide. No Electron imports here.
import type { EventChannel, EventOf, InvokeChannel, RequestOf, ResponseOf } from '../../shared/ipc';

/** Shell features the services call; the Electron shell implements them with dialog, shell, app, Notification. */
export interface ShellHooks {
  chooseFolder(): Promise<string | null>;
  openPath(path: string): Promise<void>;
  setLaunchAtLogin(enabled: boolean): void;
  notify(title: string, body: string): void;
}

/** Encrypts secrets at rest (Electron's safeStorage in the app). */
export interface SecretBox {
  available(): boolean;
  encrypt(plain: string): string;
  decrypt(cipher: string): string;
}

/** Where main -> renderer events go (webContents.send in the app, a socket in e2e tests). */
export interface EventSink {
  emit<E extends EventChannel>(event: E, payload: EventOf<E>): void;
}

export type Handlers = {
  [C in InvokeChannel]: (request: RequestOf<C>) => Promise<ResponseOf<C>>;
};

/** What crosses the wire for an invoke: the value, or a clear sentence (never a stack). */
export type Envelope = { ok: true; value: unknown } | { ok: false; error: string; message: string };
