// A small JSON Schema (2020-12) checker for the keywords docs/openapi.json uses: enough to check the query API's
// answers against its own document without a validator dependency. A keyword it does not know is an error, so a
// schema it cannot read never passes silently.
export type JsonSchema = boolean | { readonly [keyword: string]: unknown };

const ANNOTATIONS = new Set([
  'description',
  'examples',
  'title',
  'default',
  'deprecated',
  'readOnly',
  'writeOnly',
]);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function hasType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

function resolve(ref: string, root: unknown): JsonSchema {
  if (!ref.startsWith('#/')) throw new Error(`unsupported $ref ${ref}`);
  let node: unknown = root;
  for (const part of ref.slice(2).split('/')) node = (node as Record<string, unknown>)[part];
  if (node === undefined) throw new Error(`dangling $ref ${ref}`);
  return node as JsonSchema;
}

/** Where `value` breaks `schema` (empty when it conforms); `root` resolves `#/...` references. */
export function schemaErrors(schema: JsonSchema, value: unknown, root: unknown, at = '$'): string[] {
  if (schema === true) return [];
  if (schema === false) return [`${at}: no value is allowed`];
  const errors: string[] = [];
  const fail = (message: string) => errors.push(`${at}: ${message}`);
  for (const [keyword, rule] of Object.entries(schema)) {
    switch (keyword) {
      case '$ref':
        errors.push(...schemaErrors(resolve(String(rule), root), value, root, at));
        break;
      case 'type': {
        const types = Array.isArray(rule) ? (rule as string[]) : [String(rule)];
        if (!types.some((type) => hasType(value, type)))
          fail(`is ${typeOf(value)}, not ${types.join(' or ')}`);
        break;
      }
      case 'enum':
        if (!(rule as unknown[]).some((allowed) => JSON.stringify(allowed) === JSON.stringify(value)))
          fail(`${JSON.stringify(value)} is not one of ${JSON.stringify(rule)}`);
        break;
      case 'const':
        if (JSON.stringify(rule) !== JSON.stringify(value)) fail(`is not ${JSON.stringify(rule)}`);
        break;
      case 'anyOf':
        if (!(rule as JsonSchema[]).some((branch) => schemaErrors(branch, value, root, at).length === 0))
          fail('matches none of anyOf');
        break;
      case 'pattern':
        if (typeof value === 'string' && !new RegExp(String(rule), 'u').test(value))
          fail(`does not match ${String(rule)}`);
        break;
      case 'minLength':
        if (typeof value === 'string' && [...value].length < Number(rule)) fail(`is shorter than ${rule}`);
        break;
      case 'maxLength':
        if (typeof value === 'string' && [...value].length > Number(rule)) fail(`is longer than ${rule}`);
        break;
      case 'minimum':
        if (typeof value === 'number' && value < Number(rule)) fail(`is below ${rule}`);
        break;
      case 'maximum':
        if (typeof value === 'number' && value > Number(rule)) fail(`is above ${rule}`);
        break;
      case 'required':
        if (typeOf(value) === 'object')
          for (const name of rule as string[])
            if (!Object.hasOwn(value as object, name)) fail(`lacks ${name}`);
        break;
      case 'items':
        if (Array.isArray(value))
          value.forEach((item, index) => {
            errors.push(...schemaErrors(rule as JsonSchema, item, root, `${at}[${index}]`));
          });
        break;
      case 'properties':
      case 'additionalProperties':
      case 'propertyNames':
        if (typeOf(value) === 'object')
          errors.push(...objectErrors(keyword, schema, value as object, root, at));
        break;
      default:
        if (!ANNOTATIONS.has(keyword)) throw new Error(`${at}: unsupported JSON Schema keyword ${keyword}`);
    }
  }
  return errors;
}

function objectErrors(
  keyword: 'properties' | 'additionalProperties' | 'propertyNames',
  schema: { readonly [keyword: string]: unknown },
  value: object,
  root: unknown,
  at: string,
): string[] {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const errors: string[] = [];
  for (const [name, child] of Object.entries(value)) {
    const where = `${at}.${name}`;
    if (keyword === 'propertyNames')
      errors.push(...schemaErrors(schema.propertyNames as JsonSchema, name, root, where));
    else if (keyword === 'properties' && Object.hasOwn(properties, name))
      errors.push(...schemaErrors(properties[name] as JsonSchema, child, root, where));
    else if (keyword === 'additionalProperties' && !Object.hasOwn(properties, name))
      errors.push(...schemaErrors(schema.additionalProperties as JsonSchema, child, root, where));
  }
  return errors;
}
