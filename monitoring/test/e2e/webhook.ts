/** An HTTP endpoint on loopback that keeps every Alertmanager webhook notification it gets. */
import { createServer } from 'node:http';

export interface WebhookNotification {
  receiver: string;
  status: string;
  alerts: { status: string; labels: Record<string, string> }[];
}

export function startWebhook(): Promise<{ url: string; notifications: WebhookNotification[]; close(): Promise<void> }> {
  const notifications: WebhookNotification[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      notifications.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      response.writeHead(200).end();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        url: `http://127.0.0.1:${port}/orfeas-alerts`,
        notifications,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}
