import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../common/connection.js';
import { DateTimeScalar } from '../common/scalars.js';
import { ExportStatus } from './memory-export.type.js';

export enum ImportConflict {
  FAIL = 'FAIL',
  SKIP = 'SKIP',
  OVERWRITE = 'OVERWRITE',
}
registerEnumType(ImportConflict, {
  name: 'ImportConflict',
  description:
    'What an import does with a record (user, blob, event, memory with its history, custom profile configuration) the project already holds.',
  valuesConfig: {
    FAIL: { description: 'The import fails before writing anything, naming the line of the first such record.' },
    SKIP: { description: "The project's record stays as it is." },
    OVERWRITE: { description: "The file's record replaces it (a memory with its whole history)." },
  },
});

@ObjectType({ description: 'Lines of the file committed, of its lines (total is 0 until the file has been checked).' })
export class ImportProgress {
  @Field(() => Int)
  done!: number;

  @Field(() => Int)
  total!: number;
}

@ObjectType({
  description:
    'An import of an export file into a project (admin only): a durable job. The file is checked whole first (a bad line or a conflict fails it with nothing written), then written a batch of lines per transaction; a stopped server continues it after the last committed batch at its next start.',
})
export class Import {
  @Field(() => ID)
  id!: string;

  @Field(() => ID, { description: 'The project the records go to.' })
  projectId!: string;

  @Field(() => String, { description: "The file's name in the export dir." })
  file!: string;

  @Field(() => ImportConflict)
  onConflict!: ImportConflict;

  @Field(() => ExportStatus)
  status!: ExportStatus;

  @Field(() => ImportProgress)
  progress!: ImportProgress;

  @Field(() => Int, { description: 'Records written (users, blobs, events, memories, a profile configuration).' })
  written!: number;

  @Field(() => Int, { description: 'Records the project already held and kept (SKIP).' })
  skipped!: number;

  @Field(() => String, { nullable: true, description: 'Why it FAILED: the line number and what is wrong with it.' })
  error!: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      "BAD_USER_INPUT when it FAILED for the file's fault (a bad line, a conflict), else INTERNAL_SERVER_ERROR.",
  })
  errorCode!: string | null;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  finishedAt!: Date | null;
}

@ObjectType()
export class ImportConnection extends ConnectionType<Import>('Import', () => Import) {}

@InputType()
export class ImportExportInput {
  @Field(() => String, {
    description:
      'A file in the export dir: an export of this server (`<export id>.jsonl`) or an upload (POST /imports answers its name).',
  })
  file!: string;

  @Field(() => ID, { nullable: true, description: "The project to import into; default: the key's own." })
  projectId?: string | null;

  @Field(() => ImportConflict, { nullable: true, defaultValue: ImportConflict.FAIL })
  onConflict?: ImportConflict | null;
}
