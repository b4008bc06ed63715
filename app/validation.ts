import type { FastifySchemaCompiler } from 'fastify';
import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';

/**
 * Validation for every route. Fastify's default Ajv coerces types everywhere, so a JSON
 * body `{"amount": 12.5}` would pass as "12.5" and `{"is_active": "no"}` would fail oddly; money
 * must never arrive as a float. Bodies are therefore checked without coercion (wrong type →
 * 400 naming the field), while querystring, params and headers, which are strings on the wire,
 * keep coercion ("?limit=20" → 20). Neither instance removes unknown fields: they are refused.
 */
type AddFormats = (ajv: Ajv) => Ajv;
// ajv-formats is CommonJS with a `default` property; under NodeNext the import is the module object.
const addFormats =
  (addFormatsModule as unknown as { default?: AddFormats }).default ??
  (addFormatsModule as unknown as AddFormats);

const common: Options = { useDefaults: true, removeAdditional: false, allErrors: false, strict: false };

export function strictBodyValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = addFormats(new Ajv({ ...common, coerceTypes: false }));
  const coercing = addFormats(new Ajv({ ...common, coerceTypes: 'array' }));
  return ({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema as object);
}
