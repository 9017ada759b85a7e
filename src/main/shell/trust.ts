// Who may call main over IPC: only the top frame of our one window, showing our own page.
// Pure functions (the Electron event is reduced to plain facts first) so they are tested as is.
import type { IpcMainInvokeEvent } from 'electron';

export interface SenderFacts {
  /** id of the sending webContents. */
  webContentsId: number;
  /** URL of the sending frame, or null when the frame is gone. */
  frameUrl: string | null;
  /** true when the sending frame is the top frame of its page. */
  isMainFrame: boolean;
}

export interface TrustedOrigin {
  /** id of the main window's webContents, or null when there is no window. */
  webContentsId: number | null;
  /** The URL the window loads: file://…/out/renderer/index.html, or the dev server's URL. */
  appUrl: string;
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * Whether `url` is our app's page. For file:// the exact file (any hash or query: the renderer
 * may route with the hash); for the dev server its origin.
 */
export function isAppUrl(url: string | null | undefined, appUrl: string): boolean {
  if (!url) return false;
  const u = parse(url);
  const a = parse(appUrl);
  if (!u || !a) return false;
  if (a.protocol === 'file:') {
    return u.protocol === 'file:' && u.host === a.host && u.pathname === a.pathname;
  }
  if (a.protocol === 'http:' || a.protocol === 'https:') {
    return u.origin === a.origin;
  }
  return false;
}

export function isTrustedSender(sender: SenderFacts, trusted: TrustedOrigin): boolean {
  if (trusted.webContentsId === null || sender.webContentsId !== trusted.webContentsId) return false;
  if (!sender.isMainFrame) return false;
  return isAppUrl(sender.frameUrl, trusted.appUrl);
}

/** The facts of an IPC event (Electron objects stay here; everything after is pure). */
export function senderFacts(event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>): SenderFacts {
  let frameUrl: string | null = null;
  let isMainFrame = false;
  try {
    const frame = event.senderFrame;
    if (frame) {
      frameUrl = frame.url;
      isMainFrame = frame.parent === null && frame === event.sender.mainFrame;
    }
  } catch {
    // A frame that navigated away or was destroyed throws on access: not trusted.
  }
  return { webContentsId: event.sender.id, frameUrl, isMainFrame };
}
