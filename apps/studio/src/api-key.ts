/**
 * The API key, for a backend with keys on (ORFEAS_API_KEYS_FILE): asked for in a dialog when
 * a request gets 401 or the socket handshake is refused, and kept in sessionStorage, so it
 * lasts as long as the tab. Requests refused at once share one dialog.
 */

const STORAGE_KEY = 'orfeas.apiKey';
export const KEY_CHANGED = 'orfeas:api-key';

export const apiKey = (): string | undefined => sessionStorage.getItem(STORAGE_KEY) ?? undefined;

let asking: Promise<string> | undefined;

/** Resolves with the key the person entered; rejects when they cancel. `reason`: the backend's refusal. */
export function askForKey(reason: string): Promise<string> {
  if (apiKey()) reason = `The key was refused: ${reason}`;
  asking ??= showDialog(reason).finally(() => (asking = undefined));
  return asking;
}

function showDialog(reason: string): Promise<string> {
  const dialog = document.querySelector<HTMLDialogElement>('#api-key-dialog')!;
  const input = dialog.querySelector<HTMLInputElement>('#api-key-input')!;
  dialog.querySelector('#api-key-reason')!.textContent = reason;
  input.value = '';
  return new Promise((resolve, reject) => {
    const cancel = dialog.querySelector<HTMLButtonElement>('#api-key-cancel')!;
    const onCancel = () => dialog.close('cancel');
    cancel.addEventListener('click', onCancel, { once: true });
    dialog.addEventListener(
      'close',
      () => {
        cancel.removeEventListener('click', onCancel);
        const key = input.value.trim();
        if (dialog.returnValue !== 'use' || !key) return reject(new Error('no API key was entered'));
        sessionStorage.setItem(STORAGE_KEY, key);
        window.dispatchEvent(new Event(KEY_CHANGED));
        resolve(key);
      },
      { once: true },
    );
    dialog.returnValue = '';
    dialog.showModal();
    input.focus();
  });
}
