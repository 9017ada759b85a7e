// The window: toolbar, the pairs (or the first-run guidance), dialogs, toasts and the drop overlay.
import { useEffect } from 'react';
import { reload, useApp } from './store';
import { Banner, Spinner } from './components/common';
import { Dialogs } from './components/Dialogs';
import { DropOverlay, useWindowDrop } from './components/DropOverlay';
import { EmptyState } from './components/EmptyState';
import { Header } from './components/Header';
import { PairList } from './components/PairList';
import { Toasts } from './components/Toasts';

/** Applies settings.theme: 'system' follows prefers-color-scheme (live); light/dark force it. */
function useTheme(): void {
  const theme = useApp((s) => s.settings?.theme ?? 'system');
  const platform = useApp((s) => s.platform);
  useEffect(() => {
    // The stylesheet knows one dark palette, keyed on data-scheme: resolve "system" here.
    const root = document.documentElement;
    root.dataset.theme = theme;
    const query = window.matchMedia?.('(prefers-color-scheme: dark)');
    const apply = () => {
      root.dataset.scheme = theme === 'system' ? (query?.matches ? 'dark' : 'light') : theme;
    };
    apply();
    query?.addEventListener?.('change', apply);
    return () => query?.removeEventListener?.('change', apply);
  }, [theme]);
  useEffect(() => {
    if (platform) document.documentElement.dataset.platform = platform;
  }, [platform]);
}

function Content() {
  const loaded = useApp((s) => s.loaded);
  const loadError = useApp((s) => s.loadError);
  const hasPairs = useApp((s) => s.pairs.length > 0);
  if (loadError) {
    return (
      <div className="center-block">
        <Banner
          tone="danger"
          role="alert"
          action={
            <button type="button" className="button button-small" onClick={() => void reload()}>
              Try again
            </button>
          }
        >
          s3lync couldn&rsquo;t load its state: {loadError}
        </Banner>
      </div>
    );
  }
  if (!loaded) {
    return (
      <div className="center-block">
        <Spinner label="Loading…" />
      </div>
    );
  }
  return hasPairs ? <PairList /> : <EmptyState />;
}

export function App() {
  useTheme();
  useWindowDrop();
  const modalOpen = useApp((s) => s.dialogs.length > 0);
  return (
    <>
      <div className="app" inert={modalOpen}>
        <Header />
        <main className="main" id="main">
          <Content />
        </main>
      </div>
      <Dialogs />
      <Toasts />
      <DropOverlay />
    </>
  );
}
