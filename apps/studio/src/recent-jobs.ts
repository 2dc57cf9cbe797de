/**
 * The jobs this browser submitted, newest first: ids kept in localStorage (the API lists no
 * jobs), each shown with its state in words and links to open it and to its result. The
 * state is asked of GET /api/v1/jobs/:id when the list is shown.
 */
import { ApiError, apiJson } from './api.js';
import type { JobState, JobType, JobView } from './api-types.js';
import { downloadLink } from './download-link.js';
import { el } from './dom.js';
import { timeOfDay, words } from './units.js';

const STORAGE_KEY = 'orfeas.recentJobs';
const KEEP = 20;

interface Entry {
  id: string;
  type: JobType;
  summary: string;
  createdAt: string;
  /** The last state seen, or why the job is not there any more. */
  state: JobState | 'expired' | 'not_found' | 'unknown';
  resultUrl?: string;
}

export const jobLink = (id: string) => `#/jobs/${id}`;

export class RecentJobs {
  private entries: Entry[];
  private current: string | undefined;

  constructor(private readonly root: HTMLElement) {
    try {
      this.entries = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '[]') as Entry[];
    } catch {
      this.entries = [];
    }
  }

  add(id: string, type: JobType, summary: string): void {
    this.entries = [{ id, type, summary, createdAt: new Date().toISOString(), state: 'queued' as const }, ...this.entries.filter((e) => e.id !== id)].slice(0, KEEP);
    this.save();
  }

  /** What the job panel saw of a job: its state, and the result once there is one. */
  update(job: JobView): void {
    const entry = this.entries.find((e) => e.id === job.id);
    if (!entry) return;
    entry.state = job.state;
    if (job.result) entry.resultUrl = job.result.url;
    this.save();
  }

  select(id: string | undefined): void {
    this.current = id;
    this.render();
  }

  /** Asks the backend where each job is now. */
  async refresh(): Promise<void> {
    await Promise.all(
      this.entries.map(async (entry) => {
        try {
          const job = await apiJson<JobView>(`/api/v1/jobs/${entry.id}`);
          entry.state = job.state;
          if (job.result) entry.resultUrl = job.result.url;
        } catch (err) {
          if (err instanceof ApiError && err.status === 410) entry.state = 'expired';
          else if (err instanceof ApiError && err.status === 404) entry.state = 'not_found';
        }
      }),
    );
    this.save();
  }

  private save(): void {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(this.entries));
    this.render();
  }

  private render(): void {
    if (this.entries.length === 0) {
      this.root.replaceChildren(el('p', { class: 'hint' }, 'Jobs you submit from this browser show here.'));
      return;
    }
    const items = this.entries.map((e) =>
      el(
        'li',
        { 'data-job': e.id, 'aria-current': e.id === this.current ? 'true' : undefined },
        el('a', { href: jobLink(e.id) }, e.type === 'image_to_3d' ? 'Image to 3D' : 'Text to image'),
        el('span', { class: 'summary' }, e.summary),
        el('span', { class: `state state-${e.state}` }, words(e.state)),
        el('time', { datetime: e.createdAt }, timeOfDay(e.createdAt)),
        e.resultUrl && e.state === 'completed' ? downloadLink(e.resultUrl, '', 'Download') : null,
      ),
    );
    this.root.replaceChildren(el('ul', { class: 'recent', 'data-testid': 'recent-jobs' }, ...items));
  }
}
