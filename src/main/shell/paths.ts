// Where the built pieces are: the preload and renderer next to out/main, and the icons in the
// repo's assets/ when run from a checkout, or in the resources folder when packaged
// (electron-builder.yml copies assets/ there as extraResources).
import * as path from 'node:path';

export interface ShellPaths {
  preload: string;
  rendererHtml: string;
  assetsDir: string;
  trayDir: string;
  appIcon: string;
}

export function shellPaths(opts: { mainDir: string; isPackaged: boolean; resourcesPath: string }): ShellPaths {
  const outDir = path.resolve(opts.mainDir, '..');
  const assetsDir = opts.isPackaged
    ? path.join(opts.resourcesPath, 'assets')
    : path.resolve(opts.mainDir, '..', '..', 'assets');
  return {
    preload: path.join(outDir, 'preload', 'index.js'),
    rendererHtml: path.join(outDir, 'renderer', 'index.html'),
    assetsDir,
    trayDir: path.join(assetsDir, 'tray'),
    appIcon: path.join(assetsDir, 'icon.png'),
  };
}
