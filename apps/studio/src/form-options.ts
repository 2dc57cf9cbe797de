/**
 * What the forms offer, read from the backend's OpenAPI document (GET /openapi.json): the
 * formats and qualities POST /api/v1/generations takes, the styles and sizes of POST
 * /api/v1/text-to-image. The page never keeps its own copy of those lists.
 */
import { ApiError } from './api.js';

export interface FormOptions {
  formats: string[];
  qualities: string[];
  styles: string[];
  side: { min: number; max: number };
}

interface SchemaProperty {
  enum?: string[];
  minimum?: number;
  maximum?: number;
}
type Schemas = Record<string, { properties?: Record<string, SchemaProperty> } | undefined>;

function enumOf(schemas: Schemas, schema: string, field: string): string[] {
  const values = schemas[schema]?.properties?.[field]?.enum;
  if (!values?.length) throw new ApiError(0, 'openapi_mismatch', `/openapi.json has no ${schema}.${field} values`);
  return values;
}

export async function loadFormOptions(): Promise<FormOptions> {
  let res: Response;
  try {
    res = await fetch('/openapi.json');
  } catch {
    throw new ApiError(0, 'unreachable', 'the backend cannot be reached; is it running?');
  }
  if (!res.ok) throw new ApiError(res.status, 'openapi_unavailable', `/openapi.json answered ${res.status}`);
  const doc = (await res.json()) as { components?: { schemas?: Schemas } };
  const schemas = doc.components?.schemas ?? {};
  const width = schemas.TextToImageRequest?.properties?.width;
  return {
    formats: enumOf(schemas, 'GenerationForm', 'format'),
    qualities: enumOf(schemas, 'GenerationForm', 'quality'),
    styles: enumOf(schemas, 'TextToImageRequest', 'style'),
    side: { min: width?.minimum ?? 64, max: width?.maximum ?? 2048 },
  };
}
