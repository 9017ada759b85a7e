// Mounts the whole renderer against a fake api.
import { act, cleanup, render, screen } from '@testing-library/react';
import { App } from '../../src/renderer/App';
import { initStore } from '../../src/renderer/store';
import type { AppSnapshot } from '../../src/shared/model';
import { createFakeApi, snapshot, type FakeApi, type Handlers } from './fake-api';

let dispose: (() => void) | null = null;

export async function mountApp(snap: Partial<AppSnapshot> = {}, handlers: Handlers = {}): Promise<FakeApi> {
  const fake = createFakeApi(snapshot(snap), handlers);
  await act(async () => {
    dispose = initStore(fake.api);
  });
  render(<App />);
  await screen.findByRole('main');
  return fake;
}

export function unmountApp(): void {
  cleanup();
  dispose?.();
  dispose = null;
}
