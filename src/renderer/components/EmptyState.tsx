// What the window shows before any pair exists: how to start, in order.
import { chooseFolderAndPair, openSettings, useApp } from '../store';
import { IconCloud, IconFolder, IconPlug } from './Icons';

export function EmptyState() {
  const hasProfiles = useApp((s) => s.profiles.length > 0);
  return (
    <section className="empty" data-testid="empty-state" aria-labelledby="empty-title">
      <div className="empty-art" aria-hidden="true">
        <IconFolder size={40} />
        <span className="empty-arrows">⇄</span>
        <IconCloud size={40} />
      </div>
      <h1 id="empty-title" className="empty-title">
        Keep a folder and S3 in sync
      </h1>
      {hasProfiles ? (
        <>
          <p className="empty-text">
            Drop a folder here to pair it with S3, or <strong>Choose folder…</strong> You&rsquo;ll pick the bucket and prefix
            next, and see exactly what will change before anything is copied.
          </p>
          <div className="empty-actions">
            <button type="button" className="button button-primary button-lg" onClick={() => void chooseFolderAndPair()}>
              <IconFolder />
              Choose folder…
            </button>
          </div>
        </>
      ) : (
        <>
          <p className="empty-text">
            Drop a folder here to pair it with S3, or <strong>Choose folder…</strong> But first, tell s3lync how to reach your
            storage: add a connection profile for AWS S3 or an S3-compatible service (MinIO, Ceph, Swift…).
          </p>
          <ol className="steps">
            <li className="step step-current">
              <span className="step-num" aria-hidden="true">
                1
              </span>
              <div>
                <div className="step-title">Add a connection profile</div>
                <div className="step-text">An AWS profile from ~/.aws, or an access key and endpoint.</div>
              </div>
              <button type="button" className="button button-primary" onClick={() => openSettings('connections', true)}>
                <IconPlug />
                Set up a connection…
              </button>
            </li>
            <li className="step">
              <span className="step-num" aria-hidden="true">
                2
              </span>
              <div>
                <div className="step-title">Pair a folder</div>
                <div className="step-text">Drop a folder on this window, or choose one.</div>
              </div>
              <button type="button" className="button" onClick={() => void chooseFolderAndPair()}>
                <IconFolder />
                Choose folder…
              </button>
            </li>
          </ol>
        </>
      )}
    </section>
  );
}
