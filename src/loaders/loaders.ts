// Per-request DataLoaders over the repositories' batch methods. Created fresh
// for every request (and every subscription event) so nothing is cached
// across callers or projects.

import DataLoader from 'dataloader';
import { NotFoundError } from '../domain/errors.js';
import type { BlobListFilter, BlobRepository, UserRepository } from '../domain/ports.js';
import type { BlobRecord, Page, UserRecord } from '../domain/types.js';
import { DEFAULT_PAGE_SIZE, pageRequest } from '../domain/validation.js';

export interface Loaders {
  userByPk: DataLoader<string, UserRecord>;
  /** The first page of a user's blobs, batched across users. */
  firstBlobPage(user: UserRecord, filter: BlobListFilter, first: number | null | undefined): Promise<Page<BlobRecord>>;
}

export function createLoaders(repos: { users: UserRepository; blobs: BlobRepository }): Loaders {
  const userByPk = new DataLoader<string, UserRecord>(async (pks) => {
    const users = await repos.users.findByPks(pks);
    return users.map((user, i) => user ?? new NotFoundError('User', pks[i]!));
  });

  // One loader per (type, page size): users asking the same thing share a batch.
  const pageLoaders = new Map<string, DataLoader<string, Page<BlobRecord>>>();
  const firstBlobPage = (user: UserRecord, filter: BlobListFilter, first: number | null | undefined) => {
    const size = pageRequest(first ?? DEFAULT_PAGE_SIZE, null).first;
    const key = `${filter.type ?? '*'}|${size}`;
    let loader = pageLoaders.get(key);
    if (!loader) {
      loader = new DataLoader<string, Page<BlobRecord>>((pks) => repos.blobs.listFirstPageByUsers(pks, filter, size));
      pageLoaders.set(key, loader);
    }
    return loader.load(user.pk);
  };

  return { userByPk, firstBlobPage };
}
