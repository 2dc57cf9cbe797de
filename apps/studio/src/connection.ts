/**
 * The socket.io connection: the API key in the handshake (auth.token), a status line that
 * says in words whether the page is live, and reconnection (socket.io-client retries on its
 * own; a refused key is asked for again, then the page connects once more).
 */
import { io, type Socket } from 'socket.io-client';
import { KEY_CHANGED, apiKey, askForKey } from './api-key.js';

type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'refused';

export function connect(status: HTMLElement): Socket {
  const socket = io({
    auth: (cb) => cb(apiKey() ? { token: apiKey() } : {}),
    transports: ['websocket', 'polling'],
  });
  const show = (state: ConnectionState, text: string) => {
    status.dataset.state = state;
    status.textContent = text;
  };

  socket.on('connect', () => show('connected', '● Connected: live updates on'));
  socket.on('disconnect', (reason) => {
    // The server closing the socket (a restart) and the network dropping both come back on their own.
    show('disconnected', reason === 'io client disconnect' ? '○ Disconnected' : '○ Disconnected from the backend: reconnecting…');
  });
  socket.io.on('reconnect_attempt', (attempt) => show('disconnected', `○ Disconnected from the backend: reconnecting (attempt ${attempt})…`));
  socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
    if (err.data?.code !== 'unauthorized') {
      if (!socket.active) show('disconnected', `○ Not connected: ${err.message}`);
      return;
    }
    // A refused handshake is not retried by socket.io-client: connect again once there is a key.
    show('refused', `○ Not connected: ${err.message}`);
    askForKey(err.message).catch(() => {});
  });
  window.addEventListener(KEY_CHANGED, () => {
    if (!socket.connected) socket.connect();
  });
  return socket;
}
