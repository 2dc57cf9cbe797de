/**
 * The job on screen, live: subscribes to its socket.io room (again after every reconnect,
 * since rooms do not outlive a connection), shows state, stage list, progress and ETA from
 * progress / stage_change events, and on complete or error reads the whole job from GET
 * /api/v1/jobs/:id for the result. The job's id is kept in sessionStorage, so a reload finds it.
 */
import type { WsEvent } from '@orfeas/metrics/catalog';
import type { Socket } from 'socket.io-client';
import { ApiError, api, apiJson } from './api.js';
import type { JobErrorEvent, JobState, JobView, ProgressEvent } from './api-types.js';
import { el } from './dom.js';
import { showResult, type ShownResult } from './job-result.js';
import type { RecentJobs } from './recent-jobs.js';
import { stagesOf } from './stages.js';
import { percent, seconds, words } from './units.js';

const CURRENT_KEY = 'orfeas.currentJob';
/** The job room's events, checked against the catalog's names. */
const [PROGRESS, STAGE_CHANGE, COMPLETE, ERROR]: WsEvent[] = ['progress', 'stage_change', 'complete', 'error'];
const ENDED: readonly JobState[] = ['completed', 'failed', 'cancelled'];

const STATE_TEXT: Record<JobState, string> = {
  queued: '… Queued',
  running: '▶ Running',
  completed: '✓ Completed',
  failed: '✗ Failed',
  cancelled: '■ Cancelled',
};

export const rememberedJob = () => sessionStorage.getItem(CURRENT_KEY) ?? undefined;

export class JobPanel {
  private job: JobView | undefined;
  private jobId: string | undefined;
  private shown: ShownResult | undefined;
  private readonly summary = el('div', { class: 'job-summary' });
  private readonly result = el('div', { class: 'job-result' });

  constructor(
    private readonly root: HTMLElement,
    private readonly socket: Socket,
    private readonly recent: RecentJobs,
  ) {
    root.replaceChildren(el('p', { class: 'hint' }, 'Submit an image or a prompt, or open one of your recent jobs.'));
    socket.on('connect', () => {
      if (this.jobId) void this.follow();
    });
    const live = (event: ProgressEvent) => {
      if (event.jobId !== this.jobId || !this.job || ENDED.includes(this.job.state)) return;
      // A late subscriber to a queued job gets the job's view as its first progress event.
      const state = event.state ?? 'running';
      if (ENDED.includes(state)) return void this.refresh();
      this.job = { ...this.job, state, stage: event.stage, progress: event.progress, stageProgress: event.stageProgress, etaSeconds: event.etaSeconds };
      this.renderSummary();
    };
    socket.on(PROGRESS!, live);
    socket.on(STAGE_CHANGE!, live);
    socket.on(COMPLETE!, (event: { jobId: string }) => {
      if (event.jobId === this.jobId) void this.refresh();
    });
    socket.on(ERROR!, (event: JobErrorEvent) => {
      if (event.jobId && event.jobId === this.jobId) void this.refresh();
    });
  }

  watch(jobId: string): void {
    if (jobId === this.jobId) return;
    this.shown?.dispose();
    this.shown = undefined;
    this.job = undefined;
    this.jobId = jobId;
    sessionStorage.setItem(CURRENT_KEY, jobId);
    this.recent.select(jobId);
    this.summary.replaceChildren(el('p', { class: 'hint' }, 'Loading the job…'));
    this.result.replaceChildren();
    this.root.replaceChildren(this.summary, this.result);
    void this.follow();
  }

  /** Joins the job's room and reads where the job is now. */
  private async follow(): Promise<void> {
    const jobId = this.jobId!;
    if (this.socket.connected) this.socket.emit('subscribe', { jobId });
    await this.refresh();
  }

  private async refresh(): Promise<void> {
    const jobId = this.jobId!;
    try {
      const job = await apiJson<JobView>(`/api/v1/jobs/${jobId}`);
      if (jobId !== this.jobId) return;
      this.job = job;
      this.recent.update(job);
      this.renderSummary();
      if (ENDED.includes(job.state) && !this.shown) this.shown = showResult(this.result, job);
    } catch (err) {
      if (jobId !== this.jobId) return;
      const gone = err instanceof ApiError && (err.status === 404 || err.status === 410);
      // While the backend is away the last view stays; the reconnect reads it again.
      if (!gone && this.job) return;
      this.summary.replaceChildren(el('p', { class: 'form-error', role: 'alert' }, `Job ${jobId.slice(0, 8)}: ${(err as Error).message}`));
    }
  }

  private renderSummary(): void {
    const job = this.job!;
    const stages = stagesOf(job.type);
    const current = job.stage ? stages.indexOf(job.stage) : -1;
    const stageState = (stage: string, i: number): string => {
      if (job.stageTimings[stage] !== undefined || job.state === 'completed') return 'done';
      if (i === current) return job.state === 'running' ? 'running' : job.state === 'queued' ? 'waiting' : 'stopped';
      return i < current ? 'done' : 'waiting';
    };
    const stageText = (stage: string, state: string): string => {
      const took = job.stageTimings[stage];
      if (state === 'done') return took === undefined ? '✓ done' : `✓ done in ${seconds(took)}`;
      if (state === 'running') return `▶ ${percent(job.stageProgress ?? 0)}`;
      if (state === 'stopped') return '✗ stopped here';
      return '· waiting';
    };
    const running = job.state === 'running' || job.state === 'queued';
    const eta = job.state === 'running' ? (job.etaSeconds === null ? 'ETA once a stage has run' : `about ${seconds(job.etaSeconds)} left`) : '';
    this.summary.replaceChildren(
      el(
        'div',
        { class: 'job-head' },
        el('span', { class: 'job-kind' }, job.type === 'image_to_3d' ? `Image to 3D · ${String(job.params.format).toUpperCase()}, ${String(job.params.quality)}` : `Text to image · ${words(String(job.params.style))}`),
        el('span', { class: `state state-${job.state}`, 'data-testid': 'job-state', role: 'status' }, STATE_TEXT[job.state]),
      ),
      el('p', { class: 'hint job-id' }, `Job ${job.id}`),
      el('div', { class: 'progress-line' }, el('progress', { max: 1, value: job.progress, 'aria-label': 'Job progress' }), el('span', {}, percent(job.progress)), el('span', { class: 'eta' }, eta)),
      el(
        'ol',
        { class: 'stages', 'aria-label': 'Stages' },
        ...stages.map((stage, i) => {
          const state = stageState(stage, i);
          return el('li', { 'data-stage': stage, 'data-state': state, class: `stage stage-${state}` }, el('span', {}, words(stage)), el('span', { class: 'stage-state' }, stageText(stage, state)));
        }),
      ),
      ...(running ? [this.cancelButton(job.id)] : []),
    );
  }

  private cancelButton(jobId: string): HTMLElement {
    const button = el('button', { type: 'button', class: 'secondary' }, 'Cancel job');
    const cancel = async () => {
      button.disabled = true;
      await api(`/api/v1/jobs/${jobId}`, { method: 'DELETE' }).catch(() => undefined);
      await this.refresh();
    };
    button.addEventListener('click', () => void cancel());
    return button;
  }
}
