/**
 * The ORFEAS metric catalog: the one place where every metric's name, type, help, labels,
 * buckets and label bounds are defined. Services build their metrics from it; dashboards
 * and alert rules are checked against it.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram';

/** How the values of one label are kept bounded: an allowlist, or a cap on distinct values. */
export type LabelBound = { readonly values: readonly string[] } | { readonly max: number };

export interface MetricDef<L extends string = string, T extends MetricType = MetricType> {
  readonly name: string;
  readonly type: T;
  readonly help: string;
  readonly labels: readonly L[];
  readonly buckets?: readonly number[];
  /** Bounds for labels whose values are not fixed by the code that records them. */
  readonly bounds?: Readonly<Partial<Record<L, LabelBound>>>;
}

/** The value a refused label value is recorded as. */
export const OVERFLOW_LABEL_VALUE = 'other';

/** Pipeline stage names: the `stage` label of the pipeline metrics. */
export const STAGES = [
  'background_removal',
  'shape_generation',
  'texture_generation',
  'export',
  'text_to_image',
] as const;
export type Stage = (typeof STAGES)[number];

/** The stages of an image-to-3D job, in order. */
export const IMAGE_TO_3D_STAGES = [
  'background_removal',
  'shape_generation',
  'texture_generation',
  'export',
] as const satisfies readonly Stage[];

/** WebSocket event names sent to clients. */
export const WS_EVENTS = ['progress', 'stage_change', 'complete', 'error', 'gpu_stats'] as const;
export type WsEvent = (typeof WS_EVENTS)[number];

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', '_OTHER'] as const;
export const GENERATION_TYPES = ['image_to_3d', 'text_to_image'] as const;
/** Where the job queue lives: SQLite under the data directory (one machine), or Redis (BullMQ, a fleet). */
export const QUEUE_BACKENDS = ['sqlite', 'redis'] as const;
export const JOB_SLOT_STATES = ['busy', 'idle'] as const;
export const GENERATION_STATUSES = ['success', 'failure', 'cancelled'] as const;
export const MODEL_FORMATS = ['glb', 'obj', 'stl', 'ply'] as const;
export const MODEL_QUALITIES = ['low', 'medium', 'high'] as const;
export const IMAGE_FORMATS = ['png', 'jpeg', 'webp', 'unknown'] as const;
export const QUALITY_STAGES = ['background_removal', 'shape', 'texture', 'final', 'overall'] as const;
export const QUALITY_GRADES = ['A+', 'A', 'B', 'C', 'D', 'F'] as const;
export const QUALITY_CHECKS = ['manifold', 'watertight', 'printable'] as const;
export const CLIENT_TYPES = ['browser', 'api'] as const;
/** Where GPU telemetry comes from: the NVIDIA driver, or nvml-sim when simulation was asked for. */
export const GPU_SOURCES = ['nvml', 'sim'] as const;
export type GpuSource = (typeof GPU_SOURCES)[number];
export const GPU_MEMORY_TYPES = ['total', 'used', 'free', 'reserved'] as const;
export const GPU_CLOCKS = ['sm', 'memory', 'graphics', 'video'] as const;
/** NVML clock-event (throttle) reasons, in the words of nvml.h's nvmlClocksEventReason* bits. */
export const GPU_THROTTLE_REASONS = [
  'gpu_idle',
  'applications_clocks_setting',
  'sw_power_cap',
  'hw_slowdown',
  'sync_boost',
  'sw_thermal_slowdown',
  'hw_thermal_slowdown',
  'hw_power_brake_slowdown',
  'display_clock_setting',
] as const;

/**
 * The fields the GPU sampler reads, as nvml.h groups them: the `field` label of
 * gpu_field_supported and gpu_sampler_errors_total ("handle" is opening the GPU at all, so it
 * has no support series). The same list as the addon's GpuField.
 */
export const GPU_FIELDS = [
  'utilization',
  'memory',
  'temperature',
  'power',
  'power_limit',
  'energy',
  'clocks',
  'throttle',
  'fans',
  'performance_state',
  'utilization_samples',
  'power_samples',
  'handle',
  'processes',
  'process_utilization',
  'ecc',
  'retired_pages',
  'remapped_rows',
  'pcie_throughput',
  'pcie_replays',
  'nvlink',
  'xid_events',
  'gpm',
] as const;
export type GpuFieldName = (typeof GPU_FIELDS)[number];
/**
 * XID codes with a series of their own in gpu_xid_errors_total (any other code counts as
 * "other"): those NVIDIA's XID catalog (docs.nvidia.com/deploy/xid-errors) lists as hardware,
 * driver or memory faults that operators act on, plus the common application faults 13, 31, 43, 45.
 */
export const GPU_XIDS = [
  '8', '13', '31', '32', '38', '43', '45', '48', '56', '57', '58', '61', '62', '63', '64', '68', '69', '74', '79',
  '92', '94', '95', '109', '119', '120', '121', '123', '140',
] as const;
/**
 * The XIDs that mean the GPU needs attention (a reset, a drain or an RMA), from NVIDIA's XID
 * catalog (docs.nvidia.com/deploy/xid-errors, "XID Error Listing" and its "Action" column):
 * 48 double-bit ECC, 61/62 internal micro-controller halt, 63/64 page retirement or row
 * remapping events and failures, 74 NVLink error, 79 fallen off the bus, 92 high single-bit ECC
 * rate, 94/95 contained/uncontained ECC error, 119/120 GSP errors, 123 SPI PMU RPC failure,
 * 140 unrecovered ECC error. GpuXidError fires critical for these.
 */
export const GPU_CRITICAL_XIDS = ['48', '61', '62', '63', '64', '74', '79', '92', '94', '95', '119', '120', '123', '140'] as const;
export const GPU_ECC_TYPES = ['corrected', 'uncorrected'] as const;
export const GPU_RETIREMENT_CAUSES = ['single_bit', 'double_bit'] as const;
export const GPU_REMAP_CAUSES = ['correctable', 'uncorrectable'] as const;
export const GPU_REMAP_STATUSES = ['pending', 'failed'] as const;
export const GPU_DIRECTIONS = ['tx', 'rx'] as const;

const ratioBuckets = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1] as const;
const byteBuckets = [100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000] as const;

function def<const L extends string, const T extends MetricType>(
  type: T,
  name: string,
  help: string,
  labels: readonly L[],
  extra: { buckets?: readonly number[]; bounds?: Partial<Record<L, LabelBound>> } = {},
): MetricDef<L, T> {
  return { name, type, help, labels, ...extra };
}
const counter = <const L extends string>(n: string, h: string, l: readonly L[], b?: Partial<Record<L, LabelBound>>) =>
  def('counter', n, h, l, b ? { bounds: b } : {});
const gauge = <const L extends string>(n: string, h: string, l: readonly L[], b?: Partial<Record<L, LabelBound>>) =>
  def('gauge', n, h, l, b ? { bounds: b } : {});
const histogram = <const L extends string>(
  n: string,
  h: string,
  l: readonly L[],
  buckets: readonly number[],
  b?: Partial<Record<L, LabelBound>>,
) => def('histogram', n, h, l, b ? { buckets, bounds: b } : { buckets });

const route = { max: 200 } as const;
const method = { values: HTTP_METHODS } as const;
const status = { max: 64 } as const;
const genType = { values: GENERATION_TYPES } as const;
const genStatus = { values: GENERATION_STATUSES } as const;
const gpu = { max: 128 } as const;

export const catalog = {
  http: {
    requestsTotal: counter('http_requests_total', 'HTTP requests handled, by method, matched route pattern and status code.', ['method', 'route', 'status'], { method, route, status }),
    requestDurationSeconds: histogram('http_request_duration_seconds', 'Time from request start to the response being produced.', ['method', 'route', 'status'], [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], { method, route, status }),
    requestSizeBytes: histogram('http_request_size_bytes', 'Size of request bodies as declared by Content-Length.', ['method', 'route'], byteBuckets, { method, route }),
    responseSizeBytes: histogram('http_response_size_bytes', 'Size of response bodies.', ['method', 'route'], byteBuckets, { method, route }),
    requestsInFlight: gauge('http_requests_in_flight', 'HTTP requests being handled now.', ['method'], { method }),
  },
  errors: {
    errorsTotal: counter('errors_total', 'Errors raised while handling requests or jobs, by error type and route pattern.', ['type', 'route'], { type: { max: 50 }, route }),
    validationErrorsTotal: counter('validation_errors_total', 'Requests refused because a field failed validation.', ['field', 'error_type'], { field: { max: 50 }, error_type: { max: 50 } }),
    rateLimitRejectionsTotal: counter('rate_limit_rejections_total', 'Requests refused by the per-client rate limit.', ['route'], { route }),
  },
  textToImage: {
    generationsTotal: counter('text_to_image_generations_total', 'Text-to-image jobs finished, by style and outcome.', ['style', 'status'], { style: { max: 32 }, status: genStatus }),
    durationSeconds: histogram('text_to_image_duration_seconds', 'Time to generate one image, by style.', ['style'], [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300], { style: { max: 32 } }),
  },
  model3d: {
    generationsTotal: counter('model_3d_generations_total', 'Image-to-3D jobs finished, by export format, quality setting and outcome.', ['format', 'quality', 'status'], { format: { values: MODEL_FORMATS }, quality: { values: MODEL_QUALITIES }, status: genStatus }),
    durationSeconds: histogram('model_3d_duration_seconds', 'Time to turn one image into a model, by export format and quality.', ['format', 'quality'], [0.5, 1, 2.5, 5, 10, 30, 60, 120, 180, 300, 600], { format: { values: MODEL_FORMATS }, quality: { values: MODEL_QUALITIES } }),
    imageUploadsTotal: counter('image_uploads_total', 'Images uploaded for generation, by detected format and whether they were accepted.', ['format', 'status'], { format: { values: IMAGE_FORMATS }, status: { values: ['accepted', 'rejected'] } }),
  },
  business: {
    successfulGenerationsTotal: counter('successful_generations_total', 'Generations that produced a result.', ['type'], { type: genType }),
    failedGenerationsTotal: counter('failed_generations_total', 'Generations that failed, by reason.', ['type', 'reason'], { type: genType, reason: { max: 30 } }),
    generatedFileSizeBytes: histogram('generated_file_size_bytes', 'Size of generated result files.', ['type', 'format'], [1_000, 10_000, 100_000, 1_000_000, 5_000_000, 10_000_000, 50_000_000, 100_000_000], { type: genType, format: { max: 16 } }),
    generationQualityScore: histogram('generation_quality_score', 'Overall quality score (0..1) of each generated result.', ['type'], ratioBuckets, { type: genType }),
  },
  gpu: {
    samplerUp: gauge('gpu_sampler_up', '1 when the GPU sampler has NVML loaded and is sampling, else 0.', []),
    info: gauge('gpu_info', 'Constant 1, with the identity of each GPU as labels; source is "sim" for nvml-sim\'s simulated GPUs, "nvml" for the NVIDIA driver. A MIG instance is a GPU of its own (gpu="0/3": parent index / GPU instance id) with its parent\'s index and its profile ("1g.10gb") as labels; both are empty for a whole GPU.', ['gpu', 'uuid', 'name', 'driver_version', 'source', 'parent', 'profile'], { gpu, uuid: { max: 64 }, name: { max: 64 }, driver_version: { max: 8 }, source: { values: GPU_SOURCES }, parent: { max: 64 }, profile: { max: 32 } }),
    up: gauge('gpu_up', '1 while the GPU answers, 0 once it is lost.', ['gpu'], { gpu }),
    utilizationRatio: gauge('gpu_utilization_ratio', 'Latest GPU (SM) utilization, 0..1.', ['gpu'], { gpu }),
    memoryUtilizationRatio: gauge('gpu_memory_utilization_ratio', 'Latest memory controller utilization, 0..1.', ['gpu'], { gpu }),
    busySecondsTotal: counter('gpu_busy_seconds_total', 'Integral of GPU utilization over time: rate() of it is the mean utilization over any window.', ['gpu'], { gpu }),
    memoryBytes: gauge('gpu_memory_bytes', 'GPU memory by type.', ['gpu', 'type'], { gpu, type: { values: GPU_MEMORY_TYPES } }),
    temperatureCelsius: gauge('gpu_temperature_celsius', 'GPU core temperature.', ['gpu'], { gpu }),
    powerWatts: gauge('gpu_power_watts', 'GPU power draw.', ['gpu'], { gpu }),
    powerLimitWatts: gauge('gpu_power_limit_watts', 'Enforced GPU power limit.', ['gpu'], { gpu }),
    energyJoulesTotal: counter('gpu_energy_joules_total', 'Energy used by the GPU since the sampler started.', ['gpu'], { gpu }),
    clockHertz: gauge('gpu_clock_hertz', 'Current clock frequency by clock domain.', ['gpu', 'clock'], { gpu, clock: { values: GPU_CLOCKS } }),
    throttleActive: gauge('gpu_throttle_active', '1 while a clock throttle reason is active.', ['gpu', 'reason'], { gpu, reason: { values: GPU_THROTTLE_REASONS } }),
    throttleSecondsTotal: counter('gpu_throttle_seconds_total', 'Time spent with each throttle reason active.', ['gpu', 'reason'], { gpu, reason: { values: GPU_THROTTLE_REASONS } }),
    fanSpeedRatio: gauge('gpu_fan_speed_ratio', 'Fan speed as a fraction of its maximum.', ['gpu', 'fan'], { gpu, fan: { max: 16 } }),
    performanceState: gauge('gpu_performance_state', 'Performance state, 0 (P0, fastest) to 15 (P15, slowest).', ['gpu'], { gpu }),
    fieldSupported: gauge('gpu_field_supported', '1 when the GPU answers a field the sampler reads, 0 when it answered NotSupported (or lacks the call): a field at 0 has no series of its own, by design rather than by a gap.', ['gpu', 'field'], { gpu, field: { values: GPU_FIELDS } }),
    samplerSamplesTotal: counter('gpu_sampler_samples_total', 'Sampling ticks completed for each GPU.', ['gpu'], { gpu }),
    samplerErrorsTotal: counter('gpu_sampler_errors_total', 'NVML errors met while sampling, by field and error.', ['gpu', 'field', 'error'], { gpu, field: { max: 32 }, error: { max: 32 } }),
    samplerLastSampleTimestampSeconds: gauge('gpu_sampler_last_sample_timestamp_seconds', 'Unix time of the latest sample of each GPU.', ['gpu'], { gpu }),
  },
  gpuHealth: {
    xidErrorsTotal: counter('gpu_xid_errors_total', 'XID error events the driver reported (nvmlEventSetWait), by XID code; codes outside the catalog\'s list count as "other".', ['gpu', 'xid'], { gpu, xid: { values: [...GPU_XIDS, 'other'] } }),
    xidLastTimestampSeconds: gauge('gpu_xid_last_timestamp_seconds', 'Unix time of the latest XID error event of each GPU (absent until one happened).', ['gpu'], { gpu }),
    eccErrorsTotal: counter('gpu_ecc_errors_total', 'ECC errors of the GPU\'s memory since the driver loaded (volatile count), by type.', ['gpu', 'type'], { gpu, type: { values: GPU_ECC_TYPES } }),
    retiredPages: gauge('gpu_retired_pages', 'Memory pages retired by the driver over the GPU\'s life, by cause (GPUs before Ampere; newer ones remap rows instead).', ['gpu', 'cause'], { gpu, cause: { values: GPU_RETIREMENT_CAUSES } }),
    remappedRows: gauge('gpu_remapped_rows', 'Memory rows remapped over the GPU\'s life, by the cause of the errors (Ampere and later).', ['gpu', 'cause'], { gpu, cause: { values: GPU_REMAP_CAUSES } }),
    rowRemapStatus: gauge('gpu_row_remap_status', '1 while a row remapping is pending (needs a GPU reset) or has failed (the GPU needs service), else 0.', ['gpu', 'status'], { gpu, status: { values: GPU_REMAP_STATUSES } }),
    pcieBytesTotal: counter('gpu_pcie_bytes_total', 'Bytes over PCIe, by direction (tx: from the GPU, rx: to it), integrated from the throughput the slow loop reads.', ['gpu', 'direction'], { gpu, direction: { values: GPU_DIRECTIONS } }),
    pcieReplaysTotal: counter('gpu_pcie_replays_total', 'PCIe replays (retransmissions after link errors) the driver counted since it loaded.', ['gpu'], { gpu }),
    nvlinkBytesTotal: counter('gpu_nvlink_bytes_total', 'Data bytes over each active NVLink, by direction, from the driver\'s throughput counters.', ['gpu', 'link', 'direction'], { gpu, link: { max: 18 }, direction: { values: GPU_DIRECTIONS } }),
  },
  gpuProcess: {
    busySecondsTotal: counter('gpu_process_busy_seconds_total', 'Integral of each process\'s SM utilization (nvmlDeviceGetProcessUtilization), by executable name: rate() is the share of the GPU it used. pids are in GET /api/v1/gpu, never labels.', ['gpu', 'process'], { gpu, process: { max: 32 } }),
    memoryBytes: gauge('gpu_process_memory_bytes', 'GPU memory used by the running processes of each executable name.', ['gpu', 'process'], { gpu, process: { max: 32 } }),
  },
  cost: {
    generationGpuBusySeconds: histogram('generation_gpu_busy_seconds', 'GPU busy seconds one generation cost, summed over GPUs: its own processes\' share where the driver reports per-process use, else the whole device split by time share between concurrent jobs.', ['type'], [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600], { type: genType }),
    generationGpuEnergyJoules: histogram('generation_gpu_energy_joules', 'GPU energy one generation cost, summed over GPUs, attributed as its busy seconds are.', ['type'], [1, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 50_000, 100_000], { type: genType }),
    pipelineStageGpuSeconds: histogram('pipeline_stage_gpu_seconds', 'GPU busy seconds each pipeline stage cost, attributed as generation_gpu_busy_seconds is.', ['stage'], [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 180], { stage: { values: STAGES } }),
  },
  system: {
    cpuUsageRatio: gauge('system_cpu_usage_ratio', 'CPU busy fraction of each core since the previous scrape.', ['core'], { core: { max: 1024 } }),
    memoryBytes: gauge('system_memory_bytes', 'Host memory by type.', ['type'], { type: { values: ['total', 'used', 'free', 'available'] } }),
    diskBytes: gauge('system_disk_bytes', 'Disk space of the configured paths by type.', ['path', 'type'], { path: { max: 16 }, type: { values: ['total', 'used', 'free'] } }),
    appUptimeSeconds: gauge('app_uptime_seconds', 'Seconds since the service started.', []),
    appInfo: gauge('app_info', 'Constant 1, with the version and environment of the service as labels.', ['version', 'environment', 'node_version'], { version: { max: 4 }, environment: { max: 4 }, node_version: { max: 4 } }),
  },
  storage: {
    freeBytes: gauge('storage_free_bytes', 'Bytes free for the service on the file system of its data directory.', []),
    minFreeBytes: gauge('storage_min_free_bytes', 'The free-space watermark (ORFEAS_MIN_FREE_BYTES): below it new work is refused with 507.', []),
    retentionDeletionsTotal: counter('storage_retention_deletions_total', 'Finished jobs deleted (row, upload and result files) because they passed the retention period.', []),
    retentionFreedBytesTotal: counter('storage_retention_freed_bytes_total', 'Bytes of result and upload files freed by retention.', []),
  },
  queue: {
    // Fleet-wide in Redis mode: every replica reads the same queue and exports the same value, so
    // rules and panels aggregate them with max without(instance, pod), never sum() across replicas.
    jobQueueSize: gauge('job_queue_size', 'Jobs waiting for a job slot (fleet-wide with Redis: the same on every replica; aggregate with max without(instance, pod)).', ['type'], { type: genType }),
    activeJobs: gauge('active_jobs', 'Jobs being processed now (fleet-wide with Redis: the same on every replica; aggregate with max without(instance, pod)).', ['type'], { type: genType }),
    jobWaitDurationSeconds: histogram('job_wait_duration_seconds', 'Time a job waited in the queue before a job slot took it (observed by the replica that took it).', ['type'], [0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600], { type: genType }),
    queueUp: gauge('job_queue_up', '1 while the job queue\'s store answers this replica (SQLite takes writes; Redis is connected), 0 while it does not.', ['backend'], { backend: { values: QUEUE_BACKENDS } }),
    queueWorkers: gauge('job_queue_workers', 'Replicas taking jobs from the queue now (fleet-wide with Redis: the workers BullMQ sees connected; aggregate with max without(instance, pod)).', []),
    jobSlots: gauge('job_slots', 'This replica\'s job slots (ORFEAS_WORKERS), busy running a job or idle.', ['state'], { state: { values: JOB_SLOT_STATES } }),
  },
  cache: {
    hitsTotal: counter('cache_hits_total', 'Lookups answered from the cache.', ['cache_type'], { cache_type: { max: 16 } }),
    missesTotal: counter('cache_misses_total', 'Lookups the cache could not answer.', ['cache_type'], { cache_type: { max: 16 } }),
    entries: gauge('cache_entries', 'Entries held by the cache.', ['cache_type'], { cache_type: { max: 16 } }),
  },
  quality: {
    score: histogram('quality_score', 'Quality score (0..1) by stage.', ['stage'], ratioBuckets, { stage: { values: QUALITY_STAGES } }),
    gradeTotal: counter('quality_grade_total', 'Results graded, by grade.', ['grade'], { grade: { values: QUALITY_GRADES } }),
    autoRepairsTotal: counter('quality_auto_repairs_total', 'Mesh repairs applied automatically, by repair type.', ['repair_type'], { repair_type: { max: 20 } }),
    validationFailuresTotal: counter('quality_validation_failures_total', 'Quality validations that found an issue, by stage and issue type.', ['stage', 'issue_type'], { stage: { values: QUALITY_STAGES }, issue_type: { max: 30 } }),
    checksTotal: counter('quality_checks_total', 'Mesh checks run, by check and result.', ['check', 'result'], { check: { values: QUALITY_CHECKS }, result: { values: ['pass', 'fail'] } }),
  },
  websocket: {
    connectionsActive: gauge('websocket_connections_active', 'Open socket.io connections by client type.', ['client_type'], { client_type: { values: CLIENT_TYPES } }),
    connectionsTotal: counter('websocket_connections_total', 'socket.io connections accepted by client type.', ['client_type'], { client_type: { values: CLIENT_TYPES } }),
    messagesSentTotal: counter('websocket_messages_sent_total', 'Events sent to clients (one per emit call), by event type.', ['event_type'], { event_type: { max: 50 } }),
    messagesReceivedTotal: counter('websocket_messages_received_total', 'Events received from clients, by event type.', ['event_type'], { event_type: { max: 50 } }),
    errorsTotal: counter('websocket_errors_total', 'socket.io errors by type.', ['error_type'], { error_type: { max: 20 } }),
    connectionDurationSeconds: histogram('websocket_connection_duration_seconds', 'How long connections stayed open.', [], [10, 30, 60, 300, 600, 1800, 3600]),
    messageDeliveriesTotal: counter('websocket_message_deliveries_total', 'Events written to client connections, by event type: one per recipient (a broadcast to N sockets adds N, a socket.emit 1); a volatile event dropped on a busy transport is not counted.', ['event_type'], { event_type: { max: 50 } }),
    sentBytesTotal: counter('websocket_sent_bytes_total', 'Bytes of events written to client connections (encoded size times recipients), by event type: engine.io packet payloads as the WebSocket transport carries them (packet type, socket.io packet, binary attachments), without WebSocket frame headers, HTTP long-polling framing or compression.', ['event_type'], { event_type: { max: 50 } }),
    receivedBytesTotal: counter('websocket_received_bytes_total', 'Bytes of events received from clients, by event type: engine.io packet payloads as the WebSocket transport carries them (packet type, socket.io packet, binary attachments), without WebSocket frame headers, HTTP long-polling framing or compression.', ['event_type'], { event_type: { max: 50 } }),
    ackRoundTripSeconds: histogram('websocket_ack_round_trip_seconds', 'Time from a server emit that asks for an acknowledgement to each client\'s ack arriving, by event type; acks that time out are counted in websocket_errors_total{error_type="ack_timeout"}.', ['event_type'], [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], { event_type: { max: 50 } }),
  },
  pipeline: {
    stageDurationSeconds: histogram('pipeline_stage_duration_seconds', 'Time spent in each pipeline stage.', ['stage'], [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 180], { stage: { values: STAGES } }),
    stageErrorsTotal: counter('pipeline_stage_errors_total', 'Pipeline stage failures by stage and error type.', ['stage', 'error_type'], { stage: { values: STAGES }, error_type: { max: 20 } }),
    stagesInProgress: gauge('pipeline_stages_in_progress', 'Pipeline stages running now.', ['stage'], { stage: { values: STAGES } }),
  },
  meta: {
    labelOverflowTotal: counter('metrics_label_overflow_total', 'Label values refused by a cardinality cap and recorded as "other", by metric.', ['metric'], { metric: { max: 200 } }),
    fastPathEnabled: gauge('metrics_fast_path_enabled', "1 when recording and /metrics use the fast path over prom-client's internals; 0 when the start-up self-check found them changed and prom-client's public API is used instead.", []),
  },
} as const;

export type Catalog = typeof catalog;
export type Family = keyof Catalog;
/** The families @orfeas/gpu-sampler reads from the sampler at scrape time; createMetrics leaves them out. */
export const SAMPLED_FAMILIES = ['gpu', 'gpuHealth', 'gpuProcess'] as const satisfies readonly Family[];
export type SampledFamily = (typeof SAMPLED_FAMILIES)[number];

/** Every metric of the catalog, flat. */
export const catalogMetrics: readonly MetricDef[] = Object.values(catalog).flatMap((family) =>
  Object.values(family as Record<string, MetricDef>),
);

/** Every metric name of the catalog. */
export const metricNames: ReadonlySet<string> = new Set(catalogMetrics.map((m) => m.name));

/**
 * Metric names that services expose without defining them here: prom-client's default
 * process and Node.js metrics, which createMetrics turns on by default. Rules and dashboards
 * may name these too. (prom-client's nodejs_active_{handles,requests,resources}_total gauges
 * are left out: promtool rejects gauges ending in _total; sum the unsuffixed ones instead.)
 */
export const RUNTIME_METRIC_NAMES = [
  'process_cpu_user_seconds_total',
  'process_cpu_system_seconds_total',
  'process_cpu_seconds_total',
  'process_start_time_seconds',
  'process_resident_memory_bytes',
  'process_virtual_memory_bytes',
  'process_heap_bytes',
  'process_open_fds',
  'process_max_fds',
  'nodejs_eventloop_lag_seconds',
  'nodejs_eventloop_lag_min_seconds',
  'nodejs_eventloop_lag_max_seconds',
  'nodejs_eventloop_lag_mean_seconds',
  'nodejs_eventloop_lag_stddev_seconds',
  'nodejs_eventloop_lag_p50_seconds',
  'nodejs_eventloop_lag_p90_seconds',
  'nodejs_eventloop_lag_p99_seconds',
  'nodejs_active_resources',
  'nodejs_active_handles',
  'nodejs_active_requests',
  'nodejs_heap_size_total_bytes',
  'nodejs_heap_size_used_bytes',
  'nodejs_external_memory_bytes',
  'nodejs_heap_space_size_total_bytes',
  'nodejs_heap_space_size_used_bytes',
  'nodejs_heap_space_size_available_bytes',
  'nodejs_version_info',
  'nodejs_gc_duration_seconds',
] as const;

/** The series names a metric shows in the exposition format (histograms expand). */
export function seriesNames(metric: MetricDef): string[] {
  if (metric.type !== 'histogram') return [metric.name];
  return [`${metric.name}_bucket`, `${metric.name}_sum`, `${metric.name}_count`];
}

/** Finds the catalog metric a series name belongs to (`x_bucket` -> `x`), if any. */
export function metricOfSeries(series: string): MetricDef | undefined {
  for (const metric of catalogMetrics) if (seriesNames(metric).includes(series)) return metric;
  return undefined;
}
