// New pair (and Edit pair): the local folder, the S3 location (typed or browsed), the direction,
// exclude patterns and the connection profile. Main checks everything again and its sentence is
// shown inline when it refuses.
import { useEffect, useRef, useState, type ReactElement } from 'react';
import type { Pair, PairDirection } from '../../shared/model';
import { errorMessage } from '../api';
import { s3UriProblem, splitS3Uri } from '../format';
import { chooseFolder, closeDialog, createPair, openSettings, updatePair, useApp, type Dialog } from '../store';
import { BucketBrowser } from './BucketBrowser';
import { Banner, Field, PathText, useFieldWiring } from './common';
import { IconBucket, IconDown, IconFolder, IconPlus, IconSync, IconUp } from './Icons';
import { Modal } from './Modal';

type Errors = Partial<Record<'localPath' | 'remote' | 'profileId' | 'exclude' | 'poll', string>>;

function looksAbsolute(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');
}

/** Splits the excludes box into patterns and reports the first one that is not a valid regex. */
export function parseExcludes(text: string): { patterns: string[]; problem: string | null } {
  const patterns = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  if (patterns.length > 100) return { patterns, problem: 'Use at most 100 exclude patterns.' };
  for (const [i, p] of patterns.entries()) {
    if (p.length > 1000) return { patterns, problem: `Pattern ${i + 1} is too long (at most 1000 characters).` };
    try {
      new RegExp(p);
    } catch (err) {
      return { patterns, problem: `Pattern ${i + 1} (${p}) is not a valid regular expression: ${errorMessage(err)}.` };
    }
  }
  return { patterns, problem: null };
}

const DIRECTIONS: Array<{ value: PairDirection; title: string; text: string; Icon: () => ReactElement }> = [
  { value: 'push', title: 'Push — upload', text: 'This folder is the source: new and changed files are uploaded to S3.', Icon: IconUp },
  { value: 'pull', title: 'Pull — download', text: 'S3 is the source: new and changed objects are downloaded into this folder.', Icon: IconDown },
  { value: 'sync', title: 'Two-way', text: 'Changes on either side are copied to the other, renames and deletions included.', Icon: IconSync },
];

export function PairDialog({
  dialog,
  pair,
  active,
}: {
  dialog: Extract<Dialog, { type: 'new-pair' } | { type: 'edit-pair' }>;
  pair: Pair | undefined;
  active: boolean;
}) {
  const editing = dialog.type === 'edit-pair';
  const profiles = useApp((s) => s.profiles);
  const [localPath, setLocalPath] = useState(dialog.type === 'new-pair' ? dialog.localPath : (pair?.localPath ?? ''));
  const [remote, setRemote] = useState(pair?.remote ?? '');
  const [direction, setDirection] = useState<PairDirection>(pair?.direction ?? 'push');
  const [excludeText, setExcludeText] = useState((pair?.exclude ?? []).join('\n'));
  const [profileId, setProfileId] = useState(pair?.profileId ?? profiles[0]?.id ?? '');
  const [pollText, setPollText] = useState(pair?.pollSeconds !== undefined ? String(pair.pollSeconds) : '');
  const [errors, setErrors] = useState<Errors>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [browsing, setBrowsing] = useState(false);
  const serverErrorRef = useRef<HTMLDivElement>(null);
  const { fid, aria } = useFieldWiring<keyof Errors>(errors);

  // A folder dropped (or chosen) while this dialog is open fills the folder field.
  const seq = dialog.type === 'new-pair' ? dialog.seq : 0;
  const droppedPath = dialog.type === 'new-pair' ? dialog.localPath : '';
  useEffect(() => {
    if (seq > 0) setLocalPath(droppedPath);
  }, [seq, droppedPath]);

  // A profile added meanwhile (via "Add profile…") is selected; a removed one is unselected.
  const knownProfiles = useRef(new Set(profiles.map((p) => p.id)));
  useEffect(() => {
    const added = profiles.find((p) => !knownProfiles.current.has(p.id));
    knownProfiles.current = new Set(profiles.map((p) => p.id));
    if (added) setProfileId(added.id);
    else setProfileId((current) => (profiles.some((p) => p.id === current) ? current : (profiles[0]?.id ?? current)));
  }, [profiles]);

  useEffect(() => {
    if (serverError) serverErrorRef.current?.scrollIntoView?.({ block: 'nearest' });
  }, [serverError]);

  const close = () => closeDialog(dialog.id);
  const noProfiles = profiles.length === 0;

  const validate = (): { ok: boolean; exclude: string[]; pollSeconds: number | undefined } => {
    const next: Errors = {};
    if (!editing) {
      const p = localPath.trim();
      if (!p) next.localPath = 'Choose the local folder to sync.';
      else if (!looksAbsolute(p)) next.localPath = 'Enter the full path of the folder, or use Choose…';
      const uriProblem = s3UriProblem(remote);
      if (uriProblem) next.remote = uriProblem;
    }
    if (!profileId || !profiles.some((p) => p.id === profileId)) next.profileId = 'Choose a connection profile.';
    const { patterns, problem } = parseExcludes(excludeText);
    if (problem) next.exclude = problem;
    let pollSeconds: number | undefined;
    if (direction !== 'push' && pollText.trim() !== '') {
      const n = Number(pollText);
      if (!Number.isInteger(n) || n < 5 || n > 86_400) next.poll = 'Use a whole number of seconds from 5 to 86400.';
      else pollSeconds = n;
    }
    setErrors(next);
    return { ok: Object.keys(next).length === 0, exclude: patterns, pollSeconds };
  };

  const submit = async () => {
    if (saving) return;
    setServerError(null);
    const { ok, exclude, pollSeconds } = validate();
    if (!ok) return;
    setSaving(true);
    try {
      if (editing) {
        if (!pair) throw new Error('This pair no longer exists.');
        const patch: { direction?: PairDirection; exclude?: string[]; profileId?: string; pollSeconds?: number } = {};
        if (direction !== pair.direction) patch.direction = direction;
        if (exclude.join('\n') !== pair.exclude.join('\n')) patch.exclude = exclude;
        if (profileId !== pair.profileId) patch.profileId = profileId;
        if (pollSeconds !== undefined && pollSeconds !== pair.pollSeconds) patch.pollSeconds = pollSeconds;
        if (Object.keys(patch).length) await updatePair(pair.id, patch);
      } else {
        await createPair({
          localPath: localPath.trim(),
          remote: remote.trim(),
          direction,
          exclude,
          profileId,
          ...(pollSeconds !== undefined ? { pollSeconds } : {}),
        });
      }
      close();
    } catch (err) {
      setServerError(errorMessage(err));
      setSaving(false);
    }
  };

  const pickFolder = async () => {
    const chosen = await chooseFolder();
    if (chosen) {
      setLocalPath(chosen);
      setErrors((e) => ({ ...e, localPath: undefined }));
    }
  };

  const title = editing ? `Edit pair${pair ? ` ${pair.localPath.split(/[\\/]/).filter(Boolean).pop() ?? ''}` : ''}` : 'New pair';

  return (
    <Modal
      title={title}
      onClose={close}
      size="lg"
      active={active}
      testId="pair-dialog"
      onSubmit={() => void submit()}
      footer={
        <>
          <button type="button" className="button" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={saving || noProfiles}>
            {saving ? (editing ? 'Saving…' : 'Creating…') : editing ? 'Save changes' : 'Create pair'}
          </button>
        </>
      }
    >
      {serverError && (
        <div ref={serverErrorRef}>
          <Banner tone="danger" role="alert" testId="form-error">
            {serverError}
          </Banner>
        </div>
      )}
      {noProfiles && (
        <Banner
          tone="warning"
          testId="needs-profile"
          action={
            <button type="button" className="button button-small" onClick={() => openSettings('connections', true)}>
              <IconPlus />
              Add profile…
            </button>
          }
        >
          A pair needs a connection profile — how s3lync reaches your S3 storage. Add one first.
        </Banner>
      )}

      {editing ? (
        <div className="field">
          <span className="field-label">Paired</span>
          <div className="readonly-pair">
            <PathText>{pair?.localPath ?? ''}</PathText>
            <span aria-hidden="true">⇄</span>
            <PathText>{pair?.remote ?? ''}</PathText>
          </div>
          <p className="hint">To pair a different folder or S3 location, create a new pair.</p>
        </div>
      ) : (
        <>
          <Field id={fid} name="localPath" label="Local folder" error={errors.localPath}>
            <div className="input-row">
              <input
                id={fid('localPath')}
                className="input input-mono"
                value={localPath}
                onChange={(e) => setLocalPath(e.target.value)}
                placeholder="/Users/you/Documents/Photos"
                {...aria('localPath')}
                spellCheck={false}
                autoComplete="off"
                data-autofocus={localPath ? undefined : true}
              />
              <button type="button" className="button" onClick={() => void pickFolder()}>
                <IconFolder />
                Choose…
              </button>
            </div>
          </Field>

          <Field
            id={fid}
            name="remote"
            label="S3 location"
            error={errors.remote}
            hint={
              <>
                The bucket and prefix to keep in sync with the folder, like <code>s3://my-bucket/photos/</code>.
              </>
            }
            after={
              browsing &&
              profileId && (
                <BucketBrowser
                  key={profileId}
                  profileId={profileId}
                  initial={(() => {
                    const parts = s3UriProblem(remote) ? null : splitS3Uri(remote.trim());
                    if (!parts) return null;
                    const prefix = parts.prefix && !parts.prefix.endsWith('/') ? '' : parts.prefix;
                    return { bucket: parts.bucket, prefix };
                  })()}
                  onUse={(uri) => {
                    setRemote(uri);
                    setErrors((e) => ({ ...e, remote: undefined }));
                    setBrowsing(false);
                  }}
                  onClose={() => setBrowsing(false)}
                />
              )
            }
          >
            <div className="input-row">
              <input
                id={fid('remote')}
                className="input input-mono"
                value={remote}
                onChange={(e) => setRemote(e.target.value)}
                placeholder="s3://my-bucket/photos/"
                {...aria('remote', true)}
                spellCheck={false}
                autoComplete="off"
                data-autofocus={localPath ? true : undefined}
              />
              <button
                type="button"
                className="button"
                onClick={() => setBrowsing((b) => !b)}
                disabled={!profileId || noProfiles}
                aria-expanded={browsing}
                title={profileId ? 'Browse buckets and prefixes' : 'Choose a connection profile first'}
              >
                <IconBucket />
                Browse…
              </button>
            </div>
          </Field>
        </>
      )}

      <Field id={fid} name="profileId" label="Connection profile" error={errors.profileId}>
        <div className="input-row">
          <select
            id={fid('profileId')}
            className="input"
            value={profileId}
            onChange={(e) => {
              setProfileId(e.target.value);
              setBrowsing(false);
            }}
            {...aria('profileId')}
            disabled={noProfiles}
          >
            {(!profileId || !profiles.some((p) => p.id === profileId)) && <option value="">Choose a profile…</option>}
            {profiles.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
                {p.endpoint ? ` — ${p.endpoint}` : ''}
              </option>
            ))}
          </select>
          {!noProfiles && (
            <button type="button" className="button" onClick={() => openSettings('connections', true)}>
              <IconPlus />
              Add profile…
            </button>
          )}
        </div>
      </Field>

      <fieldset className="field">
        <legend className="field-label">Direction</legend>
        <div className="radio-cards">
          {DIRECTIONS.map((d) => (
            <label key={d.value} className={`radio-card${direction === d.value ? ' checked' : ''}`}>
              <input
                type="radio"
                name={fid('direction')}
                value={d.value}
                checked={direction === d.value}
                onChange={() => setDirection(d.value)}
              />
              <span className="radio-card-title">
                <d.Icon /> {d.title}
              </span>
              <span className="radio-card-text">{d.text}</span>
            </label>
          ))}
        </div>
        <p className="hint">
          {direction === 'sync'
            ? 'Deletions are carried to the other side too (local files go to the s3lync trash). When both sides changed a file, both versions are kept.'
            : 'Regular syncs never delete anything. To mirror deletions, use Force sync… and review the preview.'}
        </p>
      </fieldset>

      {direction !== 'push' && (
        <Field
          id={fid}
          name="poll"
          label="Check S3 for changes every (seconds)"
          optional
          error={errors.poll}
          hint={<>S3 can&rsquo;t announce changes, so s3lync looks for them regularly. Leave empty for the default (60 seconds).</>}
        >
          <input
            id={fid('poll')}
            className="input input-narrow"
            type="number"
            min={5}
            max={86400}
            value={pollText}
            onChange={(e) => setPollText(e.target.value)}
            placeholder="60"
            {...aria('poll', true)}
          />
        </Field>
      )}

      <Field
        id={fid}
        name="exclude"
        label="Exclude"
        optional
        error={errors.exclude}
        hint={
          <>
            One regular expression per line, matched against paths inside the folder — e.g. <code>\.tmp$</code> skips temporary
            files, <code>^node_modules/</code> skips a folder.
          </>
        }
      >
        <textarea
          id={fid('exclude')}
          className="input input-mono"
          rows={3}
          value={excludeText}
          onChange={(e) => setExcludeText(e.target.value)}
          placeholder={'\\.tmp$\n^node_modules/'}
          {...aria('exclude', true)}
          spellCheck={false}
        />
      </Field>
    </Modal>
  );
}
