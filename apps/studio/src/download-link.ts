/**
 * A link that downloads a result file. With an API key a plain link could not send it, so a
 * click fetches the file with the key and saves it from memory.
 */
import { apiBytes } from './api.js';
import { apiKey } from './api-key.js';
import { el } from './dom.js';

export function downloadLink(url: string, name: string, label: string): HTMLAnchorElement {
  const link = el('a', { href: url, download: name }, label);
  link.addEventListener('click', (event) => {
    if (!apiKey() || link.href.startsWith('blob:')) return;
    event.preventDefault();
    void save(url, name);
  });
  return link;
}

async function save(url: string, name: string): Promise<void> {
  const blob = new Blob([await apiBytes(url)]);
  const saved = el('a', { href: URL.createObjectURL(blob), download: name });
  saved.click();
  setTimeout(() => URL.revokeObjectURL(saved.href), 60_000);
}
