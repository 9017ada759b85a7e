// @vitest-environment happy-dom
// The diff view and the force-sync preview: they show main's plan and run exactly it by id.
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { confirmLabel } from '../../src/renderer/components/ForceDialog';
import { PAGE } from '../../src/renderer/components/PlanView';
import type { PreparedPlan } from '../../src/shared/model';
import { op, pair, plan, prepared, profile, state, syncResult } from './fake-api';
import { mountApp, unmountApp } from './setup';

afterEach(unmountApp);

const base = { profiles: [profile()], pairs: [pair()], states: [state({ status: 'pending' })] };

describe('diff view (Preview changes)', () => {
  const p = plan(
    [
      op('upload', '2024/beach.jpg', 2_000_000, 'new file'),
      op('upload', '2024/sunset.jpg', 3_000_000, 'content differs (MD5)'),
      op('upload', 'notes.txt', 120, 'new file'),
      op('download', 'shared/readme.md', 900, 'newer on S3'),
    ],
    {
      skipped: [{ kind: 'symlink', path: 'link-to-home', reason: 'symbolic links are not followed' }],
      notes: ['Equality fell back to size + modification time for 2 files.'],
    },
  );

  it('groups operations by kind with counts, filters by path and kind, and runs the shown plan by id', async () => {
    const fake = await mountApp(base, {
      'pairs:plan': () => prepared(p),
      'pairs:run-plan': () => syncResult(p),
    });
    fireEvent.click(screen.getByRole('button', { name: 'Preview changes' }));
    const dialog = await screen.findByRole('dialog', { name: 'Changes for Photos' });
    expect(fake.callsTo('pairs:plan')).toEqual([{ id: 'p1', mode: 'sync' }]);
    await within(dialog).findAllByTestId('op-group');

    const groups = within(dialog).getAllByTestId('op-group');
    expect(groups.map((g) => g.dataset.kind)).toEqual(['upload', 'download']);
    expect(within(groups[0]).getByTestId('op-group-count').textContent).toBe('3');
    expect(within(groups[0]).getAllByTestId('op-row')).toHaveLength(3);
    const row = within(groups[0]).getAllByTestId('op-row')[1];
    expect(row.textContent).toContain('2024/sunset.jpg');
    expect(row.textContent).toContain('Upload');
    expect(row.textContent).toContain('3.0 MB');
    expect(row.textContent).toContain('content differs (MD5)');

    // Skipped items and notes are shown.
    expect(within(dialog).getByTestId('plan-skipped').textContent).toContain('link-to-home');
    expect(within(dialog).getByTestId('plan-notes').textContent).toContain('Equality fell back');

    // Text filter on the path.
    fireEvent.change(within(dialog).getByRole('searchbox', { name: 'Filter by path' }), { target: { value: '2024/' } });
    await waitFor(() => expect(within(dialog).getAllByTestId('op-row')).toHaveLength(2));
    expect(within(within(dialog).getAllByTestId('op-group')[0]).getByTestId('op-group-count').textContent).toBe('2 of 3');
    fireEvent.change(within(dialog).getByRole('searchbox', { name: 'Filter by path' }), { target: { value: '' } });
    await waitFor(() => expect(within(dialog).getAllByTestId('op-row')).toHaveLength(4));

    // Kind toggles.
    const uploadToggle = within(dialog).getByRole('button', { name: 'Upload (3)' });
    expect(uploadToggle.getAttribute('aria-pressed')).toBe('true');
    fireEvent.click(uploadToggle);
    expect(uploadToggle.getAttribute('aria-pressed')).toBe('false');
    expect(within(dialog).getAllByTestId('op-group').map((g) => g.dataset.kind)).toEqual(['download']);
    fireEvent.click(uploadToggle);

    fireEvent.click(within(dialog).getByRole('button', { name: 'Sync now' }));
    await waitFor(() => expect(fake.callsTo('pairs:run-plan')).toEqual([{ planId: 'plan-123' }]));
    expect(fake.callsTo('pairs:sync')).toHaveLength(0);
    expect(screen.queryByRole('dialog')).toBeNull();
    expect((await screen.findByTestId('toast')).textContent).toContain('3 uploaded, 1 downloaded');
  });

  it('renders a 10,000-operation plan a page at a time with "show more"', async () => {
    const ops = Array.from({ length: 10_000 }, (_, i) => op('upload', `bulk/file-${String(i).padStart(5, '0')}.bin`, 1000));
    await mountApp(base, { 'pairs:plan': () => prepared(plan(ops)) });
    fireEvent.click(screen.getByRole('button', { name: 'Preview changes' }));
    const dialog = await screen.findByRole('dialog', { name: 'Changes for Photos' });
    await within(dialog).findAllByTestId('op-row');
    expect(within(dialog).getAllByTestId('op-row')).toHaveLength(PAGE);
    expect(within(dialog).getByTestId('op-group-count').textContent).toBe((10_000).toLocaleString());
    fireEvent.click(within(dialog).getByRole('button', { name: /^Show .* more$/ }));
    expect(within(dialog).getAllByTestId('op-row').length).toBeGreaterThan(PAGE);
    expect(within(dialog).getAllByTestId('op-row').length).toBeLessThan(10_000);
  });

  it('says so when there is nothing to do, and offers no Sync now', async () => {
    await mountApp(base, { 'pairs:plan': () => prepared(plan([])) });
    fireEvent.click(screen.getByRole('button', { name: 'Preview changes' }));
    const dialog = await screen.findByRole('dialog', { name: 'Changes for Photos' });
    expect((await within(dialog).findByTestId('plan-empty')).textContent).toContain('Nothing to do');
    expect(within(dialog).queryByRole('button', { name: 'Sync now' })).toBeNull();
  });

  it('shows a planning error inside the dialog and can retry', async () => {
    let n = 0;
    await mountApp(base, {
      'pairs:plan': () => {
        if (n++ === 0) throw new Error('Could not list s3://media/photos/: access denied.');
        return prepared(plan([op('upload', 'a.txt')]));
      },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Preview changes' }));
    const dialog = await screen.findByRole('dialog', { name: 'Changes for Photos' });
    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toContain('access denied');
    fireEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await within(dialog).findByTestId('op-row')).toBeTruthy();
  });

  it('takes focus, closes on Escape and gives focus back', async () => {
    await mountApp(base, { 'pairs:plan': () => prepared(plan([op('upload', 'a.txt')])) });
    const opener = screen.getByRole('button', { name: 'Preview changes' });
    opener.focus();
    fireEvent.click(opener);
    const dialog = await screen.findByRole('dialog', { name: 'Changes for Photos' });
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(dialog.contains(document.activeElement)).toBe(true);
    // The rest of the window is inert while the dialog is open.
    expect(document.querySelector('.app')?.hasAttribute('inert')).toBe(true);
    fireEvent.keyDown(document.activeElement ?? dialog, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(opener));
  });
});

describe('force sync preview', () => {
  const mirror = plan(
    [
      op('upload', 'a.jpg', 1000),
      op('upload', 'b.jpg', 2000),
      op('upload', 'c.jpg', 3000),
      op('delete-remote', 'old/x.jpg', 0, 'not in the folder'),
      op('delete-remote', 'old/y.jpg', 0, 'not in the folder'),
    ],
    { mirror: true },
  );
  const forced = (p = mirror): PreparedPlan => prepared(p, { planId: 'force-9', mode: 'force' });

  it('asks for a direction, previews the mirror with deletions highlighted, and confirms with the counts', async () => {
    const fake = await mountApp(base, {
      'pairs:plan': () => forced(),
      'pairs:run-plan': () => syncResult(mirror),
    });
    fireEvent.click(screen.getByRole('button', { name: 'Force sync…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Force sync Photos' });
    fireEvent.click(within(dialog).getByRole('button', { name: /Make S3 match this folder/ }));
    await within(dialog).findAllByTestId('op-group');
    expect(fake.callsTo('pairs:plan')).toEqual([{ id: 'p1', mode: 'force', direction: 'push' }]);

    const deleteGroup = within(dialog)
      .getAllByTestId('op-group')
      .find((g) => g.dataset.kind === 'delete-remote')!;
    expect(deleteGroup.className).toContain('op-group-danger');
    expect(within(deleteGroup).getAllByTestId('op-row').every((r) => r.className.includes('op-row-danger'))).toBe(true);
    expect(within(deleteGroup).getByRole('heading').textContent).toContain('Delete on S3');
    const warning = within(dialog).getByTestId('delete-warning');
    expect(warning.className).toContain('banner-danger');
    expect(warning.textContent).toContain('2 objects will be permanently deleted from S3');

    const confirm = within(dialog).getByRole('button', { name: 'Confirm: upload 3, delete 2' });
    expect(confirm.className).toContain('button-danger');
    fireEvent.click(confirm);
    await waitFor(() => expect(fake.callsTo('pairs:run-plan')).toEqual([{ planId: 'force-9' }]));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('pull direction: local deletions go to the trash, and the guard message is prominent', async () => {
    const pull = plan([op('download', 'n.txt', 10), op('delete-local', 'extra.txt', 0, 'not on S3')], {
      mirror: true,
      direction: 'pull',
      guard: { tripped: true, message: 'This would delete 1 of 1 files (100%); deletions are held until you confirm with a higher limit.' },
    });
    const fake = await mountApp(base, { 'pairs:plan': () => forced(pull) });
    fireEvent.click(screen.getByRole('button', { name: 'Force sync…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Force sync Photos' });
    fireEvent.click(within(dialog).getByRole('button', { name: /Make this folder match S3/ }));
    const guard = await within(dialog).findByTestId('guard');
    expect(fake.callsTo('pairs:plan')).toEqual([{ id: 'p1', mode: 'force', direction: 'pull' }]);
    expect(guard.getAttribute('role')).toBe('alert');
    expect(guard.textContent).toContain('deletions are held');
    expect(within(dialog).getByTestId('delete-warning').textContent).toContain('1 local file will be moved to the s3lync trash');
    expect(within(dialog).getByRole('button', { name: 'Confirm: download 1, delete 1' })).toBeTruthy();
    // Back returns to the choice.
    fireEvent.click(within(dialog).getByRole('button', { name: 'Back' }));
    expect(within(dialog).getByRole('button', { name: /Make S3 match this folder/ })).toBeTruthy();
  });

  it('an empty mirror says "Already identical — nothing to do" and has no Confirm', async () => {
    await mountApp(base, { 'pairs:plan': () => forced(plan([], { mirror: true })) });
    fireEvent.click(screen.getByRole('button', { name: 'Force sync…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Force sync Photos' });
    fireEvent.click(within(dialog).getByRole('button', { name: /Make S3 match this folder/ }));
    expect((await within(dialog).findByTestId('plan-empty')).textContent).toContain('Already identical — nothing to do');
    expect(within(dialog).queryByRole('button', { name: /^Confirm/ })).toBeNull();
  });

  it('confirmLabel lists only what happens', () => {
    expect(confirmLabel(plan([op('upload', 'a'), op('delete-remote', 'b'), op('delete-local', 'c')]))).toBe('Confirm: upload 1, delete 2');
    expect(confirmLabel(plan([op('download', 'a')]))).toBe('Confirm: download 1');
  });

  it('a sync result with failures is reported as a warning', async () => {
    await mountApp(base, {
      'pairs:plan': () => forced(),
      'pairs:run-plan': () =>
        syncResult(mirror, {
          ok: false,
          failed: [{ operation: mirror.operations[0], error: 'SyncError', message: 'a.jpg changed while it was read.' }],
        }),
    });
    fireEvent.click(screen.getByRole('button', { name: 'Force sync…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Force sync Photos' });
    fireEvent.click(within(dialog).getByRole('button', { name: /Make S3 match this folder/ }));
    fireEvent.click(await within(dialog).findByRole('button', { name: /^Confirm/ }));
    const toast = await screen.findByRole('alert');
    expect(toast.textContent).toContain('1 file failed: a.jpg changed while it was read.');
  });
});

describe('events while a dialog is open', () => {
  it('the card keeps following pair:state under the diff view', async () => {
    const fake = await mountApp(base, { 'pairs:plan': () => prepared(plan([op('upload', 'a.txt')])) });
    fireEvent.click(screen.getByRole('button', { name: 'Preview changes' }));
    await screen.findByRole('dialog', { name: 'Changes for Photos' });
    act(() => fake.emit('pair:state', state({ status: 'planning' })));
    expect(screen.getByTestId('state-badge').dataset.status).toBe('planning');
  });
});
