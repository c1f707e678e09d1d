import { ConflictError } from '../../domain/errors.js';
import type { ProjectRepository } from '../../domain/ports.js';
import type { Project } from '../../domain/types.js';
import { isUuid } from '../../lib/ids.js';
import type { PrismaClient } from './generated/client.js';
import { isUniqueViolation } from './prisma-errors.js';

const projectSelect = { id: true, name: true, createdAt: true } as const;

export class PrismaProjectRepository implements ProjectRepository {
  constructor(private readonly db: PrismaClient) {}

  /** Throws ConflictError('name') when the name is taken. */
  async create(name: string): Promise<Project> {
    try {
      return await this.db.project.create({ data: { name }, select: projectSelect });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError('name', `a project named "${name}" already exists`);
      throw error;
    }
  }

  findByName(name: string): Promise<Project | null> {
    return this.db.project.findUnique({ where: { name }, select: projectSelect });
  }

  list(): Promise<Project[]> {
    return this.db.project.findMany({ select: projectSelect, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  }

  async findById(id: string): Promise<Project | null> {
    if (!isUuid(id)) return null;
    return this.db.project.findUnique({ where: { id }, select: projectSelect });
  }
}
