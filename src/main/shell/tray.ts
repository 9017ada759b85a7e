// The tray icon: its picture follows the overall state, its tooltip sums the pairs up, and its
// menu lists the pairs with quick actions (what is shown is decided in tray-menu.ts).
import * as path from 'node:path';
import { Menu, Tray, nativeImage } from 'electron';
import type { OverallState } from '../../shared/model';
import { buildTrayMenuTemplate, throttle, tooltipFor, trayIconFor, type TrayActions, type TrayServices } from './tray-menu';

export * from './tray-menu';

export interface TrayControllerOptions {
  services: TrayServices;
  actions: TrayActions;
  trayDir: string;
  platform?: NodeJS.Platform;
  throttleMs?: number;
}

export class TrayController {
  readonly tray: Tray;
  private icon: OverallState | null = null;
  private readonly unsubscribe: () => void;
  private readonly scheduled: ReturnType<typeof throttle>;
  private readonly platform: NodeJS.Platform;

  constructor(private readonly opts: TrayControllerOptions) {
    this.platform = opts.platform ?? process.platform;
    const state = opts.services.overall();
    this.tray = new Tray(this.image(state));
    this.icon = state;
    if (this.platform === 'win32') this.tray.on('click', () => opts.actions.openWindow());
    this.scheduled = throttle(() => this.refresh(), opts.throttleMs ?? 300);
    this.unsubscribe = opts.services.onChange(() => this.scheduled());
    this.refresh();
  }

  private image(state: OverallState) {
    return nativeImage.createFromPath(path.join(this.opts.trayDir, trayIconFor(state, this.platform)));
  }

  /** Rebuilds the icon, tooltip and menu from the services' current state. */
  refresh(): void {
    if (this.tray.isDestroyed()) return;
    const { services, actions } = this.opts;
    const overall = services.overall();
    const pairs = services.trayPairs();
    const allPaused = services.allPaused();
    if (overall !== this.icon) {
      this.tray.setImage(this.image(overall));
      this.icon = overall;
    }
    this.tray.setToolTip(tooltipFor(overall, pairs, allPaused));
    this.tray.setContextMenu(Menu.buildFromTemplate(buildTrayMenuTemplate(pairs, allPaused, actions)));
  }

  destroy(): void {
    this.scheduled.cancel();
    this.unsubscribe();
    if (!this.tray.isDestroyed()) this.tray.destroy();
  }
}
