// @vitest-environment happy-dom
// The main window: empty state, the pairs list driven by the snapshot and events, header
// actions and errors from main.
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { initStore, useApp } from '../../src/renderer/store';
import { createFakeApi, pair, profile, snapshot, state } from './fake-api';
import { mountApp, unmountApp } from './setup';

afterEach(unmountApp);

describe('empty state', () => {
  it('guides to add a connection profile first when there is none', async () => {
    await mountApp({ profiles: [] });
    const empty = screen.getByTestId('empty-state');
    expect(empty.textContent).toContain('Drop a folder here to pair it with S3, or Choose folder…');
    expect(within(empty).getByText('Add a connection profile')).toBeTruthy();
    fireEvent.click(within(empty).getByRole('button', { name: /Set up a connection/ }));
    const dialog = await screen.findByRole('dialog', { name: 'Settings' });
    // Opens straight on the new-profile form.
    expect(within(dialog).getByRole('textbox', { name: 'Name' })).toBeTruthy();
  });

  it('with a profile: explains dropping a folder, and Choose folder… opens New pair with it', async () => {
    const fake = await mountApp({ profiles: [profile()] }, { 'dialog:choose-folder': () => '/home/ana/Music' });
    const empty = screen.getByTestId('empty-state');
    expect(empty.textContent).toContain('Drop a folder here to pair it with S3');
    fireEvent.click(within(empty).getByRole('button', { name: 'Choose folder…' }));
    const dialog = await screen.findByRole('dialog', { name: 'New pair' });
    expect(fake.callsTo('dialog:choose-folder')).toHaveLength(1);
    expect((within(dialog).getByRole('textbox', { name: 'Local folder' }) as HTMLInputElement).value).toBe('/home/ana/Music');
  });

  it('New pair without any profile says a profile is needed and cannot create', async () => {
    await mountApp({ profiles: [] });
    fireEvent.click(screen.getByRole('button', { name: 'New pair' }));
    const dialog = await screen.findByRole('dialog', { name: 'New pair' });
    expect(within(dialog).getByTestId('needs-profile').textContent).toContain('needs a connection profile');
    expect((within(dialog).getByRole('button', { name: 'Create pair' }) as HTMLButtonElement).disabled).toBe(true);
  });
});

describe('pairs list', () => {
  it('shows each pair from the snapshot with its path, URI, direction and state', async () => {
    await mountApp({
      profiles: [profile()],
      pairs: [pair(), pair({ id: 'p2', localPath: '/home/ana/Docs', remote: 's3://work/docs/', direction: 'pull' })],
      states: [
        state({ status: 'in-sync', lastSyncAt: Date.now() - 120_000 }),
        state({ pairId: 'p2', status: 'error', error: 'The bucket "work" does not exist.' }),
      ],
    });
    const cards = screen.getAllByTestId('pair-card');
    expect(cards.map((c) => c.dataset.pairId)).toEqual(['p1', 'p2']);
    const [first, second] = cards;
    expect(within(first).getByTestId('pair-local').textContent).toBe('/home/ana/Photos');
    expect(within(first).getByTestId('pair-remote').textContent).toBe('s3://media/photos/');
    expect(first.textContent).toContain('Push');
    expect(within(first).getByTestId('state-badge').textContent).toBe('In sync');
    expect(first.textContent).toContain('2 min ago');
    expect(within(second).getByTestId('state-badge').textContent).toBe('Error');
    expect(second.textContent).toContain('Pull');
    expect(within(second).getByRole('alert').textContent).toBe('The bucket "work" does not exist.');
    expect(screen.getByTestId('overall-status').textContent).toContain('1 pair needs attention');
  });

  it('follows pair:state events: pending counts, then a progress bar with its values, then in sync', async () => {
    const fake = await mountApp({ profiles: [profile()], pairs: [pair()], states: [state()] });
    const card = () => screen.getByTestId('pair-card');
    expect(within(card()).getByTestId('state-badge').textContent).toBe('Not synced yet');

    act(() => fake.emit('pair:state', state({ status: 'pending', pending: { upload: 3, download: 0, delete: 2, conflicts: 1 } })));
    expect(within(card()).getByTestId('state-badge').dataset.status).toBe('pending');
    const pending = within(card()).getByTestId('pending-counts');
    expect(pending.textContent).toContain('3 to upload');
    expect(pending.textContent).toContain('2 to delete');
    expect(pending.textContent).toContain('1 conflict');
    expect(pending.textContent).not.toContain('to download');

    act(() =>
      fake.emit(
        'pair:state',
        state({
          status: 'syncing',
          progress: { filesDone: 2, filesTotal: 8, bytesDone: 2_500_000, bytesTotal: 10_000_000, rate: 1_250_000, etaSeconds: 6, current: ['a/b.jpg', 'c.png'] },
        }),
      ),
    );
    const bar = within(card()).getByRole('progressbar');
    expect(bar.getAttribute('aria-valuenow')).toBe('25');
    expect(bar.getAttribute('aria-valuemin')).toBe('0');
    expect(bar.getAttribute('aria-valuemax')).toBe('100');
    const progress = within(card()).getByTestId('progress');
    expect(progress.textContent).toContain('2.5 MB of 10.0 MB');
    expect(progress.textContent).toContain('1.3 MB/s');
    expect(progress.textContent).toContain('about 6 s left');
    expect(progress.textContent).toContain('a/b.jpg');
    // While syncing: Cancel instead of Sync now.
    fireEvent.click(within(card()).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(fake.callsTo('pairs:cancel')).toEqual([{ id: 'p1' }]));

    act(() => fake.emit('pair:state', state({ status: 'in-sync', lastSyncAt: Date.now(), lastSummary: '8 uploaded' })));
    expect(within(card()).queryByRole('progressbar')).toBeNull();
    expect(within(card()).getByTestId('state-badge').textContent).toBe('In sync');
    expect(card().textContent).toContain('8 uploaded');
  });

  it('follows pairs:changed, profiles:changed and app:paused', async () => {
    const fake = await mountApp({ profiles: [profile()], pairs: [pair()] });
    act(() => fake.emit('pairs:changed', [pair(), pair({ id: 'p9', localPath: '/srv/backup', remote: 's3://b/k/' })]));
    expect(screen.getAllByTestId('pair-card')).toHaveLength(2);
    act(() => fake.emit('pairs:changed', []));
    expect(screen.queryByTestId('pair-card')).toBeNull();
    expect(screen.getByTestId('empty-state')).toBeTruthy();

    act(() => fake.emit('pairs:changed', [pair()]));
    expect(screen.getByRole('button', { name: 'Pause all' })).toBeTruthy();
    act(() => fake.emit('app:paused', true));
    fireEvent.click(screen.getByRole('button', { name: 'Resume all' }));
    await waitFor(() => expect(fake.callsTo('sync:pause-all')).toEqual([{ paused: false }]));
  });

  it('replays events that arrive before the snapshot on top of it', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const fake = createFakeApi(snapshot(), {
      'app:get-state': async () => {
        await gate;
        return snapshot({ profiles: [profile()], pairs: [pair()], states: [state({ status: 'idle' })] });
      },
    });
    const dispose = initStore(fake.api);
    fake.emit('pair:state', state({ status: 'syncing' }));
    expect(useApp.getState().loaded).toBe(false);
    await act(async () => {
      release();
      await gate;
    });
    await waitFor(() => expect(useApp.getState().loaded).toBe(true));
    expect(useApp.getState().states.p1.status).toBe('syncing');
    dispose();
    expect(fake.listenerCount()).toBe(0);
  });

  it('per-pair actions call main with the pair id', async () => {
    const fake = await mountApp({ profiles: [profile()], pairs: [pair()] });
    const card = screen.getByTestId('pair-card');
    fireEvent.click(within(card).getByRole('button', { name: 'Open folder' }));
    fireEvent.click(within(card).getByRole('button', { name: 'Pause' }));
    await waitFor(() => expect(fake.callsTo('pairs:set-enabled')).toEqual([{ id: 'p1', enabled: false }]));
    expect(fake.callsTo('pairs:open-folder')).toEqual([{ id: 'p1' }]);
    expect(within(card).getByRole('button', { name: 'Resume' })).toBeTruthy();

    fireEvent.click(within(card).getByRole('button', { name: 'Remove pair' }));
    const confirm = await screen.findByRole('dialog', { name: 'Remove Photos?' });
    fireEvent.click(within(confirm).getByRole('button', { name: 'Remove pair' }));
    await waitFor(() => expect(fake.callsTo('pairs:remove')).toEqual([{ id: 'p1' }]));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });
});

describe('errors from main', () => {
  it('shows the sentence in an alert, without the Electron prefix or a stack', async () => {
    await mountApp(
      { profiles: [profile()], pairs: [pair()] },
      {
        'pairs:sync': () => {
          const err = new Error(
            "Error invoking remote method 's3lync:invoke:pairs:sync': S3ObjectError: The bucket \"media\" does not exist on http://127.0.0.1:9000.\n    at Engine.run (/app/out/main/index.js:10:5)",
          );
          throw err;
        },
      },
    );
    fireEvent.click(screen.getByRole('button', { name: 'Sync now' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The bucket "media" does not exist on http://127.0.0.1:9000.');
    expect(alert.textContent).not.toContain('Error invoking remote method');
    expect(alert.textContent).not.toContain('S3ObjectError');
    expect(alert.textContent).not.toContain('index.js');
    // The alert lives in the polite live region.
    expect(alert.closest('[aria-live="polite"]')).not.toBeNull();
    fireEvent.click(within(alert).getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('shows a failed snapshot load with a way to try again', async () => {
    let fail = true;
    await mountApp(
      {},
      {
        'app:get-state': () => {
          if (fail) throw new Error('The data folder is not readable.');
          return snapshot({ profiles: [profile()], pairs: [pair()] });
        },
      },
    );
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The data folder is not readable.');
    fail = false;
    fireEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByTestId('pair-card')).toBeTruthy();
  });
});

describe('theme', () => {
  it('puts settings.theme on <html> and follows settings:changed', async () => {
    const fake = await mountApp({ settings: { concurrency: 4, launchAtLogin: false, theme: 'dark', backgroundIntervalMinutes: 5 } });
    expect(document.documentElement.dataset.theme).toBe('dark');
    act(() => fake.emit('settings:changed', { concurrency: 4, launchAtLogin: false, theme: 'light', backgroundIntervalMinutes: 5 }));
    expect(document.documentElement.dataset.theme).toBe('light');
  });
});
