// Follows a server-side job (an export, an import) to its end: polls it,
// drawing its progress (a bar on a terminal, lines otherwise) once its total
// is known. One loop for every command that starts a job.

import type { Progress } from './output.js';

export interface JobView {
  status: string;
  progress: { done: number; total: number };
}

/**
 * Polls `read` every 250 ms while the job is PENDING or RUNNING; returns it
 * FINISHED or FAILED. `read` answering null (the job is gone) ends it as `gone`.
 */
export async function followJob<T extends JobView>(
  first: T,
  read: () => Promise<T | null>,
  progress: Progress,
  gone: (last: T) => T,
): Promise<T> {
  let job = first;
  let started = false;
  const show = () => {
    if (!started && (job.progress.total > 0 || job.status === 'FINISHED')) {
      progress.start(job.progress.total);
      started = true;
    }
    if (started) progress.update(job.progress.done);
  };
  while (job.status === 'PENDING' || job.status === 'RUNNING') {
    await new Promise((resolve) => setTimeout(resolve, 250));
    job = (await read()) ?? gone(job);
    show();
  }
  show();
  if (started) progress.stop();
  return job;
}
