// The sandboxed preload: exposes window.s3lync (exactly the contract's channels) and nothing
// else. ipcRenderer itself never crosses into the page, and listeners get payloads, not events.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { createApi, type Transport } from './bridge';

const transport: Transport = {
  invoke: (wire, payload) => ipcRenderer.invoke(wire, payload),
  on(wire, listener) {
    const handler = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(wire, handler);
    return () => {
      ipcRenderer.removeListener(wire, handler);
    };
  },
};

contextBridge.exposeInMainWorld(
  's3lync',
  createApi(transport, (file) => webUtils.getPathForFile(file)),
);
