/** @orfeas/metrics/system: the system family's scrape-time readers (memory, CPU, disk, uptime, app info). */
export { systemCollectors, type SystemOptions } from './collector.js';
