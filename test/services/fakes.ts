// Fakes for what the Electron shell provides, so the real services run in plain Node.
import type { EventChannel, EventOf } from '../../src/shared/ipc';
import type { EventSink, SecretBox, ShellHooks } from '../../src/main/services/types';

/** Reversible but not plain text, like safeStorage's output; tests can check no secret leaks. */
export const fakeSecrets: SecretBox = {
  available: () => true,
  encrypt: (s) => `enc:${Buffer.from(s, 'utf8').toString('base64').split('').reverse().join('')}`,
  decrypt: (c) => Buffer.from(c.slice(4).split('').reverse().join(''), 'base64').toString('utf8'),
};

export class RecordingSink implements EventSink {
  events: Array<{ event: EventChannel; payload: unknown }> = [];
  emit<E extends EventChannel>(event: E, payload: EventOf<E>): void {
    this.events.push({ event, payload });
  }
  of<E extends EventChannel>(event: E): Array<EventOf<E>> {
    return this.events.filter((e) => e.event === event).map((e) => e.payload as EventOf<E>);
  }
}

export function fakeHooks(chosen: string | null = null) {
  const calls = { notify: [] as Array<[string, string]>, opened: [] as string[], login: [] as boolean[] };
  const hooks: ShellHooks = {
    chooseFolder: async () => chosen,
    openPath: async (p) => void calls.opened.push(p),
    setLaunchAtLogin: (v) => void calls.login.push(v),
    notify: (t, b) => void calls.notify.push([t, b]),
  };
  return { hooks, calls };
}
