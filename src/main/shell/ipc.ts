// Registers one ipcMain handler per contract channel. Each checks the sender first, then hands
// the raw payload to the services' router (which validates it against the contract).
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { invokeChannels, wireInvoke } from '../../shared/ipc';
import type { Envelope } from '../services/types';

export type Router = (channel: string, payload: unknown) => Promise<Envelope>;

export function forbidden(channel: string): Envelope {
  return {
    ok: false,
    error: 'Forbidden',
    message: `Refused ${channel}: the request did not come from the s3lync window.`,
  };
}

/** Registers every invoke channel; returns a function that removes them again. */
export function registerIpc(
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  router: Router,
  isTrusted: (event: IpcMainInvokeEvent) => boolean,
): () => void {
  for (const channel of invokeChannels) {
    const wire = wireInvoke(channel);
    ipcMain.handle(wire, async (event: IpcMainInvokeEvent, payload: unknown): Promise<Envelope> => {
      let trusted = false;
      try {
        trusted = isTrusted(event);
      } catch {
        trusted = false;
      }
      if (!trusted) return forbidden(channel);
      try {
        return await router(channel, payload);
      } catch (err) {
        // The router turns errors into envelopes itself; this is the last guard, never a stack.
        return { ok: false, error: 'InternalError', message: `${channel} failed: ${(err as Error)?.message ?? String(err)}` };
      }
    });
  }
  return () => {
    for (const channel of invokeChannels) ipcMain.removeHandler(wireInvoke(channel));
  };
}
