// Public library entry: `import { S3Object, SyncEngine } from 's3lync-desktop'`.
export { S3Object, S3File, type S3ObjectOptions, type TransferOptions } from './s3object';
export { SyncEngine, type EngineOptions, type SyncSpec, type PreparedSync, type RunOptions } from '../sync/engine';
export { S3lyncError, S3ObjectError, SyncError, HashMismatchError, describeError } from '../sync/errors';
export type { Plan, Operation, Skipped } from '../../shared/plan';
export type { SyncEvent, SyncResult, Progress } from '../../shared/progress';
