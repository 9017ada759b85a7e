// All pairs, in the order main keeps them, with a filter once there are several.
import { useDeferredValue } from 'react';
import { setPairFilter, useApp } from '../store';
import { useNow } from './common';
import { PairCard } from './PairCard';

export function PairList() {
  const pairs = useApp((s) => s.pairs);
  const filter = useApp((s) => s.pairFilter);
  const deferred = useDeferredValue(filter);
  const now = useNow();
  const q = deferred.trim().toLowerCase();
  const shown = q ? pairs.filter((p) => p.localPath.toLowerCase().includes(q) || p.remote.toLowerCase().includes(q)) : pairs;

  return (
    <section className="pairs" aria-labelledby="pairs-heading">
      <div className="section-head">
        <h1 id="pairs-heading" className="section-title">
          Pairs <span className="count">{pairs.length}</span>
        </h1>
        {pairs.length > 3 && (
          <input
            type="search"
            className="input input-search"
            placeholder="Filter by folder or S3 location"
            aria-label="Filter pairs"
            value={filter}
            onChange={(e) => setPairFilter(e.target.value)}
          />
        )}
      </div>
      {shown.length === 0 ? (
        <p className="muted center">No pair matches “{deferred}”.</p>
      ) : (
        <div className="pair-list" data-testid="pair-list">
          {shown.map((p) => (
            <PairCard key={p.id} pair={p} now={now} />
          ))}
        </div>
      )}
    </section>
  );
}
