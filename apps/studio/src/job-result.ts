/**
 * What a finished job shows: the model in 3D (or the image), the grade and the quality
 * report with its repairs, a download link for every file of the result, and how long each
 * stage took as a timeline. Failed and cancelled jobs show why.
 */
import { apiBytes } from './api.js';
import type { JobView, QualityReport } from './api-types.js';
import { downloadLink } from './download-link.js';
import { el } from './dom.js';
import type { ModelView } from './model-view.js';
import { stagesOf } from './stages.js';
import { bytes, percent, seconds, words } from './units.js';

const PREVIEWED = new Set(['glb', 'obj', 'stl', 'ply']);

export interface ShownResult {
  dispose(): void;
}

export function showResult(root: HTMLElement, job: JobView): ShownResult {
  let view: ModelView | undefined;
  let disposed = false;
  const parts: HTMLElement[] = [];
  if (job.state === 'failed' || job.state === 'cancelled') parts.push(failure(job));
  if (job.result) {
    const result = job.result;
    const format = job.type !== 'image_to_3d' ? 'image' : typeof job.params.format === 'string' ? job.params.format : '';
    const preview = el('div', { class: 'preview', 'data-testid': job.type === 'image_to_3d' ? 'model-view' : 'image-view' }, el('p', { class: 'hint' }, 'Loading the preview…'));
    parts.push(preview);
    if (job.type === 'image_to_3d' && PREVIEWED.has(format)) {
      parts.push(el('p', { class: 'hint' }, 'Drag to turn the model, scroll to zoom; or focus it and use the arrow keys and + / −.'));
      Promise.all([apiBytes(result.url), import('./model-view.js')])
        .then(async ([data, { showModel }]) => {
          if (disposed) return;
          view = await showModel(preview, data, format);
          preview.dataset.ready = 'true';
          if (disposed) view.dispose();
        })
        .catch((err: Error) => preview.replaceChildren(el('p', { class: 'form-error' }, `No preview: ${err.message}`)));
    } else if (result.contentType.startsWith('image/')) {
      apiBytes(result.url)
        .then((data) => {
          const url = URL.createObjectURL(new Blob([data], { type: result.contentType }));
          const prompt = typeof job.params.prompt === 'string' ? job.params.prompt : '';
          preview.replaceChildren(el('img', { src: url, alt: prompt ? `The image drawn for “${prompt}”` : 'The generated image' }));
          preview.dataset.ready = 'true';
        })
        .catch((err: Error) => preview.replaceChildren(el('p', { class: 'form-error' }, `No preview: ${err.message}`)));
    } else {
      preview.replaceChildren(el('p', { class: 'hint' }, `No preview for ${format.toUpperCase()} files: download them below.`));
    }
    parts.push(downloads(job));
  }
  if (job.quality) parts.push(qualityReport(job.quality));
  const timings = timeline(job);
  if (timings) parts.push(timings);
  root.replaceChildren(...parts);
  return {
    dispose() {
      disposed = true;
      view?.dispose();
    },
  };
}

function failure(job: JobView): HTMLElement {
  const where = job.error?.stage ? ` during ${words(job.error.stage).toLowerCase()}` : '';
  const title = job.state === 'cancelled' ? `Cancelled${where}` : `Failed${where}`;
  return el('div', { class: 'failure', role: 'alert' }, el('strong', {}, title), el('p', {}, job.error ? `${job.error.message} (${job.error.code})` : 'No reason was recorded.'));
}

function downloads(job: JobView): HTMLElement {
  const result = job.result!;
  const notes = [
    job.cached ? 'answered from the result cache' : '',
    result.engine ? `engine ${result.engine}` : '',
    result.procedural ? 'procedural engine (no diffusion model configured)' : '',
    result.fallback ? `fallback: ${result.fallbackReason ?? 'the remote engine failed'}` : '',
  ].filter(Boolean);
  return el(
    'section',
    { class: 'downloads', 'aria-label': 'Downloads' },
    el('h3', {}, 'Files'),
    el('ul', {}, ...result.files.map((f) => el('li', {}, downloadLink(f.url, f.name, `Download ${f.name}`), el('span', { class: 'hint' }, ` ${bytes(f.sizeBytes)}, ${f.contentType}`)))),
    notes.length ? el('p', { class: 'hint' }, notes.join(' · ')) : null,
  );
}

function qualityReport(quality: QualityReport): HTMLElement {
  const overall = quality.scores?.overall ?? quality.overall;
  const repairs = Object.entries(quality.repairs ?? {});
  return el(
    'section',
    { class: 'quality', 'aria-label': 'Quality report' },
    el('h3', {}, 'Quality'),
    el(
      'p',
      { class: 'grade-line' },
      quality.grade ? el('span', { class: `grade grade-${quality.grade.replace('+', 'plus')}`, 'data-testid': 'grade' }, `Grade ${quality.grade}`) : null,
      overall !== undefined ? ` overall score ${percent(overall)}` : null,
    ),
    quality.scores
      ? el('table', {}, el('caption', {}, 'Scores by stage'), ...Object.entries(quality.scores).filter(([k]) => k !== 'overall').map(([k, v]) => el('tr', {}, el('th', { scope: 'row' }, words(k)), el('td', {}, percent(v)))))
      : null,
    quality.checks
      ? el('ul', { class: 'checks', 'aria-label': 'Checks' }, ...Object.entries(quality.checks).map(([k, ok]) => el('li', { class: ok ? 'pass' : 'fail' }, `${ok ? '✓' : '✗'} ${words(k)}: ${ok ? 'pass' : 'fail'}`)))
      : null,
    quality.repairs
      ? el('p', { 'data-testid': 'repairs' }, repairs.length ? `Repairs: ${repairs.map(([k, n]) => `${words(k).toLowerCase()} ×${n}`).join(', ')}` : 'Repairs: none were needed.')
      : null,
    quality.issues?.length ? el('p', { id: 'issues-title' }, 'Issues found:') : null,
    quality.issues?.length ? el('ul', { class: 'issues', 'aria-labelledby': 'issues-title' }, ...quality.issues.map((i) => el('li', {}, `${words(i.stage)}: ${words(i.issueType).toLowerCase()}${i.detail ? ` (${i.detail})` : ''}`))) : null,
  );
}

/** Each stage's seconds as a share of a bar, with the numbers beside it in words. */
function timeline(job: JobView): HTMLElement | undefined {
  const stages = stagesOf(job.type).filter((s) => job.stageTimings[s] !== undefined);
  if (stages.length === 0) return undefined;
  const total = stages.reduce((sum, s) => sum + job.stageTimings[s]!, 0);
  const bar = el('div', { class: 'timeline-bar', 'aria-hidden': 'true' });
  const legend = el('ol', { class: 'timeline-legend' });
  stages.forEach((stage, i) => {
    const s = job.stageTimings[stage]!;
    const share = total > 0 ? (s / total) * 100 : 100 / stages.length;
    bar.append(el('span', { class: `seg seg-${i % 4}`, style: `width:${share.toFixed(2)}%`, title: `${words(stage)}: ${seconds(s)}` }));
    legend.append(el('li', { 'data-stage': stage }, el('span', { class: `swatch seg-${i % 4}` }), `${words(stage)} ${seconds(s)}`));
  });
  return el('section', { class: 'timeline', 'aria-label': 'Stage timeline', 'data-testid': 'timeline' }, el('h3', {}, `Timeline: ${seconds(total)} in stages`), bar, legend);
}
