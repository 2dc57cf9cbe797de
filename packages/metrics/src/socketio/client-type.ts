/**
 * The client_type of a socket.io connection, from its handshake:
 * 1. what the client declares: `auth.clientType`, the `x-client-type` header or the
 *    `clientType` query parameter, when it is "browser" or "api";
 * 2. else "browser" when the handshake carries an Origin header or a browser User-Agent
 *    (every browser's starts with "Mozilla/"): browsers send both, Node and other API
 *    clients send neither unless told to;
 * 3. else "api".
 */
import type { Socket } from 'socket.io';
import type { CLIENT_TYPES } from '../catalog.js';

export type ClientType = (typeof CLIENT_TYPES)[number];

export function handshakeClientType(socket: Socket): ClientType {
  const { auth, headers, query } = socket.handshake;
  const declared = (auth as { clientType?: unknown } | undefined)?.clientType ?? headers['x-client-type'] ?? query.clientType;
  if (declared === 'browser' || declared === 'api') return declared;
  const userAgent = headers['user-agent'];
  if (headers.origin !== undefined || (typeof userAgent === 'string' && userAgent.startsWith('Mozilla/'))) return 'browser';
  return 'api';
}
