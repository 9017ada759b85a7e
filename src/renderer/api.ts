// The renderer's typed client over window.s3lync. Every error that crosses IPC becomes a
// UserError whose message is one readable sentence (never a stack or an Electron prefix).
import type { EventChannel, EventOf, InvokeChannel, RequestOf, ResponseOf, S3lyncApi } from '../shared/ipc';

export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

const ELECTRON_PREFIX = /^Error invoking remote method '[^']*':\s*/;
const CLASS_PREFIX = /^(?:[A-Z][A-Za-z0-9_]*)?Error:\s*/;

/** One readable sentence for any thrown value. */
export function errorMessage(err: unknown): string {
  let text: string;
  if (err instanceof Error) text = err.message;
  else if (typeof err === 'string') text = err;
  else if (err && typeof err === 'object' && typeof (err as { message?: unknown }).message === 'string') {
    text = (err as { message: string }).message;
  } else text = '';
  text = text.replace(ELECTRON_PREFIX, '');
  for (let i = 0; i < 3 && CLASS_PREFIX.test(text); i++) text = text.replace(CLASS_PREFIX, '');
  // Never show a stack: keep what comes before the first "    at " frame.
  const stack = text.search(/\n\s+at\s/);
  if (stack !== -1) text = text.slice(0, stack);
  text = text.trim();
  if (!text) return 'Something went wrong. Please try again.';
  return text.length > 600 ? `${text.slice(0, 597)}…` : text;
}

export class Client {
  constructor(private readonly api: S3lyncApi) {}

  async invoke<C extends InvokeChannel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> {
    try {
      return await this.api.invoke(channel, request);
    } catch (err) {
      throw new UserError(errorMessage(err));
    }
  }

  on<E extends EventChannel>(event: E, listener: (payload: EventOf<E>) => void): () => void {
    return this.api.on(event, listener);
  }

  pathForFile(file: File): string {
    return this.api.pathForFile(file);
  }
}

/** The preload's API, or null when the page is opened outside the app. */
export function windowApi(): S3lyncApi | null {
  return typeof window !== 'undefined' && window.s3lync ? window.s3lync : null;
}
