// Settings: connection profiles (add, edit, test, remove) and general preferences.
import { useId, useState } from 'react';
import type { ActionResult, ProfileSummary, Settings } from '../../shared/model';
import { errorMessage } from '../api';
import { closeDialog, removeProfile, testProfile, updateSettings, useApp, type Dialog, type SettingsTab } from '../store';
import { Banner, Field, useFieldWiring } from './common';
import { IconPlus, IconPlug } from './Icons';
import { Modal } from './Modal';
import { ProfileForm } from './ProfileForm';

function profileDetail(p: ProfileSummary): string {
  const who = p.kind === 'aws-profile' ? `AWS profile “${p.awsProfile ?? '?'}”` : `Access key ${p.accessKeyHint ?? ''}`.trim();
  const where = p.endpoint ?? 'AWS S3';
  return [who, where, p.region, p.pathStyle ? 'path-style' : null].filter(Boolean).join(' · ');
}

function ProfileRow({ profile, onEdit }: { profile: ProfileSummary; onEdit: () => void }) {
  const usedBy = useApp((s) => s.pairs.filter((p) => p.profileId === profile.id).length);
  const [test, setTest] = useState<ActionResult | null>(null);
  const [testing, setTesting] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const runTest = async () => {
    setTesting(true);
    setTest(null);
    try {
      setTest(await testProfile(profile.id));
    } catch (err) {
      setTest({ ok: false, message: errorMessage(err) });
    } finally {
      setTesting(false);
    }
  };

  const remove = async () => {
    setError(null);
    try {
      await removeProfile(profile.id);
    } catch (err) {
      setError(errorMessage(err));
      setConfirming(false);
    }
  };

  return (
    <li className="profile-row" data-testid="profile-row" data-profile-id={profile.id}>
      <div className="profile-main">
        <div className="profile-name">{profile.name}</div>
        <div className="profile-detail" title={profileDetail(profile)}>
          {profileDetail(profile)}
        </div>
        <div className="profile-usage muted">{usedBy === 0 ? 'Not used by any pair' : usedBy === 1 ? 'Used by 1 pair' : `Used by ${usedBy} pairs`}</div>
      </div>
      <div className="profile-actions">
        {confirming ? (
          <>
            <span className="confirm-text">Remove “{profile.name}”?</span>
            <button type="button" className="button button-small" onClick={() => setConfirming(false)}>
              Keep
            </button>
            <button type="button" className="button button-small button-danger" onClick={() => void remove()}>
              Remove profile
            </button>
          </>
        ) : (
          <>
            <button type="button" className="button button-small" onClick={() => void runTest()} disabled={testing}>
              <IconPlug />
              {testing ? 'Testing…' : 'Test connection'}
            </button>
            <button type="button" className="button button-small" onClick={onEdit}>
              Edit
            </button>
            <button type="button" className="button button-small button-quiet-danger" onClick={() => setConfirming(true)}>
              Remove
            </button>
          </>
        )}
      </div>
      {(test || error) && (
        <div className="profile-result">
          {test && (
            <p className={`result ${test.ok ? 'result-ok' : 'result-bad'}`} role="status" data-testid="test-result" data-ok={test.ok}>
              <span aria-hidden="true">{test.ok ? '✓ ' : '✕ '}</span>
              <span className="sr-only">{test.ok ? 'Success: ' : 'Failed: '}</span>
              {test.message}
            </p>
          )}
          {error && (
            <p className="result result-bad" role="alert">
              {error}
            </p>
          )}
        </div>
      )}
      {confirming && usedBy > 0 && (
        <p className="hint profile-result">
          {usedBy === 1 ? '1 pair uses' : `${usedBy} pairs use`} this profile; they can&rsquo;t sync until you choose another profile for them.
        </p>
      )}
    </li>
  );
}

function Connections({ startWithNew, onSavedNew }: { startWithNew: boolean; onSavedNew: () => void }) {
  const profiles = useApp((s) => s.profiles);
  const [editing, setEditing] = useState<'new' | string | null>(startWithNew ? 'new' : null);
  const [saved, setSaved] = useState<string | null>(null);

  if (editing) {
    const profile = editing === 'new' ? null : (profiles.find((p) => p.id === editing) ?? null);
    return (
      <ProfileForm
        key={editing}
        profile={profile}
        onCancel={() => setEditing(null)}
        onDone={(p) => {
          setEditing(null);
          setSaved(`Saved “${p.name}”.`);
          if (editing === 'new') onSavedNew();
        }}
      />
    );
  }

  return (
    <div className="connections">
      <div className="subsection-head">
        <div>
          <h3 className="subsection-title">Connection profiles</h3>
          <p className="hint">How s3lync reaches your storage. Secrets stay encrypted on this computer.</p>
        </div>
        <button type="button" className="button button-primary" onClick={() => setEditing('new')} data-autofocus>
          <IconPlus />
          Add profile
        </button>
      </div>
      {saved && (
        <Banner tone="success" role="status">
          {saved}
        </Banner>
      )}
      {profiles.length === 0 ? (
        <p className="muted empty-small">No connection profiles yet. Add one to start pairing folders.</p>
      ) : (
        <ul className="profile-list" aria-label="Connection profiles">
          {profiles.map((p) => (
            <ProfileRow
              key={p.id}
              profile={p}
              onEdit={() => {
                setSaved(null);
                setEditing(p.id);
              }}
            />
          ))}
        </ul>
      )}
    </div>
  );
}

function General({ settings }: { settings: Settings }) {
  const [concurrency, setConcurrency] = useState(String(settings.concurrency));
  const [launchAtLogin, setLaunchAtLogin] = useState(settings.launchAtLogin);
  const [theme, setTheme] = useState<Settings['theme']>(settings.theme);
  const [interval, setIntervalText] = useState(String(settings.backgroundIntervalMinutes));
  const [errors, setErrors] = useState<{ concurrency?: string; interval?: string }>({});
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [saving, setSaving] = useState(false);
  const { fid, aria } = useFieldWiring<keyof typeof errors>(errors);

  const submit = async () => {
    const next: typeof errors = {};
    const c = Number(concurrency);
    if (!Number.isInteger(c) || c < 1 || c > 128) next.concurrency = 'Use a whole number from 1 to 128.';
    const m = Number(interval);
    if (interval.trim() === '' || !Number.isInteger(m) || m < 0 || m > 1440) next.interval = 'Use a whole number of minutes from 0 (off) to 1440.';
    setErrors(next);
    setMessage(null);
    if (Object.keys(next).length) return;
    const patch: Partial<Settings> = {};
    if (c !== settings.concurrency) patch.concurrency = c;
    if (launchAtLogin !== settings.launchAtLogin) patch.launchAtLogin = launchAtLogin;
    if (theme !== settings.theme) patch.theme = theme;
    if (m !== settings.backgroundIntervalMinutes) patch.backgroundIntervalMinutes = m;
    if (Object.keys(patch).length === 0) {
      setMessage({ ok: true, text: 'Nothing to save — no changes.' });
      return;
    }
    setSaving(true);
    try {
      await updateSettings(patch);
      setMessage({ ok: true, text: 'Settings saved.' });
    } catch (err) {
      setMessage({ ok: false, text: errorMessage(err) });
    } finally {
      setSaving(false);
    }
  };

  return (
    <form
      className="general"
      noValidate
      aria-label="General settings"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <div className="field-grid">
        <Field id={fid} name="concurrency" label="Files transferred at once" error={errors.concurrency} hint="Per sync. Lower it on slow or metered connections.">
          <input
            id={fid('concurrency')}
            className="input input-narrow"
            type="number"
            min={1}
            max={128}
            value={concurrency}
            onChange={(e) => setConcurrency(e.target.value)}
            {...aria('concurrency', true)}
            data-autofocus
          />
        </Field>
        <Field
          id={fid}
          name="interval"
          label="Background sync every (minutes)"
          error={errors.interval}
          hint="0 turns background syncing off; enabled pairs then sync only when you ask."
        >
          <input
            id={fid('interval')}
            className="input input-narrow"
            type="number"
            min={0}
            max={1440}
            value={interval}
            onChange={(e) => setIntervalText(e.target.value)}
            {...aria('interval', true)}
          />
        </Field>
      </div>
      <fieldset className="field">
        <legend className="field-label">Appearance</legend>
        <div className="segmented">
          {(['system', 'light', 'dark'] as const).map((t) => (
            <label key={t} className={theme === t ? 'checked' : undefined}>
              <input type="radio" name={fid('theme')} value={t} checked={theme === t} onChange={() => setTheme(t)} />
              {t === 'system' ? 'Match system' : t === 'light' ? 'Light' : 'Dark'}
            </label>
          ))}
        </div>
      </fieldset>
      <label className="check">
        <input type="checkbox" checked={launchAtLogin} onChange={(e) => setLaunchAtLogin(e.target.checked)} />
        <span>Launch s3lync when I log in</span>
      </label>
      {message && (
        <p className={`result ${message.ok ? 'result-ok' : 'result-bad'}`} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={saving}>
          {saving ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}

export function SettingsDialog({ dialog, active }: { dialog: Extract<Dialog, { type: 'settings' }>; active: boolean }) {
  const settings = useApp((s) => s.settings);
  const [tab, setTab] = useState<SettingsTab>(dialog.tab);
  // Opened for a new profile from elsewhere (New pair, the empty state): close once it is saved.
  const returnAfterSave = dialog.newProfile && useApp.getState().dialogs.length > 1;
  const ids = useId();
  const close = () => closeDialog(dialog.id);
  const tabs: Array<{ id: SettingsTab; label: string }> = [
    { id: 'connections', label: 'Connections' },
    { id: 'general', label: 'General' },
  ];

  return (
    <Modal title="Settings" onClose={close} size="lg" active={active} testId="settings-dialog" focusKey={tab}>
      <div className="tabs" role="tablist" aria-label="Settings sections">
        {tabs.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`${ids}-tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`${ids}-panel`}
            tabIndex={tab === t.id ? 0 : -1}
            className="tab"
            onClick={() => setTab(t.id)}
            onKeyDown={(e) => {
              if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
                e.preventDefault();
                const next = tabs[(tabs.findIndex((x) => x.id === tab) + 1) % tabs.length].id;
                setTab(next);
                document.getElementById(`${ids}-tab-${next}`)?.focus();
              }
            }}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${ids}-panel`} aria-labelledby={`${ids}-tab-${tab}`} className="tabpanel">
        {tab === 'connections' ? (
          <Connections startWithNew={dialog.newProfile} onSavedNew={() => returnAfterSave && close()} />
        ) : settings ? (
          <General settings={settings} />
        ) : (
          <p className="muted">Loading…</p>
        )}
      </div>
    </Modal>
  );
}
