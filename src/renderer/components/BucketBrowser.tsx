// Pick an S3 location by browsing: buckets, then prefixes, with a breadcrumb. Listing happens in
// main with the chosen connection profile; errors are shown as main words them.
import { useEffect, useState } from 'react';
import type { BrowseResult } from '../../shared/model';
import { errorMessage } from '../api';
import { formatBytes } from '../format';
import { browse } from '../store';
import { Banner, Spinner } from './common';
import { IconBucket, IconChevronRight, IconFile, IconFolder } from './Icons';

interface Location {
  bucket: string | null;
  prefix: string;
}

/** An entry's name below the browsed prefix (main may give full keys or relative names). */
export function childName(name: string, prefix: string): string {
  return prefix && name.startsWith(prefix) && name.length > prefix.length ? name.slice(prefix.length) : name;
}

export function BucketBrowser({
  profileId,
  initial,
  onUse,
  onClose,
}: {
  profileId: string;
  initial: Location | null;
  onUse: (uri: string) => void;
  onClose: () => void;
}) {
  const [loc, setLoc] = useState<Location>(initial ?? { bucket: null, prefix: '' });
  const [result, setResult] = useState<BrowseResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [retry, setRetry] = useState(0);

  useEffect(() => {
    let stale = false;
    setLoading(true);
    setError(null);
    setResult(null);
    browse(profileId, loc.bucket, loc.prefix).then(
      (r) => {
        if (stale) return;
        setResult(r);
        setLoading(false);
      },
      (err: unknown) => {
        if (stale) return;
        setError(errorMessage(err));
        setLoading(false);
      },
    );
    return () => {
      stale = true;
    };
  }, [profileId, loc.bucket, loc.prefix, retry]);

  const segments = loc.prefix.split('/').filter(Boolean);
  const crumbs: Array<{ label: string; to: Location }> = [{ label: 'All buckets', to: { bucket: null, prefix: '' } }];
  if (loc.bucket) {
    crumbs.push({ label: loc.bucket, to: { bucket: loc.bucket, prefix: '' } });
    segments.forEach((seg, i) => crumbs.push({ label: seg, to: { bucket: loc.bucket, prefix: `${segments.slice(0, i + 1).join('/')}/` } }));
  }
  const here = loc.bucket ? `s3://${loc.bucket}/${loc.prefix}` : null;
  const entries = result?.entries ?? [];
  const folders = entries.filter((e) => e.kind !== 'object');
  const objects = entries.filter((e) => e.kind === 'object');

  return (
    <div className="browser" data-testid="bucket-browser" role="region" aria-label="Browse S3">
      <nav className="crumbs" aria-label="S3 location">
        <ol>
          {crumbs.map((c, i) => {
            const last = i === crumbs.length - 1;
            return (
              <li key={`${i}-${c.label}`}>
                {i > 0 && <IconChevronRight />}
                {last ? (
                  <span aria-current="location" className="crumb-current">
                    {c.label}
                  </span>
                ) : (
                  <button type="button" className="crumb" onClick={() => setLoc(c.to)}>
                    {c.label}
                  </button>
                )}
              </li>
            );
          })}
        </ol>
      </nav>
      <div className="browser-list">
        {loading && <Spinner label={loc.bucket ? 'Listing…' : 'Listing buckets…'} />}
        {error && (
          <Banner
            tone="danger"
            role="alert"
            action={
              <button type="button" className="button button-small" onClick={() => setRetry((n) => n + 1)}>
                Try again
              </button>
            }
          >
            {error}
          </Banner>
        )}
        {result && entries.length === 0 && (
          <p className="muted browser-empty">
            {loc.bucket
              ? 'Nothing here yet — you can use this prefix; the sync will create it.'
              : 'No buckets are visible with this profile. You can still type the S3 location.'}
          </p>
        )}
        {result && entries.length > 0 && (
          <ul className="browser-entries">
            {folders.map((e) => {
              const name = e.kind === 'bucket' ? e.name : childName(e.name, loc.prefix);
              const to: Location = e.kind === 'bucket' ? { bucket: e.name, prefix: '' } : { bucket: loc.bucket, prefix: `${loc.prefix}${name}` };
              return (
                <li key={e.name}>
                  <button type="button" className="browser-entry" onClick={() => setLoc(to)} data-kind={e.kind}>
                    {e.kind === 'bucket' ? <IconBucket /> : <IconFolder />}
                    <span className="path">{name}</span>
                  </button>
                </li>
              );
            })}
            {objects.slice(0, 200).map((e) => (
              <li key={e.name} className="browser-object" data-kind="object">
                <IconFile />
                <span className="path" title={e.name}>
                  {childName(e.name, loc.prefix)}
                </span>
                {e.size !== undefined && <span className="muted">{formatBytes(e.size)}</span>}
              </li>
            ))}
            {objects.length > 200 && <li className="muted">and {(objects.length - 200).toLocaleString()} more files</li>}
          </ul>
        )}
        {result?.truncated && <p className="muted small">Only the first entries are shown.</p>}
      </div>
      <div className="browser-foot">
        <span className="path browser-here" title={here ?? undefined}>
          {here ?? 'Choose a bucket'}
        </span>
        <button type="button" className="button button-quiet" onClick={onClose}>
          Close browser
        </button>
        <button type="button" className="button button-primary" disabled={!here} onClick={() => here && onUse(here)}>
          Use this prefix
        </button>
      </div>
    </div>
  );
}
