// Turning a connection profile into engine options, and the profile-level actions: test the
// connection, browse buckets and prefixes, list the AWS profiles in the shared config files.
import { ListBucketsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ActionResult, BrowseResult } from '../../shared/model';
import type { EngineOptions } from '../sync/engine';
import { describeError } from '../sync/errors';
import { createS3Client } from '../sync/s3';
import type { ProfileStore, StoredProfile } from './stores';

export function engineOptionsFor(profile: StoredProfile, profiles: ProfileStore): EngineOptions {
  const opts: EngineOptions = {
    endpoint: profile.endpoint ?? undefined,
    region: profile.region ?? undefined,
    pathStyle: profile.pathStyle,
  };
  if (profile.kind === 'aws-profile') opts.profile = profile.awsProfile ?? undefined;
  else opts.credentials = { accessKeyId: profile.accessKeyId ?? '', secretAccessKey: profiles.secretOf(profile) ?? '' };
  return opts;
}

export function clientFor(profile: StoredProfile, profiles: ProfileStore): S3Client {
  return createS3Client({ ...engineOptionsFor(profile, profiles), maxAttempts: 3 });
}

export async function testConnection(profile: StoredProfile, profiles: ProfileStore): Promise<ActionResult> {
  const client = clientFor(profile, profiles);
  try {
    const r = await client.send(new ListBucketsCommand({}));
    const n = r.Buckets?.length ?? 0;
    return { ok: true, message: `Connected to ${profile.endpoint ?? 'AWS S3'}: ${n} bucket${n === 1 ? '' : 's'} visible.` };
  } catch (err) {
    if ((err as Error).name === 'AccessDenied') {
      return { ok: true, message: 'Connected, but these credentials may not list buckets. You can still type a bucket name in the S3 URI.' };
    }
    return { ok: false, message: describeError(err, { action: 'testing the connection', endpoint: profile.endpoint ?? 'AWS S3' }) };
  } finally {
    client.destroy();
  }
}

export async function browse(profile: StoredProfile, profiles: ProfileStore, bucket: string | null, prefix: string): Promise<BrowseResult> {
  const client = clientFor(profile, profiles);
  try {
    if (!bucket) {
      const r = await client.send(new ListBucketsCommand({}));
      return {
        bucket: null,
        prefix: '',
        entries: (r.Buckets ?? []).filter((b) => b.Name).map((b) => ({ name: b.Name!, kind: 'bucket' as const })),
        truncated: false,
      };
    }
    const r = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, Delimiter: '/', MaxKeys: 1000 }));
    const entries: BrowseResult['entries'] = [
      ...(r.CommonPrefixes ?? []).filter((p) => p.Prefix).map((p) => ({ name: p.Prefix!, kind: 'prefix' as const })),
      ...(r.Contents ?? [])
        .filter((o) => o.Key && o.Key !== prefix && !o.Key.endsWith('/'))
        .map((o) => ({ name: o.Key!, kind: 'object' as const, size: o.Size ?? 0 })),
    ];
    return { bucket, prefix, entries, truncated: !!r.IsTruncated };
  } catch (err) {
    throw new Error(describeError(err, { action: bucket ? `listing s3://${bucket}/${prefix}` : 'listing buckets', endpoint: profile.endpoint ?? 'AWS S3', bucket: bucket ?? undefined }));
  } finally {
    client.destroy();
  }
}

/** Profile names from ~/.aws/config and ~/.aws/credentials (or AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE). */
export async function awsProfileNames(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const home = os.homedir();
  const files = [
    env.AWS_CONFIG_FILE ?? path.join(home, '.aws', 'config'),
    env.AWS_SHARED_CREDENTIALS_FILE ?? path.join(home, '.aws', 'credentials'),
  ];
  const names = new Set<string>();
  for (const file of files) {
    const text = await fs.readFile(file, 'utf8').catch(() => '');
    for (const m of text.matchAll(/^\s*\[\s*(?:profile\s+)?([^\]\s]+)\s*\]/gm)) {
      if (!m[1].startsWith('sso-session')) names.add(m[1]);
    }
  }
  return [...names].sort();
}
