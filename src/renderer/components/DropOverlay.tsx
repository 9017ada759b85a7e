// Folders can be dropped anywhere on the window. While files are dragged over it, a full-window
// overlay says what will happen; the drop itself goes to the store (which asks main what it is).
import { useEffect } from 'react';
import { dropItems, setDragging, useApp } from '../store';
import { IconFolder } from './Icons';

function hasFiles(e: DragEvent): boolean {
  const types = e.dataTransfer?.types;
  if (!types) return false;
  return Array.from(types as ArrayLike<string>).includes('Files');
}

/** Window-level drag and drop listeners; call once (in App). */
export function useWindowDrop(): void {
  useEffect(() => {
    let depth = 0;
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth++;
      setDragging(true);
    };
    const over = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
      setDragging(true);
    };
    const leave = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth = Math.max(0, depth - 1);
      // Leaving the window reports no related target.
      if (depth === 0 || e.relatedTarget === null) {
        depth = 0;
        setDragging(false);
      }
    };
    const drop = (e: DragEvent) => {
      // Never let the page navigate to a dropped file.
      e.preventDefault();
      depth = 0;
      setDragging(false);
      const files = e.dataTransfer?.files;
      if (!files || files.length === 0) return;
      void dropItems(Array.from(files));
    };
    const end = () => {
      depth = 0;
      setDragging(false);
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    window.addEventListener('dragend', end);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
      window.removeEventListener('dragend', end);
    };
  }, []);
}

export function DropOverlay() {
  const dragging = useApp((s) => s.dragging);
  if (!dragging) return null;
  return (
    <div className="drop-overlay" data-testid="drop-overlay" aria-hidden="true">
      <div className="drop-card">
        <IconFolder size={48} />
        <div className="drop-title">Drop a folder to pair it with S3</div>
        <div className="drop-text">You&rsquo;ll choose the bucket and prefix next.</div>
      </div>
    </div>
  );
}
