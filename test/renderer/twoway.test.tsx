// @vitest-environment happy-dom
// Two-way pairs: held deletions are reviewed before they run, conflict copies are shown and can
// be dismissed, and the poll interval is part of the pair.
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { op, pair, plan, prepared, profile, state, syncResult } from './fake-api';
import { mountApp, unmountApp } from './setup';

afterEach(unmountApp);

describe('two-way pairs', () => {
  it('held deletions: the card explains, "Review deletions…" plans with allowDeletions and runs that plan', async () => {
    const p = plan([op('delete-remote', 'a.txt', 0, 'deleted locally'), op('delete-local', 'b.txt', 0, 'deleted on S3'), op('upload', 'c.txt')], {
      direction: 'sync',
    });
    const fake = await mountApp(
      {
        profiles: [profile()],
        pairs: [pair({ direction: 'sync' })],
        states: [state({ status: 'pending', held: 'A background sync would delete 120 of 130 files; it was held back.' })],
      },
      { 'pairs:plan': () => prepared(p, { planId: 'held-1' }), 'pairs:run-plan': () => syncResult(p) },
    );
    const card = screen.getByTestId('pair-card');
    expect(card.textContent).toContain('Two-way');
    const held = within(card).getByTestId('pair-held');
    expect(held.textContent).toContain('would delete 120 of 130 files');
    fireEvent.click(within(held).getByRole('button', { name: 'Review deletions…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Changes for Photos' });
    expect(fake.callsTo('pairs:plan')).toEqual([{ id: 'p1', mode: 'sync', allowDeletions: true }]);
    expect(within(dialog).getByTestId('review-deletions')).toBeTruthy();
    const warning = await within(dialog).findByTestId('delete-warning');
    expect(warning.textContent).toContain('1 object will be permanently deleted from S3');
    expect(warning.textContent).toContain('1 local file will be moved to the s3lync trash');
    const run = within(dialog).getByRole('button', { name: 'Sync now' });
    expect(run.className).toContain('button-danger');
    fireEvent.click(run);
    await waitFor(() => expect(fake.callsTo('pairs:run-plan')).toEqual([{ planId: 'held-1' }]));
  });

  it('conflict copies are listed, can be shown in the folder and dismissed', async () => {
    const fake = await mountApp({
      profiles: [profile()],
      pairs: [pair({ direction: 'sync' })],
      states: [state({ status: 'conflict', conflicts: ['notes (conflict ana-laptop 2025-01-02).md'] })],
    });
    const copies = within(screen.getByTestId('pair-card')).getByTestId('conflict-copies');
    expect(copies.textContent).toContain('notes (conflict ana-laptop 2025-01-02).md');
    fireEvent.click(within(copies).getByRole('button', { name: /Show notes \(conflict .*\)\.md in folder/ }));
    await waitFor(() => expect(fake.callsTo('pairs:open-folder')).toEqual([{ id: 'p1', path: 'notes (conflict ana-laptop 2025-01-02).md' }]));
    fireEvent.click(within(copies).getByRole('button', { name: 'Dismiss' }));
    await waitFor(() => expect(fake.callsTo('pairs:dismiss-conflicts')).toEqual([{ id: 'p1' }]));
    act(() => fake.emit('pair:state', state({ status: 'in-sync', conflicts: [] })));
    expect(screen.queryByTestId('conflict-copies')).toBeNull();
  });

  it('a diff with renames and conflicts shows them in their own groups', async () => {
    const p = plan(
      [
        { ...op('move-remote', 'new/name.txt'), from: 'old/name.txt', reason: 'renamed locally' },
        { ...op('conflict', 'doc.md'), reason: 'changed on both sides', conflictPath: 'doc (conflict host 2025).md' },
      ],
      { direction: 'sync' },
    );
    await mountApp({ profiles: [profile()], pairs: [pair({ direction: 'sync' })] }, { 'pairs:plan': () => prepared(p) });
    fireEvent.click(screen.getByRole('button', { name: 'Preview changes' }));
    const dialog = await screen.findByRole('dialog', { name: 'Changes for Photos' });
    await within(dialog).findAllByTestId('op-group');
    expect(within(dialog).getAllByTestId('op-group').map((g) => g.dataset.kind)).toEqual(['move-remote', 'conflict']);
    const rows = within(dialog).getAllByTestId('op-row');
    expect(rows[0].textContent).toContain('old/name.txt');
    expect(rows[0].textContent).toContain('new/name.txt');
    expect(rows[1].textContent).toContain('doc (conflict host 2025).md');
    // Renames and conflicts are not deletions.
    expect(within(dialog).queryByTestId('delete-warning')).toBeNull();
  });

  it('New pair: two-way direction with a poll interval', async () => {
    const fake = await mountApp({ profiles: [profile()] }, { 'pairs:create': (req) => ({ ...req, id: 'n1', createdAt: 1 }) });
    fireEvent.click(screen.getByRole('button', { name: 'New pair' }));
    const dialog = await screen.findByRole('dialog', { name: 'New pair' });
    const q = within(dialog);
    expect(q.queryByRole('spinbutton', { name: /Check S3 for changes/ })).toBeNull(); // push: no polling
    fireEvent.change(q.getByRole('textbox', { name: 'Local folder' }), { target: { value: '/home/ana/Notes' } });
    fireEvent.change(q.getByRole('textbox', { name: 'S3 location' }), { target: { value: 's3://notes-bucket/' } });
    fireEvent.click(q.getByRole('radio', { name: /Two-way/ }));
    fireEvent.change(q.getByRole('spinbutton', { name: /Check S3 for changes/ }), { target: { value: '2' } });
    fireEvent.click(q.getByRole('button', { name: 'Create pair' }));
    expect(await q.findByText(/from 5 to 86400/)).toBeTruthy();
    fireEvent.change(q.getByRole('spinbutton', { name: /Check S3 for changes/ }), { target: { value: '30' } });
    fireEvent.click(q.getByRole('button', { name: 'Create pair' }));
    await waitFor(() =>
      expect(fake.callsTo('pairs:create')).toEqual([
        { localPath: '/home/ana/Notes', remote: 's3://notes-bucket/', direction: 'sync', exclude: [], profileId: 'prof1', enabled: true, pollSeconds: 30 },
      ]),
    );
  });
});
