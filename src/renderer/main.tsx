// The renderer's entry: connect the store to main (once, outside React), then render.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { windowApi } from './api';
import { App } from './App';
import { initStore } from './store';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element.');
const api = windowApi();
if (!api) {
  container.textContent = 's3lync must run inside the s3lync desktop app (window.s3lync is missing).';
} else {
  initStore(api);
  createRoot(container).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
