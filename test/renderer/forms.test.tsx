// @vitest-environment happy-dom
// Dropping folders, the New pair / Edit dialog (with the bucket browser) and Settings.
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { DROP_NOT_A_FOLDER, DROP_ONE_AT_A_TIME } from '../../src/renderer/store';
import type { ProfileSummary } from '../../src/shared/model';
import { droppedFile, pair, profile } from './fake-api';
import { mountApp, unmountApp } from './setup';

afterEach(unmountApp);

function drag(type: 'dragEnter' | 'dragOver' | 'dragLeave' | 'drop', files: File[] = []) {
  fireEvent[type](document.body, { dataTransfer: { files, types: ['Files'], dropEffect: 'none' } });
}

describe('drag-pair', () => {
  it('shows a full-window overlay while files are dragged over, and hides it when they leave', async () => {
    await mountApp({ profiles: [profile()] });
    expect(screen.queryByTestId('drop-overlay')).toBeNull();
    drag('dragEnter');
    expect(screen.getByTestId('drop-overlay').textContent).toContain('Drop a folder');
    drag('dragLeave');
    expect(screen.queryByTestId('drop-overlay')).toBeNull();
  });

  it('dropping one folder asks main what it is, then opens New pair with the path', async () => {
    const fake = await mountApp({ profiles: [profile()] }, { 'path:inspect': () => ({ kind: 'folder' }) });
    drag('dragEnter');
    drag('drop', [droppedFile('/home/ana/Projects')]);
    const dialog = await screen.findByRole('dialog', { name: 'New pair' });
    expect(fake.callsTo('path:inspect')).toEqual([{ path: '/home/ana/Projects' }]);
    expect((within(dialog).getByRole('textbox', { name: 'Local folder' }) as HTMLInputElement).value).toBe('/home/ana/Projects');
    expect(screen.queryByTestId('drop-overlay')).toBeNull();
  });

  it('dropping a file explains that only folders can be paired', async () => {
    await mountApp({ profiles: [profile()] }, { 'path:inspect': () => ({ kind: 'file' }) });
    drag('drop', [droppedFile('/home/ana/photo.jpg')]);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain(DROP_NOT_A_FOLDER);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('dropping several items asks for one folder at a time (without asking main)', async () => {
    const fake = await mountApp({ profiles: [profile()] }, { 'path:inspect': () => ({ kind: 'folder' }) });
    drag('drop', [droppedFile('/a'), droppedFile('/b')]);
    expect((await screen.findByRole('alert')).textContent).toContain(DROP_ONE_AT_A_TIME);
    expect(fake.callsTo('path:inspect')).toHaveLength(0);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('a folder dropped while New pair is open fills its folder field', async () => {
    await mountApp({ profiles: [profile()] }, { 'path:inspect': () => ({ kind: 'folder' }) });
    fireEvent.click(screen.getByRole('button', { name: 'New pair' }));
    const dialog = await screen.findByRole('dialog', { name: 'New pair' });
    drag('drop', [droppedFile('/srv/data')]);
    await waitFor(() => expect((within(dialog).getByRole('textbox', { name: 'Local folder' }) as HTMLInputElement).value).toBe('/srv/data'));
    expect(screen.getAllByRole('dialog')).toHaveLength(1);
  });
});

describe('New pair', () => {
  it('validates the S3 URI and the excludes, then creates the pair with exactly the input', async () => {
    const fake = await mountApp(
      { profiles: [profile(), profile({ id: 'prof2', name: 'AWS work', kind: 'aws-profile', awsProfile: 'work', endpoint: null })] },
      { 'pairs:create': (req) => ({ ...req, id: 'new1', createdAt: 1 }) },
    );
    fireEvent.click(screen.getByRole('button', { name: 'New pair' }));
    const dialog = await screen.findByRole('dialog', { name: 'New pair' });
    const q = within(dialog);
    fireEvent.change(q.getByRole('textbox', { name: 'Local folder' }), { target: { value: '/home/ana/Code' } });
    fireEvent.change(q.getByRole('textbox', { name: 'S3 location' }), { target: { value: 'bucket/code' } });
    fireEvent.change(q.getByRole('textbox', { name: /Exclude/ }), { target: { value: '\\.tmp$\n(unclosed' } });
    fireEvent.click(q.getByRole('button', { name: 'Create pair' }));
    expect(await q.findByText(/must start with s3:\/\//)).toBeTruthy();
    expect(q.getByText(/Pattern 2 \(\(unclosed\) is not a valid regular expression/)).toBeTruthy();
    expect(q.getByRole('textbox', { name: 'S3 location' }).getAttribute('aria-invalid')).toBe('true');
    expect(fake.callsTo('pairs:create')).toHaveLength(0);

    fireEvent.change(q.getByRole('textbox', { name: 'S3 location' }), { target: { value: 's3://' } });
    fireEvent.click(q.getByRole('button', { name: 'Create pair' }));
    expect(await q.findByText(/Add a bucket name/)).toBeTruthy();

    fireEvent.change(q.getByRole('textbox', { name: 'S3 location' }), { target: { value: 's3://code-backup/ana/' } });
    fireEvent.change(q.getByRole('textbox', { name: /Exclude/ }), { target: { value: '\\.tmp$\n\n^node_modules/\n' } });
    fireEvent.click(q.getByRole('radio', { name: /Pull — download/ }));
    fireEvent.change(q.getByRole('combobox', { name: 'Connection profile' }), { target: { value: 'prof2' } });
    fireEvent.click(q.getByRole('button', { name: 'Create pair' }));
    await waitFor(() =>
      expect(fake.callsTo('pairs:create')).toEqual([
        {
          localPath: '/home/ana/Code',
          remote: 's3://code-backup/ana/',
          direction: 'pull',
          exclude: ['\\.tmp$', '^node_modules/'],
          profileId: 'prof2',
          enabled: true,
        },
      ]),
    );
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(screen.getByTestId('pair-card').dataset.pairId).toBe('new1');
  });

  it('shows a refusal from main inline and keeps the form', async () => {
    await mountApp(
      { profiles: [profile()] },
      {
        'pairs:create': () => {
          throw new Error('/home/ana/Code is already paired with s3://xyz/.');
        },
      },
    );
    fireEvent.click(screen.getByRole('button', { name: 'New pair' }));
    const dialog = await screen.findByRole('dialog', { name: 'New pair' });
    const q = within(dialog);
    fireEvent.change(q.getByRole('textbox', { name: 'Local folder' }), { target: { value: '/home/ana/Code' } });
    fireEvent.change(q.getByRole('textbox', { name: 'S3 location' }), { target: { value: 's3://xyz/code/' } });
    fireEvent.click(q.getByRole('button', { name: 'Create pair' }));
    const alert = await q.findByRole('alert');
    expect(alert.textContent).toContain('is already paired with s3://xyz/.');
    expect((q.getByRole('textbox', { name: 'S3 location' }) as HTMLInputElement).value).toBe('s3://xyz/code/');
  });

  it('browses buckets and prefixes with the selected profile and uses the chosen prefix', async () => {
    const fake = await mountApp(
      { profiles: [profile()] },
      {
        'browse:list': ({ bucket, prefix }) => {
          if (bucket === null) return { bucket: null, prefix: '', entries: [{ name: 'media', kind: 'bucket' }, { name: 'logs', kind: 'bucket' }], truncated: false };
          if (bucket === 'logs') throw new Error('Access denied listing s3://logs/.');
          if (prefix === '') return { bucket, prefix, entries: [{ name: 'photos/', kind: 'prefix' }, { name: 'top.txt', kind: 'object', size: 5 }], truncated: false };
          return { bucket, prefix, entries: [{ name: 'photos/2024/', kind: 'prefix' }], truncated: false };
        },
      },
    );
    fireEvent.click(screen.getByRole('button', { name: 'New pair' }));
    const dialog = await screen.findByRole('dialog', { name: 'New pair' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Browse…' }));
    const browser = within(dialog).getByTestId('bucket-browser');
    const b = within(browser);
    expect((b.getByRole('button', { name: 'Use this prefix' }) as HTMLButtonElement).disabled).toBe(true);

    fireEvent.click(await b.findByRole('button', { name: 'logs' }));
    expect((await b.findByRole('alert')).textContent).toContain('Access denied listing s3://logs/.');
    fireEvent.click(b.getByRole('button', { name: 'All buckets' }));
    fireEvent.click(await b.findByRole('button', { name: 'media' }));
    fireEvent.click(await b.findByRole('button', { name: 'photos/' }));
    // Full prefixes from main are shown relative to where we are.
    fireEvent.click(await b.findByRole('button', { name: '2024/' }));
    await waitFor(() => expect(fake.callsTo('browse:list').at(-1)).toEqual({ profileId: 'prof1', bucket: 'media', prefix: 'photos/2024/' }));
    expect(b.getByRole('navigation', { name: 'S3 location' }).textContent).toContain('photos');
    fireEvent.click(b.getByRole('button', { name: 'Use this prefix' }));
    expect((within(dialog).getByRole('textbox', { name: 'S3 location' }) as HTMLInputElement).value).toBe('s3://media/photos/2024/');
    expect(within(dialog).queryByTestId('bucket-browser')).toBeNull();
  });

  it('Edit sends only what changed through pairs:update', async () => {
    const fake = await mountApp(
      { profiles: [profile()], pairs: [pair({ exclude: ['\\.tmp$'] })] },
      { 'pairs:update': ({ patch }) => ({ ...pair(), ...patch }) },
    );
    fireEvent.click(screen.getByRole('button', { name: 'Edit pair' }));
    const dialog = await screen.findByRole('dialog', { name: /^Edit pair/ });
    const q = within(dialog);
    expect((q.getByRole('textbox', { name: /Exclude/ }) as HTMLTextAreaElement).value).toBe('\\.tmp$');
    expect((q.getByRole('radio', { name: /Push — upload/ }) as HTMLInputElement).checked).toBe(true);
    fireEvent.click(q.getByRole('radio', { name: /Pull — download/ }));
    fireEvent.click(q.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(fake.callsTo('pairs:update')).toEqual([{ id: 'p1', patch: { direction: 'pull' } }]));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(screen.getByTestId('pair-card').textContent).toContain('Pull');
  });

  it('"Add profile…" opens Settings on top; the saved profile is selected back in New pair', async () => {
    const saved: ProfileSummary = profile({ id: 'prof-new', name: 'Fresh', kind: 'aws-profile', awsProfile: 'default', accessKeyHint: null, hasSecret: false });
    const fake = await mountApp(
      { profiles: [profile()] },
      { 'profiles:aws-names': () => ['default', 'work'], 'profiles:save': () => saved },
    );
    fireEvent.click(screen.getByRole('button', { name: 'New pair' }));
    const pairDialog = await screen.findByRole('dialog', { name: 'New pair' });
    fireEvent.click(within(pairDialog).getByRole('button', { name: 'Add profile…' }));
    const settings = await screen.findByRole('dialog', { name: 'Settings' });
    const form = within(settings).getByTestId('profile-form');
    fireEvent.change(within(form).getByRole('textbox', { name: 'Name' }), { target: { value: 'Fresh' } });
    await within(form).findByRole('option', { name: 'work' });
    fireEvent.click(within(form).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(screen.getAllByRole('dialog')).toHaveLength(1));
    expect(fake.callsTo('profiles:save')[0]).toMatchObject({ name: 'Fresh', kind: 'aws-profile', awsProfile: 'default', secretAccessKey: null });
    act(() => fake.emit('profiles:changed', [profile(), saved]));
    expect((within(pairDialog).getByRole('combobox', { name: 'Connection profile' }) as HTMLSelectElement).value).toBe('prof-new');
  });
});

describe('Settings', () => {
  const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

  it('never renders a secret: the stored one stays hidden, a typed one goes to main once and is gone', async () => {
    const fake = await mountApp(
      { profiles: [profile()] },
      {
        'profiles:aws-names': () => [],
        'profiles:save': (req) => profile({ id: req.id ?? 'prof9', name: req.name, accessKeyHint: 'AKIA…MPLE', hasSecret: true }),
      },
    );
    fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
    const dialog = await screen.findByRole('dialog', { name: 'Settings' });
    const row = within(dialog).getByTestId('profile-row');
    expect(row.textContent).toContain('AKIA…WXYZ');

    fireEvent.click(within(row).getByRole('button', { name: 'Edit' }));
    const form = within(dialog).getByTestId('profile-form');
    const secret = form.querySelector('input[type="password"]') as HTMLInputElement;
    expect(secret).not.toBeNull();
    expect(secret.value).toBe('');
    expect(secret.placeholder).toContain('leave empty to keep');
    expect(within(form).getByLabelText('Secret access key')).toBe(secret);

    // Keep the stored secret: the key id must be re-entered, the secret is sent as null.
    fireEvent.change(within(form).getByRole('textbox', { name: 'Access key ID' }), { target: { value: 'AKIAEXAMPLEWXYZ' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(fake.callsTo('profiles:save')).toHaveLength(1));
    expect(fake.callsTo('profiles:save')[0]).toMatchObject({ id: 'prof1', accessKeyId: 'AKIAEXAMPLEWXYZ', secretAccessKey: null });

    // A new profile with a secret: sent once, then not in the DOM.
    fireEvent.click(await within(dialog).findByRole('button', { name: 'Add profile' }));
    const form2 = within(dialog).getByTestId('profile-form');
    fireEvent.change(within(form2).getByRole('textbox', { name: 'Name' }), { target: { value: 'Ceph' } });
    fireEvent.click(within(form2).getByRole('radio', { name: 'Access key' }));
    fireEvent.change(within(form2).getByRole('textbox', { name: 'Access key ID' }), { target: { value: 'AKIAEXAMPLE' } });
    fireEvent.change(within(form2).getByLabelText('Secret access key'), { target: { value: SECRET } });
    fireEvent.change(within(form2).getByRole('textbox', { name: /Endpoint URL/ }), { target: { value: 'https://ceph.local:7480' } });
    fireEvent.click(within(form2).getByRole('checkbox', { name: /path-style/ }));
    fireEvent.click(within(form2).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(fake.callsTo('profiles:save')).toHaveLength(2));
    expect(fake.callsTo('profiles:save')[1]).toEqual({
      name: 'Ceph',
      kind: 'access-key',
      awsProfile: null,
      accessKeyId: 'AKIAEXAMPLE',
      secretAccessKey: SECRET,
      endpoint: 'https://ceph.local:7480',
      region: null,
      pathStyle: true,
    });
    await waitFor(() => expect(within(dialog).queryByTestId('profile-form')).toBeNull());
    expect(document.body.innerHTML).not.toContain(SECRET);
    for (const input of Array.from(document.querySelectorAll('input'))) expect(input.value).not.toContain(SECRET);
  });

  it('validates the endpoint URL and requires a secret for a new access key', async () => {
    const fake = await mountApp({}, { 'profiles:aws-names': () => [] });
    fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
    const dialog = await screen.findByRole('dialog', { name: 'Settings' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add profile' }));
    const form = within(dialog).getByTestId('profile-form');
    fireEvent.change(within(form).getByRole('textbox', { name: 'Name' }), { target: { value: 'X' } });
    fireEvent.click(within(form).getByRole('radio', { name: 'Access key' }));
    fireEvent.change(within(form).getByRole('textbox', { name: 'Access key ID' }), { target: { value: 'AK' } });
    fireEvent.change(within(form).getByRole('textbox', { name: /Endpoint URL/ }), { target: { value: 'minio:9000' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save' }));
    expect(await within(form).findByText('Enter the secret access key.')).toBeTruthy();
    expect(within(form).getByText(/must start with https:\/\/ or http:\/\/|Enter the endpoint as a full URL/)).toBeTruthy();
    expect(fake.callsTo('profiles:save')).toHaveLength(0);
  });

  it('Test connection shows main’s answer in green or red', async () => {
    let ok = true;
    await mountApp(
      { profiles: [profile()] },
      { 'profiles:test': () => (ok ? { ok: true, message: 'Connected to http://127.0.0.1:9000: 3 buckets visible.' } : { ok: false, message: 'The endpoint did not answer.' }) },
    );
    fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
    const dialog = await screen.findByRole('dialog', { name: 'Settings' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Test connection' }));
    let result = await within(dialog).findByTestId('test-result');
    expect(result.textContent).toContain('3 buckets visible');
    expect(result.className).toContain('result-ok');
    ok = false;
    fireEvent.click(within(dialog).getByRole('button', { name: 'Test connection' }));
    await waitFor(() => expect(within(dialog).getByTestId('test-result').className).toContain('result-bad'));
    result = within(dialog).getByTestId('test-result');
    expect(result.textContent).toContain('The endpoint did not answer.');
  });

  it('General: saves only the changed settings', async () => {
    const fake = await mountApp({}, { 'settings:update': (patch) => ({ concurrency: 16, launchAtLogin: false, theme: 'system', backgroundIntervalMinutes: 5, ...patch }) });
    fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
    const dialog = await screen.findByRole('dialog', { name: 'Settings' });
    fireEvent.click(within(dialog).getByRole('tab', { name: 'General' }));
    fireEvent.change(within(dialog).getByRole('spinbutton', { name: 'Files transferred at once' }), { target: { value: '4' } });
    fireEvent.click(within(dialog).getByRole('radio', { name: 'Dark' }));
    fireEvent.click(within(dialog).getByRole('checkbox', { name: /Launch s3lync/ }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(fake.callsTo('settings:update')).toEqual([{ concurrency: 4, theme: 'dark', launchAtLogin: true }]));
    expect(await within(dialog).findByText('Settings saved.')).toBeTruthy();
    expect(document.documentElement.dataset.theme).toBe('dark');
  });
});

describe('Activity', () => {
  it('lists entries newest first with level and pair, and clears', async () => {
    const now = Date.now();
    const fake = await mountApp({
      profiles: [profile()],
      pairs: [pair()],
      activity: [
        { id: 1, at: now - 60_000, pairId: 'p1', level: 'info', message: 'Synced: 3 uploaded.' },
        { id: 2, at: now - 30_000, pairId: 'p1', level: 'error', message: 'Could not reach S3.' },
      ],
    });
    act(() => fake.emit('activity:added', { id: 3, at: now, pairId: null, level: 'warning', message: 'Background sync skipped.' }));
    fireEvent.click(screen.getByRole('button', { name: /^Activity/ }));
    const dialog = await screen.findByRole('dialog', { name: 'Activity' });
    const entries = within(dialog).getAllByTestId('activity-entry');
    expect(entries.map((e) => e.dataset.level)).toEqual(['warning', 'error', 'info']);
    expect(entries[1].textContent).toContain('Error');
    expect(entries[1].textContent).toContain('Photos');
    expect(entries[1].textContent).toContain('Could not reach S3.');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Clear' }));
    await waitFor(() => expect(within(dialog).queryAllByTestId('activity-entry')).toHaveLength(0));
    expect(fake.callsTo('activity:clear')).toHaveLength(1);
  });
});
