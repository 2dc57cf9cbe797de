/** Text to image: a prompt, a style and a size, sent as JSON to POST /api/v1/text-to-image. */
import { apiJson } from './api.js';
import { el } from './dom.js';
import type { FormOptions } from './form-options.js';
import type { Submitted } from './image-form.js';
import { words } from './units.js';

export function promptForm(root: HTMLElement, options: FormOptions, onSubmitted: (job: Submitted) => void): void {
  const prompt = el('textarea', { id: 'prompt', name: 'prompt', rows: 2, maxlength: 1000, required: true, placeholder: 'a bronze statue of a fox' });
  const style = el('select', { id: 'prompt-style', name: 'style' }, ...options.styles.map((s) => el('option', { value: s }, words(s))));
  const size = (id: string) => el('input', { id, type: 'number', min: options.side.min, max: options.side.max, step: 1, value: 512, required: true });
  const width = size('prompt-width');
  const height = size('prompt-height');
  const error = el('p', { class: 'form-error', role: 'alert' });
  const submit = el('button', { type: 'submit' }, 'Generate image');
  const form = el(
    'form',
    { class: 'gen-form', 'aria-labelledby': 'prompt-form-title' },
    el('h3', { id: 'prompt-form-title' }, 'Text to image'),
    el('div', { class: 'field' }, el('label', { for: 'prompt' }, 'Prompt'), prompt),
    el(
      'div',
      { class: 'row' },
      el('div', { class: 'field' }, el('label', { for: 'prompt-style' }, 'Style'), style),
      el('div', { class: 'field narrow' }, el('label', { for: 'prompt-width' }, 'Width (px)'), width),
      el('div', { class: 'field narrow' }, el('label', { for: 'prompt-height' }, 'Height (px)'), height),
    ),
    submit,
    error,
  );
  root.replaceChildren(form);

  const send = async (event: SubmitEvent) => {
    event.preventDefault();
    const body = { prompt: prompt.value.trim(), style: style.value, width: width.valueAsNumber, height: height.valueAsNumber };
    error.textContent = '';
    submit.disabled = true;
    try {
      const { jobId } = await apiJson<{ jobId: string }>('/api/v1/text-to-image', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      onSubmitted({ jobId, summary: `“${body.prompt.slice(0, 40)}”, ${words(body.style).toLowerCase()}` });
    } catch (err) {
      error.textContent = `Not accepted: ${(err as Error).message}`;
    } finally {
      submit.disabled = false;
    }
  };
  form.addEventListener('submit', (event) => void send(event));
}
