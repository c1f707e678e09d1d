import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { ConnectionType } from '../common/connection.js';
import { DateTimeScalar } from '../common/scalars.js';
import { MemoryFilter } from '../memory/memory-filter.input.js';
import { ExportStatus } from './memory-export.type.js';

@ObjectType({ description: 'Users written, of the users the export covers.' })
export class ExportProgress {
  @Field(() => Int)
  done!: number;

  @Field(() => Int)
  total!: number;
}

@ObjectType({
  description:
    'A lossless export of the project (or some of its users) as a JSON Lines file: GET /exports/{id} with the same key downloads it once FINISHED (gzip with Accept-Encoding: gzip). Deleted with its file after MEMQL_EXPORT_RETENTION_HOURS.',
})
export class Export {
  @Field(() => ID)
  id!: string;

  @Field(() => ExportStatus)
  status!: ExportStatus;

  @Field(() => ExportProgress)
  progress!: ExportProgress;

  @Field(() => [ID], { description: 'The users asked for; empty: every user.' })
  userIds!: string[];

  @Field(() => Boolean)
  includeBlobs!: boolean;

  @Field(() => Float, { nullable: true, description: "The file's size once FINISHED." })
  bytes!: number | null;

  @Field(() => String, { nullable: true, description: 'Why it FAILED.' })
  error!: string | null;

  @Field(() => String, { description: 'Where to download it (relative to the server).' })
  downloadPath!: string;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  finishedAt!: Date | null;
}

@ObjectType()
export class ExportConnection extends ConnectionType<Export>('Export', () => Export) {}

@InputType()
export class CreateExportInput {
  @Field(() => [ID], { nullable: true, description: 'At most 1,000 users; none: every user of the project.' })
  userIds?: string[] | null;

  @Field(() => MemoryFilter, {
    nullable: true,
    description: 'The memories written; none: every memory, deleted and expired ones included, with its history.',
  })
  filter?: MemoryFilter | null;

  @Field(() => Boolean, { nullable: true, defaultValue: true })
  includeBlobs?: boolean | null;
}
