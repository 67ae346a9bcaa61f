import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

/**
 * Checks requests and answers against an OpenAPI 3.1 document's schemas, with a JSON Schema draft
 * 2020-12 validator of its own (ajv), not with the zod schemas the document was generated from. The
 * tests use it; no function imports it (ajv is a development dependency).
 */

type Json = Record<string, any>;

/** An HTTP answer as a test client reads it. */
export interface Answer {
  status: number;
  contentType: string;
  body: unknown;
}

export interface Conformance {
  /** Why the JSON body does not fit the route's request body; empty when it does. */
  requestBody(method: string, path: string, body: unknown): string[];
  /** Why the value does not fit the route's parameter of that name, in the path, the query or a header; empty when it does. */
  parameter(method: string, path: string, location: 'path' | 'query' | 'header', name: string, value: unknown): string[];
  /** Why the answer is not one the route documents (status, media type, body); empty when it is. */
  answer(method: string, path: string, answer: Answer): string[];
}

/** The document's component schemas live under this id, so that references reach them from anywhere. */
const COMPONENTS_ID = 'https://contract.invalid/components.json';

// ajv-formats is CommonJS: its default export is the plugin itself, or the module holding it.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => Ajv2020;

export function conformanceTo(document: Json): Conformance {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  ajv.addSchema({ $id: COMPONENTS_ID, $defs: referencingComponents(document['components']?.['schemas'] ?? {}) });
  const compiled = new Map<object, ValidateFunction>();
  const validate = (schema: object, value: unknown): string[] => {
    let check = compiled.get(schema);
    if (!check) compiled.set(schema, (check = ajv.compile(referencingComponents(schema))));
    return check(value) ? [] : (check.errors ?? []).map((error) => `${error.instancePath || '(body)'} ${error.message ?? ''} ${JSON.stringify(error.params)}`);
  };

  const operation = (method: string, path: string): Json => {
    const found = document['paths']?.[path]?.[method.toLowerCase()];
    if (!found) throw new Error(`The document has no operation ${method} ${path}`);
    return found;
  };

  return {
    requestBody(method, path, body) {
      const schema = operation(method, path)['requestBody']?.['content']?.['application/json']?.['schema'];
      if (!schema) return [`${method} ${path} takes no JSON body`];
      return validate(schema, body);
    },
    parameter(method, path, location, name, value) {
      const parameters: Json[] = operation(method, path)['parameters'] ?? [];
      const found = parameters.find((parameter) => parameter['in'] === location && parameter['name'] === name);
      if (!found) return [`${method} ${path} takes no ${location} parameter ${name}`];
      return validate(found['schema'], value);
    },
    answer(method, path, { status, contentType, body }) {
      const response = operation(method, path)['responses']?.[String(status)];
      if (!response) return [`${method} ${path} does not document the status ${status}`];
      const content: Json | undefined = response['content'];
      if (!content) return body === '' || body === undefined ? [] : [`${method} ${path} documents no body for ${status}`];
      const essence = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
      const media = content[essence];
      if (!media) return [`${method} ${path} ${status} documents ${Object.keys(content).join(', ')}, not ${essence || 'no content type'}`];
      return validate(media['schema'], body);
    },
  };
}

/** A copy whose references to `#/components/schemas/…` name the components' own schema. */
function referencingComponents<T>(schema: T): T {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', `"${COMPONENTS_ID}#/$defs/`)) as T;
}
