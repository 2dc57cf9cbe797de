/**
 * GET /api/v1/gpu's answer as a zod schema: the sampler's snapshot (devices with their field
 * support, latest readings, counters with the processes running on each GPU), or why there is
 * none. The shapes are @orfeas/gpu-sampler's; what is not spelled out here is still allowed.
 */
import { z } from '@hono/zod-openapi';
import { GPU_SAMPLER_ERROR_CODES } from '@orfeas/gpu-sampler';
import { GPU_FIELDS, GPU_SOURCES } from '@orfeas/metrics/catalog';

const GpuDevice = z
  .looseObject({
    id: z.string().openapi({ description: 'The `gpu` label: the NVML index ("0"), or "<parent index>/<GPU instance id>" for a MIG instance ("0/3")' }),
    index: z.number().int(),
    name: z.string(),
    uuid: z.string(),
    lost: z.boolean(),
    parent: z.number().int().optional().openapi({ description: 'A MIG instance\'s parent GPU (its index)' }),
    profile: z.string().optional().openapi({ description: 'A MIG instance\'s profile, e.g. 1g.10gb' }),
    fields: z
      .array(z.object({ field: z.enum(GPU_FIELDS), supported: z.boolean() }))
      .openapi({ description: 'Every field the sampler asked the GPU for, and whether it answers (gpu_field_supported)' }),
  })
  .openapi('GpuDevice');

const GpuProcess = z
  .looseObject({
    pid: z.number().int(),
    name: z.string().openapi({ description: 'Executable name (the `process` label of the gpu_process_* metrics)' }),
    type: z.enum(['compute', 'graphics']),
    memoryBytes: z.number().optional().openapi({ description: 'GPU memory it uses (absent when the driver does not say)' }),
    busySeconds: z.number().openapi({ description: 'Integral of its SM utilization since the sampler first saw it' }),
    cgroup: z.string().optional().openapi({ description: 'Its cgroup, when the sampler could read it' }),
    containerId: z.string().optional().openapi({ description: 'The container it runs in, when its cgroup names one' }),
  })
  .openapi('GpuProcess');

const GpuDeviceStats = z
  .looseObject({
    id: z.string(),
    processes: z.array(GpuProcess).openapi({ description: 'Processes running on the GPU at the last process list, by pid' }),
  })
  .openapi('GpuDeviceStats');

export const GpuSnapshot = z
  .looseObject({
    available: z.boolean(),
    source: z.enum([...GPU_SOURCES, 'off', 'unavailable']).openapi({ description: 'sim: nvml-sim\'s simulated GPUs; nvml: the NVIDIA driver' }),
    reason: z.string().optional().openapi({ description: 'Why there is no GPU telemetry' }),
    code: z.enum(GPU_SAMPLER_ERROR_CODES).optional().openapi({
      description:
        'Why there is no GPU telemetry, for a program: addon: the sampler\'s native addon is not built or installed; ' +
        'load: no NVIDIA driver (the NVML library did not load); init: NVML loaded but did not initialize; options; thread',
    }),
    devices: z.array(GpuDevice).optional(),
    latest: z.array(z.looseObject({})).optional(),
    stats: z.looseObject({ devices: z.array(GpuDeviceStats) }).optional(),
    timestamp: z.string(),
  })
  .openapi('GpuSnapshot');
