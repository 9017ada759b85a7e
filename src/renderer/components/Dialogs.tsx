// Renders the open dialogs as a stack: only the top one is interactive.
import { useApp, type Dialog } from '../store';
import { ActivityDialog } from './ActivityDialog';
import { DiffDialog } from './DiffDialog';
import { ForceDialog } from './ForceDialog';
import { PairDialog } from './PairDialog';
import { RemovePairDialog } from './RemovePairDialog';
import { SettingsDialog } from './SettingsDialog';

function One({ dialog, active }: { dialog: Dialog; active: boolean }) {
  const pairId = 'pairId' in dialog ? dialog.pairId : null;
  const pair = useApp((s) => (pairId ? s.pairs.find((p) => p.id === pairId) : undefined));
  switch (dialog.type) {
    case 'new-pair':
    case 'edit-pair':
      return <PairDialog dialog={dialog} pair={pair} active={active} />;
    case 'diff':
      return <DiffDialog dialog={dialog} pair={pair} active={active} />;
    case 'force':
      return <ForceDialog dialog={dialog} pair={pair} active={active} />;
    case 'settings':
      return <SettingsDialog dialog={dialog} active={active} />;
    case 'activity':
      return <ActivityDialog dialog={dialog} active={active} />;
    case 'remove-pair':
      return <RemovePairDialog dialog={dialog} pair={pair} active={active} />;
  }
}

export function Dialogs() {
  const dialogs = useApp((s) => s.dialogs);
  return (
    <>
      {dialogs.map((d, i) => (
        <One key={d.id} dialog={d} active={i === dialogs.length - 1} />
      ))}
    </>
  );
}
