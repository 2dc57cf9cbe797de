/**
 * The studio page: generate (an image to 3D, a prompt to an image), watch the job live,
 * see and download the result, and watch the GPUs. Everything goes through the same
 * /api/v1 routes and socket.io events any client uses. #/jobs/<id> opens a job.
 */
import './styles.css';
import { connect } from './connection.js';
import { el } from './dom.js';
import { loadFormOptions } from './form-options.js';
import { gpuPanel } from './gpu-panel.js';
import { imageForm, type Submitted } from './image-form.js';
import { JobPanel, rememberedJob } from './job-panel.js';
import { promptForm } from './prompt-form.js';
import { RecentJobs, jobLink } from './recent-jobs.js';

const $ = (selector: string) => document.querySelector<HTMLElement>(selector)!;

const socket = connect($('#connection'));
const recent = new RecentJobs($('#recent-jobs'));
const panel = new JobPanel($('#job'), socket, recent);
gpuPanel($('#gpu'), socket);

const jobInHash = () => /^#\/jobs\/([0-9a-f-]{36})$/i.exec(location.hash)?.[1];
const open = () => {
  const id = jobInHash() ?? rememberedJob();
  if (id) panel.watch(id);
};
window.addEventListener('hashchange', open);

const submitted = (type: 'image_to_3d' | 'text_to_image') => (job: Submitted) => {
  recent.add(job.jobId, type, job.summary);
  location.hash = jobLink(job.jobId);
};

/** The forms need the API's lists; until the backend answers they say so, and try again on connect. */
let forms: Promise<void> | undefined;
function showForms(): void {
  forms ??= loadFormOptions().then(
    (options) => {
      imageForm($('#image-form'), options, submitted('image_to_3d'));
      promptForm($('#prompt-form'), options, submitted('text_to_image'));
    },
    (err: Error) => {
      forms = undefined;
      $('#image-form').replaceChildren(el('p', { class: 'form-error', role: 'alert' }, `The forms cannot load: ${err.message}`));
    },
  );
}

socket.on('connect', showForms);
showForms();
open();
void recent.refresh();
