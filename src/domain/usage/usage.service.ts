// Usage of a project or a user by UTC day: blobs inserted and the estimated
// tokens of their text, LLM calls and tokens of extraction. The range is
// checked here; the counters are written where the work is committed.

import { BadInputError } from '../errors.js';
import type { UsageDayRecord, UsageRepository } from '../ports.js';

/** Days returned when no range is given: the last 30, today included. */
export const DEFAULT_USAGE_DAYS = 30;
/** Longest range one request may ask for. */
export const MAX_USAGE_DAYS = 366;

const DAY_MS = 86_400_000;

export interface UsageTotals extends Omit<UsageDayRecord, 'day'> {
  /** First and last day of the range (YYYY-MM-DD, UTC). */
  since: string;
  until: string;
  /** Days with any usage in the range, oldest first. */
  days: UsageDayRecord[];
}

export interface UsageRange {
  since?: Date | null;
  until?: Date | null;
}

function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export class UsageService {
  constructor(
    private readonly usage: UsageRepository,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  forProject(projectId: string, range: UsageRange): Promise<UsageTotals> {
    return this.read({ projectId }, range);
  }

  forUser(projectId: string, userPk: string, range: UsageRange): Promise<UsageTotals> {
    return this.read({ projectId, userPk }, range);
  }

  private async read(scope: { projectId: string; userPk?: string }, range: UsageRange): Promise<UsageTotals> {
    const until = range.until ?? this.clock();
    const since = range.since ?? new Date(until.getTime() - (DEFAULT_USAGE_DAYS - 1) * DAY_MS);
    const [from, to] = [utcDay(since), utcDay(until)];
    if (from > to) throw new BadInputError('since', `must not be after until (${to})`);
    const days = (Date.parse(to) - Date.parse(from)) / DAY_MS + 1;
    if (days > MAX_USAGE_DAYS)
      throw new BadInputError('since', `the range covers ${days} days; at most ${MAX_USAGE_DAYS} per request`);
    const daily = await this.usage.daily(scope, from, to);
    const sum = (pick: (day: UsageDayRecord) => number) => daily.reduce((total, day) => total + pick(day), 0);
    return {
      since: from,
      until: to,
      blobs: sum((d) => d.blobs),
      tokensStored: sum((d) => d.tokensStored),
      llmCalls: sum((d) => d.llmCalls),
      llmPromptTokens: sum((d) => d.llmPromptTokens),
      llmCompletionTokens: sum((d) => d.llmCompletionTokens),
      blobsForgotten: sum((d) => d.blobsForgotten),
      tokensForgotten: sum((d) => d.tokensForgotten),
      days: daily,
    };
  }
}
