/**
 * Image to 3D: an image picked with the file input or dropped anywhere on the page, a format
 * and a quality, sent as multipart to POST /api/v1/generations.
 */
import { apiJson } from './api.js';
import { el } from './dom.js';
import type { FormOptions } from './form-options.js';

export interface Submitted {
  jobId: string;
  summary: string;
}

const option = (value: string, selected: string) => el('option', { value, selected: value === selected }, value.toUpperCase());

export function imageForm(root: HTMLElement, options: FormOptions, onSubmitted: (job: Submitted) => void): void {
  const file = el('input', { id: 'image-file', name: 'image', type: 'file', accept: 'image/png,image/jpeg,image/webp', required: true });
  const preview = el('img', { class: 'thumb', alt: '', hidden: true });
  const picked = el('p', { class: 'hint', id: 'image-picked' }, 'PNG, JPEG or WebP; or drop an image anywhere on the page.');
  const format = el('select', { id: 'image-format', name: 'format' }, ...options.formats.map((f) => option(f, 'glb')));
  const quality = el('select', { id: 'image-quality', name: 'quality' }, ...options.qualities.map((q) => el('option', { value: q, selected: q === 'medium' }, q)));
  const error = el('p', { class: 'form-error', role: 'alert' });
  const submit = el('button', { type: 'submit' }, 'Generate 3D model');
  const form = el(
    'form',
    { class: 'gen-form', 'aria-labelledby': 'image-form-title' },
    el('h3', { id: 'image-form-title' }, 'Image to 3D'),
    el('div', { class: 'field' }, el('label', { for: 'image-file' }, 'Image'), file),
    el('div', { class: 'picked' }, preview, picked),
    el('div', { class: 'row' }, el('div', { class: 'field' }, el('label', { for: 'image-format' }, 'Format'), format), el('div', { class: 'field' }, el('label', { for: 'image-quality' }, 'Quality'), quality)),
    submit,
    error,
  );
  root.replaceChildren(form);

  let previewUrl: string | undefined;
  const showPicked = () => {
    const image = file.files?.[0];
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    previewUrl = image ? URL.createObjectURL(image) : undefined;
    preview.hidden = !image;
    if (previewUrl) preview.src = previewUrl;
    picked.textContent = image ? `${image.name} (${Math.ceil(image.size / 1024)} KB)` : 'PNG, JPEG or WebP; or drop an image anywhere on the page.';
  };
  file.addEventListener('change', showPicked);
  acceptDrops(file, showPicked);

  const send = async (event: SubmitEvent) => {
    event.preventDefault();
    const image = file.files?.[0];
    if (!image) return void (error.textContent = 'Pick or drop an image first.');
    const body = new FormData();
    body.set('image', image, image.name);
    body.set('format', format.value);
    body.set('quality', quality.value);
    error.textContent = '';
    submit.disabled = true;
    try {
      const { jobId } = await apiJson<{ jobId: string }>('/api/v1/generations', { method: 'POST', body });
      onSubmitted({ jobId, summary: `${image.name} → ${format.value.toUpperCase()}, ${quality.value}` });
    } catch (err) {
      error.textContent = `Not accepted: ${(err as Error).message}`;
    } finally {
      submit.disabled = false;
    }
  };
  form.addEventListener('submit', (event) => void send(event));
}

/** An image dropped anywhere on the page becomes the form's file. */
function acceptDrops(file: HTMLInputElement, onPicked: () => void): void {
  const overlay = document.querySelector<HTMLElement>('#drop-overlay')!;
  const hasFiles = (e: DragEvent) => e.dataTransfer?.types.includes('Files') ?? false;
  let depth = 0;
  document.addEventListener('dragenter', (e) => {
    if (!hasFiles(e)) return;
    depth += 1;
    overlay.hidden = false;
  });
  document.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) overlay.hidden = true;
  });
  document.addEventListener('dragover', (e) => {
    if (hasFiles(e)) e.preventDefault();
  });
  document.addEventListener('drop', (e) => {
    depth = 0;
    overlay.hidden = true;
    const dropped = [...(e.dataTransfer?.files ?? [])].find((f) => f.type.startsWith('image/'));
    if (!dropped) return;
    e.preventDefault();
    const list = new DataTransfer();
    list.items.add(dropped);
    file.files = list.files;
    onPicked();
    file.focus();
  });
}
