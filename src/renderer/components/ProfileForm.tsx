// Add or edit a connection profile. The secret key is write-only: it is never shown, and an empty
// field when editing keeps the stored one.
import { useEffect, useState } from 'react';
import type { ProfileKind, ProfileSummary } from '../../shared/model';
import { errorMessage } from '../api';
import { awsProfileNames, saveProfile } from '../store';
import { Banner, Field, useFieldWiring } from './common';

type Errors = Partial<Record<'name' | 'awsProfile' | 'accessKeyId' | 'secret' | 'endpoint', string>>;

export function endpointProblem(value: string): string | null {
  const v = value.trim();
  if (!v) return null;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return 'Enter the endpoint as a full URL, like https://minio.example.com:9000.';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'The endpoint must start with https:// or http://.';
  return null;
}

export function ProfileForm({
  profile,
  onDone,
  onCancel,
}: {
  profile: ProfileSummary | null;
  onDone: (saved: ProfileSummary) => void;
  onCancel: () => void;
}) {
  const editing = !!profile;
  const [name, setName] = useState(profile?.name ?? '');
  const [kind, setKind] = useState<ProfileKind>(profile?.kind ?? 'aws-profile');
  const [awsProfile, setAwsProfile] = useState(profile?.awsProfile ?? '');
  const [accessKeyId, setAccessKeyId] = useState('');
  const [secret, setSecret] = useState('');
  const [endpoint, setEndpoint] = useState(profile?.endpoint ?? '');
  const [region, setRegion] = useState(profile?.region ?? '');
  const [pathStyle, setPathStyle] = useState(profile?.pathStyle ?? false);
  const [awsNames, setAwsNames] = useState<string[] | null>(null);
  const [errors, setErrors] = useState<Errors>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const { fid, aria } = useFieldWiring<keyof Errors>(errors);

  useEffect(() => {
    let stale = false;
    awsProfileNames().then(
      (result) => {
        if (stale) return;
        const names = Array.isArray(result) ? result : [];
        setAwsNames(names);
        setAwsProfile((cur) => cur || names[0] || '');
      },
      () => !stale && setAwsNames([]),
    );
    return () => {
      stale = true;
    };
  }, []);

  const keepsSecret = editing && profile?.kind === 'access-key' && profile.hasSecret;
  const keepsKeyId = editing && profile?.kind === 'access-key' && !!profile.accessKeyHint;

  const submit = async () => {
    if (saving) return;
    setServerError(null);
    const next: Errors = {};
    if (!name.trim()) next.name = 'Give the profile a name.';
    if (kind === 'aws-profile' && !awsProfile.trim()) next.awsProfile = 'Choose the AWS profile to use.';
    if (kind === 'access-key') {
      if (!accessKeyId.trim() && !keepsKeyId) next.accessKeyId = 'Enter the access key ID.';
      if (!secret && !keepsSecret) next.secret = 'Enter the secret access key.';
    }
    const ep = endpointProblem(endpoint);
    if (ep) next.endpoint = ep;
    setErrors(next);
    if (Object.keys(next).length) return;
    setSaving(true);
    try {
      const saved = await saveProfile({
        ...(profile ? { id: profile.id } : {}),
        name: name.trim(),
        kind,
        awsProfile: kind === 'aws-profile' ? awsProfile.trim() : null,
        accessKeyId: kind === 'access-key' ? accessKeyId.trim() : null,
        secretAccessKey: kind === 'access-key' && secret ? secret : null,
        endpoint: endpoint.trim() || null,
        region: region.trim() || null,
        pathStyle,
      });
      setSecret('');
      onDone(saved);
    } catch (err) {
      setServerError(errorMessage(err));
      setSaving(false);
    }
  };

  const names = awsNames ?? [];
  const nameOptions = awsProfile && !names.includes(awsProfile) ? [awsProfile, ...names] : names;

  return (
    <form
      className="profile-form"
      data-testid="profile-form"
      aria-labelledby={fid('title')}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h3 className="subsection-title" id={fid('title')}>
        {editing ? `Edit ${profile?.name}` : 'New connection profile'}
      </h3>
      {serverError && (
        <Banner tone="danger" role="alert" testId="form-error">
          {serverError}
        </Banner>
      )}
      <Field id={fid} name="name" label="Name" error={errors.name}>
        <input
          id={fid('name')}
          className="input"
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="Work AWS, Home MinIO…"
          autoComplete="off"
          data-autofocus
          {...aria('name')}
        />
      </Field>

      <fieldset className="field">
        <legend className="field-label">Credentials</legend>
        <div className="segmented">
          <label className={kind === 'aws-profile' ? 'checked' : undefined}>
            <input type="radio" name={fid('kind')} value="aws-profile" checked={kind === 'aws-profile'} onChange={() => setKind('aws-profile')} />
            AWS profile (~/.aws)
          </label>
          <label className={kind === 'access-key' ? 'checked' : undefined}>
            <input type="radio" name={fid('kind')} value="access-key" checked={kind === 'access-key'} onChange={() => setKind('access-key')} />
            Access key
          </label>
        </div>
      </fieldset>

      {kind === 'aws-profile' ? (
        <Field
          id={fid}
          name="awsProfile"
          label="AWS profile"
          error={errors.awsProfile}
          hint={awsNames !== null && nameOptions.length === 0 && 'No profiles were found in ~/.aws/config or ~/.aws/credentials. Type a profile name, or use an access key.'}
        >
          {awsNames === null ? (
            <p className="muted">Reading ~/.aws…</p>
          ) : nameOptions.length > 0 ? (
            <select id={fid('awsProfile')} className="input" value={awsProfile} onChange={(e) => setAwsProfile(e.target.value)} {...aria('awsProfile')}>
              {nameOptions.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          ) : (
            <input
              id={fid('awsProfile')}
              className="input"
              value={awsProfile}
              onChange={(e) => setAwsProfile(e.target.value)}
              placeholder="default"
              {...aria('awsProfile', true)}
            />
          )}
        </Field>
      ) : (
        <div className="field-grid">
          <Field
            id={fid}
            name="accessKeyId"
            label="Access key ID"
            error={errors.accessKeyId}
            hint={
              keepsKeyId && (
                <>
                  Stored key: <code>{profile?.accessKeyHint}</code>
                </>
              )
            }
          >
            <input
              id={fid('accessKeyId')}
              className="input input-mono"
              value={accessKeyId}
              onChange={(e) => setAccessKeyId(e.target.value)}
              placeholder={keepsKeyId ? `${profile?.accessKeyHint} — leave empty to keep it` : 'AKIA…'}
              autoComplete="off"
              spellCheck={false}
              {...aria('accessKeyId', keepsKeyId)}
            />
          </Field>
          <Field
            id={fid}
            name="secret"
            label="Secret access key"
            error={errors.secret}
            hint={
              keepsSecret
                ? 'A secret is stored (encrypted). Leave this empty to keep it, or type a new one to replace it.'
                : 'Stored encrypted by your system keychain; never shown again.'
            }
          >
            <input
              id={fid('secret')}
              className="input input-mono"
              type="password"
              value={secret}
              onChange={(e) => setSecret(e.target.value)}
              placeholder={keepsSecret ? 'Stored — leave empty to keep it' : ''}
              autoComplete="new-password"
              spellCheck={false}
              {...aria('secret', true)}
            />
          </Field>
        </div>
      )}

      <div className="field-grid">
        <Field
          id={fid}
          name="endpoint"
          label="Endpoint URL"
          optional
          error={errors.endpoint}
          hint="Leave empty for AWS. Set it for S3-compatible storage such as MinIO, Ceph or Swift."
        >
          <input
            id={fid('endpoint')}
            className="input input-mono"
            value={endpoint}
            onChange={(e) => setEndpoint(e.target.value)}
            placeholder="https://s3.example.com"
            autoComplete="off"
            spellCheck={false}
            {...aria('endpoint', true)}
          />
        </Field>
        <Field id={fid} name="region" label="Region" optional>
          <input
            id={fid('region')}
            className="input"
            value={region}
            onChange={(e) => setRegion(e.target.value)}
            placeholder="us-east-1"
            autoComplete="off"
            spellCheck={false}
          />
        </Field>
      </div>
      <label className="check">
        <input type="checkbox" checked={pathStyle} onChange={(e) => setPathStyle(e.target.checked)} />
        <span>
          Use path-style addressing
          <span className="hint block">Needed by most MinIO, Ceph and Swift setups (bucket in the path, not the host name).</span>
        </span>
      </label>

      <div className="form-actions">
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" disabled={saving}>
          {saving ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}
