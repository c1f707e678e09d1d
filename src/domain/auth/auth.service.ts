// Projects, API keys and turning a bearer token into a Viewer.

import { isUuid } from '../../lib/ids.js';
import { generateSecret, hashSecret, secretPrefix } from '../../lib/secrets.js';
import { BadInputError, ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError } from '../errors.js';
import type { ApiKeyRepository, ProjectRepository } from '../ports.js';
import type { ApiKeyRecord, Project, Viewer } from '../types.js';

/** Admin keys act on this project when they touch data. */
export const DEFAULT_PROJECT_NAME = 'default';

export interface CreatedApiKey {
  key: ApiKeyRecord;
  /** Shown once, never stored in clear. */
  secret: string;
}

export class AuthService {
  constructor(
    private readonly projects: ProjectRepository,
    private readonly apiKeys: ApiKeyRepository,
  ) {}

  /** Resolves an `Authorization` header value ("Bearer <key>") to the caller. */
  async authenticate(authorization: string | undefined | null): Promise<Viewer> {
    if (!authorization)
      throw new UnauthenticatedError('Missing Authorization header: send "Authorization: Bearer <api key>"');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match?.[1]) throw new UnauthenticatedError('Authorization must be "Bearer <api key>"');
    const key = await this.apiKeys.findActiveByHash(hashSecret(match[1]));
    if (!key) throw new UnauthenticatedError('Unknown or revoked API key');
    return { projectId: key.projectId, role: key.role, keyId: key.id };
  }

  /** Creates the default project and makes sure `adminSecret` is an active admin key of it. */
  async bootstrap(adminSecret: string): Promise<Project> {
    const project =
      (await this.projects.findByName(DEFAULT_PROJECT_NAME)) ??
      (await this.createProjectIgnoringRace(DEFAULT_PROJECT_NAME));
    const hash = hashSecret(adminSecret);
    if (!(await this.apiKeys.findActiveByHash(hash))) {
      await this.apiKeys.create({
        projectId: project.id,
        name: 'admin',
        role: 'admin',
        hash,
        prefix: secretPrefix(adminSecret),
      });
    }
    return project;
  }

  async createProject(viewer: Viewer, name: string): Promise<Project> {
    requireAdmin(viewer);
    const trimmed = name.trim();
    if (trimmed.length < 1 || trimmed.length > 128) throw new BadInputError('name', 'must be 1-128 characters');
    if (await this.projects.findByName(trimmed))
      throw new ConflictError('name', `a project named "${trimmed}" already exists`);
    return this.projects.create(trimmed);
  }

  async createApiKey(viewer: Viewer, projectId: string, name: string | null): Promise<CreatedApiKey> {
    requireAdmin(viewer);
    if (!isUuid(projectId)) throw new NotFoundError('Project', projectId);
    if (name !== null && (name.length < 1 || name.length > 128))
      throw new BadInputError('name', 'must be 1-128 characters');
    const project = await this.projects.findById(projectId);
    if (!project) throw new NotFoundError('Project', projectId);
    const secret = generateSecret();
    const key = await this.apiKeys.create({
      projectId,
      name,
      role: 'project',
      hash: hashSecret(secret),
      prefix: secretPrefix(secret),
    });
    return { key, secret };
  }

  async revokeApiKey(viewer: Viewer, id: string): Promise<boolean> {
    requireAdmin(viewer);
    const key = isUuid(id) ? await this.apiKeys.findById(id) : null;
    if (!key) throw new NotFoundError('ApiKey', id);
    if (key.id === viewer.keyId) throw new BadInputError('id', 'a key cannot revoke itself');
    return this.apiKeys.revoke(id);
  }

  async currentProject(viewer: Viewer): Promise<Project> {
    const project = await this.projects.findById(viewer.projectId);
    if (!project) throw new NotFoundError('Project', viewer.projectId);
    return project;
  }

  private async createProjectIgnoringRace(name: string): Promise<Project> {
    try {
      return await this.projects.create(name);
    } catch (error) {
      // Two processes starting on one database may both try; the loser reads the winner's row.
      const existing = await this.projects.findByName(name);
      if (existing) return existing;
      throw error;
    }
  }
}

export function requireAdmin(viewer: Viewer): void {
  if (viewer.role !== 'admin') throw new ForbiddenError('This operation needs an admin key');
}
